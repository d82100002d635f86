//! The webhook tests' tools: an independent Standard Webhooks verifier,
//! a loopback receiver, and the world (settings, workers, events).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};
use thidua::auth::jwt::claims_for;
use thidua::auth::{Principal, PrincipalKind, Scope};
use thidua::domain::webhooks::RetryPolicy;
use thidua::service::webhooks::worker::{self, WorkerSettings, Workers};
use thidua::service::{Change, record};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use uuid::Uuid;

use crate::helpers::*;

// ------------------------------------------------------------------ an independent verifier

/// Standard Webhooks verification, written from the specification (not
/// the server's signer): HMAC-SHA256 keyed by the base64 after `whsec_`,
/// over `id.timestamp.body`, any `v1,` entry of the header may match.
pub fn verifies(secret: &str, id: &str, ts: &str, body: &[u8], header: &str) -> bool {
    use aws_lc_rs::hmac;
    let key = B64.decode(secret.strip_prefix("whsec_").unwrap()).unwrap();
    let mut msg = format!("{id}.{ts}.").into_bytes();
    msg.extend_from_slice(body);
    let expected = B64.encode(hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &key), &msg));
    header
        .split(' ')
        .filter_map(|s| s.strip_prefix("v1,"))
        .any(|s| s == expected)
}

#[test]
fn the_test_verifier_accepts_the_specification_test_vector() {
    assert!(verifies(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "1614265330",
        br#"{"test": 2432232314}"#,
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    ));
    assert!(!verifies(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "1614265331",
        br#"{"test": 2432232314}"#,
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    ));
}

// ------------------------------------------------------------------ the receiver

#[derive(Debug, Clone)]
pub struct Got {
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Got {
    pub fn id(&self) -> i64 {
        self.headers["webhook-id"].parse().unwrap()
    }
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// A tiny HTTP/1.1 server on loopback: records what it accepts (204); while
/// `down`, answers 503 and records nothing.
pub struct Receiver {
    pub port: u16,
    pub got: Arc<Mutex<Vec<Got>>>,
    pub down: Arc<AtomicBool>,
    pub refused: Arc<std::sync::atomic::AtomicUsize>,
    pub connections: Arc<std::sync::atomic::AtomicUsize>,
    /// Milliseconds to wait after recording a request before answering it.
    pub delay_ms: Arc<std::sync::atomic::AtomicU64>,
    /// Requests recorded and not yet answered.
    pub in_flight: Arc<std::sync::atomic::AtomicUsize>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        Self::start_with(false).await
    }

    /// `keep_alive`: answer without `Connection: close` and serve the next
    /// request on the same connection.
    pub async fn start_with(keep_alive: bool) -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let got = Arc::new(Mutex::new(Vec::new()));
        let down = Arc::new(AtomicBool::new(false));
        let refused = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let connections = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let delay_ms = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let in_flight = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (g, d, r, c) = (
            got.clone(),
            down.clone(),
            refused.clone(),
            connections.clone(),
        );
        let (dl, fl) = (delay_ms.clone(), in_flight.clone());
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                c.fetch_add(1, Ordering::SeqCst);
                let (g, d, r) = (g.clone(), d.clone(), r.clone());
                let (dl, fl) = (dl.clone(), fl.clone());
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    loop {
                        let head_end = loop {
                            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                                break i + 4;
                            }
                            match s.read(&mut chunk).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                            }
                        };
                        let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                        let mut lines = head.split("\r\n");
                        let path = lines.next().unwrap().split(' ').nth(1).unwrap().to_string();
                        let headers: HashMap<String, String> = lines
                            .filter_map(|l| l.split_once(": "))
                            .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
                            .collect();
                        let len: usize = headers
                            .get("content-length")
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(0);
                        while buf.len() < head_end + len {
                            match s.read(&mut chunk).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                            }
                        }
                        let body = buf[head_end..head_end + len].to_vec();
                        let answer: &[u8] = if d.load(Ordering::SeqCst) {
                            r.fetch_add(1, Ordering::SeqCst);
                            b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\nConnection: close\r\n\r\ndown"
                        } else {
                            g.lock().unwrap().push(Got {
                                path,
                                headers,
                                body,
                            });
                            b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        };
                        let wait = dl.load(Ordering::SeqCst);
                        if wait > 0 {
                            fl.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(wait)).await;
                            fl.fetch_sub(1, Ordering::SeqCst);
                        }
                        let answer: &[u8] = if keep_alive && answer.starts_with(b"HTTP/1.1 204") {
                            b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"
                        } else {
                            answer
                        };
                        let _ = s.write_all(answer).await;
                        if !keep_alive {
                            let _ = s.shutdown().await;
                            return;
                        }
                        buf.drain(..head_end + len);
                    }
                });
            }
        });
        Receiver {
            port,
            got,
            down,
            refused,
            connections,
            delay_ms,
            in_flight,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn got(&self) -> Vec<Got> {
        self.got.lock().unwrap().clone()
    }
}

// ------------------------------------------------------------------ the world

pub fn config(window: Duration) -> thidua::Config {
    let mut c = thidua::Config::for_tests();
    c.webhook_allow_hosts = vec!["127.0.0.1".into()];
    c.webhook_retry = RetryPolicy {
        base: Duration::from_millis(50),
        window,
    };
    c
}

pub async fn app_with(window: Duration) -> TestApp {
    TestApp::spawn_with(Options {
        config: config(window),
        ..Default::default()
    })
    .await
}

pub fn settings(app: &TestApp) -> WorkerSettings {
    WorkerSettings {
        idle_poll: Duration::from_millis(30),
        ..WorkerSettings::from_config(&app.state.config)
    }
}

pub fn workers(app: &TestApp) -> Workers {
    worker::start(app.state.db.clone(), settings(app)).expect("workers")
}

/// An audited change on the feed, of any type (through the same `record`
/// every use case uses).
pub async fn emit(app: &TestApp, action: &'static str, org: Option<Uuid>) {
    app.state
        .db
        .transaction(async |tx| {
            record(
                tx,
                &Principal::system(),
                Change {
                    action,
                    entity: "thing",
                    entity_id: Uuid::now_v7().to_string(),
                    after: Some(json!({"n": 1})),
                    organization_id: org,
                    ..Default::default()
                },
            )
            .await
        })
        .await
        .unwrap();
}

pub async fn until(what: &str, mut f: impl FnMut() -> bool) {
    for _ in 0..300 {
        if f() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

pub async fn create(app: &TestApp, token: &str, body: Value) -> (String, String) {
    let res = app.post("/api/v1/webhooks", token, body).await;
    assert_eq!(res.status.as_u16(), 201, "{}", res.text());
    let j = res.json();
    (
        j["id"].as_str().unwrap().to_string(),
        j["secret"].as_str().unwrap().to_string(),
    )
}

/// The feed as GET /api/v1/events shows it to `token`.
pub async fn feed(app: &TestApp, token: &str) -> Vec<Value> {
    let res = app.get("/api/v1/events?limit=1000", token).await;
    assert_eq!(res.status.as_u16(), 200);
    res.json()["items"].as_array().unwrap().clone()
}

pub fn assert_signed(got: &[Got], secret: &str) {
    for g in got {
        assert!(
            verifies(
                secret,
                &g.headers["webhook-id"],
                &g.headers["webhook-timestamp"],
                &g.body,
                &g.headers["webhook-signature"]
            ),
            "signature of {:?}",
            g.headers
        );
    }
}

/// A service client (`read`), inserted directly, and its token.
pub fn client(app: &TestApp, name: &str) -> (Uuid, String) {
    let id = Uuid::now_v7();
    app.sql(&format!(
        "INSERT INTO service_clients (id, client_id, name, scopes, secret_hash) VALUES ('{id}', '{name}', 'Ứng dụng {name}', ARRAY['read'], 'x')"
    ));
    let token = app
        .state
        .jwt
        .issue(claims_for(
            PrincipalKind::Client,
            id,
            name,
            vec![],
            &[Scope::Read],
            None,
            0,
        ))
        .unwrap()
        .0;
    (id, token)
}
