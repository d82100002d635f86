//! Organisations, staff, search, blocs and terms (B1–B5), conferences, demo.

use actix_web::http::Method;
use serde_json::{Value, json};
use thidua::auth::Role;
use uuid::Uuid;

use crate::helpers::{TestApp, assert_problem};

async fn put(
    app: &TestApp,
    token: &str,
    path: &str,
    body: Value,
    if_match: Option<&str>,
) -> crate::helpers::TestResponse {
    let mut r = TestApp::req(Method::PUT, path, Some(token)).set_json(body);
    if let Some(m) = if_match {
        r = r.insert_header(("If-Match", m));
    }
    app.send(r).await
}

async fn bloc(app: &TestApp, admin: &str, code: &str) -> String {
    let res = app
        .post(
            "/api/v1/blocs",
            admin,
            json!({"code": code, "name": format!("Khối {code}"), "kind": "khoi"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    res.json()["id"].as_str().unwrap().to_string()
}

fn term(members: &[Uuid], head: Uuid, deputy: Option<Uuid>) -> Value {
    json!({"memberIds": members, "headId": head, "deputyId": deputy})
}

#[actix_web::test]
async fn organizations_are_created_searched_and_paged_by_code() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let res = app
        .post(
            "/api/v1/organizations",
            &admin,
            json!({"code": "syt", "name": "Sở Y tế", "kind": "department"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(res.json()["code"], "SYT");
    assert_eq!(res.json()["isUnit"], true);
    assert!(
        res.header("location")
            .unwrap()
            .starts_with("/api/v1/organizations/")
    );
    let dup = app
        .post(
            "/api/v1/organizations",
            &admin,
            json!({"code": "SYT", "name": "Khác", "kind": "other"}),
        )
        .await;
    assert_problem(&dup, 409, "code_taken");
    app.post("/api/v1/organizations", &admin, json!({"code": "DPTTH", "name": "Đài Phát thanh và Truyền hình tỉnh", "kind": "broadcaster"})).await;
    app.post(
        "/api/v1/organizations",
        &admin,
        json!({"code": "STTTT", "name": "Sở Thông tin và Truyền thông", "kind": "department"}),
    )
    .await;

    // Diacritic-insensitive both ways: plain query finds marked name, marked query finds it too.
    for q in ["so%20y%20te", "S%E1%BB%9F%20Y%20T%E1%BA%BF", "Y%20TE"] {
        let found = app
            .get(&format!("/api/v1/organizations?q={q}"), &admin)
            .await
            .json();
        let codes: Vec<&str> = found["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, vec!["SYT"], "q={q}");
    }
    let found = app
        .get("/api/v1/organizations?q=dai%20phat", &admin)
        .await
        .json();
    assert_eq!(found["items"][0]["code"], "DPTTH");
    // LIKE wildcards in the query are literal.
    assert_eq!(
        app.get("/api/v1/organizations?q=%25", &admin).await.json()["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );

    let page1 = app
        .get("/api/v1/organizations?limit=2", &admin)
        .await
        .json();
    let codes: Vec<&str> = page1["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["DPTTH", "STTTT"]);
    let next = page1["nextCursor"].as_str().unwrap();
    let page2 = app
        .get(
            &format!("/api/v1/organizations?limit=2&cursor={next}"),
            &admin,
        )
        .await
        .json();
    assert_eq!(page2["items"][0]["code"], "SYT");
    assert!(page2["nextCursor"].is_null());

    // Officers read but do not write the registry.
    let syt = res.json()["id"].as_str().unwrap().parse::<Uuid>().unwrap();
    let (_, officer) = app.user("syt.officer", &[Role::Officer], Some(syt)).await;
    assert_eq!(app.get("/api/v1/organizations", &officer).await.status, 200);
    assert_problem(
        &app.post(
            "/api/v1/organizations",
            &officer,
            json!({"code": "X1", "name": "X", "kind": "other"}),
        )
        .await,
        403,
        "admin_required",
    );
}

#[actix_web::test]
async fn names_are_stored_nfc_and_the_search_uses_an_index() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let decomposed = "So\u{031b}\u{0309} Y te\u{0302}\u{0301}"; // "Sở Y tế" as base letters + combining marks
    let res = app
        .post(
            "/api/v1/organizations",
            &admin,
            json!({"code": "SYT", "name": decomposed, "kind": "department"}),
        )
        .await;
    assert_eq!(res.json()["name"], "Sở Y tế");
    let plan = app.count(
        "SELECT count(*) AS n FROM pg_indexes WHERE indexname IN ('organizations_search_idx', 'people_search_idx') AND indexdef LIKE '%gin_trgm_ops%'",
    );
    assert_eq!(plan, 2);
}

#[actix_web::test]
async fn as_of_queries_follow_a_merge() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let old = app.post("/api/v1/organizations", &admin, json!({"code": "SKHDT", "name": "Sở Kế hoạch và Đầu tư", "kind": "department", "validFrom": "2000-01-01"})).await.json();
    let new = app.post("/api/v1/organizations", &admin, json!({"code": "STC", "name": "Sở Tài chính", "kind": "department", "validFrom": "2025-07-01"})).await.json();
    let retired = app
        .post(
            &format!(
                "/api/v1/organizations/{}/retire",
                old["id"].as_str().unwrap()
            ),
            &admin,
            json!({"validTo": "2025-06-30", "supersededById": new["id"]}),
        )
        .await;
    assert_eq!(retired.status, 200, "{}", retired.text());
    assert_eq!(retired.json()["supersededOn"], "2025-07-01");
    assert_eq!(retired.json()["active"], false);
    let codes = |v: Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["code"].as_str().unwrap().to_string())
            .collect()
    };
    let before = app
        .get("/api/v1/organizations?asOf=2025-06-30&code=SKHDT", &admin)
        .await
        .json();
    assert_eq!(codes(before), vec!["SKHDT"]);
    assert!(
        codes(
            app.get("/api/v1/organizations?asOf=2025-06-30", &admin)
                .await
                .json()
        )
        .iter()
        .all(|c| c != "STC")
    );
    let after = codes(
        app.get("/api/v1/organizations?asOf=2025-07-01", &admin)
            .await
            .json(),
    );
    assert!(
        after.contains(&"STC".to_string()) && !after.contains(&"SKHDT".to_string()),
        "{after:?}"
    );
    assert_eq!(
        codes(
            app.get("/api/v1/organizations?active=false", &admin)
                .await
                .json()
        ),
        vec!["SKHDT"]
    );
    // The history stays readable; retiring twice is refused.
    let again = app
        .post(
            &format!(
                "/api/v1/organizations/{}/retire",
                old["id"].as_str().unwrap()
            ),
            &admin,
            json!({}),
        )
        .await;
    assert_problem(&again, 409, "already_retired");
    assert_problem(
        &app.send(TestApp::req(
            Method::DELETE,
            &format!("/api/v1/organizations/{}", old["id"].as_str().unwrap()),
            Some(&admin),
        ))
        .await,
        405,
        "method_not_allowed",
    );
}

#[actix_web::test]
async fn a_sub_units_parent_must_be_a_unit() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let unit = app.org("SYT", None);
    let sub = app
        .post(
            "/api/v1/organizations",
            &admin,
            json!({"code": "SYT-VP", "name": "Văn phòng Sở", "kind": "division", "parentId": unit}),
        )
        .await;
    assert_eq!(sub.status, 201);
    assert_eq!(sub.json()["isUnit"], false);
    let subsub = app.post("/api/v1/organizations", &admin, json!({"code": "SYT-VP-1", "name": "Tổ", "kind": "division", "parentId": sub.json()["id"]})).await;
    assert_problem(&subsub, 409, "parent_not_a_unit");
}

#[actix_web::test]
async fn officers_keep_their_own_staff_list_only() {
    let app = TestApp::spawn().await;
    let a = app.org("SGDDT", None);
    let a_sub = app.org("SGDDT-P1", Some(a));
    let b = app.org("SYT", None);
    let (_, officer_a) = app.user("a.officer", &[Role::Officer], Some(a)).await;
    let (_, viewer) = app.user("viewer", &[Role::Viewer], None).await;
    let person = |org: Uuid| json!({"fullName": "Nguyễn Văn An", "organizationId": org, "category": "cong_chuc", "gender": "male"});
    let own = app.post("/api/v1/people", &officer_a, person(a)).await;
    assert_eq!(own.status, 201, "{}", own.text());
    assert_eq!(
        app.post("/api/v1/people", &officer_a, person(a_sub))
            .await
            .status,
        201
    );
    assert_problem(
        &app.post("/api/v1/people", &officer_a, person(b)).await,
        403,
        "not_your_organization",
    );
    assert_problem(
        &app.post("/api/v1/people", &viewer, person(a)).await,
        403,
        "read_only",
    );
    // Nor move their own staff to another unit, whatever ids they send.
    let id = own.json()["id"].as_str().unwrap().to_string();
    let moved = app
        .patch(
            &format!("/api/v1/people/{id}"),
            &officer_a,
            None,
            json!({"organizationId": b}),
        )
        .await;
    assert_problem(&moved, 403, "not_your_organization");
    let ok = app
        .patch(
            &format!("/api/v1/people/{id}"),
            &officer_a,
            Some("\"1\""),
            json!({"position": "Phó phòng"}),
        )
        .await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.header("etag").as_deref(), Some("\"2\""));
    // And an officer of B cannot touch A's staff.
    let (_, officer_b) = app.user("b.officer", &[Role::Officer], Some(b)).await;
    assert_problem(
        &app.patch(
            &format!("/api/v1/people/{id}"),
            &officer_b,
            None,
            json!({"active": false}),
        )
        .await,
        403,
        "not_your_organization",
    );
    let search = app
        .get("/api/v1/people?q=nguyen%20van", &viewer)
        .await
        .json();
    assert_eq!(search["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        app.get("/api/v1/people?q=NGUY%E1%BB%84N%20an", &viewer)
            .await
            .json()["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[actix_web::test]
async fn paging_through_a_thousand_people_returns_each_exactly_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let org = app.org("SYT", None);
    app.sql(&format!(
        "INSERT INTO people (id, full_name, organization_id, category)
         SELECT ('0190' || lpad(to_hex(i), 4, '0') || '-0000-7000-8000-000000000000')::uuid, 'Người ' || i, '{org}', 'vien_chuc'
           FROM generate_series(1, 1000) i"
    ));
    let mut seen = std::collections::HashSet::new();
    let mut total = 0;
    let mut cursor = String::new();
    loop {
        let page = app
            .get(
                &format!("/api/v1/people?organizationId={org}&limit=200&cursor={cursor}"),
                &admin,
            )
            .await
            .json();
        for p in page["items"].as_array().unwrap() {
            seen.insert(p["id"].as_str().unwrap().to_string());
            total += 1;
        }
        match page["nextCursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => break,
        }
    }
    assert_eq!((total, seen.len()), (1000, 1000));
}

#[actix_web::test]
async fn b1_a_unit_is_in_one_bloc_term_per_year() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (a, b, c) = (
        app.org("A1", None),
        app.org("B1", None),
        app.org("C1", None),
    );
    let k1 = bloc(&app, &admin, "K1").await;
    let k2 = bloc(&app, &admin, "K2").await;
    let first = put(
        &app,
        &admin,
        &format!("/api/v1/blocs/{k1}/terms/2021"),
        term(&[a, b], a, Some(b)),
        None,
    )
    .await;
    assert_eq!(first.status, 201, "{}", first.text());
    let clash = put(
        &app,
        &admin,
        &format!("/api/v1/blocs/{k2}/terms/2021"),
        term(&[b, c], c, None),
        None,
    )
    .await;
    assert_problem(&clash, 409, "already_in_bloc");
    assert!(clash.problem()["detail"].as_str().unwrap().contains("B1"));
    // Another year is fine.
    assert_eq!(
        put(
            &app,
            &admin,
            &format!("/api/v1/blocs/{k2}/terms/2022"),
            term(&[b, c], c, None),
            None
        )
        .await
        .status,
        201
    );
}

#[actix_web::test]
async fn b1_two_blocs_racing_for_the_same_unit_exactly_one_wins() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let shared = app.org("SHARED", None);
    let (x, y) = (app.org("X1", None), app.org("Y1", None));
    let k1 = bloc(&app, &admin, "K1").await;
    let k2 = bloc(&app, &admin, "K2").await;
    for year in (2030..2040).step_by(2) {
        let (r1, r2) = futures_util::future::join(
            put(
                &app,
                &admin,
                &format!("/api/v1/blocs/{k1}/terms/{year}"),
                term(&[shared, x], x, None),
                None,
            ),
            put(
                &app,
                &admin,
                &format!("/api/v1/blocs/{k2}/terms/{year}"),
                term(&[shared, y], y, None),
                None,
            ),
        )
        .await;
        let statuses = [r1.status.as_u16(), r2.status.as_u16()];
        assert_eq!(
            statuses.iter().filter(|s| **s == 201).count(),
            1,
            "{statuses:?} {} {}",
            r1.text(),
            r2.text()
        );
        let loser = if r1.status == 201 { &r2 } else { &r1 };
        assert_problem(loser, 409, "already_in_bloc");
        assert_eq!(app.count(&format!("SELECT count(*) AS n FROM term_members WHERE organization_id = '{shared}' AND year = {year}")), 1);
    }
}

#[actix_web::test]
async fn b2_head_and_deputy_are_two_different_members() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (a, b, c) = (
        app.org("A1", None),
        app.org("B1", None),
        app.org("C1", None),
    );
    let k = bloc(&app, &admin, "K1").await;
    let path = format!("/api/v1/blocs/{k}/terms/2021");
    assert_problem(
        &put(&app, &admin, &path, term(&[a, b], c, None), None).await,
        409,
        "head_deputy_invalid",
    );
    assert_problem(
        &put(&app, &admin, &path, term(&[a, b], a, Some(a)), None).await,
        409,
        "head_deputy_invalid",
    );
    assert_problem(
        &put(&app, &admin, &path, term(&[a, b], a, Some(c)), None).await,
        409,
        "head_deputy_invalid",
    );
    assert_eq!(
        put(&app, &admin, &path, term(&[a, b], a, Some(b)), None)
            .await
            .status,
        201
    );
}

#[actix_web::test]
async fn b3_the_same_unit_does_not_head_a_bloc_two_years_running() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (a, b) = (app.org("A1", None), app.org("B1", None));
    let k = bloc(&app, &admin, "K1").await;
    assert_eq!(
        put(
            &app,
            &admin,
            &format!("/api/v1/blocs/{k}/terms/2021"),
            term(&[a, b], a, None),
            None
        )
        .await
        .status,
        201
    );
    let again = put(
        &app,
        &admin,
        &format!("/api/v1/blocs/{k}/terms/2022"),
        term(&[a, b], a, None),
        None,
    )
    .await;
    assert_problem(&again, 409, "head_two_years_running");
    // Also when the earlier year is entered after the later one.
    assert_problem(
        &put(
            &app,
            &admin,
            &format!("/api/v1/blocs/{k}/terms/2020"),
            term(&[a, b], a, None),
            None,
        )
        .await,
        409,
        "head_two_years_running",
    );
    // Switched off per bloc.
    assert_eq!(
        app.patch(
            &format!("/api/v1/blocs/{k}"),
            &admin,
            None,
            json!({"rotateHead": false})
        )
        .await
        .status,
        200
    );
    assert_eq!(
        put(
            &app,
            &admin,
            &format!("/api/v1/blocs/{k}/terms/2022"),
            term(&[a, b], a, None),
            None
        )
        .await
        .status,
        201
    );
}

#[actix_web::test]
async fn b4_a_frozen_term_changes_only_by_the_admin_with_a_reason() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (a, b, c) = (
        app.org("A1", None),
        app.org("B1", None),
        app.org("C1", None),
    );
    let k = bloc(&app, &admin, "K1").await;
    let path = format!("/api/v1/blocs/{k}/terms/2021");
    assert_eq!(
        put(&app, &admin, &path, term(&[a, b], a, None), None)
            .await
            .status,
        201
    );
    // The pledge opening sets frozen_at (B4); the pledges capability supplies it.
    app.sql("UPDATE bloc_terms SET frozen_at = now()");
    assert_eq!(app.get(&path, &admin).await.json()["frozen"], true);
    assert_problem(
        &put(&app, &admin, &path, term(&[a, b, c], a, None), None).await,
        409,
        "term_frozen",
    );
    let mut with_reason = term(&[a, b, c], a, None);
    with_reason["reason"] = json!("Bổ sung đơn vị C1 theo quyết định của UBND tỉnh");
    let ok = put(&app, &admin, &path, with_reason, Some("\"1\"")).await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert_eq!(ok.json()["members"].as_array().unwrap().len(), 3);
    assert_eq!(app.count("SELECT count(*) AS n FROM audit_log WHERE action = 'term.replaced' AND reason LIKE 'Bổ sung%' AND before IS NOT NULL"), 1);
}

#[actix_web::test]
async fn b5_sub_units_and_staff_cannot_be_bloc_members() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let a = app.org("A1", None);
    let sub = app.org("A1-P1", Some(a));
    let k = bloc(&app, &admin, "K1").await;
    let path = format!("/api/v1/blocs/{k}/terms/2021");
    assert_problem(
        &put(&app, &admin, &path, term(&[a, sub], a, None), None).await,
        409,
        "member_not_a_unit",
    );
    let person = app
        .post(
            "/api/v1/people",
            &admin,
            json!({"fullName": "Trần B", "organizationId": a, "category": "vien_chuc"}),
        )
        .await
        .json();
    let pid: Uuid = person["id"].as_str().unwrap().parse().unwrap();
    assert_problem(
        &put(&app, &admin, &path, term(&[a, pid], a, None), None).await,
        409,
        "member_not_a_unit",
    );
    assert_problem(
        &put(
            &app,
            &admin,
            &path,
            term(&[a, Uuid::now_v7()], a, None),
            None,
        )
        .await,
        422,
        "unknown_organization",
    );
}

#[actix_web::test]
async fn head_suggestion_names_the_member_longest_without_the_role() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (a, b, c) = (
        app.org("AA", None),
        app.org("BB", None),
        app.org("CC", None),
    );
    let k = bloc(&app, &admin, "K1").await;
    put(
        &app,
        &admin,
        &format!("/api/v1/blocs/{k}/terms/2019"),
        term(&[a, b, c], a, None),
        None,
    )
    .await;
    put(
        &app,
        &admin,
        &format!("/api/v1/blocs/{k}/terms/2020"),
        term(&[a, b, c], c, None),
        None,
    )
    .await;
    put(
        &app,
        &admin,
        &format!("/api/v1/blocs/{k}/terms/2021"),
        term(&[a, b, c], a, None),
        None,
    )
    .await;
    let s = app
        .get(
            &format!("/api/v1/blocs/{k}/terms/2022/head-suggestion"),
            &admin,
        )
        .await
        .json();
    assert_eq!(s["code"], "BB");
    assert!(s["lastHeadYear"].is_null());
    put(
        &app,
        &admin,
        &format!("/api/v1/blocs/{k}/terms/2022"),
        term(&[a, b, c], b, None),
        None,
    )
    .await;
    let s = app
        .send(
            TestApp::req(
                Method::GET,
                &format!("/api/v1/blocs/{k}/terms/2023/head-suggestion"),
                Some(&admin),
            )
            .insert_header(("Accept-Language", "en")),
        )
        .await
        .json();
    assert_eq!(s["code"], "CC");
    assert_eq!(s["lastHeadYear"], 2020);
    assert!(s["reason"].as_str().unwrap().contains("2020"));
    let history = app
        .get(&format!("/api/v1/blocs/{k}/terms"), &admin)
        .await
        .json();
    let years: Vec<i64> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["year"].as_i64().unwrap())
        .collect();
    assert_eq!(years, vec![2022, 2021, 2020, 2019]);
}

#[actix_web::test]
async fn conferences_keep_attendees_representatives_and_documents() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let host = app.org("BDT", None);
    let k = bloc(&app, &admin, "VHXH").await;
    let body = json!({"blocId": k, "year": 2021, "kind": "start_of_year", "date": "2021-04-01", "location": "Ban Dân tộc tỉnh",
        "hostOrganizationId": host, "title": "Hội nghị ký giao ước thi đua năm 2021", "attendeeIds": [host],
        "representatives": [{"fullName": "Hoàng Minh Ái", "position": "Trưởng Ban Dân tộc", "organizationId": host}],
        "documents": [{"title": "Quy chế hoạt động", "sha256": "AB".repeat(32)}, {"title": "Kế hoạch năm 2021"}]});
    let res = app.post("/api/v1/conferences", &admin, body.clone()).await;
    assert_eq!(res.status, 201, "{}", res.text());
    let id = res.json()["id"].as_str().unwrap().to_string();
    let got = app
        .get(&format!("/api/v1/conferences/{id}"), &admin)
        .await
        .json();
    assert_eq!(got["representatives"][0]["fullName"], "Hoàng Minh Ái");
    assert_eq!(got["documents"][1]["title"], "Kế hoạch năm 2021");
    assert_eq!(got["documents"][0]["sha256"], "ab".repeat(32));
    let listed = app
        .get(&format!("/api/v1/conferences?blocId={k}&year=2021"), &admin)
        .await
        .json();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    let mut bad = body.clone();
    bad["attendeeIds"] = json!([Uuid::now_v7()]);
    assert_problem(
        &app.post("/api/v1/conferences", &admin, bad).await,
        422,
        "unknown_organization",
    );
    let mut bad = body;
    bad["documents"] = json!([{"title": "X", "sha256": "nope"}]);
    assert_problem(
        &app.post("/api/v1/conferences", &admin, bad).await,
        422,
        "validation_failed",
    );
}

#[actix_web::test]
async fn seed_demo_loads_the_founding_document_and_twice_changes_nothing() {
    let app = TestApp::spawn().await;
    let first = thidua::service::demo::seed(&app.state.db).await.unwrap();
    assert_eq!(first.credentials.len(), 19);
    let snapshot = || {
        [
            "SELECT count(*) AS n FROM organizations",
            "SELECT count(*) AS n FROM users",
            "SELECT count(*) AS n FROM blocs",
            "SELECT count(*) AS n FROM bloc_terms",
            "SELECT count(*) AS n FROM term_members",
            "SELECT count(*) AS n FROM conferences",
            "SELECT count(*) AS n FROM conference_attendees",
            "SELECT count(*) AS n FROM audit_log",
        ]
        .map(|q| app.count(q))
    };
    let before = snapshot();
    assert_eq!(&before[..7], &[10, 19, 1, 1, 9, 1, 10]);
    let second = thidua::service::demo::seed(&app.state.db).await.unwrap();
    assert!(second.created.is_empty() && second.credentials.is_empty());
    assert_eq!(snapshot(), before);

    // The demo's users log in and see the real bloc.
    let (user, password) = first
        .credentials
        .iter()
        .find(|(u, _)| u == "bdt.officer")
        .unwrap();
    let token = app
        .send(
            TestApp::req(Method::POST, "/api/v1/auth/token", None)
                .set_json(json!({"grantType": "password", "username": user, "password": password})),
        )
        .await
        .json()["accessToken"]
        .as_str()
        .unwrap()
        .to_string();
    let blocs = app.get("/api/v1/blocs", &token).await.json();
    assert_eq!(blocs["items"][0]["code"], "VHXH");
    let k = blocs["items"][0]["id"].as_str().unwrap();
    let term = app
        .get(&format!("/api/v1/blocs/{k}/terms/2021"), &token)
        .await
        .json();
    let bdt = app
        .get("/api/v1/organizations?code=BDT", &token)
        .await
        .json();
    assert_eq!(term["headId"], bdt["items"][0]["id"]);
    assert_eq!(term["reportingCutoff"], "2021-12-15");
    assert_eq!(term["members"].as_array().unwrap().len(), 9);
    let confs = app
        .get(&format!("/api/v1/conferences?blocId={k}"), &token)
        .await
        .json();
    assert_eq!(confs["items"][0]["date"], "2021-04-01");
    assert_eq!(
        confs["items"][0]["representatives"][0]["fullName"],
        "Hoàng Minh Ái"
    );
    assert_eq!(
        confs["items"][0]["attendeeIds"].as_array().unwrap().len(),
        10
    );
}
