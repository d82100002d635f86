//! Health, metrics, request ids, errors, conventions (idempotency, ETags,
//! limits), hardening.

use actix_web::http::Method;
use serde_json::json;

use crate::helpers::{Options, TestApp, assert_problem};

#[actix_web::test]
async fn health_live_and_ready_answer_200() {
    let app = TestApp::spawn().await;
    let live = app
        .send(TestApp::req(Method::GET, "/health/live", None))
        .await;
    assert_eq!(live.status, 200);
    assert_eq!(live.json()["status"], "ok");
    let ready = app
        .send(TestApp::req(Method::GET, "/health/ready", None))
        .await;
    assert_eq!(ready.status, 200);
    assert_eq!(ready.json()["status"], "ready");
}

#[actix_web::test]
async fn ready_flips_to_503_while_the_database_is_gone_and_back_without_restart() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    assert_eq!(
        app.send(TestApp::req(Method::GET, "/health/ready", None))
            .await
            .status,
        200
    );

    let name = app.db_name.clone();
    crate::helpers::admin_sql(format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}';
         ALTER DATABASE {name} RENAME TO {name}_away"
    ));
    let down = app
        .send(TestApp::req(Method::GET, "/health/ready", None))
        .await;
    assert_problem(&down, 503, "service_unavailable");
    assert!(down.header("retry-after").is_some());
    // API requests fail fast with the same 503, never a 500.
    let api = app.get("/api/v1/users", &admin).await;
    assert_problem(&api, 503, "service_unavailable");
    assert!(api.header("retry-after").is_some());

    crate::helpers::admin_sql(format!("ALTER DATABASE {name}_away RENAME TO {name}"));
    let up = app
        .send(TestApp::req(Method::GET, "/health/ready", None))
        .await;
    assert_eq!(up.status, 200, "{}", up.text());
    assert_eq!(app.get("/api/v1/users", &admin).await.status, 200);
}

#[actix_web::test]
async fn metrics_count_requests_by_route_template_and_show_the_pool() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let id = uuid::Uuid::now_v7();
    app.get(&format!("/api/v1/users/{id}"), &admin).await;
    app.send(TestApp::req(Method::GET, "/health/live", None))
        .await;
    let m = app.send(TestApp::req(Method::GET, "/metrics", None)).await;
    assert_eq!(m.status, 200);
    assert!(m.header("content-type").unwrap().starts_with("text/plain"));
    let text = m.text();
    assert!(
        text.contains(
            r#"http_requests_total{method="GET",route="/api/v1/users/{id}",status="404"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains(r#"http_requests_total{method="GET",route="/health/live",status="200"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"http_request_duration_seconds_bucket{route="/health/live",le="+Inf"} 1"#),
        "{text}"
    );
    assert!(text.contains("db_pool_connections "), "{text}");
    assert!(text.contains("db_pool_connections_in_use "), "{text}");
}

#[actix_web::test]
async fn request_id_is_kept_or_made_and_named_in_problems() {
    let app = TestApp::spawn().await;
    let res = app
        .send(
            TestApp::req(Method::GET, "/nowhere", None).insert_header(("X-Request-Id", "trace-42")),
        )
        .await;
    assert_eq!(res.header("x-request-id").as_deref(), Some("trace-42"));
    assert_eq!(res.problem()["instance"], "urn:request:trace-42");
    assert_eq!(res.problem()["requestId"], "trace-42");
    let res = app
        .send(TestApp::req(Method::GET, "/health/live", None))
        .await;
    let made = res.header("x-request-id").unwrap();
    assert!(uuid::Uuid::parse_str(&made).is_ok(), "{made}");
    // An unusable incoming id (too long, odd characters) is replaced.
    let res = app
        .send(
            TestApp::req(Method::GET, "/health/live", None)
                .insert_header(("X-Request-Id", "a b<c>")),
        )
        .await;
    assert_ne!(res.header("x-request-id").as_deref(), Some("a b<c>"));
}

#[actix_web::test]
async fn unknown_route_is_404_and_wrong_method_is_405_as_problems() {
    let app = TestApp::spawn().await;
    assert_problem(
        &app.send(TestApp::req(Method::GET, "/api/v1/nothing-here", None))
            .await,
        404,
        "not_found",
    );
    assert_problem(
        &app.send(TestApp::req(Method::DELETE, "/api/v1/users", None))
            .await,
        405,
        "method_not_allowed",
    );
    assert_problem(
        &app.send(TestApp::req(Method::PUT, "/health/live", None))
            .await,
        405,
        "method_not_allowed",
    );
}

#[actix_web::test]
async fn malformed_json_and_wrong_types_are_400_but_invalid_values_are_422() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let raw = |body: &'static str| {
        TestApp::req(Method::POST, "/api/v1/users", Some(&admin))
            .insert_header(("content-type", "application/json"))
            .set_payload(body)
    };
    assert_problem(
        &app.send(raw("{\"username\": ")).await,
        400,
        "malformed_json",
    );
    assert_problem(&app.send(raw("{\"username\": 5, \"fullName\": \"x\", \"roles\": [\"viewer\"], \"password\": \"0123456789\"}")).await, 400, "malformed_json");
    assert_problem(&app.send(raw("[]")).await, 400, "body_not_an_object");

    let res = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"username": "ab", "fullName": "", "roles": [], "password": "short"}),
        )
        .await;
    assert_problem(&res, 422, "validation_failed");
    let fields: Vec<String> = res.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, vec!["fullName", "password", "roles", "username"]);

    // A missing field is named, not a parse failure: every one of them.
    let res = app
        .post("/api/v1/users", &admin, json!({"fullName": "A"}))
        .await;
    assert_problem(&res, 422, "validation_failed");
    let missing: Vec<(String, String)> = res.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().into(),
                e["code"].as_str().unwrap().into(),
            )
        })
        .collect();
    let required = |f: &str| (f.to_string(), "required".to_string());
    assert_eq!(
        missing,
        [
            required("password"),
            required("roles"),
            required("username")
        ]
    );

    // Mass assignment is refused by name.
    let res = app.post("/api/v1/users", &admin, json!({"username": "abc", "fullName": "A", "roles": ["viewer"], "password": "0123456789", "version": 9})).await;
    assert_problem(&res, 422, "validation_failed");
    assert_eq!(res.json()["errors"][0]["field"], "version");
    assert_eq!(res.json()["errors"][0]["code"], "unknown_field");

    // Bad path and query values are 400.
    assert_problem(
        &app.get("/api/v1/users/not-a-uuid", &admin).await,
        400,
        "invalid_path",
    );
    assert_problem(
        &app.get("/api/v1/users?active=maybe", &admin).await,
        400,
        "invalid_query",
    );
    assert_problem(
        &app.get("/api/v1/users?cursor=%25%25", &admin).await,
        400,
        "invalid_cursor",
    );
    assert_problem(
        &app.get("/api/v1/users?limit=0", &admin).await,
        422,
        "validation_failed",
    );
    // Not JSON at all.
    let res = app
        .send(
            TestApp::req(Method::POST, "/api/v1/users", Some(&admin))
                .insert_header(("content-type", "text/plain"))
                .set_payload("hello"),
        )
        .await;
    assert_problem(&res, 415, "unsupported_media_type");
}

#[actix_web::test]
async fn oversized_body_is_413_problem() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let big = "x".repeat(300_000);
    let res = app.post("/api/v1/users", &admin, json!({"username": "abc", "fullName": big, "roles": ["viewer"], "password": "0123456789"})).await;
    assert_problem(&res, 413, "payload_too_large");
}

#[actix_web::test]
async fn problem_text_is_vietnamese_by_default_and_english_on_request() {
    let app = TestApp::spawn().await;
    let vi = app
        .send(TestApp::req(Method::GET, "/api/v1/users", None))
        .await;
    assert_eq!(vi.problem()["title"], "Chưa xác thực");
    let en = app
        .send(
            TestApp::req(Method::GET, "/api/v1/users", None)
                .insert_header(("Accept-Language", "en-GB,en;q=0.9")),
        )
        .await;
    assert_eq!(en.problem()["title"], "Unauthenticated");
    assert_eq!(vi.code(), en.code());

    let admin = app.admin().await;
    let res = app
        .send(
            TestApp::req(Method::POST, "/api/v1/users", Some(&admin))
                .insert_header(("Accept-Language", "en"))
                .set_json(json!({"username": "abc", "fullName": "A", "roles": ["viewer"], "password": "short"})),
        )
        .await;
    assert_eq!(
        res.json()["errors"][0]["message"],
        "length is out of bounds"
    );
    let res = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"username": "abc", "fullName": "A", "roles": ["viewer"], "password": "short"}),
        )
        .await;
    assert_eq!(res.json()["errors"][0]["message"], "độ dài không hợp lệ");
}

#[actix_web::test]
async fn idempotent_post_replays_the_first_response_byte_for_byte() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let body = json!({"username": "retry.me", "fullName": "Trần Thị Bình", "roles": ["viewer"], "password": "0123456789ab"});
    let send = |b: serde_json::Value| {
        TestApp::req(Method::POST, "/api/v1/users", Some(&admin))
            .insert_header(("Idempotency-Key", "k-1"))
            .set_json(b)
    };
    let first = app.send(send(body.clone())).await;
    assert_eq!(first.status, 201, "{}", first.text());
    let again = app.send(send(body.clone())).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("location"), first.header("location"));
    assert_eq!(again.header("etag"), first.header("etag"));
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(
        app.count("SELECT count(*) AS n FROM users WHERE username = 'retry.me'"),
        1
    );
    assert_eq!(app.count("SELECT count(*) AS n FROM audit_log WHERE action = 'user.created' AND entity_id IN (SELECT id::text FROM users WHERE username = 'retry.me')"), 1);

    // The same key with another body is refused.
    let mut other = body.clone();
    other["fullName"] = json!("Người khác");
    assert_problem(&app.send(send(other)).await, 422, "idempotency_key_reused");

    // A failed first attempt is replayed too (it is the first response).
    let bad = TestApp::req(Method::POST, "/api/v1/users", Some(&admin))
        .insert_header(("Idempotency-Key", "k-2"))
        .set_json(json!({"username": "x"}));
    let r1 = app.send(bad).await;
    let bad = TestApp::req(Method::POST, "/api/v1/users", Some(&admin))
        .insert_header(("Idempotency-Key", "k-2"))
        .set_json(json!({"username": "x"}));
    let r2 = app.send(bad).await;
    assert_eq!(r1.status, r2.status);
    assert_eq!(r1.body, r2.body);
}

#[actix_web::test]
async fn if_match_mismatch_is_412_and_a_match_updates_with_a_new_etag() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let created = app.post("/api/v1/users", &admin, json!({"username": "etag.user", "fullName": "Lê Văn C", "roles": ["viewer"], "password": "0123456789ab"})).await;
    let id = created.json()["id"].as_str().unwrap().to_string();
    assert_eq!(created.header("etag").as_deref(), Some("\"1\""));
    let path = format!("/api/v1/users/{id}");
    let got = app.get(&path, &admin).await;
    assert_eq!(got.header("etag").as_deref(), Some("\"1\""));

    let ok = app
        .patch(
            &path,
            &admin,
            Some("\"1\""),
            json!({"fullName": "Lê Văn Cường"}),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert_eq!(ok.header("etag").as_deref(), Some("\"2\""));
    assert_eq!(ok.json()["fullName"], "Lê Văn Cường");

    let stale = app
        .patch(&path, &admin, Some("\"1\""), json!({"fullName": "Ghi đè"}))
        .await;
    assert_problem(&stale, 412, "version_conflict");
    assert_eq!(
        app.get(&path, &admin).await.json()["fullName"],
        "Lê Văn Cường"
    );
    // Without If-Match the write happens under the row lock.
    assert_eq!(
        app.patch(&path, &admin, None, json!({"fullName": "Lê Văn D"}))
            .await
            .header("etag")
            .as_deref(),
        Some("\"3\"")
    );
    assert_problem(
        &app.patch(&path, &admin, Some("garbage"), json!({})).await,
        400,
        "invalid_if_match",
    );
}

#[actix_web::test]
async fn keyset_pages_return_every_row_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    for i in 0..7 {
        app.sql(&format!(
            "INSERT INTO users (id, username, full_name, roles, password_hash) VALUES ('{}', 'u{i:02}', 'U', ARRAY['viewer'], 'x')",
            uuid::Uuid::now_v7()
        ));
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/users?limit=3&cursor={c}"),
            None => "/api/v1/users?limit=3".to_string(),
        };
        let page = app.get(&path, &admin).await.json();
        for u in page["items"].as_array().unwrap() {
            seen.push(u["username"].as_str().unwrap().to_string());
        }
        match page["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(seen.len(), 8);
    assert_eq!(sorted.len(), 8);
}

#[actix_web::test]
async fn responses_carry_hardening_headers_and_cors_allows_only_listed_origins() {
    let app = TestApp::spawn().await;
    let res = app
        .send(TestApp::req(Method::GET, "/health/live", None))
        .await;
    assert_eq!(
        res.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );
    assert_eq!(res.header("cache-control").as_deref(), Some("no-store"));

    let preflight = |origin: &str| {
        TestApp::req(Method::OPTIONS, "/api/v1/users", None)
            .insert_header(("Origin", origin.to_string()))
            .insert_header(("Access-Control-Request-Method", "GET"))
    };
    let res = app.send(preflight("https://evil.example")).await;
    assert!(res.header("access-control-allow-origin").is_none());
    assert!(res.status.is_client_error());
    assert_eq!(
        res.header("content-type").as_deref(),
        Some("application/problem+json")
    );

    let mut opts = Options::default();
    opts.config.cors_origins = vec!["https://app.thidua.example".into()];
    let app = TestApp::spawn_with(opts).await;
    let res = app.send(preflight("https://app.thidua.example")).await;
    assert_eq!(
        res.header("access-control-allow-origin").as_deref(),
        Some("https://app.thidua.example")
    );
    assert_ne!(
        res.header("access-control-allow-origin").as_deref(),
        Some("*")
    );
}

#[actix_web::test]
async fn a_slow_request_is_answered_503_by_the_request_timeout() {
    let mut opts = Options::default();
    opts.config.request_timeout = std::time::Duration::from_millis(300);
    opts.config.statement_timeout_ms = 10_000;
    let app = TestApp::spawn_with(opts).await;
    let admin = app.admin().await;
    // Hold the admin's row so the token check waits on the lock.
    let url = app.url.clone();
    let hold = std::thread::spawn(move || {
        use diesel::Connection;
        use diesel::connection::SimpleConnection;
        let mut c = diesel_async::async_connection_wrapper::AsyncConnectionWrapper::<
            diesel_async::AsyncPgConnection,
        >::establish(&url)
        .unwrap();
        c.batch_execute(
            "BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(1); COMMIT",
        )
        .unwrap();
    });
    std::thread::sleep(std::time::Duration::from_millis(150));
    let res = app.get("/api/v1/users", &admin).await;
    assert_problem(&res, 503, "request_timeout");
    assert!(res.header("retry-after").is_some());
    hold.join().unwrap();
}

#[actix_web::test]
async fn a_thousand_concurrent_retries_with_one_idempotency_key_store_one_row() {
    let mut opts = Options::default();
    opts.config.pool_size = 8;
    // A loaded machine must not turn the whole storm into pool-wait 503s.
    opts.config.connect_timeout = std::time::Duration::from_secs(20);
    let app = TestApp::spawn_with(opts).await;
    let admin = app.admin().await;
    let org = app.org("SYT", None);
    let body = json!({"fullName": "Phạm Thị Dung", "organizationId": org, "category": "vien_chuc"});
    let send = || {
        app.send(
            TestApp::req(Method::POST, "/api/v1/people", Some(&admin))
                .insert_header(("Idempotency-Key", "retry-storm"))
                .set_json(body.clone()),
        )
    };
    let results = futures_util::future::join_all((0..1000).map(|_| send())).await;
    // Every answer is the first response, "in progress" (409) or, when the
    // pool is saturated, "retry later" (503): never a second write.
    let created: Vec<&crate::helpers::TestResponse> =
        results.iter().filter(|r| r.status == 201).collect();
    assert!(!created.is_empty());
    let odd: Vec<String> = results
        .iter()
        .filter(|r| {
            !(r.status == 201
                || r.code() == "idempotency_in_progress"
                || r.code() == "service_unavailable")
        })
        .map(|r| r.text())
        .take(3)
        .collect();
    assert!(odd.is_empty(), "unexpected: {odd:?}");
    assert!(
        created.iter().all(|r| r.body == created[0].body),
        "every 2xx is the first response"
    );
    assert_eq!(app.count("SELECT count(*) AS n FROM people"), 1);
    assert_eq!(app.count("SELECT count(*) AS n FROM idempotency_keys"), 1);
    let replay = send().await;
    assert_eq!(
        (replay.status.as_u16(), &replay.body),
        (201, &created[0].body)
    );
}
