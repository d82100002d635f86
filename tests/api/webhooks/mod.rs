//! Signed webhooks (issue 17): a loopback receiver checks every signature
//! with its own HMAC (itself checked against the Standard Webhooks test
//! vector) and every body against the feed; retries, ordering, SSRF, the
//! owner's reading rights, two workers on one database, rotation, pause and
//! resume, redelivery.

mod crash;
mod ping;
pub(crate) mod support;

use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::{Value, json};
use thidua::Db;
use thidua::service::webhooks::worker::{self, WorkerSettings};
use uuid::Uuid;

use self::support::*;
use crate::helpers::*;

#[actix_web::test]
async fn deliveries_are_signed_in_feed_order_and_carry_the_events_as_the_feed_shows_them() {
    let app = app_with(Duration::from_secs(60)).await;
    let admin = app.admin().await;
    let rx = Receiver::start().await;
    let (_, secret) = create(
        &app,
        &admin,
        json!({"url": rx.url("/in"), "eventTypes": ["test.", "other.exact"]}),
    )
    .await;
    assert!(secret.starts_with("whsec_"));
    let _w = workers(&app);
    for t in [
        "test.a",
        "skip.b",
        "test.c",
        "other.exact",
        "other.exactly",
        "test.d",
    ] {
        emit(&app, t, None).await;
    }
    until("four deliveries", || rx.got().len() >= 4).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got = rx.got();
    assert_eq!(got.len(), 4, "only the wanted types, once each");
    assert_signed(&got, &secret);
    let types: Vec<String> = got
        .iter()
        .map(|g| g.json()["type"].as_str().unwrap().into())
        .collect();
    assert_eq!(types, ["test.a", "test.c", "other.exact", "test.d"]);
    let ids: Vec<i64> = got.iter().map(Got::id).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "feed order: {ids:?}");
    let feed = feed(&app, &admin).await;
    for g in &got {
        let item = feed
            .iter()
            .find(|e| e["id"] == g.id())
            .expect("on the feed");
        assert_eq!(
            &g.json(),
            item,
            "the body is the event as the feed shows it"
        );
        assert_eq!(g.path, "/in");
        let ts: i64 = g.headers["webhook-timestamp"].parse().unwrap();
        assert!((chrono::Utc::now().timestamp() - ts).abs() < 60);
    }
    let res = app.get("/api/v1/webhooks?limit=10", &admin).await;
    let w = &res.json()["items"][0];
    assert!(w.get("secret").is_none(), "the secret is shown once only");
}

#[actix_web::test]
async fn a_receiver_down_for_a_while_gets_retries_then_every_event_in_feed_order() {
    let app = app_with(Duration::from_secs(60)).await;
    let admin = app.admin().await;
    let rx = Receiver::start().await;
    let (id, secret) = create(
        &app,
        &admin,
        json!({"url": rx.url("/"), "eventTypes": ["test."]}),
    )
    .await;
    rx.down.store(true, Ordering::SeqCst);
    let _w = workers(&app);
    for t in ["test.1", "test.2", "test.3"] {
        emit(&app, t, None).await;
    }
    until("three refused attempts", || {
        rx.refused.load(Ordering::SeqCst) >= 3
    })
    .await;
    assert!(rx.got().is_empty());
    rx.down.store(false, Ordering::SeqCst);
    until("all three", || rx.got().len() >= 3).await;
    let got = rx.got();
    assert_signed(&got, &secret);
    let types: Vec<String> = got
        .iter()
        .map(|g| g.json()["type"].as_str().unwrap().into())
        .collect();
    assert_eq!(
        types,
        ["test.1", "test.2", "test.3"],
        "nothing overtook the failing one"
    );
    // The receiver records before it answers; the attempt is recorded after.
    until("three recorded successes", || {
        app.count(&format!(
            "SELECT count(*) AS n FROM webhook_deliveries WHERE subscription_id = '{id}' AND status = 'succeeded'"
        )) == 3
    })
    .await;
    let res = app
        .get(
            &format!("/api/v1/webhooks/{id}/deliveries?limit=200"),
            &admin,
        )
        .await;
    let items = res.json()["items"].as_array().unwrap().clone();
    let failed: Vec<&Value> = items.iter().filter(|d| d["status"] == "failed").collect();
    assert!(failed.len() >= 3, "every attempt is listed");
    assert!(
        failed
            .iter()
            .all(|d| d["responseStatus"] == 503 && d["responseBody"] == "down")
    );
    assert!(
        failed
            .iter()
            .all(|d| d["latencyMs"].is_number() && d["attemptedAt"].is_string())
    );
    assert!(items.iter().filter(|d| d["status"] == "succeeded").count() == 3);
    assert!(items.iter().any(|d| d["attempt"].as_i64() > Some(1)));
}

#[actix_web::test]
async fn targets_on_private_loopback_link_local_or_metadata_addresses_are_refused_at_registration()
{
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    for (url, code) in [
        ("https://10.0.0.1/hook", "webhook_target_forbidden"),
        (
            "https://169.254.169.254/latest/meta-data",
            "webhook_target_forbidden",
        ),
        ("https://[::1]/", "webhook_target_forbidden"),
        ("https://100.64.0.1/", "webhook_target_forbidden"),
        ("https://localhost/", "webhook_target_forbidden"),
        ("http://hooks.example/", "webhook_https_required"),
        ("https://user:pw@hooks.example/", "webhook_url_invalid"),
        ("ftp://hooks.example/", "webhook_url_invalid"),
    ] {
        let res = app
            .post(
                "/api/v1/webhooks",
                &admin,
                json!({"url": url, "eventTypes": ["pledge."]}),
            )
            .await;
        assert_problem(&res, 422, code);
    }
    let res = app
        .post(
            "/api/v1/webhooks",
            &admin,
            json!({"url": "https://10.0.0.1/", "eventTypes": ["pledge.*"]}),
        )
        .await;
    assert_problem(&res, 422, "validation_failed");
    // A public address literal passes the address rules (nothing is sent:
    // no worker runs here), and an unknown organisation is refused.
    let res = app
        .post(
            "/api/v1/webhooks",
            &admin,
            json!({"url": "https://93.184.215.14/", "eventTypes": ["pledge."], "organizationId": Uuid::now_v7()}),
        )
        .await;
    assert_problem(&res, 422, "unknown_organization");
    assert_eq!(
        app.count("SELECT count(*) AS n FROM webhook_subscriptions"),
        0
    );
}

#[actix_web::test]
async fn a_host_that_resolves_to_loopback_is_refused_at_delivery_time() {
    // Registered where `localhost` was allowed; delivered by an instance
    // where it is not: the name resolves to loopback, and nothing is sent.
    let mut cfg = config(Duration::from_secs(60));
    cfg.webhook_allow_hosts = vec!["localhost".into()];
    let app = TestApp::spawn_with(Options {
        config: cfg,
        ..Default::default()
    })
    .await;
    let admin = app.admin().await;
    let rx = Receiver::start().await;
    let (id, _) = create(
        &app,
        &admin,
        json!({"url": format!("https://localhost:{}/", rx.port), "eventTypes": ["test."]}),
    )
    .await;
    let strict = WorkerSettings {
        allow_hosts: vec![],
        ..settings(&app)
    };
    let _w = worker::start(app.state.db.clone(), strict).unwrap();
    emit(&app, "test.x", None).await;
    until("a refused attempt", || {
        app.count(&format!(
            "SELECT count(*) AS n FROM webhook_deliveries WHERE subscription_id = '{id}' AND status = 'failed' AND error LIKE 'refused: localhost%loopback%'"
        )) > 0
    })
    .await;
    assert!(
        rx.got().is_empty() && rx.refused.load(Ordering::SeqCst) == 0,
        "no connection made"
    );
}

#[actix_web::test]
async fn a_client_manages_its_own_webhook_and_it_delivers_only_what_the_client_may_read() {
    let app = app_with(Duration::from_secs(60)).await;
    let admin = app.admin().await;
    let (cid, ctoken) = client(&app, "portal");
    let (_, other) = client(&app, "other");
    let rx = Receiver::start().await;
    let org = app.org("DV1", None);
    let (id, secret) = create(
        &app,
        &ctoken,
        json!({"url": rx.url("/c"), "eventTypes": ["test."], "organizationId": org}),
    )
    .await;
    let w = app
        .get(&format!("/api/v1/webhooks/{id}"), &ctoken)
        .await
        .json();
    assert_eq!(
        (w["ownerKind"].as_str(), w["ownerId"].as_str()),
        (Some("client"), Some(cid.to_string().as_str()))
    );
    // Another client does not see it; the admin does.
    assert_problem(
        &app.get(&format!("/api/v1/webhooks/{id}"), &other).await,
        404,
        "not_found",
    );
    assert_eq!(
        app.get(&format!("/api/v1/webhooks/{id}"), &admin)
            .await
            .status
            .as_u16(),
        200
    );
    assert_eq!(
        app.get("/api/v1/webhooks", &other).await.json()["items"],
        json!([])
    );
    // A user who is not the admin manages none.
    let officer = app.member_token("can-bo", thidua::auth::Role::Officer, org);
    assert_problem(
        &app.get("/api/v1/webhooks", &officer).await,
        403,
        "admin_required",
    );

    let _w = workers(&app);
    emit(&app, "test.mine", Some(org)).await;
    emit(&app, "test.not_my_org", None).await;
    until("one delivery", || !rx.got().is_empty()).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got = rx.got();
    assert_signed(&got, &secret);
    // Exactly what the client reads on the feed, through the webhook's filters.
    let seen: Vec<Value> = feed(&app, &ctoken)
        .await
        .into_iter()
        .filter(|e| {
            e["type"].as_str().unwrap().starts_with("test.") && e["organizationId"] == json!(org)
        })
        .collect();
    assert_eq!(got.iter().map(Got::json).collect::<Vec<_>>(), seen);
    // A disabled client's webhook delivers nothing more.
    app.sql(&format!(
        "UPDATE service_clients SET active = false WHERE id = '{cid}'"
    ));
    emit(&app, "test.after_disable", Some(org)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(rx.got().len(), got.len());
}

#[actix_web::test]
async fn two_instances_on_one_database_deliver_each_event_once_per_subscription() {
    let app = app_with(Duration::from_secs(60)).await;
    let admin = app.admin().await;
    let rx = Receiver::start().await;
    create(
        &app,
        &admin,
        json!({"url": rx.url("/a"), "eventTypes": ["test."]}),
    )
    .await;
    create(
        &app,
        &admin,
        json!({"url": rx.url("/b"), "eventTypes": ["test."]}),
    )
    .await;
    // A second instance: its own pool on the same database, its own workers.
    let cfg = &app.state.config;
    let db2 = Db::connect_counting(
        &app.url,
        cfg.pool_size,
        cfg.statement_timeout_ms,
        cfg.connect_timeout,
        None,
    )
    .unwrap();
    let _w1 = workers(&app);
    let _w2 = worker::start(db2, settings(&app)).unwrap();
    for _ in 0..15 {
        emit(&app, "test.n", None).await;
    }
    until("thirty deliveries", || rx.got().len() >= 30).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let got = rx.got();
    assert_eq!(got.len(), 30, "once per subscription");
    for path in ["/a", "/b"] {
        let ids: Vec<i64> = got.iter().filter(|g| g.path == path).map(Got::id).collect();
        assert_eq!(ids.len(), 15);
        assert!(
            ids.windows(2).all(|w| w[0] < w[1]),
            "in feed order for {path}: {ids:?}"
        );
    }
}

#[actix_web::test]
async fn a_rotated_secret_and_its_predecessor_both_sign_during_the_overlap() {
    let app = app_with(Duration::from_secs(60)).await;
    let admin = app.admin().await;
    let rx = Receiver::start().await;
    let (id, old) = create(
        &app,
        &admin,
        json!({"url": rx.url("/"), "eventTypes": ["test."]}),
    )
    .await;
    let res = app
        .post(
            &format!("/api/v1/webhooks/{id}/secret"),
            &admin,
            json!({"overlapSeconds": 3600}),
        )
        .await;
    assert_eq!(res.status.as_u16(), 200, "{}", res.text());
    let new = res.json()["secret"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    assert!(res.json()["previousSecretUntil"].is_string());
    let _w = workers(&app);
    emit(&app, "test.rotated", None).await;
    until("a delivery", || !rx.got().is_empty()).await;
    let g = &rx.got()[0];
    let sigs: Vec<&str> = g.headers["webhook-signature"].split(' ').collect();
    assert_eq!(sigs.len(), 2, "two v1 signatures: {sigs:?}");
    let (id_h, ts) = (&g.headers["webhook-id"], &g.headers["webhook-timestamp"]);
    assert!(verifies(&new, id_h, ts, &g.body, sigs[0]));
    assert!(verifies(&old, id_h, ts, &g.body, sigs[1]));
    // Without an overlap only the new secret signs.
    let res = app
        .post(
            &format!("/api/v1/webhooks/{id}/secret"),
            &admin,
            json!({"overlapSeconds": 0}),
        )
        .await;
    let newest = res.json()["secret"].as_str().unwrap().to_string();
    emit(&app, "test.again", None).await;
    until("a second delivery", || rx.got().len() >= 2).await;
    let g = &rx.got()[1];
    assert_eq!(g.headers["webhook-signature"].split(' ').count(), 1);
    assert_signed(std::slice::from_ref(g), &newest);
    let audit =
        app.count("SELECT count(*) AS n FROM audit_log WHERE action = 'webhook.secret_rotated'");
    assert_eq!(audit, 2);
    let leaked = app.count(&format!(
        "SELECT count(*) AS n FROM events WHERE data::text LIKE '%whsec_%' OR data::text LIKE '%{}%'",
        &new[6..20]
    ));
    assert_eq!(leaked, 0, "no secret on the feed");
}

#[actix_web::test]
async fn pause_and_resume_deliver_what_the_feed_gained_meanwhile() {
    let app = app_with(Duration::from_secs(60)).await;
    let admin = app.admin().await;
    let rx = Receiver::start().await;
    let (id, _) = create(
        &app,
        &admin,
        json!({"url": rx.url("/"), "eventTypes": ["test."]}),
    )
    .await;
    let res = app
        .post(&format!("/api/v1/webhooks/{id}/pause"), &admin, json!({}))
        .await;
    assert_eq!(res.status.as_u16(), 200, "{}", res.text());
    assert_eq!(res.json()["status"], "paused");
    assert_eq!(res.header("etag").as_deref(), Some("\"2\""));
    assert_problem(
        &app.post(&format!("/api/v1/webhooks/{id}/pause"), &admin, json!({}))
            .await,
        409,
        "webhook_already_paused",
    );
    let _w = workers(&app);
    emit(&app, "test.while_paused", None).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(rx.got().is_empty());
    let stale = TestApp::req(
        actix_web::http::Method::POST,
        &format!("/api/v1/webhooks/{id}/resume"),
        Some(&admin),
    )
    .insert_header(("If-Match", "\"1\""));
    assert_problem(&app.send(stale).await, 412, "version_conflict");
    let res = app
        .post(&format!("/api/v1/webhooks/{id}/resume"), &admin, json!({}))
        .await;
    assert_eq!(res.json()["status"], "active");
    until("the event gained meanwhile", || !rx.got().is_empty()).await;
    assert_eq!(rx.got()[0].json()["type"], "test.while_paused");
    for action in ["webhook.created", "webhook.paused", "webhook.resumed"] {
        assert_eq!(
            app.count(&format!(
                "SELECT count(*) AS n FROM events WHERE type = '{action}'"
            )),
            1,
            "{action}"
        );
    }
    // Patch, then delete.
    let res = app
        .patch(
            &format!("/api/v1/webhooks/{id}"),
            &admin,
            Some("\"3\""),
            json!({"eventTypes": ["pledge."]}),
        )
        .await;
    assert_eq!(res.status.as_u16(), 200, "{}", res.text());
    assert_eq!(res.json()["eventTypes"], json!(["pledge."]));
    let res = app
        .patch(
            &format!("/api/v1/webhooks/{id}"),
            &admin,
            None,
            json!({"url": "https://10.1.2.3/"}),
        )
        .await;
    assert_problem(&res, 422, "webhook_target_forbidden");
    let del = TestApp::req(
        actix_web::http::Method::DELETE,
        &format!("/api/v1/webhooks/{id}"),
        Some(&admin),
    );
    assert_eq!(app.send(del).await.status.as_u16(), 204);
    assert_problem(
        &app.get(&format!("/api/v1/webhooks/{id}"), &admin).await,
        404,
        "not_found",
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM events WHERE type = 'webhook.deleted'"),
        1
    );
}

#[actix_web::test]
async fn retries_run_out_then_the_webhook_pauses_on_the_feed_and_resumes_from_the_same_event() {
    let app = app_with(Duration::from_millis(600)).await;
    let admin = app.admin().await;
    let rx = Receiver::start().await;
    let (id, _) = create(
        &app,
        &admin,
        json!({"url": rx.url("/"), "eventTypes": ["test."]}),
    )
    .await;
    rx.down.store(true, Ordering::SeqCst);
    let _w = workers(&app);
    emit(&app, "test.first", None).await;
    emit(&app, "test.second", None).await;
    until("the automatic pause", || {
        app.count("SELECT count(*) AS n FROM events WHERE type = 'webhook.paused'") == 1
    })
    .await;
    let w = app
        .get(&format!("/api/v1/webhooks/{id}"), &admin)
        .await
        .json();
    assert_eq!(
        (w["status"].as_str(), w["pausedReason"].as_str()),
        (Some("paused"), Some("failing"))
    );
    let tried = rx.refused.load(Ordering::SeqCst);
    assert!(tried >= 2, "retried before pausing: {tried}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        rx.refused.load(Ordering::SeqCst),
        tried,
        "a paused webhook is not tried"
    );
    rx.down.store(false, Ordering::SeqCst);
    let res = app
        .post(&format!("/api/v1/webhooks/{id}/resume"), &admin, json!({}))
        .await;
    assert_eq!(res.status.as_u16(), 200, "{}", res.text());
    until("both events", || rx.got().len() >= 2).await;
    let types: Vec<Value> = rx.got().iter().map(|g| g.json()["type"].clone()).collect();
    assert_eq!(
        types,
        [json!("test.first"), json!("test.second")],
        "nothing skipped"
    );
}

#[actix_web::test]
async fn ping_sends_a_test_event_and_redeliver_sends_a_finished_attempt_again() {
    let app = app_with(Duration::from_secs(60)).await;
    let admin = app.admin().await;
    let rx = Receiver::start().await;
    let (id, secret) = create(
        &app,
        &admin,
        json!({"url": rx.url("/"), "eventTypes": ["pledge."]}),
    )
    .await;
    let _w = workers(&app);
    let res = app
        .post(&format!("/api/v1/webhooks/{id}/ping"), &admin, json!({}))
        .await;
    assert_eq!(res.status.as_u16(), 202, "{}", res.text());
    assert_eq!(res.json()["origin"], "ping");
    until("the ping", || !rx.got().is_empty()).await;
    let ping = rx.got()[0].clone();
    assert_signed(std::slice::from_ref(&ping), &secret);
    assert_eq!(ping.json()["type"], "webhook.pinged");
    until("the ping's recorded success", || {
        app.count(&format!(
            "SELECT count(*) AS n FROM webhook_deliveries WHERE subscription_id = '{id}' AND status = 'succeeded'"
        )) == 1
    })
    .await;
    let done = app
        .get(&format!("/api/v1/webhooks/{id}/deliveries"), &admin)
        .await
        .json();
    let first = done["items"][0].clone();
    assert_eq!(first["status"], "succeeded");
    assert_eq!(first["responseStatus"], 204);
    let res = app
        .post(
            &format!(
                "/api/v1/webhooks/{id}/deliveries/{}/redeliver",
                first["id"].as_str().unwrap()
            ),
            &admin,
            json!({}),
        )
        .await;
    assert_eq!(res.status.as_u16(), 202, "{}", res.text());
    until("the redelivery", || rx.got().len() >= 2).await;
    let again = rx.got()[1].clone();
    assert_eq!(
        again.headers["webhook-id"], ping.headers["webhook-id"],
        "a duplicate carries the same webhook-id"
    );
    assert_eq!(again.body, ping.body);
    let unknown = Uuid::now_v7();
    let res = app
        .post(
            &format!("/api/v1/webhooks/{id}/deliveries/{unknown}/redeliver"),
            &admin,
            json!({}),
        )
        .await;
    assert_problem(&res, 404, "not_found");
}

#[actix_web::test]
async fn the_client_keeps_a_connection_alive_between_attempts_to_a_checked_address() {
    let app = app_with(Duration::from_secs(60)).await;
    let admin = app.admin().await;
    let rx = Receiver::start_with(true).await;
    let (_, secret) = create(
        &app,
        &admin,
        json!({"url": rx.url("/k"), "eventTypes": ["test."]}),
    )
    .await;
    let _w = workers(&app);
    for _ in 0..5 {
        emit(&app, "test.kept", None).await;
    }
    until("five deliveries", || rx.got().len() >= 5).await;
    assert_signed(&rx.got(), &secret);
    assert_eq!(
        rx.connections.load(Ordering::SeqCst),
        1,
        "one pooled connection"
    );
}
