//! One paged shape (issue 14, item 3): every list answers `{items,
//! nextCursor}`, every paged one takes `limit` and `cursor` (PageParams) and
//! sends `Link: <…>; rel="next"` while a next page follows, CSV included.

use std::collections::HashSet;

use actix_web::http::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, TestResponse};

/// Lists that are naturally complete and small: all of it in one answer,
/// `nextCursor: null`, no `limit`/`cursor` (docs/contract.md, "Lists").
const COMPLETE: &[&str] = &[
    "/api/v1/award-types",
    "/api/v1/rule-sets",
    "/api/v1/blocs/{id}/terms",
    "/api/v1/blocs/{id}/terms/{year}/ballots",
    "/api/v1/blocs/{id}/terms/{year}/leading-units",
    "/api/v1/blocs/{id}/terms/{year}/ranking",
    "/api/v1/blocs/{id}/terms/{year}/review-assignments",
    "/api/v1/blocs/{id}/terms/{year}/score-sheets",
];

/// The change feed is a feed, not a collection: it never ends, its position
/// is `after=lastEventId` (docs/contract.md, "Lists").
const FEEDS: &[&str] = &["/api/v1/events"];

/// `list…` operations that answer one object, not a collection: a pledge's
/// signature status (`{signed, pending}`, the heads of one pledge, whole).
const NOT_COLLECTIONS: &[&str] = &["/api/v1/pledges/{id}/signatures"];

fn doc() -> Value {
    serde_json::from_str(&thidua::api::openapi::render()).unwrap()
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => resolve(doc, doc.pointer(&r.replace("#/", "/")).unwrap()),
        None => schema,
    }
}

#[test]
fn every_list_is_items_and_next_cursor_and_every_paged_one_takes_limit_cursor_and_says_link() {
    let doc = doc();
    let mut paged = 0;
    let mut complete_seen = HashSet::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        let Some(get) = ops.get("get") else { continue };
        let ok = &get["responses"]["200"];
        let Some(schema) = ok.pointer("/content/application~1json/schema") else {
            continue;
        };
        let schema = resolve(&doc, schema);
        assert_ne!(
            schema["type"], "array",
            "GET {path}: a bare array; lists answer {{items, nextCursor}}"
        );
        let props = &schema["properties"];
        // A list: a `list…` operation, or an answer shaped as a page (a
        // pledge's own `items` are its content, not a list).
        let op = get["operationId"].as_str().unwrap_or_default();
        let is_list = op.starts_with("list") || props.get("nextCursor").is_some();
        if !is_list || FEEDS.contains(&path.as_str()) || NOT_COLLECTIONS.contains(&path.as_str()) {
            continue;
        }
        assert!(
            props.get("items").is_some_and(|i| i["type"] == "array")
                && props.get("nextCursor").is_some(),
            "GET {path}: a list that is not {{items, nextCursor}}"
        );
        let query: Vec<&str> = get["parameters"]
            .as_array()
            .map(|ps| {
                ps.iter()
                    .filter(|p| p["in"] == "query")
                    .filter_map(|p| p["name"].as_str())
                    .collect()
            })
            .unwrap_or_default();
        if COMPLETE.contains(&path.as_str()) {
            complete_seen.insert(path.clone());
            assert!(
                !query.contains(&"cursor"),
                "GET {path} is listed as complete but takes a cursor: take it off COMPLETE"
            );
            continue;
        }
        paged += 1;
        for p in ["limit", "cursor"] {
            assert!(query.contains(&p), "GET {path}: no `{p}` parameter");
        }
        assert!(
            ok.pointer("/headers/Link").is_some(),
            "GET {path}: the `Link` response header is not documented"
        );
    }
    let stale: Vec<_> = COMPLETE
        .iter()
        .filter(|p| !complete_seen.contains(**p))
        .collect();
    assert!(
        stale.is_empty(),
        "COMPLETE lists what is no list: {stale:?}"
    );
    assert!(paged >= 15, "only {paged} paged lists found");
}

/// The `rel="next"` target of a `Link` header.
fn next(res: &TestResponse) -> Option<String> {
    let link = res.header("link")?;
    let (target, rel) = link.split_once(';')?;
    assert_eq!(rel.trim(), "rel=\"next\"", "{link}");
    Some(
        target
            .trim()
            .strip_prefix('<')?
            .strip_suffix('>')?
            .to_string(),
    )
}

/// Follow `Link` from `first` to the end: every page but the last has one
/// (and a `nextCursor` equal to its `cursor`), the last has neither; the ids
/// seen, in order.
async fn walk(app: &TestApp, token: &str, first: &str, id: fn(&Value) -> String) -> Vec<String> {
    let mut seen = Vec::new();
    let mut url = Some(first.to_string());
    let mut pages = 0;
    while let Some(u) = url {
        let res = app.get(&u, token).await;
        assert_eq!(res.status, 200, "{u}: {}", res.text());
        let body = res.json();
        seen.extend(body["items"].as_array().unwrap().iter().map(id));
        url = next(&res);
        match (&url, body["nextCursor"].as_str()) {
            (Some(n), Some(c)) => {
                assert!(n.ends_with(&format!("cursor={c}")), "{n} vs {c}");
                assert!(n.starts_with(first.split('?').next().unwrap()), "{n}");
            }
            (None, None) => {}
            other => panic!("{u}: Link and nextCursor disagree: {other:?}"),
        }
        pages += 1;
        assert!(pages < 100, "{first}: no end");
    }
    seen
}

fn once(seen: &[String]) {
    let set: HashSet<&String> = seen.iter().collect();
    assert_eq!(set.len(), seen.len(), "an item was seen twice: {seen:?}");
}

#[actix_web::test]
async fn following_link_walks_a_filtered_collection_to_its_end_with_every_item_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let parent = app.org("PGP", None);
    let mut made: Vec<String> = (0..7)
        .map(|i| app.org(&format!("PG{i}"), Some(parent)).to_string())
        .collect();
    app.org("OTHER", None);
    let id = |v: &Value| v["id"].as_str().unwrap().to_string();
    // The filter and the limit ride along in every Link.
    let first = format!("/api/v1/organizations?parentId={parent}&limit=3");
    let mut seen = walk(&app, &admin, &first, id).await;
    once(&seen);
    seen.sort();
    made.sort();
    assert_eq!(seen, made);
    let page = app.get(&first, &admin).await;
    let link = next(&page).expect("7 rows at 3 a page: a next page");
    assert!(link.contains(&format!("parentId={parent}")), "{link}");
    assert!(link.contains("limit=3"), "{link}");
    // A page exactly at the end has no Link.
    let all = app
        .get(
            &format!("/api/v1/organizations?parentId={parent}&limit=7"),
            &admin,
        )
        .await;
    assert_eq!(all.json()["items"].as_array().unwrap().len(), 7);
    assert_eq!(next(&all), None);
    assert_eq!(all.json()["nextCursor"], Value::Null);
}

#[actix_web::test]
async fn the_audit_trail_pages_by_link_in_json_and_in_csv() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    for i in 0..5 {
        let res = app
            .post(
                "/api/v1/organizations",
                &admin,
                json!({"code": format!("AU{i}"), "name": format!("Đơn vị {i}"), "kind": "department"}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.text());
    }
    let total = app.count("SELECT count(*) AS n FROM audit_log") as usize;
    assert!(total >= 5);
    let id = |v: &Value| v["id"].to_string();
    let seen = walk(&app, &admin, "/api/v1/audit?limit=2", id).await;
    once(&seen);
    assert_eq!(seen.len(), total);

    // CSV: the same pages, the same Link, with `Accept: text/csv`.
    let mut url = Some("/api/v1/audit?limit=2".to_string());
    let mut rows = Vec::new();
    while let Some(u) = url {
        let res = app
            .send(TestApp::req(Method::GET, &u, Some(&admin)).insert_header(("Accept", "text/csv")))
            .await;
        assert_eq!(res.status, 200);
        assert!(res.header("content-type").unwrap().starts_with("text/csv"));
        let text = res.text();
        rows.extend(
            text.lines()
                .skip(1)
                .map(|l| l.split(',').next().unwrap().to_string()),
        );
        url = next(&res);
        assert!(rows.len() <= total, "the CSV walk does not end");
    }
    once(&rows);
    assert_eq!(rows.len(), total);
}

fn award(app: &TestApp, person: Uuid, decision: Uuid, kind: &str, year: i32) {
    app.sql(&format!(
        "INSERT INTO awards (id, award_type, person_id, year, decision_id, eligibility)
         VALUES ('{}', '{kind}', '{person}', {year}, '{decision}',
                 '{{\"eligible\": true, \"ruleSet\": {{}}, \"checks\": []}}')",
        Uuid::now_v7()
    ));
}

/// Issue 14: the award-history routes returned `nextCursor` but took no
/// `cursor`; now they page by (year, newest first; id).
#[actix_web::test]
async fn award_history_pages_by_cursor_newest_year_first() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let unit = app.org("AWH", None);
    let person = Uuid::now_v7();
    let decision = Uuid::now_v7();
    app.sql(&format!(
        "INSERT INTO people (id, full_name, organization_id, category) VALUES ('{person}', 'Lê Văn Hùng', '{unit}', 'cong_chuc');
         INSERT INTO decisions (id, number, decided_on, signer, issuing_body, year, rule_set_id)
         VALUES ('{decision}', '1/QĐ-UBND', '2023-01-15', 'Chủ tịch', 'UBND tỉnh', 2022,
                 (SELECT id FROM rule_sets ORDER BY effective_from LIMIT 1));"
    ));
    for year in 2016..=2022 {
        award(&app, person, decision, "ldtt", year);
        award(&app, person, decision, "cstdcs", year);
    }
    let id = |v: &Value| v["award"]["id"].as_str().unwrap().to_string();
    let first = format!("/api/v1/people/{person}/awards?limit=3");
    let seen = walk(&app, &admin, &first, id).await;
    once(&seen);
    assert_eq!(seen.len(), 14);
    // Newest year first across page boundaries.
    let mut years = Vec::new();
    let mut url = Some(first);
    while let Some(u) = url {
        let res = app.get(&u, &admin).await;
        years.extend(
            res.json()["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["award"]["year"].as_i64().unwrap()),
        );
        url = next(&res);
    }
    let mut sorted = years.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(years, sorted);
    // A cursor from another collection is refused, not misread.
    app.org("AWH2", None);
    let orgs = app.get("/api/v1/organizations?limit=1", &admin).await;
    let foreign = orgs.json()["nextCursor"].as_str().unwrap().to_string();
    let res = app
        .get(
            &format!("/api/v1/people/{person}/awards?cursor={foreign}"),
            &admin,
        )
        .await;
    assert_eq!(res.status, 400, "{}", res.text());
    assert_eq!(res.code(), "invalid_cursor");
}

#[actix_web::test]
async fn a_complete_list_answers_items_and_a_null_next_cursor_without_link() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let res = app.get("/api/v1/award-types", &admin).await;
    assert_eq!(res.status, 200);
    assert!(!res.json()["items"].as_array().unwrap().is_empty());
    assert_eq!(res.json()["nextCursor"], Value::Null);
    assert_eq!(next(&res), None);
}
