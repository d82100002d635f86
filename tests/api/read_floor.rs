//! Issue 15, item 3: the per-request account check from an in-process
//! cache, invalidated across instances by LISTEN/NOTIFY.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use thidua::auth::Role;

use crate::helpers::{Options, TestApp};

/// An app whose account cache is on with a long TTL (60 s): an account
/// change can only reach it in time through the notification.
async fn cached_app() -> TestApp {
    let app = TestApp::spawn_with(Options {
        count_statements: true,
        ..Default::default()
    })
    .await;
    thidua::service::identity::start_account_cache(
        &app.state.db,
        &app.state.accounts,
        Duration::from_secs(60),
    );
    let t = Instant::now();
    while !app.state.accounts.is_listening() {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "the listener never listened"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    app
}

/// Poll `path` until it answers `status`; how long that took.
async fn until_status(app: &TestApp, path: &str, token: &str, status: u16) -> Duration {
    let t = Instant::now();
    loop {
        if app.get(path, token).await.status == status {
            return t.elapsed();
        }
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "{path} never answered {status}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[actix_web::test]
async fn account_cache_a_warm_check_costs_no_statement() {
    let app = cached_app().await;
    let (_, token) = app.user("cache.warm", &[Role::Viewer], None).await;
    assert_eq!(app.get("/api/v1/auth/me", &token).await.status, 200);
    let before = app.statements.load(Ordering::SeqCst);
    assert_eq!(app.get("/api/v1/auth/me", &token).await.status, 200);
    assert_eq!(
        app.statements.load(Ordering::SeqCst) - before,
        0,
        "a warm /auth/me answers from the cache"
    );
}

#[actix_web::test]
async fn account_cache_a_disabled_or_demoted_account_fails_within_a_second_when_another_instance_changes_it()
 {
    let app = cached_app().await;
    let (id, token) = app.user("cache.user", &[Role::Admin], None).await;
    // Warm: both answered from the cache from now on.
    assert_eq!(app.get("/api/v1/audit?limit=1", &token).await.status, 200);
    assert_eq!(app.get("/api/v1/auth/me", &token).await.status, 200);

    // Demoted by another instance (another pool, another connection).
    app.sql(&format!(
        "UPDATE users SET roles = ARRAY['viewer'] WHERE id = '{id}'"
    ));
    let took = until_status(&app, "/api/v1/audit?limit=1", &token, 403).await;
    assert!(
        took < Duration::from_secs(1),
        "demotion reached the cache in {took:?}"
    );
    assert_eq!(app.get("/api/v1/auth/me", &token).await.status, 200);

    // Disabled by another instance.
    app.sql(&format!(
        "UPDATE users SET active = false, token_version = token_version + 1 WHERE id = '{id}'"
    ));
    let took = until_status(&app, "/api/v1/auth/me", &token, 401).await;
    assert!(
        took < Duration::from_secs(1),
        "disabling reached the cache in {took:?}"
    );
}

#[actix_web::test]
async fn account_cache_a_password_change_on_another_pool_ends_the_old_token_within_a_second() {
    let app = cached_app().await;
    let (id, token) = app.user("cache.pw", &[Role::Viewer], None).await;
    assert_eq!(app.get("/api/v1/auth/me", &token).await.status, 200);
    // A second pool on the same database: another instance's service call.
    let other = thidua::Db::connect(&app.url, 2, 5_000, Duration::from_secs(5)).unwrap();
    thidua::service::identity::reset_password(
        &other,
        &thidua::auth::Principal::system(),
        id,
        "mật-khẩu-mới-dài-hơn".into(),
    )
    .await
    .unwrap();
    let took = until_status(&app, "/api/v1/auth/me", &token, 401).await;
    assert!(took < Duration::from_secs(1), "{took:?}");
}
