//! The test harness: one PostgreSQL server for the whole run (from
//! `TEST_DATABASE_URL`, else 127.0.0.1:5432 as `postgres`, else a throwaway
//! private server), a migrated template database per migration set, and a
//! fresh database cloned from it for every test, dropped afterwards.

use std::sync::{Mutex, OnceLock};

use actix_web::body::MessageBody;
use actix_web::dev::Service;
use actix_web::http::header::HeaderMap;
use actix_web::http::{Method, StatusCode};
use actix_web::test::TestRequest;
use actix_web::web;
use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use futures_util::future::LocalBoxFuture;
use serde_json::Value;
use thidua::auth::jwt::{JwtKeys, claims_for};
use thidua::auth::{PrincipalKind, Role};
use thidua::embedded_pg::EmbeddedPg;
use thidua::{AppState, Config, Db, build_app};
use uuid::Uuid;

type SyncConn = AsyncConnectionWrapper<AsyncPgConnection>;

pub const TEST_SECRET: &[u8] = b"test-secret-test-secret-test-secret-0123456789";

struct Server {
    /// URL of the `postgres` maintenance database on the server.
    admin_url: String,
    template: String,
}

static SERVER: OnceLock<Server> = OnceLock::new();
static THROWAWAY: Mutex<Option<EmbeddedPg>> = Mutex::new(None);

extern "C" fn stop_throwaway() {
    if let Ok(mut g) = THROWAWAY.lock()
        && let Some(mut pg) = g.take()
    {
        pg.stop();
        if let Some(parent) = pg.data_dir.parent() {
            let _ = std::fs::remove_dir_all(parent);
        }
    }
}

fn with_url_db(url: &str, db: &str) -> String {
    let mut u = url::Url::parse(url).expect("server URL");
    u.set_path(&format!("/{db}"));
    u.to_string()
}

fn server_url() -> String {
    if let Ok(url) = std::env::var("TEST_DATABASE_URL") {
        return with_url_db(&url, "postgres");
    }
    let local = "postgres://postgres@127.0.0.1:5432/postgres";
    // `TEST_PG=private` skips the local server (to exercise the throwaway path).
    let private_only = std::env::var("TEST_PG").is_ok_and(|v| v == "private");
    if !private_only
        && std::net::TcpStream::connect("127.0.0.1:5432").is_ok()
        && SyncConn::establish(local).is_ok()
    {
        return local.to_string();
    }
    let dir = std::env::temp_dir().join(format!("thidua-test-pg-{}", std::process::id()));
    let pg = EmbeddedPg::start(&dir.join("data"), None).expect("a throwaway PostgreSQL server");
    let url = pg.url("postgres");
    *THROWAWAY.lock().unwrap() = Some(pg);
    // SAFETY: registering a plain extern "C" fn; the test harness exits through `exit`.
    unsafe { libc::atexit(stop_throwaway) };
    url
}

fn setup() -> Server {
    let admin_url = server_url();
    let template = format!("thidua_tpl_{}", thidua::db::migrate::fingerprint());
    let mut conn = SyncConn::establish(&admin_url).expect("connect to the test server");
    // One process builds the template; concurrent test binaries wait here.
    conn.batch_execute("SELECT pg_advisory_lock(7474002)")
        .unwrap();
    let exists = {
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::Int8)]
            n: i64,
        }
        diesel::sql_query("SELECT count(*) AS n FROM pg_database WHERE datname = $1")
            .bind::<diesel::sql_types::Text, _>(&template)
            .get_result::<N>(&mut conn)
            .unwrap()
            .n
            > 0
    };
    if !exists {
        let tmp = format!("{template}_building_{}", std::process::id());
        conn.batch_execute(&format!("DROP DATABASE IF EXISTS {tmp}"))
            .unwrap();
        conn.batch_execute(&format!("CREATE DATABASE {tmp}"))
            .unwrap();
        let url = with_url_db(&admin_url, &tmp);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(thidua::db::migrate::run(&url))
            .expect("migrate the template");
        // The migration's connection closes when its runtime's tasks are
        // dropped, and the server ends that session a moment later: until
        // then the rename answers "being accessed by other users".
        drop(rt);
        let rename = format!("ALTER DATABASE {tmp} RENAME TO {template}");
        let mut tries = 0;
        while let Err(e) = conn.batch_execute(&rename) {
            tries += 1;
            assert!(tries < 100, "rename the template: {e}");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
    conn.batch_execute("SELECT pg_advisory_unlock(7474002)")
        .unwrap();
    Server {
        admin_url,
        template,
    }
}

fn server() -> &'static Server {
    SERVER.get_or_init(|| {
        std::thread::spawn(setup)
            .join()
            .expect("test database setup")
    })
}

/// Run a statement on the server's maintenance database (off the test's runtime).
pub fn admin_sql(sql: String) {
    let url = server().admin_url.clone();
    std::thread::spawn(move || {
        let mut c = SyncConn::establish(&url).expect("connect");
        c.batch_execute(&sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    })
    .join()
    .unwrap();
}

/// A response, read whole.
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
    /// The problem body, checked to be problem+json.
    pub fn problem(&self) -> Value {
        assert_eq!(
            self.header("content-type").as_deref(),
            Some("application/problem+json"),
            "status {} body {}",
            self.status,
            self.text()
        );
        self.json()
    }
    pub fn code(&self) -> String {
        self.problem()["code"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

type Call = Box<dyn Fn(actix_http::Request) -> LocalBoxFuture<'static, TestResponse>>;

/// The app, in process, on its own fresh database.
pub struct TestApp {
    pub db_name: String,
    pub url: String,
    pub state: web::Data<AppState>,
    pub statements: std::sync::Arc<std::sync::atomic::AtomicU64>,
    call: Call,
}

pub struct Options {
    /// Count every SQL statement (see `TestApp::statements`).
    pub count_statements: bool,
    pub rate_limit: u32,
    pub config: Config,
    pub jwt: Option<JwtKeys>,
    /// A password hasher of the test's own (else the process-wide one).
    pub hasher: Option<std::sync::Arc<thidua::auth::password::Hasher>>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            count_statements: false,
            rate_limit: 0,
            config: Config::for_tests(),
            jwt: None,
            hasher: None,
        }
    }
}

pub fn test_keys() -> JwtKeys {
    JwtKeys::hs256(TEST_SECRET, "thidua", "thidua-api", 3600).unwrap()
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(Options::default()).await
    }

    pub async fn spawn_with(opts: Options) -> TestApp {
        let s = server();
        let db_name = format!("thidua_test_{}", Uuid::new_v4().simple());
        admin_sql(format!("CREATE DATABASE {db_name} TEMPLATE {}", s.template));
        let url = with_url_db(&s.admin_url, &db_name);
        let cfg = opts.config;
        let statements = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let counter = opts.count_statements.then(|| statements.clone());
        let db = Db::connect_counting(
            &url,
            cfg.pool_size,
            cfg.statement_timeout_ms,
            cfg.connect_timeout,
            counter,
        )
        .unwrap();
        let mut state = AppState::new(cfg, db, opts.jwt.unwrap_or_else(test_keys), opts.rate_limit);
        if let Some(h) = opts.hasher {
            state.hasher = h;
        }
        let state = web::Data::new(state);
        let svc = std::rc::Rc::new(actix_web::test::init_service(build_app(state.clone())).await);
        let call: Call = Box::new(move |req| {
            let svc = svc.clone();
            Box::pin(async move {
                match svc.call(req).await {
                    Ok(res) => {
                        let status = res.status();
                        let headers = res.headers().clone();
                        let body = actix_web::body::to_bytes(res.into_body().boxed())
                            .await
                            .map(|b| b.to_vec())
                            .unwrap_or_default();
                        TestResponse {
                            status,
                            headers,
                            body,
                        }
                    }
                    Err(e) => {
                        let res = e.error_response();
                        let status = res.status();
                        let headers = res.headers().clone();
                        let body = actix_web::body::to_bytes(res.into_body())
                            .await
                            .map(|b| b.to_vec())
                            .unwrap_or_default();
                        TestResponse {
                            status,
                            headers,
                            body,
                        }
                    }
                }
            })
        });
        TestApp {
            db_name,
            url,
            state,
            statements,
            call,
        }
    }

    /// What `serve`'s settler task does every `SETTLE_INTERVAL_MS` (tests
    /// run no background tasks): number committed events, chain committed
    /// audit rows (docs/feed.md).
    pub async fn settle(&self) {
        thidua::service::events::settle(&self.state.db)
            .await
            .expect("settle");
    }

    /// Every problem answer is checked against its operation's documented
    /// codes (`documented_codes::check`).
    pub async fn send(&self, req: TestRequest) -> TestResponse {
        let req = req.to_request();
        let (method, path) = (req.method().to_string(), req.path().to_string());
        let res = (self.call)(req).await;
        let content_type = res.header("content-type");
        crate::documented_codes::check(
            &method,
            &path,
            res.status.as_u16(),
            content_type.as_deref(),
            &res.body,
        );
        res
    }

    pub fn req(method: Method, path: &str, token: Option<&str>) -> TestRequest {
        let mut r = TestRequest::default().method(method).uri(path);
        if let Some(t) = token {
            r = r.insert_header(("Authorization", format!("Bearer {t}")));
        }
        r
    }

    pub async fn get(&self, path: &str, token: &str) -> TestResponse {
        self.send(Self::req(Method::GET, path, Some(token))).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> TestResponse {
        self.send(Self::req(Method::POST, path, Some(token)).set_json(body))
            .await
    }

    pub async fn patch(
        &self,
        path: &str,
        token: &str,
        if_match: Option<&str>,
        body: Value,
    ) -> TestResponse {
        let mut r = Self::req(Method::PATCH, path, Some(token)).set_json(body);
        if let Some(m) = if_match {
            r = r.insert_header(("If-Match", m));
        }
        self.send(r).await
    }

    /// A user created through the service layer, and a token for it.
    pub async fn user(&self, username: &str, roles: &[Role], org: Option<Uuid>) -> (Uuid, String) {
        let row = thidua::service::identity::bootstrap_user(
            &self.state.db,
            thidua::service::identity::CreateUser {
                username: username.into(),
                full_name: format!("Người dùng {username}"),
                organization_id: org,
                roles: roles.to_vec(),
                password: "mật-khẩu-thử-nghiệm".into(),
                email: None,
            },
        )
        .await
        .expect("create user");
        // The read model leaves the token version out (it is nobody's
        // business but the token check's): read it where it is kept.
        let tv = self.count(&format!(
            "SELECT token_version::int8 AS n FROM users WHERE id = '{}'",
            row.id
        )) as i32;
        let token = self.token_for(row.id, username, roles, org, tv);
        (row.id, token)
    }

    pub fn token_for(
        &self,
        id: Uuid,
        name: &str,
        roles: &[Role],
        org: Option<Uuid>,
        tv: i32,
    ) -> String {
        self.state
            .jwt
            .issue(claims_for(
                PrincipalKind::User,
                id,
                name,
                roles.to_vec(),
                &[],
                org,
                tv,
            ))
            .unwrap()
            .0
    }

    /// A unit (or, with a parent, a sub-unit) inserted directly.
    pub fn org(&self, code: &str, parent: Option<Uuid>) -> Uuid {
        let id = Uuid::now_v7();
        let parent = parent
            .map(|p| format!("'{p}'"))
            .unwrap_or_else(|| "NULL".into());
        self.sql(&format!(
            "INSERT INTO organizations (id, code, name, kind, parent_id) VALUES ('{id}', '{code}', 'Đơn vị {code}', 'department', {parent})"
        ));
        id
    }

    /// A user of `org` with `role`, inserted directly (no password hashing),
    /// and its token: fast enough for worlds of many units.
    pub fn member_token(&self, username: &str, role: Role, org: Uuid) -> String {
        let id = Uuid::now_v7();
        self.sql(&format!(
            "INSERT INTO users (id, username, full_name, organization_id, roles, password_hash)
             VALUES ('{id}', '{username}', 'Người dùng {username}', '{org}', ARRAY['{}'], 'x')",
            role.as_str()
        ));
        self.token_for(id, username, &[role], Some(org), 0)
    }

    /// A token for the demo's `admin` user (after `seed demo`).
    pub fn admin_of_demo(&self) -> String {
        let url = self.url.clone();
        let (uid, tv) = std::thread::spawn(move || {
            use diesel::RunQueryDsl;
            #[derive(diesel::QueryableByName)]
            struct U {
                #[diesel(sql_type = diesel::sql_types::Uuid)]
                id: Uuid,
                #[diesel(sql_type = diesel::sql_types::Int4)]
                token_version: i32,
            }
            let mut c = SyncConn::establish(&url).expect("connect");
            let u: U =
                diesel::sql_query("SELECT id, token_version FROM users WHERE username = 'admin'")
                    .get_result(&mut c)
                    .unwrap();
            (u.id, u.token_version)
        })
        .join()
        .unwrap();
        self.token_for(uid, "admin", &[Role::Admin], None, tv)
    }

    pub async fn admin(&self) -> String {
        self.user("admin", &[Role::Admin], None).await.1
    }

    /// Run SQL on this test's database (outside the app).
    pub fn sql(&self, sql: &str) {
        let url = self.url.clone();
        let sql = sql.to_string();
        std::thread::spawn(move || {
            let mut c = SyncConn::establish(&url).expect("connect");
            c.batch_execute(&sql)
        })
        .join()
        .unwrap()
        .unwrap_or_else(|e| panic!("{e}"));
    }

    /// One integer from a query on this test's database.
    pub fn count(&self, sql: &str) -> i64 {
        let url = self.url.clone();
        let sql = sql.to_string();
        std::thread::spawn(move || {
            use diesel::RunQueryDsl;
            #[derive(diesel::QueryableByName)]
            struct N {
                #[diesel(sql_type = diesel::sql_types::Int8)]
                n: i64,
            }
            let mut c = SyncConn::establish(&url).expect("connect");
            diesel::sql_query(sql).get_result::<N>(&mut c).map(|r| r.n)
        })
        .join()
        .unwrap()
        .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Try a statement; the error text when it fails.
    pub fn sql_err(&self, sql: &str) -> Option<String> {
        let url = self.url.clone();
        let sql = sql.to_string();
        std::thread::spawn(move || {
            let mut c = SyncConn::establish(&url).expect("connect");
            c.batch_execute(&sql).err().map(|e| e.to_string())
        })
        .join()
        .unwrap()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let name = self.db_name.clone();
        let url = server().admin_url.clone();
        let _ = std::thread::spawn(move || {
            if let Ok(mut c) = SyncConn::establish(&url) {
                let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        })
        .join();
    }
}

/// The body of a problem must carry the request id.
pub fn assert_problem(res: &TestResponse, status: u16, code: &str) {
    assert_eq!(res.status.as_u16(), status, "body: {}", res.text());
    let p = res.problem();
    assert_eq!(p["code"], code, "body: {}", res.text());
    assert_eq!(p["status"], status);
    assert!(
        p["instance"]
            .as_str()
            .is_some_and(|i| i.starts_with("urn:request:")),
        "instance missing: {p}"
    );
}

/// One raw HTTP/1.1 exchange with a real listener serving the app.
pub async fn raw_exchange(app: &TestApp, request: Vec<u8>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let state = app.state.clone();
    let server = actix_web::HttpServer::new(move || thidua::build_app(state.clone()))
        .workers(1)
        .disable_signals()
        .listen(listener)
        .unwrap()
        .run();
    let handle = server.handle();
    actix_rt::spawn(server);
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    // The server may answer and close before the whole request is written.
    let _ = stream.write_all(&request).await;
    let mut out = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut out),
    )
    .await;
    handle.stop(false).await;
    String::from_utf8_lossy(&out).into_owned()
}
