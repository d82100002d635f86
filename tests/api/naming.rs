//! Issue 14, one naming scheme: a field is read back under the name it is
//! written with; filters the docs promise exist; a `PUT` that creates answers
//! `201` with `Location`, one that replaces answers `200` (docs/contract.md).

use std::collections::BTreeSet;

use actix_web::http::Method;
use serde_json::{Map, Value, json};

use crate::helpers::{TestApp, TestResponse};
use crate::pledges::{World, this_year, world};

async fn put(app: &TestApp, token: &str, path: &str, body: Value) -> TestResponse {
    app.send(TestApp::req(Method::PUT, path, Some(token)).set_json(body))
        .await
}

fn term_path(w: &World) -> String {
    format!("/api/v1/blocs/{}/terms/{}", w.bloc, w.year)
}

fn scheme_body() -> Value {
    json!({"totalCap": 100, "sections": [{"title": "A. Nội dung", "criteria": [
        {"code": "A1", "text": "Nhiệm vụ", "kind": "content", "maxPoints": 100}]}]})
}

#[actix_web::test]
async fn blocs_filter_by_code_exactly_and_case_insensitively() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    for (code, name) in [("VHXH", "Khối Văn hóa – Xã hội"), ("VHXH2", "Khối khác")] {
        let res = app
            .post(
                "/api/v1/blocs",
                &admin,
                json!({"code": code, "name": name, "kind": "khoi"}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.text());
    }
    for asked in ["VHXH", "vhxh"] {
        let res = app
            .get(&format!("/api/v1/blocs?code={asked}"), &admin)
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
        let codes: Vec<Value> = res.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["code"].clone())
            .collect();
        assert_eq!(codes, vec![json!("VHXH")], "?code={asked}");
    }
    // Exact: a prefix finds nothing.
    let res = app.get("/api/v1/blocs?code=VH", &admin).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.json()["items"], json!([]));
    // Still a checked parameter.
    assert_eq!(
        app.get("/api/v1/blocs?code=a%20b", &admin).await.status,
        422
    );
}

#[actix_web::test]
async fn a_term_reads_back_member_ids_as_written() {
    let app = TestApp::spawn().await;
    let w = world(&app, 3, this_year()).await;
    let term = app.get(&term_path(&w), &w.admin).await.json();
    let written: BTreeSet<String> = w.units.iter().map(|u| u.to_string()).collect();
    let read: BTreeSet<String> = term["memberIds"]
        .as_array()
        .expect("memberIds")
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(read, written);
    // `members` adds code and name, in the same order.
    let ids_of_members: Vec<Value> = term["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].clone())
        .collect();
    assert_eq!(Value::Array(ids_of_members), term["memberIds"]);
}

#[actix_web::test]
async fn put_scoring_scheme_creates_with_201_and_location_then_replaces_with_200() {
    let app = TestApp::spawn().await;
    let w = world(&app, 3, this_year()).await;
    let path = format!("{}/scoring-scheme", term_path(&w));
    let first = put(&app, &w.officers[0], &path, scheme_body()).await;
    assert_eq!(first.status, 201, "{}", first.text());
    assert_eq!(first.header("location").as_deref(), Some(path.as_str()));
    assert!(first.header("etag").is_some());
    assert_eq!(
        app.get(&path, &w.admin).await.json()["id"],
        first.json()["id"]
    );
    let again = put(&app, &w.officers[0], &path, scheme_body()).await;
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(again.header("location"), None);
}

#[actix_web::test]
async fn put_score_sheet_creates_with_201_and_location_then_replaces_with_200() {
    let app = TestApp::spawn().await;
    let w = world(&app, 3, this_year()).await;
    let scheme = put(
        &app,
        &w.officers[0],
        &format!("{}/scoring-scheme", term_path(&w)),
        scheme_body(),
    )
    .await
    .json();
    let a1 = scheme["sections"][0]["criteria"][0]["id"].clone();
    let path = format!("{}/score-sheets/{}", term_path(&w), w.units[1]);
    let body = |p: i32| json!({"entries": [{"criterionId": a1, "points": p}]});
    let first = put(&app, &w.officers[1], &path, body(90)).await;
    assert_eq!(first.status, 201, "{}", first.text());
    let id = first.json()["id"].as_str().unwrap().to_string();
    let location = first.header("location").expect("Location");
    assert_eq!(location, format!("/api/v1/score-sheets/{id}"));
    // Location answers GET with the sheet.
    let got = app.get(&location, &w.officers[2]).await;
    assert_eq!(got.status, 200, "{}", got.text());
    assert_eq!(got.json()["entries"][0]["points"], 90);
    let again = put(&app, &w.officers[1], &path, body(80)).await;
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(again.header("location"), None);
    assert_eq!(again.json()["id"].as_str(), Some(id.as_str()));
    assert_eq!(
        app.get(
            &format!("/api/v1/score-sheets/{}", uuid::Uuid::now_v7()),
            &w.admin
        )
        .await
        .status,
        404
    );
}

// ---- the spec walk ----

fn resolve<'a>(doc: &'a Value, mut s: &'a Value) -> &'a Value {
    while let Some(r) = s.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap();
        s = &doc["components"]["schemas"][name];
    }
    s
}

/// The properties an object schema (or an array's item schema, or the
/// branches of a combinator) names.
fn props(doc: &Value, s: &Value) -> Map<String, Value> {
    let s = resolve(doc, s);
    if let Some(items) = s.get("items") {
        return props(doc, items);
    }
    let mut out = Map::new();
    for k in ["allOf", "oneOf", "anyOf"] {
        for b in s.get(k).and_then(Value::as_array).into_iter().flatten() {
            out.extend(props(doc, b));
        }
    }
    if let Some(p) = s.get("properties").and_then(Value::as_object) {
        out.extend(p.clone());
    }
    out
}

/// Request properties (with their paths) that the response does not carry.
fn unmatched(doc: &Value, req: &Value, res: &Value, at: &str, out: &mut Vec<String>) {
    let theirs = props(doc, res);
    for (name, schema) in props(doc, req) {
        match theirs.get(&name) {
            None => out.push(format!("{at}{name}")),
            Some(r) => unmatched(doc, &schema, r, &format!("{at}{name}."), out),
        }
    }
}

/// Written but never read back, by design: secrets and the audit reason.
const WRITE_ONLY: &[&str] = &["password", "reason"];

/// Mismatches still open (docs/contract.md, "Naming"): each entry must still
/// be a mismatch, so the list shrinks as they are fixed.
const KNOWN: &[&str] = &[];

/// Every write of a representation (`POST` to a collection, `PUT`, `PATCH`)
/// reads back each request property under the same name, nested ones too.
#[test]
fn spec_walk_request_and_response_property_names_agree() {
    let doc: Value = serde_json::from_str(&thidua::api::openapi::render()).unwrap();
    let mut found = Vec::new();
    let mut walked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let last = path.rsplit('/').next().unwrap();
            let representation = match method.as_str() {
                "put" | "patch" => true,
                // A collection, not an action (`…/{id}/submit`) or a lookup.
                "post" => !last.starts_with('{') && path.matches('/').count() == 3,
                _ => false,
            };
            let Some(req) = op.pointer("/requestBody/content/application~1json/schema") else {
                continue;
            };
            // Computations, not stored representations: the token, an eligibility check.
            if !representation
                || path.starts_with("/api/v1/auth")
                || path.starts_with("/api/v1/eligibility-checks")
            {
                continue;
            }
            let ok = op["responses"]
                .as_object()
                .unwrap()
                .iter()
                .filter(|(status, _)| status.starts_with('2'))
                .find_map(|(_, r)| r.pointer("/content/application~1json/schema"));
            let Some(res) = ok else { continue };
            walked += 1;
            let mut missing = Vec::new();
            unmatched(&doc, req, res, "", &mut missing);
            for m in missing {
                if WRITE_ONLY.contains(&m.rsplit('.').next().unwrap()) {
                    continue;
                }
                found.push(format!("{} {path} {m}", method.to_uppercase()));
            }
        }
    }
    assert!(walked >= 25, "walked only {walked} writes");
    let unexpected: Vec<&String> = found
        .iter()
        .filter(|f| !KNOWN.contains(&f.as_str()))
        .collect();
    assert!(
        unexpected.is_empty(),
        "written under one name, read back under another (or not at all): {unexpected:#?}"
    );
    let fixed: Vec<&&str> = KNOWN
        .iter()
        .filter(|k| !found.iter().any(|f| f == *k))
        .collect();
    assert!(fixed.is_empty(), "fixed: remove from KNOWN: {fixed:?}");
}
