//! Findings of a review, kept fixed: odd input is a 4xx, never a 500;
//! the feed carries no identities' details; secrecy and B5 edge cases.

use actix_web::http::Method;
use serde_json::json;

use crate::helpers::{TestApp, assert_problem};
use crate::pledges::{this_year, world};

#[actix_web::test]
async fn nul_characters_and_dates_out_of_range_are_422_not_500() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let token = app
        .send(TestApp::req(Method::POST, "/api/v1/auth/token", None).set_json(json!({"grantType": "password", "username": "a\u{0}b", "password": "whatever-password"})))
        .await;
    assert!(
        token.status.is_client_error(),
        "{} {}",
        token.status,
        token.text()
    );
    assert_problem(
        &app.get("/api/v1/organizations?q=a%00b", &admin).await,
        422,
        "invalid_value",
    );
    let res = app
        .post(
            "/api/v1/organizations",
            &admin,
            json!({"code": "NUL1", "name": "Sở\u{0}", "kind": "other"}),
        )
        .await;
    // A name refuses every control character, by its field.
    assert_problem(&res, 422, "validation_failed");
    assert_eq!(res.problem()["errors"][0]["field"], "name");
    let old = app
        .post(
            "/api/v1/organizations",
            &admin,
            json!({"code": "OLD1", "name": "Cũ", "kind": "other", "validFrom": "-5000-01-01"}),
        )
        .await;
    assert!(
        old.status.is_client_error(),
        "{} {}",
        old.status,
        old.text()
    );
}

#[actix_web::test]
async fn the_change_feed_names_users_and_clients_by_id_only() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    app.post("/api/v1/users", &admin, json!({"username": "private.person", "fullName": "Bí Mật", "roles": ["viewer"], "password": "0123456789ab"})).await;
    assert_eq!(app.count("SELECT count(*) AS n FROM events WHERE data::text LIKE '%private.person%' OR data::text LIKE '%Bí Mật%'"), 0);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM audit_log WHERE after::text LIKE '%private.person%'"),
        1
    );
}

#[actix_web::test]
async fn a_ballot_with_a_single_vote_cannot_be_closed_without_revealing_it() {
    let app = TestApp::spawn().await;
    let w = world(&app, 3, this_year()).await;
    let b = app
        .post(
            &format!("/api/v1/blocs/{}/terms/{}/ballots", w.bloc, w.year),
            &w.officers[0],
            json!({}),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.post(
        &format!("/api/v1/ballots/{b}/votes"),
        &w.leaders[1],
        json!({"choices": [w.units[2]]}),
    )
    .await;
    assert_problem(
        &app.post(
            &format!("/api/v1/ballots/{b}/close"),
            &w.officers[0],
            json!({}),
        )
        .await,
        409,
        "too_few_ballots",
    );
    app.post(
        &format!("/api/v1/ballots/{b}/votes"),
        &w.leaders[2],
        json!({"choices": [w.units[1]]}),
    )
    .await;
    assert_eq!(
        app.post(
            &format!("/api/v1/ballots/{b}/close"),
            &w.officers[0],
            json!({})
        )
        .await
        .status,
        200
    );
}

#[actix_web::test]
async fn b5_a_bloc_member_cannot_be_turned_into_a_sub_unit() {
    let app = TestApp::spawn().await;
    let w = world(&app, 3, this_year()).await;
    let res = app
        .patch(
            &format!("/api/v1/organizations/{}", w.units[1]),
            &w.admin,
            None,
            json!({"parentId": w.units[2]}),
        )
        .await;
    assert_problem(&res, 409, "member_not_a_unit");
}

#[actix_web::test]
async fn a_write_client_not_bound_to_a_unit_cannot_act_for_one() {
    let app = TestApp::spawn().await;
    let w = world(&app, 2, this_year()).await;
    let created = app.post("/api/v1/clients", &w.admin, json!({"clientId": "province-system", "name": "Hệ thống tỉnh", "scopes": ["read", "write"]})).await.json();
    let secret = created["clientSecret"].as_str().unwrap();
    let token = app
        .send(TestApp::req(Method::POST, "/api/v1/auth/token", None).set_json(json!({"grantType": "client_credentials", "clientId": "province-system", "clientSecret": secret})))
        .await
        .json()["accessToken"]
        .as_str()
        .unwrap()
        .to_string();
    let res = app
        .post(
            "/api/v1/pledges",
            &token,
            json!({"blocId": w.bloc, "year": w.year, "title": "X"}),
        )
        .await;
    assert_problem(&res, 403, "not_head_unit");
    let res = app
        .post(
            "/api/v1/people",
            &token,
            json!({"fullName": "A", "organizationId": w.units[1], "category": "vien_chuc"}),
        )
        .await;
    assert_problem(&res, 403, "not_your_organization");
}

/// What the published spec says the shared parsers accept (the Schemathesis
/// gate checks the same from outside): `If-Match` is a version, quoted or
/// bare, optionally weak; `Idempotency-Key` is visible ASCII; a JSON integer
/// may be written `45.0`; a period is exactly `Q2` or `2021-Q2`.
#[actix_web::test]
async fn the_parsers_accept_what_the_spec_says_and_nothing_else() {
    let app = TestApp::spawn().await;
    let w = world(&app, 2, this_year()).await;
    let admin = w.admin.clone();
    let created = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"username": "etag.user", "fullName": "E", "roles": ["viewer"], "password": "0123456789ab"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let id = created.json()["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/users/{id}");
    for (tag, version) in [("\"1\"", 2), ("W/\"2\"", 3), ("3", 4)] {
        let res = app
            .patch(&path, &admin, Some(tag), json!({"fullName": "Tên mới"}))
            .await;
        assert_eq!(res.status, 200, "{tag}: {}", res.text());
        assert_eq!(res.json()["version"], version, "{tag}");
    }
    for tag in ["\"4", "\"4a\"", "\"\"", "*", "\"1234567890\"", "W/4x"] {
        assert_problem(
            &app.patch(&path, &admin, Some(tag), json!({})).await,
            400,
            "invalid_if_match",
        );
    }

    let keyed = |key: &str| {
        TestApp::req(Method::POST, "/api/v1/users", Some(&admin))
            .insert_header(("Idempotency-Key", key.to_string()))
            .set_json(json!({"username": "key.user", "fullName": "K", "roles": ["viewer"], "password": "0123456789ab"}))
    };
    assert_problem(
        &app.send(keyed("two words")).await,
        400,
        "invalid_idempotency_key",
    );
    assert_eq!(app.send(keyed("one-word_key.1")).await.status, 201);

    let p = crate::pledges::in_force(&app, &w, w.year).await;
    let pct = crate::pledges::target_id(&p, "percentage");
    let line = |period: &str| json!({"period": period, "reports": [{"targetId": pct, "numerator": 45.0, "denominator": 48}]});
    for bad in [" Q1", "q1", "+2021-Q1"] {
        assert_problem(
            &crate::pledges::report(&app, &w.officers[1], &p, line(bad)).await,
            422,
            "invalid_period",
        );
    }
    let ok = crate::pledges::report(&app, &w.officers[1], &p, line("Q1")).await;
    assert_eq!(ok.status, 201, "{}", ok.text());
    assert_eq!(ok.json()[0]["numerator"], 45);
}
