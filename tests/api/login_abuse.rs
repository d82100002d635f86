//! Issue 12 (security findings), items 2, 3, 4, 8 and 9: lockouts per
//! source, the failure limit under concurrency, bounded password hashing,
//! no secrets in the idempotency table, purged counters, trusted proxies,
//! gzip bodies with an Idempotency-Key.

use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;

use actix_web::http::Method;
use actix_web::test::TestRequest;
use serde_json::{Value, json};
use thidua::auth::Role;
use thidua::auth::password::Hasher;
use thidua::config::TrustedProxies;

use crate::helpers::{Options, TestApp, TestResponse, assert_problem};

const PASSWORD: &str = "mật-khẩu-thử-nghiệm";

fn peer(ip: &str) -> SocketAddr {
    SocketAddr::new(ip.parse().unwrap(), 40000)
}

fn token_request(from: &str, body: Value) -> TestRequest {
    TestApp::req(Method::POST, "/api/v1/auth/token", None)
        .peer_addr(peer(from))
        .set_json(body)
}

async fn login_from(app: &TestApp, from: &str, username: &str, password: &str) -> TestResponse {
    app.send(token_request(
        from,
        json!({"grantType": "password", "username": username, "password": password}),
    ))
    .await
}

async fn client_login_from(
    app: &TestApp,
    from: &str,
    client_id: &str,
    secret: &str,
) -> TestResponse {
    app.send(token_request(
        from,
        json!({"grantType": "client_credentials", "clientId": client_id, "clientSecret": secret}),
    ))
    .await
}

fn with_pace(pace: Duration) -> Options {
    let mut opts = Options::default();
    opts.config.login_pace = pace;
    opts
}

#[actix_web::test]
async fn lockout_is_per_source_and_correct_password_from_fresh_source_still_logs_in() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let attacker = "203.0.113.66";
    for i in 0..10 {
        assert_problem(
            &login_from(&app, attacker, "admin", &format!("wrong-password-{i}")).await,
            401,
            "unauthenticated",
        );
    }
    // The attacker's address is locked out of the account, even with the
    // right password (it could be the eleventh guess)…
    let locked = login_from(&app, attacker, "admin", PASSWORD).await;
    assert_problem(&locked, 429, "too_many_failed_logins");
    let wait: u64 = locked.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=900).contains(&wait), "{wait}");
    // …the owner, from anywhere else, is not.
    let owner = login_from(&app, "198.51.100.7", "admin", PASSWORD).await;
    assert_eq!(owner.status, 200, "{}", owner.text());
    assert_problem(
        &login_from(&app, attacker, "admin", PASSWORD).await,
        429,
        "too_many_failed_logins",
    );

    // Service clients are counted the same way.
    let created = app
        .post(
            "/api/v1/clients",
            &admin,
            json!({"clientId": "egov", "name": "Cổng DVC", "scopes": ["read"]}),
        )
        .await
        .json();
    let secret = created["clientSecret"].as_str().unwrap().to_string();
    for i in 0..10 {
        assert_problem(
            &client_login_from(&app, attacker, "egov", &format!("wrong-secret-{i}")).await,
            401,
            "unauthenticated",
        );
    }
    assert_problem(
        &client_login_from(&app, attacker, "egov", &secret).await,
        429,
        "too_many_failed_logins",
    );
    assert_eq!(
        client_login_from(&app, "192.0.2.10", "egov", &secret)
            .await
            .status,
        200
    );
}

/// The per-account bound: failures spread over many addresses (one each,
/// so no address is locked) make the account paced, one attempt per
/// `LOGIN_PACE_MS`; with a pace of an hour the account takes 11 guesses in
/// that hour however many addresses send them.
#[actix_web::test]
async fn failures_from_many_sources_pace_the_account_and_bound_its_guesses() {
    let app = TestApp::spawn_with(with_pace(Duration::from_secs(3600))).await;
    app.user("target", &[Role::Viewer], None).await;
    for i in 0..10 {
        assert_problem(
            &login_from(&app, &format!("203.0.113.{i}"), "target", "wrong-password").await,
            401,
            "unauthenticated",
        );
    }
    // The first paced attempt has its turn at once; the next is an hour away.
    assert_problem(
        &login_from(&app, "203.0.113.100", "target", "wrong-password").await,
        401,
        "unauthenticated",
    );
    let paced = login_from(&app, "203.0.113.101", "target", "wrong-password").await;
    assert_problem(&paced, 429, "login_throttled");
    let wait: u64 = paced.header("retry-after").unwrap().parse().unwrap();
    assert!((3000..=3600).contains(&wait), "{wait}");
    assert_eq!(
        app.count("SELECT failures::int8 AS n FROM login_failures WHERE principal = 'user:target' AND source = '*'"),
        11,
        "a refused attempt counts nothing"
    );
}

/// With an ordinary pace, the owner logging in from a fresh address while
/// the account is paced waits for a turn and gets in.
#[actix_web::test]
async fn a_paced_account_still_lets_the_right_password_in() {
    let app = TestApp::spawn_with(with_pace(Duration::from_millis(200))).await;
    app.user("target", &[Role::Viewer], None).await;
    for i in 0..10 {
        login_from(&app, &format!("203.0.113.{i}"), "target", "wrong-password").await;
    }
    let (a, b) = futures_util::future::join(
        login_from(&app, "203.0.113.200", "target", "wrong-password"),
        login_from(&app, "198.51.100.7", "target", PASSWORD),
    )
    .await;
    assert_problem(&a, 401, "unauthenticated");
    assert_eq!(b.status, 200, "{}", b.text());
}

#[actix_web::test]
async fn parallel_wrong_guesses_cannot_exceed_the_failure_limit() {
    let mut opts = with_pace(Duration::from_secs(3600));
    opts.config.pool_size = 8;
    let app = &TestApp::spawn_with(opts).await;
    app.user("target", &[Role::Viewer], None).await;
    app.user("other", &[Role::Viewer], None).await;

    // 30 at once from one address: 10 are checked, 20 refused.
    let answers = futures_util::future::join_all((0..30).map(|i| {
        let guess = format!("wrong-{i}");
        async move { login_from(app, "203.0.113.5", "target", &guess).await }
    }))
    .await;
    let n401 = answers.iter().filter(|r| r.status == 401).count();
    let n429 = answers
        .iter()
        .filter(|r| r.status == 429 && r.code() == "too_many_failed_logins")
        .count();
    assert_eq!((n401, n429), (10, 20));

    // Attempts in flight count against the limit until settled, yet 20
    // right answers at once from one address (an office behind one NAT, a
    // client's workers) all get in: the ones over the limit wait their turn.
    app.user("busy", &[Role::Viewer], None).await;
    let answers = futures_util::future::join_all(
        (0..20).map(|_| login_from(app, "192.0.2.44", "busy", PASSWORD)),
    )
    .await;
    assert!(
        answers.iter().all(|r| r.status == 200),
        "{:?}",
        answers.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert_eq!(
        app.count("SELECT (failures + pending)::int8 AS n FROM login_failures WHERE principal = 'user:busy' AND source = '*'"),
        0
    );

    // 30 at once from 30 addresses on another account: 10, then one paced
    // attempt, then the account's queue (an hour per turn) is full.
    let answers = futures_util::future::join_all((0..30).map(|i| {
        let from = format!("198.51.100.{i}");
        async move { login_from(app, &from, "other", "wrong-password").await }
    }))
    .await;
    let n401 = answers.iter().filter(|r| r.status == 401).count();
    let n429 = answers
        .iter()
        .filter(|r| r.status == 429 && r.code() == "login_throttled")
        .count();
    assert_eq!((n401, n429), (11, 19));
}

/// Item 4: Argon2 runs hold a permit of a semaphore; a login that finds
/// none free within `PASSWORD_HASH_WAIT_MS` is 503 `login_busy` with
/// `Retry-After`, and counts as no attempt.
#[actix_web::test]
async fn password_hashing_is_bounded_and_a_login_over_the_bound_is_503_with_retry_after() {
    let opts = Options {
        hasher: Some(Hasher::new(1, Duration::from_millis(50))),
        ..Default::default()
    };
    let app = TestApp::spawn_with(opts).await;
    app.user("target", &[Role::Viewer], None).await;
    assert_eq!(app.state.hasher.size(), 1);

    let held = app.state.hasher.login_permit().await.unwrap();
    let busy = login_from(&app, "198.51.100.7", "target", PASSWORD).await;
    assert_problem(&busy, 503, "login_busy");
    assert_eq!(busy.header("retry-after").as_deref(), Some("1"));
    assert_eq!(
        app.count("SELECT coalesce(sum(failures + pending), 0)::int8 AS n FROM login_failures"),
        0,
        "a login that never ran is not a failure"
    );
    drop(held);
    assert_eq!(
        login_from(&app, "198.51.100.7", "target", PASSWORD)
            .await
            .status,
        200
    );
    assert_eq!(app.state.hasher.available(), 1, "the permit came back");

    // Without a hasher of its own, an app uses the process-wide one, which
    // also hashes new passwords and secrets (`password::hash`).
    let plain = TestApp::spawn().await;
    assert!(std::sync::Arc::ptr_eq(
        &plain.state.hasher,
        &Hasher::global()
    ));
}

#[actix_web::test]
async fn idempotency_table_never_holds_a_client_secret() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let keyed = |method: Method, path: &str, key: &str, body: Value| {
        TestApp::req(method, path, Some(&admin))
            .insert_header(("Idempotency-Key", key.to_string()))
            .set_json(body)
    };
    let body = json!({"clientId": "egov", "name": "Cổng DVC", "scopes": ["read"]});
    let first = app
        .send(keyed(
            Method::POST,
            "/api/v1/clients",
            "create-egov",
            body.clone(),
        ))
        .await;
    assert_eq!(first.status, 201, "{}", first.text());
    // The retry promise holds: the same key gives back the same secret.
    let again = app
        .send(keyed(Method::POST, "/api/v1/clients", "create-egov", body))
        .await;
    assert_eq!(again.status, 201);
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    let created = first.json();
    let id = created["id"].as_str().unwrap();
    let rotate = format!("/api/v1/clients/{id}/secret");
    let rotated = app
        .send(keyed(Method::POST, &rotate, "rotate-1", json!({})))
        .await;
    assert_eq!(rotated.status, 200, "{}", rotated.text());
    let replayed = app
        .send(keyed(Method::POST, &rotate, "rotate-1", json!({})))
        .await;
    assert_eq!(replayed.body, rotated.body);

    let secrets = [
        created["clientSecret"].as_str().unwrap().to_string(),
        rotated.json()["clientSecret"].as_str().unwrap().to_string(),
    ];
    assert_eq!(app.count("SELECT count(*) AS n FROM idempotency_keys"), 2);
    for secret in &secrets {
        assert_eq!(
            app.count(&format!(
                "SELECT count(*) AS n FROM idempotency_keys
                  WHERE position(convert_to('{secret}', 'UTF8') IN coalesce(body, ''::bytea)) > 0
                     OR headers::text LIKE '%{secret}%'"
            )),
            0
        );
    }
    // Sealed: not even the field's name shows, nor the key that opens it.
    assert_eq!(
        app.count(
            "SELECT count(*) AS n FROM idempotency_keys
              WHERE position('clientSecret'::bytea IN body) > 0
                 OR key IN ('create-egov', 'rotate-1')"
        ),
        0
    );

    // The token endpoint refuses the header rather than store a token,
    // with or without a bearer token.
    let login =
        json!({"grantType": "client_credentials", "clientId": "egov", "clientSecret": secrets[1]});
    for bearer in [None, Some(admin.as_str())] {
        let res = app
            .send(
                TestApp::req(Method::POST, "/api/v1/auth/token", bearer)
                    .insert_header(("Idempotency-Key", "login-1"))
                    .set_json(login.clone()),
            )
            .await;
        assert_problem(&res, 400, "idempotency_key_not_supported");
    }
    assert_eq!(app.count("SELECT count(*) AS n FROM idempotency_keys"), 2);
}

#[actix_web::test]
async fn failed_logins_are_purged() {
    let app = TestApp::spawn().await;
    login_from(&app, "203.0.113.1", "old.account", "wrong-password").await;
    login_from(&app, "203.0.113.1", "new.account", "wrong-password").await;
    assert_eq!(app.count("SELECT count(*) AS n FROM login_failures"), 4);
    app.sql(
        "UPDATE login_failures SET window_start = window_start - interval '16 minutes'
          WHERE principal = 'user:old.account'",
    );
    let purged = thidua::service::identity::purge_login_failures(&app.state.db)
        .await
        .unwrap();
    assert_eq!(purged, 2, "the old account's source and account rows");
    assert_eq!(
        app.count("SELECT count(*) AS n FROM login_failures WHERE principal = 'user:new.account'"),
        2
    );
    assert_eq!(app.count("SELECT count(*) AS n FROM login_failures"), 2);
}

#[actix_web::test]
async fn forwarded_header_ignored_unless_peer_is_trusted_proxy() {
    let mut opts = Options {
        rate_limit: 2,
        ..Default::default()
    };
    opts.config.trusted_proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
    let app = TestApp::spawn_with(opts).await;
    let sources = || {
        let url = app.url.clone();
        std::thread::spawn(move || {
            use diesel::{Connection, RunQueryDsl};
            #[derive(diesel::QueryableByName)]
            struct S {
                #[diesel(sql_type = diesel::sql_types::Text)]
                source: String,
            }
            let mut c = diesel_async::async_connection_wrapper::AsyncConnectionWrapper::<
                diesel_async::AsyncPgConnection,
            >::establish(&url)
            .unwrap();
            diesel::sql_query(
                "SELECT source FROM login_failures WHERE source <> '*' ORDER BY source",
            )
            .load::<S>(&mut c)
            .unwrap()
            .into_iter()
            .map(|s| s.source)
            .collect::<Vec<String>>()
        })
        .join()
        .unwrap()
    };
    let attempt = |from: &str, header: (&'static str, &'static str)| {
        token_request(
            from,
            json!({"grantType": "password", "username": "someone", "password": "wrong-password"}),
        )
        .insert_header(header)
    };

    // An untrusted peer's header is its own say-so: ignored.
    app.send(attempt("203.0.113.9", ("X-Forwarded-For", "198.51.100.1")))
        .await;
    assert_eq!(sources(), ["203.0.113.9"]);
    // A trusted proxy's: the right-most address that is not a trusted proxy
    // (what the client put in front is not believed).
    app.send(attempt(
        "10.0.0.2",
        ("X-Forwarded-For", "1.1.1.1, 198.51.100.77, 10.0.0.3"),
    ))
    .await;
    app.send(attempt(
        "10.0.0.2",
        (
            "Forwarded",
            "for=192.0.2.60;proto=http, for=\"[2001:db8:cafe::17]:4711\"",
        ),
    ))
    .await;
    assert_eq!(
        sources(),
        ["198.51.100.77", "2001:db8:cafe::/64", "203.0.113.9"]
    );

    // The rate limit counts the same address: an untrusted peer cannot
    // mint fresh budgets with a header, clients behind the proxy each
    // have their own.
    let probe = |from: &str, xff: &str| {
        TestApp::req(Method::GET, "/api/v1/auth/jwks", None)
            .peer_addr(peer(from))
            .insert_header(("X-Forwarded-For", xff.to_string()))
    };
    for i in 0..2 {
        assert_eq!(
            app.send(probe("192.0.2.1", &format!("198.51.100.{i}")))
                .await
                .status,
            200
        );
    }
    assert_problem(
        &app.send(probe("192.0.2.1", "198.51.100.99")).await,
        429,
        "rate_limited",
    );
    for i in 0..2 {
        assert_eq!(
            app.send(probe("10.0.0.2", &format!("198.51.100.{i}")))
                .await
                .status,
            200
        );
    }
}

fn gzip(body: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(body).unwrap();
    enc.finish().unwrap()
}

#[actix_web::test]
async fn gzip_body_with_idempotency_key_is_decoded_once_and_replayed() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let org = |code: &str| {
        serde_json::to_vec(
            &json!({"code": code, "name": format!("Đơn vị {code}"), "kind": "department"}),
        )
        .unwrap()
    };
    let send = |body: Vec<u8>, key: Option<&str>| {
        let mut r = TestApp::req(Method::POST, "/api/v1/organizations", Some(&admin))
            .insert_header(("Content-Type", "application/json"))
            .insert_header(("Content-Encoding", "gzip"))
            .set_payload(body);
        if let Some(k) = key {
            r = r.insert_header(("Idempotency-Key", k.to_string()));
        }
        r
    };
    let plain = app.send(send(gzip(&org("GZ0")), None)).await;
    assert_eq!(plain.status, 201, "{}", plain.text());
    let first = app.send(send(gzip(&org("GZ1")), Some("gz-1"))).await;
    assert_eq!(first.status, 201, "{}", first.text());
    let again = app.send(send(gzip(&org("GZ1")), Some("gz-1"))).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(
        app.count("SELECT count(*) AS n FROM organizations WHERE code = 'GZ1'"),
        1
    );

    // A broken stream is 400 `malformed_body` with a fixed sentence, not
    // the decoder's words, with or without a key.
    let fixed = "The request could not be read: the body could not be decoded (a broken Content-Encoding stream or an interrupted upload)";
    for key in [None, Some("gz-broken")] {
        let res = app
            .send(send(b"not gzip at all".to_vec(), key).insert_header(("Accept-Language", "en")))
            .await;
        assert_problem(&res, 400, "malformed_body");
        assert_eq!(res.problem()["detail"], fixed, "{key:?}");
    }
}
