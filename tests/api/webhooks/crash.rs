//! The real binary (`thidua serve`, as tests/api/reliability.rs runs it)
//! delivering webhooks: SIGKILL mid-delivery and a restart lose nothing
//! (at least once; a duplicate carries the same `webhook-id`), and two
//! instances on one database deliver each event once per subscription in
//! a clean run.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde_json::json;

use super::support::*;
use crate::helpers::TestApp;
use crate::reliability::{Api, scratch_dir};

/// The instances' settings: the loopback receiver allowed, quick retries,
/// the shortest lease (a killed instance's attempt is made again 11 s
/// after it was claimed), no reminders.
const ENV: [(&str, &str); 5] = [
    ("WEBHOOK_ALLOW_HOSTS", "127.0.0.1"),
    ("WEBHOOK_RETRY_BASE_MS", "100"),
    ("WEBHOOK_RETRY_WINDOW_SECS", "600"),
    ("WEBHOOK_LEASE_SECS", "11"),
    ("DEADLINE_SCAN_SECS", "0"),
];

async fn wait_for(what: &str, limit: Duration, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The ids of the feed's events of `type_`, in feed order.
async fn feed_ids(app: &TestApp, token: &str, type_: &str) -> Vec<i64> {
    feed(app, token)
        .await
        .iter()
        .filter(|e| e["type"] == type_)
        .map(|e| e["id"].as_i64().unwrap())
        .collect()
}

#[actix_web::test]
async fn sigkill_mid_delivery_then_a_restart_delivers_every_event_at_least_once_with_the_same_webhook_id()
 {
    let app = app_with(Duration::from_secs(600)).await;
    let admin = app.admin().await;
    let rx = Receiver::start().await;
    rx.delay_ms.store(300, Ordering::SeqCst);
    let (_, secret) = create(
        &app,
        &admin,
        json!({"url": rx.url("/"), "eventTypes": ["test."]}),
    )
    .await;
    for _ in 0..12 {
        emit(&app, "test.crash", None).await;
    }
    let expected = feed_ids(&app, &admin, "test.crash").await;
    let dir = scratch_dir("webhook-crash");
    let mut api = Api::start_with(&app.url, &dir, 4, &ENV);
    wait_for("deliveries under way", Duration::from_secs(60), || {
        rx.got().len() >= 3 && rx.in_flight.load(Ordering::SeqCst) > 0
    })
    .await;
    api.kill();
    let at_kill = rx.got().len();
    rx.delay_ms.store(0, Ordering::SeqCst);
    assert!(at_kill < expected.len(), "killed before the end");
    let _api = Api::start_with(&app.url, &dir, 4, &ENV);
    wait_for(
        "every event after the restart",
        Duration::from_secs(90),
        || {
            let got = rx.got();
            expected.iter().all(|id| got.iter().any(|g| g.id() == *id))
        },
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let got = rx.got();
    assert_signed(&got, &secret);
    let mut copies: BTreeMap<i64, usize> = BTreeMap::new();
    let mut first_seen = Vec::new();
    for g in &got {
        // The header and the body name the same event: a duplicate carries
        // the webhook-id of the first copy.
        assert_eq!(
            g.json()["id"].as_i64(),
            Some(g.id()),
            "webhook-id is the event's id"
        );
        if copies.insert(g.id(), 1).is_some() {
            *copies.get_mut(&g.id()).unwrap() += 1;
        } else {
            first_seen.push(g.id());
        }
    }
    assert_eq!(
        first_seen, expected,
        "none lost, first copies in feed order"
    );
    let dups: Vec<i64> = copies
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(id, _)| *id)
        .collect();
    assert!(
        !dups.is_empty(),
        "the attempt in flight at the kill is made again (at least once): {copies:?}"
    );
}

#[actix_web::test]
async fn two_server_instances_on_one_database_deliver_each_event_once_per_subscription() {
    let app = app_with(Duration::from_secs(600)).await;
    let admin = app.admin().await;
    let rx = Receiver::start().await;
    for path in ["/a", "/b"] {
        create(
            &app,
            &admin,
            json!({"url": rx.url(path), "eventTypes": ["test."]}),
        )
        .await;
    }
    let dir = scratch_dir("webhook-two");
    let _one = Api::start_with(&app.url, &dir, 4, &ENV);
    let _two = Api::start_with(&app.url, &dir, 4, &ENV);
    for _ in 0..20 {
        emit(&app, "test.two", None).await;
    }
    // Events get their feed position when the settler reaches them (a
    // feed read settles only when no instance's settler holds the lock):
    // wait until the feed shows all twenty.
    let mut expected = Vec::new();
    for _ in 0..100 {
        expected = feed_ids(&app, &admin, "test.two").await;
        if expected.len() == 20 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(expected.len(), 20, "the feed holds the twenty events");
    wait_for("forty deliveries", Duration::from_secs(60), || {
        rx.got().len() >= 40
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let got = rx.got();
    assert_eq!(got.len(), 40, "once per subscription");
    for path in ["/a", "/b"] {
        let ids: Vec<i64> = got.iter().filter(|g| g.path == path).map(Got::id).collect();
        assert_eq!(ids, expected, "each event once, in feed order, for {path}");
    }
}
