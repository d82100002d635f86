//! A webhook that subscribes to `webhook.pinged` gets its own ping once:
//! delivered directly by the ping, not again from the feed.

use std::time::Duration;

use serde_json::json;

use super::support::*;

#[actix_web::test]
async fn a_webhook_subscribed_to_webhook_pinged_gets_its_own_ping_once_and_others_pings_from_the_feed()
 {
    let app = app_with(Duration::from_secs(60)).await;
    let admin = app.admin().await;
    let rx = Receiver::start().await;
    let (id, secret) = create(
        &app,
        &admin,
        json!({"url": rx.url("/a"), "eventTypes": ["webhook.pinged"]}),
    )
    .await;
    let other = Receiver::start().await;
    let (other_id, _) = create(
        &app,
        &admin,
        json!({"url": other.url("/b"), "eventTypes": ["test.only"]}),
    )
    .await;
    let _w = workers(&app);
    let res = app
        .post(&format!("/api/v1/webhooks/{id}/ping"), &admin, json!({}))
        .await;
    assert_eq!(res.status.as_u16(), 202, "{}", res.text());
    let res = app
        .post(
            &format!("/api/v1/webhooks/{other_id}/ping"),
            &admin,
            json!({}),
        )
        .await;
    assert_eq!(res.status.as_u16(), 202, "{}", res.text());
    // Its own ping (directly) and the other webhook's ping (from the feed).
    until("two pings", || rx.got().len() >= 2).await;
    until("the other webhook's ping", || other.got().len() == 1).await;
    // A later event passes through the feed: by then the fan-out has read
    // past both pings.
    emit(&app, "test.only", None).await;
    until("the later event", || other.got().len() == 2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got = rx.got();
    assert_signed(&got, &secret);
    let entities: Vec<String> = got
        .iter()
        .map(|g| g.json()["entityId"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        entities,
        [id.clone(), other_id.clone()],
        "its own ping once, then the other's from the feed"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM webhook_deliveries WHERE subscription_id = '{id}'"
        )),
        2
    );
}
