//! Logging in, token validation, authorisation by role and organisation,
//! brute-force protection and rate limits.

use actix_web::http::Method;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde_json::{Value, json};
use thidua::auth::Role;
use thidua::auth::jwt::JwtKeys;

use crate::helpers::{Options, TEST_SECRET, TestApp, assert_problem};

async fn login(app: &TestApp, username: &str, password: &str) -> crate::helpers::TestResponse {
    app.send(
        TestApp::req(Method::POST, "/api/v1/auth/token", None)
            .set_json(json!({"grantType": "password", "username": username, "password": password})),
    )
    .await
}

#[actix_web::test]
async fn password_grant_returns_a_bearer_token_that_me_accepts() {
    let app = TestApp::spawn().await;
    let org = app.org("SGD", None);
    app.user("sgd.officer", &[Role::Officer], Some(org)).await;
    let res = login(&app, "sgd.officer", "mật-khẩu-thử-nghiệm").await;
    assert_eq!(res.status, 200, "{}", res.text());
    let body = res.json();
    assert_eq!(body["tokenType"], "Bearer");
    assert_eq!(body["expiresIn"], 3600);
    let token = body["accessToken"].as_str().unwrap();
    let me = app.get("/api/v1/auth/me", token).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["name"], "sgd.officer");
    assert_eq!(me.json()["roles"], json!(["officer"]));
    assert_eq!(me.json()["organizationId"], json!(org));

    // The claims carry what integrators need.
    let payload: Value =
        serde_json::from_slice(&B64.decode(token.split('.').nth(1).unwrap()).unwrap()).unwrap();
    for claim in [
        "iss", "aud", "sub", "exp", "iat", "nbf", "jti", "roles", "org",
    ] {
        assert!(payload.get(claim).is_some(), "missing {claim}: {payload}");
    }
    assert_eq!(payload["iss"], "thidua");
    assert_eq!(payload["aud"], "thidua-api");
}

#[actix_web::test]
async fn client_credentials_work_as_json_and_as_an_oauth_form() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let created = app
        .post(
            "/api/v1/clients",
            &admin,
            json!({"clientId": "egov-portal", "name": "Cổng dịch vụ công", "scopes": ["read"]}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let secret = created.json()["clientSecret"].as_str().unwrap().to_string();
    let id = created.json()["id"].as_str().unwrap().to_string();
    // The secret is never shown again.
    assert!(
        app.get(&format!("/api/v1/clients/{id}"), &admin)
            .await
            .json()
            .get("clientSecret")
            .is_none()
    );

    let json_res = app
        .send(TestApp::req(Method::POST, "/api/v1/auth/token", None).set_json(json!({"grantType": "client_credentials", "clientId": "egov-portal", "clientSecret": secret})))
        .await;
    assert_eq!(json_res.status, 200, "{}", json_res.text());
    let form =
        format!("grant_type=client_credentials&client_id=egov-portal&client_secret={secret}");
    let form_res = app
        .send(
            TestApp::req(Method::POST, "/api/v1/auth/token", None)
                .insert_header(("content-type", "application/x-www-form-urlencoded"))
                .set_payload(form),
        )
        .await;
    assert_eq!(form_res.status, 200, "{}", form_res.text());
    let token = form_res.json()["accessToken"].as_str().unwrap().to_string();
    let me = app.get("/api/v1/auth/me", &token).await.json();
    assert_eq!(me["kind"], "client");
    assert_eq!(me["scopes"], json!(["read"]));

    // A read client cannot write; rotating the secret revokes the old one and its tokens.
    let valid = json!({"username": "from.client", "fullName": "X", "roles": ["viewer"], "password": "0123456789ab"});
    assert_problem(
        &app.post("/api/v1/users", &token, valid).await,
        403,
        "admin_required",
    );
    let rotated = app
        .post(&format!("/api/v1/clients/{id}/secret"), &admin, json!({}))
        .await;
    assert_eq!(rotated.status, 200);
    assert_problem(
        &app.get("/api/v1/auth/me", &token).await,
        401,
        "unauthenticated",
    );
    let old = app
        .send(TestApp::req(Method::POST, "/api/v1/auth/token", None).set_json(json!({"grantType": "client_credentials", "clientId": "egov-portal", "clientSecret": secret})))
        .await;
    assert_problem(&old, 401, "unauthenticated");
    // Disabled clients stop working at once.
    let new_secret = rotated.json()["clientSecret"].as_str().unwrap().to_string();
    let t2 = app
        .send(TestApp::req(Method::POST, "/api/v1/auth/token", None).set_json(json!({"grantType": "client_credentials", "clientId": "egov-portal", "clientSecret": new_secret})))
        .await
        .json()["accessToken"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(app.get("/api/v1/auth/me", &t2).await.status, 200);
    assert_eq!(
        app.post(&format!("/api/v1/clients/{id}/disable"), &admin, json!({}))
            .await
            .status,
        200
    );
    assert_problem(
        &app.get("/api/v1/auth/me", &t2).await,
        401,
        "unauthenticated",
    );
}

fn hs(alg: &str, secret: &[u8], claims: Value) -> String {
    let alg = match alg {
        "HS256" => jsonwebtoken::Algorithm::HS256,
        "HS512" => jsonwebtoken::Algorithm::HS512,
        _ => unreachable!(),
    };
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(alg),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(secret),
    )
    .unwrap()
}

fn unsigned(header: Value, claims: Value) -> String {
    format!(
        "{}.{}.",
        B64.encode(header.to_string()),
        B64.encode(claims.to_string())
    )
}

#[actix_web::test]
async fn every_bad_token_gets_the_same_401_with_www_authenticate() {
    let app = TestApp::spawn().await;
    let (id, good) = app.user("viewer.one", &[Role::Viewer], None).await;
    let now = thidua::auth::jwt::now_secs();
    let claims = |f: &dyn Fn(&mut Value)| {
        let mut c = json!({"iss": "thidua", "aud": "thidua-api", "sub": id.to_string(), "exp": now + 600, "iat": now, "nbf": now,
                           "jti": "j", "typ": "user", "name": "viewer.one", "roles": ["viewer"], "tv": 0});
        f(&mut c);
        c
    };
    assert_eq!(app.get("/api/v1/auth/me", &good).await.status, 200);
    assert_eq!(
        app.get(
            "/api/v1/auth/me",
            &hs("HS256", TEST_SECRET, claims(&|_| {}))
        )
        .await
        .status,
        200
    );

    let cases: Vec<(&str, Option<String>)> = vec![
        ("missing header", None),
        ("not bearer", Some(format!("Basic {good}"))),
        ("garbage", Some("Bearer abc.def.ghi".into())),
        (
            "oversized",
            Some(format!("Bearer {}", "a".repeat(64 * 1024))),
        ),
        (
            "alg none",
            Some(format!(
                "Bearer {}",
                unsigned(json!({"alg": "none", "typ": "JWT"}), claims(&|_| {}))
            )),
        ),
        (
            "HS512 under HS256",
            Some(format!(
                "Bearer {}",
                hs("HS512", TEST_SECRET, claims(&|_| {}))
            )),
        ),
        (
            "RS256 header",
            Some(format!(
                "Bearer {}x",
                unsigned(json!({"alg": "RS256", "typ": "JWT"}), claims(&|_| {}))
            )),
        ),
        (
            "other secret",
            Some(format!(
                "Bearer {}",
                hs(
                    "HS256",
                    b"another-secret-another-secret-another-secret",
                    claims(&|_| {})
                )
            )),
        ),
        (
            "expired beyond leeway",
            Some(format!(
                "Bearer {}",
                hs(
                    "HS256",
                    TEST_SECRET,
                    claims(&|c| c["exp"] = json!(now - 31))
                )
            )),
        ),
        (
            "nbf in the future",
            Some(format!(
                "Bearer {}",
                hs(
                    "HS256",
                    TEST_SECRET,
                    claims(&|c| c["nbf"] = json!(now + 120))
                )
            )),
        ),
        (
            "wrong aud",
            Some(format!(
                "Bearer {}",
                hs(
                    "HS256",
                    TEST_SECRET,
                    claims(&|c| c["aud"] = json!("someone-else"))
                )
            )),
        ),
        (
            "wrong iss",
            Some(format!(
                "Bearer {}",
                hs("HS256", TEST_SECRET, claims(&|c| c["iss"] = json!("evil")))
            )),
        ),
        (
            "missing exp",
            Some(format!(
                "Bearer {}",
                hs(
                    "HS256",
                    TEST_SECRET,
                    claims(&|c| {
                        c.as_object_mut().unwrap().remove("exp");
                    })
                )
            )),
        ),
        (
            "missing sub",
            Some(format!(
                "Bearer {}",
                hs(
                    "HS256",
                    TEST_SECRET,
                    claims(&|c| {
                        c.as_object_mut().unwrap().remove("sub");
                    })
                )
            )),
        ),
        (
            "revoked token version",
            Some(format!(
                "Bearer {}",
                hs("HS256", TEST_SECRET, claims(&|c| c["tv"] = json!(7)))
            )),
        ),
    ];
    let mut bodies = Vec::new();
    for (name, header) in cases {
        let mut req = TestApp::req(Method::GET, "/api/v1/auth/me", None);
        if let Some(h) = header {
            req = req.insert_header(("Authorization", h));
        }
        let res = app.send(req).await;
        assert_eq!(res.status, 401, "{name}: {}", res.text());
        assert!(
            res.header("www-authenticate")
                .unwrap()
                .starts_with("Bearer"),
            "{name}"
        );
        let mut p = res.problem();
        p.as_object_mut().unwrap().remove("instance");
        p.as_object_mut().unwrap().remove("requestId");
        bodies.push((name, p));
    }
    for (name, p) in &bodies {
        assert_eq!(p, &bodies[0].1, "{name} differs from the others");
    }

    // A disabled user's token stops working on its next request.
    let admin = app.admin().await;
    assert_eq!(
        app.post(&format!("/api/v1/users/{id}/disable"), &admin, json!({}))
            .await
            .status,
        200
    );
    assert_problem(
        &app.get("/api/v1/auth/me", &good).await,
        401,
        "unauthenticated",
    );
    assert_problem(
        &login(&app, "viewer.one", "mật-khẩu-thử-nghiệm").await,
        401,
        "unauthenticated",
    );
}

/// A test-only key pair (generated with `openssl genpkey -algorithm ed25519`).
const ED_PRIVATE: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ54RoEWTkuIUEl8Dkn/XWw5DNqg1dWReWnTichqRwhr\n-----END PRIVATE KEY-----\n";
const ED_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAzl9zRlLk+8nK0sBQnEp1h9s9Z5/ZAuhNPoqV7z8C40U=\n-----END PUBLIC KEY-----\n";

fn ed_public_pem() -> String {
    ED_PUBLIC.to_string()
}

fn pem_body(pem: &str) -> Vec<u8> {
    let b: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD.decode(b).unwrap()
}

#[actix_web::test]
async fn ed25519_tokens_verify_with_the_published_key_and_resist_algorithm_confusion() {
    let public = ed_public_pem();
    let keys = JwtKeys::ed25519(
        ED_PRIVATE.as_bytes(),
        public.as_bytes(),
        "thidua",
        "thidua-api",
        3600,
    )
    .unwrap();
    let app = TestApp::spawn_with(Options {
        jwt: Some(keys),
        ..Default::default()
    })
    .await;
    let (id, token) = app.user("ed.user", &[Role::Viewer], None).await;
    assert_eq!(app.get("/api/v1/auth/me", &token).await.status, 200);
    let jwks = app
        .send(TestApp::req(Method::GET, "/api/v1/auth/jwks", None))
        .await
        .json();
    assert_eq!(jwks["keys"][0]["kty"], "OKP");
    assert_eq!(jwks["keys"][0]["crv"], "Ed25519");
    assert_eq!(jwks["keys"][0]["x"], B64.encode(&pem_body(&public)[12..]));

    // HS256 signed with the public key as the secret must not pass.
    let now = thidua::auth::jwt::now_secs();
    let claims = json!({"iss": "thidua", "aud": "thidua-api", "sub": id.to_string(), "exp": now + 600, "iat": now, "nbf": now,
                        "jti": "j", "typ": "user", "name": "ed.user", "roles": ["viewer"], "tv": 0});
    for secret in [
        public.as_bytes().to_vec(),
        pem_body(&public),
        pem_body(&public)[12..].to_vec(),
    ] {
        let forged = hs("HS256", &secret, claims.clone());
        assert_problem(
            &app.get("/api/v1/auth/me", &forged).await,
            401,
            "unauthenticated",
        );
    }
}

#[actix_web::test]
async fn only_admins_manage_users_and_clients() {
    let app = TestApp::spawn().await;
    let org = app.org("SGD", None);
    let (_, viewer) = app.user("v.user", &[Role::Viewer], None).await;
    let (_, officer) = app.user("o.user", &[Role::Officer], Some(org)).await;
    let (_, leader) = app.user("l.user", &[Role::Leader], Some(org)).await;
    let admin = app.admin().await;
    let body = json!({"username": "new.one", "fullName": "Mới", "roles": ["viewer"], "password": "0123456789ab"});
    for token in [&viewer, &officer, &leader] {
        assert_problem(
            &app.post("/api/v1/users", token, body.clone()).await,
            403,
            "admin_required",
        );
        assert_problem(
            &app.get("/api/v1/users", token).await,
            403,
            "admin_required",
        );
        assert_problem(
            &app.post(
                "/api/v1/clients",
                token,
                json!({"clientId": "abc", "name": "x", "scopes": ["read"]}),
            )
            .await,
            403,
            "admin_required",
        );
        assert_problem(
            &app.get("/api/v1/clients", token).await,
            403,
            "admin_required",
        );
        assert_problem(
            &app.get("/api/v1/audit", token).await,
            403,
            "admin_required",
        );
    }
    assert_eq!(app.post("/api/v1/users", &admin, body).await.status, 201);
    // Leaders and officers must belong to an organisation.
    let res = app.post("/api/v1/users", &admin, json!({"username": "lost.officer", "fullName": "X", "roles": ["officer"], "password": "0123456789ab"})).await;
    assert_problem(&res, 422, "organization_required");
    // Usernames are unique.
    let res = app.post("/api/v1/users", &admin, json!({"username": "new.one", "fullName": "Y", "roles": ["viewer"], "password": "0123456789ab"})).await;
    assert_problem(&res, 409, "username_taken");
    // Filters.
    let officers = app
        .get(
            &format!("/api/v1/users?role=officer&organizationId={org}"),
            &admin,
        )
        .await
        .json();
    assert_eq!(officers["items"].as_array().unwrap().len(), 1);
    assert_eq!(officers["items"][0]["username"], "o.user");
    assert!(officers["items"][0].get("passwordHash").is_none());
}

#[actix_web::test]
async fn password_reset_and_role_change_revoke_tokens() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (id, token) = app.user("reset.me", &[Role::Viewer], None).await;
    let short = app
        .post(
            &format!("/api/v1/users/{id}/password"),
            &admin,
            json!({"password": "short"}),
        )
        .await;
    assert_problem(&short, 422, "validation_failed");
    assert_eq!(
        app.post(
            &format!("/api/v1/users/{id}/password"),
            &admin,
            json!({"password": "một-mật-khẩu-mới"})
        )
        .await
        .status,
        200
    );
    assert_problem(
        &app.get("/api/v1/auth/me", &token).await,
        401,
        "unauthenticated",
    );
    assert_problem(
        &login(&app, "reset.me", "mật-khẩu-thử-nghiệm").await,
        401,
        "unauthenticated",
    );
    assert_eq!(
        login(&app, "reset.me", "một-mật-khẩu-mới").await.status,
        200
    );
}

#[actix_web::test]
async fn an_admin_cannot_lock_themselves_out() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let me = app.get("/api/v1/auth/me", &admin).await.json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/v1/users/{me}");
    for body in [
        json!({"roles": ["viewer"]}),
        json!({"active": false}),
        json!({"roles": ["admin"], "active": false}),
    ] {
        assert_problem(
            &app.patch(&path, &admin, None, body).await,
            409,
            "cannot_demote_self",
        );
    }
    assert_problem(
        &app.post(&format!("{path}/disable"), &admin, json!({}))
            .await,
        409,
        "cannot_disable_self",
    );
    // Keeping the admin role while adding another is fine.
    let res = app
        .patch(&path, &admin, None, json!({"roles": ["admin", "viewer"]}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["roles"], json!(["admin", "viewer"]));
}

#[actix_web::test]
async fn eleventh_wrong_password_is_429_and_a_login_after_the_window_succeeds() {
    let app = TestApp::spawn().await;
    app.user("target", &[Role::Viewer], None).await;
    for i in 0..10 {
        assert_problem(
            &login(&app, "target", &format!("wrong-password-{i}")).await,
            401,
            "unauthenticated",
        );
    }
    let blocked = login(&app, "target", "mật-khẩu-thử-nghiệm").await;
    assert_problem(&blocked, 429, "too_many_failed_logins");
    let wait: u64 = blocked.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=900).contains(&wait), "{wait}");
    // An unknown user is limited the same way, and answers like a wrong password.
    assert_problem(
        &login(&app, "nobody", "whatever-password").await,
        401,
        "unauthenticated",
    );

    app.sql("UPDATE login_failures SET window_start = window_start - interval '16 minutes'");
    assert_eq!(
        login(&app, "target", "mật-khẩu-thử-nghiệm").await.status,
        200
    );
}

#[actix_web::test]
async fn rate_limit_answers_429_with_retry_after_per_caller() {
    let app = TestApp::spawn_with(Options {
        rate_limit: 3,
        ..Default::default()
    })
    .await;
    let (_, a) = app.user("rate.a", &[Role::Viewer], None).await;
    let (_, b) = app.user("rate.b", &[Role::Viewer], None).await;
    for _ in 0..3 {
        assert_eq!(app.get("/api/v1/auth/me", &a).await.status, 200);
    }
    let limited = app.get("/api/v1/auth/me", &a).await;
    assert_problem(&limited, 429, "rate_limited");
    assert!(limited.header("retry-after").is_some());
    assert_eq!(app.get("/api/v1/auth/me", &b).await.status, 200);
}
