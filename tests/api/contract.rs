//! The contract as tools read it (issue 14): HEAD wherever GET works.

use crate::helpers::{TestApp, raw_exchange};

fn request(method: &str, path: &str, token: &str, extra: &str) -> Vec<u8> {
    format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n{extra}Connection: close\r\n\r\n"
    )
    .into_bytes()
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|line| {
        let (k, v) = line.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// RFC 9110 §9.3.2: HEAD answers what GET answers — status, Content-Type,
/// Content-Length, ETag — with no body; on a collection, an item and a
/// health route, and an unknown id is 404 for both.
#[actix_web::test]
async fn head_answers_like_get_without_a_body() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let org = app.org("HEADT", None);
    for path in [
        "/api/v1/organizations".to_string(),
        format!("/api/v1/organizations/{org}"),
        "/health/live".to_string(),
        format!("/api/v1/organizations/{}", uuid::Uuid::new_v4()),
    ] {
        let get = raw_exchange(&app, request("GET", &path, &admin, "")).await;
        let head = raw_exchange(&app, request("HEAD", &path, &admin, "")).await;
        let (get_head, get_body) = get.split_once("\r\n\r\n").unwrap();
        let (head_head, head_body) = head.split_once("\r\n\r\n").unwrap();
        let status = |h: &str| h.lines().next().unwrap().to_string();
        assert_eq!(status(head_head), status(get_head), "{path}");
        assert_eq!(head_body, "", "{path}: HEAD sent a body");
        for name in ["content-type", "etag"] {
            assert_eq!(
                header(head_head, name),
                header(get_head, name),
                "{path} {name}"
            );
        }
        if let Some(len) = header(head_head, "content-length") {
            assert_eq!(len, get_body.len().to_string(), "{path}");
        }
        if get_head.starts_with("HTTP/1.1 200") {
            assert!(!get_body.is_empty(), "{path}");
        }
    }
    // A HEAD of an item still honours If-None-Match like its GET.
    let path = format!("/api/v1/organizations/{org}");
    let get = raw_exchange(&app, request("GET", &path, &admin, "")).await;
    let etag = header(get.split_once("\r\n\r\n").unwrap().0, "etag")
        .expect("an item has an ETag")
        .to_string();
    let head = raw_exchange(
        &app,
        request("HEAD", &path, &admin, &format!("If-None-Match: {etag}\r\n")),
    )
    .await;
    let get_again = raw_exchange(
        &app,
        request("GET", &path, &admin, &format!("If-None-Match: {etag}\r\n")),
    )
    .await;
    assert_eq!(
        head.lines().next(),
        get_again.lines().next(),
        "conditional HEAD and GET agree"
    );
}

/// Issue 14, item 4: a body that does not fit its type lists every problem,
/// each with its JSON path and a stable code — a wrong type anywhere keeps
/// it 400 `malformed_json`; missing and unknown fields alone are 422.
#[actix_web::test]
async fn every_body_problem_is_listed_with_its_json_path() {
    use actix_web::http::Method;
    use serde_json::json;

    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let target = uuid::Uuid::now_v7();
    let res = app
        .send(
            TestApp::req(
                Method::POST,
                &format!("/api/v1/pledges/{}/reports", uuid::Uuid::now_v7()),
                Some(&admin),
            )
            .set_json(json!({
                "period": "Q1",
                "bar": true,
                "reports": [
                    {"targetId": target, "numerator": 1, "denominator": 2, "foo": 1},
                    {"targetId": target, "numerator": "one"},
                ],
            })),
        )
        .await;
    crate::helpers::assert_problem(&res, 400, "malformed_json");
    let listed: Vec<(String, String)> = res.json()["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", res.text()))
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_string(),
                e["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for want in [
        ("bar", "unknown_field"),
        ("reports[0].foo", "unknown_field"),
        ("reports[1].numerator", "type"),
    ] {
        assert!(
            listed.contains(&(want.0.to_string(), want.1.to_string())),
            "{want:?} not in {listed:?}"
        );
    }

    // Missing and unknown fields only: 422, each named.
    let res = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"fullName": "A", "nickname": "x"}),
        )
        .await;
    crate::helpers::assert_problem(&res, 422, "validation_failed");
    let body = res.json();
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["nickname", "password", "roles", "username"]);
}

/// Issue 14, item 3: one progress report needs no batch wrapper — the same
/// route takes `{period, targetId, …}` or `{period, reports: […]}`, answers
/// both alike, and lists a single report's problems with their own paths.
#[actix_web::test]
async fn one_report_without_the_batch_wrapper_is_stored_like_a_batch_of_one() {
    use serde_json::json;

    use crate::pledges::{in_force, report, target_id, this_year, world};

    let app = TestApp::spawn().await;
    let w = world(&app, 2, this_year()).await;
    let p = in_force(&app, &w, w.year).await;
    let pct = target_id(&p, "percentage");
    let one = report(
        &app,
        &w.officers[1],
        &p,
        json!({"period": "Q2", "targetId": pct, "numerator": 45, "denominator": 48, "note": "một báo cáo"}),
    )
    .await;
    assert_eq!(one.status, 201, "{}", one.text());
    let stored = one.json();
    assert_eq!(stored.as_array().map(Vec::len), Some(1), "{stored}");
    assert_eq!(stored[0]["targetId"], json!(pct));
    assert_eq!(stored[0]["numerator"], 45);
    assert_eq!(stored[0]["period"], "Q2");
    assert!(one.header("location").is_some());
    // The same report as a batch of one supersedes it (T5): same shape back.
    let batch = report(
        &app,
        &w.officers[1],
        &p,
        json!({"period": "Q2", "reports": [{"targetId": pct, "numerator": 46, "denominator": 48}]}),
    )
    .await;
    assert_eq!(batch.status, 201, "{}", batch.text());
    assert_eq!(batch.json()[0]["numerator"], 46);
    let id = p["id"].as_str().unwrap();
    let history = app
        .get(
            &format!("/api/v1/pledges/{id}/reports?targetId={pct}&history=true"),
            &w.admin,
        )
        .await
        .json();
    assert_eq!(
        history["items"].as_array().map(Vec::len),
        Some(2),
        "{history}"
    );
    // One report's problems are its own fields' (no `reports[0].` prefix).
    let bad = report(
        &app,
        &w.officers[1],
        &p,
        json!({"period": "Q2", "targetId": pct, "numerator": -1, "denominator": 48, "foo": 1}),
    )
    .await;
    crate::helpers::assert_problem(&bad, 422, "validation_failed");
    let fields: Vec<String> = bad.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect();
    assert!(fields.contains(&"foo".to_string()), "{fields:?}");
    // Both shapes at once is neither.
    let both = report(
        &app,
        &w.officers[1],
        &p,
        json!({"period": "Q2", "targetId": pct, "numerator": 1, "denominator": 2, "reports": []}),
    )
    .await;
    crate::helpers::assert_problem(&both, 422, "validation_failed");
}
