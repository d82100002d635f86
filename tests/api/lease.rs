//! Issue 18 (items 5 and 7): an `Idempotency-Key` reservation whose request
//! died without an answer (its instance killed, or its database lost so it
//! could not release the key) is taken over by a retry once the request
//! timeout has passed, instead of answering 409 for 24 hours.

use actix_web::http::Method;
use serde_json::json;

use crate::helpers::{TestApp, assert_problem};

#[actix_web::test]
async fn a_reservation_left_without_an_answer_is_taken_over_after_the_request_timeout() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let body = json!({"code": "LEASE1", "name": "Đơn vị thử", "kind": "department"});
    let send = |body: serde_json::Value| {
        TestApp::req(Method::POST, "/api/v1/organizations", Some(admin.as_str()))
            .insert_header(("Idempotency-Key", "lease-key-1"))
            .set_json(body)
    };
    let first = app.send(send(body.clone())).await;
    assert_eq!(first.status.as_u16(), 201, "{}", first.text());

    // As if the request had died before its answer was stored.
    app.sql("UPDATE idempotency_keys SET status = NULL, headers = NULL, body = NULL, completed_at = NULL");
    // Within the lease (REQUEST_TIMEOUT_SECS, 30 s in tests): still in progress.
    assert_problem(
        &app.send(send(body.clone())).await,
        409,
        "idempotency_in_progress",
    );
    // Another body under the key is still refused, in or past the lease.
    app.sql("UPDATE idempotency_keys SET created_at = now() - interval '31 seconds'");
    let other = json!({"code": "LEASE2", "name": "Đơn vị khác", "kind": "department"});
    assert_problem(&app.send(send(other)).await, 422, "idempotency_key_reused");
    // Past it, the same request runs again (here it meets its own first
    // write's unique code: the window docs/deploy.md names).
    let again = app.send(send(body)).await;
    assert!(again.header("idempotent-replayed").is_none());
    assert_problem(&again, 409, "code_taken");
    assert_eq!(
        app.count("SELECT count(*) AS n FROM organizations WHERE code = 'LEASE1'"),
        1
    );

    // A write that committed (its transaction marked the reservation) but
    // whose answer was lost is never run again: in progress, past the lease.
    let unit = json!({"code": "LEASE3", "name": "Đơn vị ba", "kind": "department"});
    let keyed = |body: serde_json::Value| {
        TestApp::req(Method::POST, "/api/v1/organizations", Some(admin.as_str()))
            .insert_header(("Idempotency-Key", "lease-key-3"))
            .set_json(body)
    };
    assert_eq!(app.send(keyed(unit.clone())).await.status.as_u16(), 201);
    app.sql("UPDATE idempotency_keys SET status = NULL, headers = NULL, body = NULL, created_at = now() - interval '31 seconds' WHERE created_at = (SELECT max(created_at) FROM idempotency_keys) AND completed_at IS NOT NULL");
    assert_problem(&app.send(keyed(unit)).await, 409, "idempotency_in_progress");
    assert_eq!(
        app.count("SELECT count(*) AS n FROM organizations WHERE code = 'LEASE3'"),
        1
    );
}
