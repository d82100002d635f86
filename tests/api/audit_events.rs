//! The audit trail and the change feed.

use actix_web::http::Method;
use serde_json::json;
use thidua::auth::Role;

use crate::helpers::{TestApp, assert_problem};

#[actix_web::test]
async fn every_identity_write_leaves_one_audit_row_and_one_event() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let before = app.count("SELECT count(*) AS n FROM audit_log");
    let u = app.post("/api/v1/users", &admin, json!({"username": "audited", "fullName": "A", "roles": ["viewer"], "password": "0123456789ab"})).await;
    let id = u.json()["id"].as_str().unwrap().to_string();
    app.patch(
        &format!("/api/v1/users/{id}"),
        &admin,
        None,
        json!({"fullName": "B"}),
    )
    .await;
    app.post(
        &format!("/api/v1/users/{id}/password"),
        &admin,
        json!({"password": "another-password"}),
    )
    .await;
    app.post(&format!("/api/v1/users/{id}/disable"), &admin, json!({}))
        .await;
    let c = app
        .post(
            "/api/v1/clients",
            &admin,
            json!({"clientId": "audited-client", "name": "C", "scopes": ["read", "write"]}),
        )
        .await;
    let cid = c.json()["id"].as_str().unwrap().to_string();
    app.post(&format!("/api/v1/clients/{cid}/secret"), &admin, json!({}))
        .await;
    app.post(&format!("/api/v1/clients/{cid}/disable"), &admin, json!({}))
        .await;
    assert_eq!(app.count("SELECT count(*) AS n FROM audit_log") - before, 7);
    assert_eq!(app.count("SELECT count(*) AS n FROM events") - before, 7);
    // Neither trail nor feed carries a password or secret hash.
    assert_eq!(app.count("SELECT count(*) AS n FROM audit_log WHERE after::text LIKE '%argon2%' OR before::text LIKE '%argon2%'"), 0);
    assert_eq!(app.count("SELECT count(*) AS n FROM events WHERE data::text LIKE '%argon2%' OR data::text ILIKE '%secret%'"), 0);

    let trail = app
        .get(&format!("/api/v1/audit?entityId={id}"), &admin)
        .await
        .json();
    let actions: Vec<&str> = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec![
            "user.disabled",
            "user.password_reset",
            "user.updated",
            "user.created"
        ]
    );
    assert_eq!(trail["items"][2]["before"]["fullName"], "A");
    assert_eq!(trail["items"][2]["after"]["fullName"], "B");
    assert_eq!(trail["items"][0]["actorName"], "admin");

    let csv = app
        .send(
            TestApp::req(
                Method::GET,
                &format!("/api/v1/audit?entityId={id}"),
                Some(&admin),
            )
            .insert_header(("Accept", "text/csv")),
        )
        .await;
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert!(csv.body.starts_with("\u{feff}id,occurredAt".as_bytes()));
    assert_eq!(csv.text().lines().count(), 5);
}

#[actix_web::test]
async fn audit_rows_cannot_be_updated_or_deleted() {
    let app = TestApp::spawn().await;
    app.admin().await;
    assert!(
        app.sql_err("UPDATE audit_log SET actor_name = 'someone else'")
            .unwrap()
            .contains("append-only")
    );
    assert!(
        app.sql_err("DELETE FROM audit_log")
            .unwrap()
            .contains("append-only")
    );
    assert!(
        app.sql_err("TRUNCATE audit_log")
            .unwrap()
            .contains("append-only")
    );
    assert_eq!(app.count("SELECT count(*) AS n FROM audit_log"), 1);
}

#[actix_web::test]
async fn audit_verify_names_the_first_row_altered_behind_the_api() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    for i in 0..3 {
        app.post("/api/v1/users", &admin, json!({"username": format!("chain{i}"), "fullName": "X", "roles": ["viewer"], "password": "0123456789ab"})).await;
    }
    // Written, not yet chained: the walk covers the chained rows only.
    assert_eq!(
        thidua::service::audit::verify(&app.state.db).await.unwrap(),
        (0, None)
    );
    app.settle().await;
    let (checked, broken) = thidua::service::audit::verify(&app.state.db).await.unwrap();
    assert_eq!((checked, broken), (4, None));
    let target = app.count("SELECT min(id) + 2 AS n FROM audit_log");
    app.sql(&format!(
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update;
         UPDATE audit_log SET after = jsonb_set(after, '{{fullName}}', '\"Y\"') WHERE id = {target};
         ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;"
    ));
    let (_, broken) = thidua::service::audit::verify(&app.state.db).await.unwrap();
    assert_eq!(broken, Some(target));
}

#[actix_web::test]
async fn the_change_feed_needs_a_token_and_pages_with_after() {
    let app = TestApp::spawn().await;
    assert_problem(
        &app.send(TestApp::req(Method::GET, "/api/v1/events", None))
            .await,
        401,
        "unauthenticated",
    );
    let (_, viewer) = app.user("feed.reader", &[Role::Viewer], None).await;
    let admin = app.admin().await;
    for i in 0..3 {
        app.post("/api/v1/users", &admin, json!({"username": format!("feed{i}"), "fullName": "X", "roles": ["viewer"], "password": "0123456789ab"})).await;
    }
    let page = app.get("/api/v1/events?limit=2", &viewer).await.json();
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["type"], "user.created");
    let last = page["lastEventId"].as_i64().unwrap();
    let rest = app
        .get(&format!("/api/v1/events?after={last}"), &viewer)
        .await
        .json();
    assert_eq!(rest["items"].as_array().unwrap().len(), 3);
    assert!(rest["items"][0]["id"].as_i64().unwrap() > last);
    let end = rest["lastEventId"].as_i64().unwrap();
    let empty = app
        .get(&format!("/api/v1/events?after={end}"), &viewer)
        .await
        .json();
    assert_eq!(empty["items"].as_array().unwrap().len(), 0);
    assert_eq!(empty["lastEventId"], end);
}

// Commit order on the feed without a lock: tests/api/feed_order.rs.
