//! Deployment (issue 18, items 1–4): TLS to PostgreSQL with libpq's
//! `sslmode` / `sslrootcert`, starting without the maintenance database,
//! migrations under an advisory lock, and the settings in `--help` kept in
//! agreement with the README.
//!
//! The TLS tests share one private PostgreSQL started with `ssl=on`, a
//! server certificate for `db.thidua.test` and 127.0.0.1 signed by a CA the
//! test makes (rcgen), and a `pg_hba.conf` that takes TCP connections only
//! over TLS, as a managed database does; its `postgres` and `template1`
//! databases are closed to ordinary roles (`REVOKE CONNECT … FROM PUBLIC`).
//! The migration-lock tests start the real binary twice on the harness's
//! server.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use diesel::Connection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use thidua::db::connect::Target;
use thidua::db::migrate::{MIGRATION_LOCK_KEY, create_database_if_missing};
use thidua::embedded_pg::{EmbeddedPg, ServerTls};
use uuid::Uuid;

use crate::helpers::{TEST_SECRET, TestApp, admin_sql};

type SyncConn = AsyncConnectionWrapper<AsyncPgConnection>;

const BIN: &str = env!("CARGO_BIN_EXE_thidua");

fn scratch_dir(what: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("thidua-{what}-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// Statements on a blocking connection (off any runtime).
fn sync_sql(c: &mut SyncConn, sql: &str) {
    diesel::connection::SimpleConnection::batch_execute(c, sql)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

fn unique(prefix: &str) -> String {
    format!("{prefix}_{}", &Uuid::new_v4().simple().to_string()[..12])
}

// ---------------------------------------------------------------------------
// The private TLS server.

struct TlsServer {
    port: u16,
    /// The CA that signed the server's certificate.
    ca: PathBuf,
    /// A CA that did not.
    other_ca: PathBuf,
}

static TLS_SERVER: OnceLock<TlsServer> = OnceLock::new();
static TLS_PG: Mutex<Option<(EmbeddedPg, PathBuf)>> = Mutex::new(None);

extern "C" fn stop_tls_server() {
    if let Ok(mut g) = TLS_PG.lock()
        && let Some((mut pg, dir)) = g.take()
    {
        pg.stop();
        let _ = std::fs::remove_dir_all(dir);
    }
}

fn ca(name: &str) -> rcgen::CertifiedIssuer<'static, rcgen::KeyPair> {
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, name);
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
    ];
    rcgen::CertifiedIssuer::self_signed(params, rcgen::KeyPair::generate().unwrap()).unwrap()
}

fn tls_server() -> &'static TlsServer {
    TLS_SERVER.get_or_init(|| {
        std::thread::spawn(|| {
            let dir = scratch_dir("tls-pg");
            let ca_issuer = ca("thidua test CA");
            let other = ca("some other CA");
            let key = rcgen::KeyPair::generate().unwrap();
            let cert = rcgen::CertificateParams::new(vec![
                "db.thidua.test".to_string(),
                "127.0.0.1".to_string(),
            ])
            .unwrap()
            .signed_by(&key, &ca_issuer)
            .unwrap();
            let ca = dir.join("ca.pem");
            let other_ca = dir.join("other-ca.pem");
            std::fs::write(&ca, ca_issuer.pem()).unwrap();
            std::fs::write(&other_ca, other.pem()).unwrap();
            let pg = EmbeddedPg::start_with_tls(
                &dir.join("data"),
                None,
                &ServerTls {
                    cert_pem: cert.pem(),
                    key_pem: key.serialize_pem(),
                },
            )
            .expect("a private PostgreSQL with ssl=on");
            let port = pg.port;
            // Over the Unix socket (trusted, no TLS there): close the
            // maintenance databases to ordinary roles.
            let socket = format!(
                "host={} port={port} user=postgres dbname=postgres",
                pg.data_dir.display()
            );
            let mut c = SyncConn::establish(&socket).expect("connect over the socket");
            sync_sql(
                &mut c,
                "REVOKE CONNECT ON DATABASE postgres FROM PUBLIC; REVOKE CONNECT ON DATABASE template1 FROM PUBLIC",
            );
            *TLS_PG.lock().unwrap() = Some((pg, dir));
            // SAFETY: registering a plain extern "C" fn; the test harness exits through `exit`.
            unsafe { libc::atexit(stop_tls_server) };
            TlsServer { port, ca, other_ca }
        })
        .join()
        .expect("TLS server setup")
    })
}

/// A URL on the TLS server: `user@host/database?params`, TCP to 127.0.0.1.
fn tls_url(user: &str, host: &str, database: &str, params: &str) -> String {
    let s = tls_server();
    let hostaddr = if host == "127.0.0.1" {
        String::new()
    } else {
        "&hostaddr=127.0.0.1".to_string()
    };
    format!(
        "postgres://{user}@{host}:{}/{database}?{params}{hostaddr}",
        s.port
    )
}

fn verify_full(user: &str, database: &str) -> String {
    let ca = tls_server().ca.display().to_string();
    tls_url(
        user,
        "127.0.0.1",
        database,
        &format!("sslmode=verify-full&sslrootcert={ca}"),
    )
}

#[derive(diesel::QueryableByName)]
struct Flag {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    flag: bool,
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::Int8)]
    n: i64,
}

/// Connect with `url` and say whether the session is encrypted.
async fn session_is_tls(url: &str) -> Result<bool, String> {
    let target = Target::parse(url)?;
    let mut c = target.connect().await.map_err(|e| target.explain(&e))?;
    let f: Flag =
        diesel::sql_query("SELECT ssl AS flag FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            .get_result(&mut c)
            .await
            .map_err(|e| e.to_string())?;
    Ok(f.flag)
}

/// Statements as the server's superuser, over TLS.
async fn tls_admin(sql: &str) {
    let target = Target::parse(&verify_full("postgres", "postgres")).unwrap();
    let mut c = target.connect().await.expect("superuser over TLS");
    // One statement at a time: CREATE / DROP DATABASE refuse a batch's
    // implicit transaction.
    for statement in sql.split("; ") {
        c.batch_execute(statement)
            .await
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
}

fn migration_count() -> i64 {
    std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().join("up.sql").is_file())
        .count() as i64
}

/// The binary with only PATH and `envs`, killed if it runs past `limit`.
fn run_binary(args: &[&str], envs: &[(&str, &str)], limit: Duration) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("start the thidua binary");
    // Read both pipes while it runs (a full pipe would stop it).
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            buf
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "thidua {args:?} still running after {limit:?}: {}",
                String::from_utf8_lossy(&stderr.join().unwrap())
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

/// The lines of stderr that are not JSON log lines.
fn plain_lines(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| !l.trim_start().starts_with('{') && !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

// ---------------------------------------------------------------------------
// Item 1: TLS.

#[actix_web::test]
async fn verify_full_with_the_right_ca_creates_migrates_and_pools_over_tls() {
    let name = unique("tls_full");
    let url = verify_full("postgres", &name);
    assert!(
        create_database_if_missing(&url).await.unwrap(),
        "created over TLS"
    );
    let applied = thidua::db::migrate::run(&url).await.unwrap();
    assert_eq!(applied.len() as i64, migration_count());

    // The pool: its connections are TLS sessions (and TCP without TLS is
    // refused by this server, so there was no other way in).
    let db = thidua::Db::connect(&url, 2, 5000, Duration::from_secs(5)).unwrap();
    let tls = db
        .read(async |c| {
            let f: Flag = diesel::sql_query(
                "SELECT ssl AS flag FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            )
            .get_result(c)
            .await?;
            Ok::<_, thidua::db::Error>(f.flag)
        })
        .await
        .unwrap();
    assert!(tls, "pooled connections use TLS");
    db.ping().await.unwrap();

    // The certificate's DNS name, reached at 127.0.0.1 (hostaddr).
    let ca = tls_server().ca.display().to_string();
    let by_name = tls_url(
        "postgres",
        "db.thidua.test",
        &name,
        &format!("sslmode=verify-full&sslrootcert={ca}"),
    );
    assert_eq!(session_is_tls(&by_name).await, Ok(true));
    drop(db);
    tls_admin(&format!("DROP DATABASE {name} WITH (FORCE)")).await;
}

#[test]
fn a_wrong_ca_or_host_name_stops_serve_at_start_with_one_clear_line() {
    let s = tls_server();
    let cases = [
        (
            tls_url(
                "postgres",
                "127.0.0.1",
                "thidua",
                &format!("sslmode=verify-full&sslrootcert={}", s.other_ca.display()),
            ),
            format!(
                "the server's TLS certificate is not signed by a CA in sslrootcert={}",
                s.other_ca.display()
            ),
        ),
        (
            tls_url(
                "postgres",
                "other.thidua.test",
                "thidua",
                &format!("sslmode=verify-full&sslrootcert={}", s.ca.display()),
            ),
            "the server's TLS certificate is not valid for host name other.thidua.test (it names db.thidua.test, 127.0.0.1; verify-full checks it)".to_string(),
        ),
    ];
    for (url, reason) in cases {
        let dir = scratch_dir("tls-fail");
        let out = run_binary(
            &["serve"],
            &[
                ("DATABASE_URL", &url),
                ("JWT_SECRET", std::str::from_utf8(TEST_SECRET).unwrap()),
                ("THIDUA_VAR_DIR", dir.to_str().unwrap()),
                ("BIND_ADDR", "127.0.0.1:0"),
                ("RUST_LOG", "warn"),
            ],
            Duration::from_secs(30),
        );
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        let lines = plain_lines(&out);
        assert_eq!(lines.len(), 1, "one line: {lines:?}");
        assert!(
            lines[0].starts_with("thidua: cannot connect to PostgreSQL at ")
                && lines[0].contains("(sslmode=verify-full): ")
                && lines[0].contains(&reason),
            "{} does not say {reason}",
            lines[0]
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[actix_web::test]
async fn each_sslmode_is_honoured_against_a_server_that_takes_tcp_only_over_tls() {
    let s = tls_server();
    let (ca, other) = (s.ca.display(), s.other_ca.display());
    let url = |host: &str, params: String| tls_url("postgres", host, "postgres", &params);

    // disable: plaintext, which this server refuses.
    let e = session_is_tls(&url("127.0.0.1", "sslmode=disable".into()))
        .await
        .unwrap_err();
    assert!(
        e.contains("(sslmode=disable)") && e.contains("no encryption"),
        "{e}"
    );
    // prefer (also the default) and require: encrypted, certificate unchecked.
    assert_eq!(
        session_is_tls(&url("127.0.0.1", "sslmode=prefer".into())).await,
        Ok(true)
    );
    assert_eq!(
        session_is_tls(&url("127.0.0.1", String::new())).await,
        Ok(true)
    );
    assert_eq!(
        session_is_tls(&url("other.thidua.test", "sslmode=require".into())).await,
        Ok(true)
    );
    // verify-ca: the chain is checked, the host name is not.
    assert_eq!(
        session_is_tls(&url(
            "other.thidua.test",
            format!("sslmode=verify-ca&sslrootcert={ca}")
        ))
        .await,
        Ok(true)
    );
    let e = session_is_tls(&url(
        "127.0.0.1",
        format!("sslmode=verify-ca&sslrootcert={other}"),
    ))
    .await
    .unwrap_err();
    assert!(e.contains("not signed by a CA"), "{e}");
    // require with a CA file checks the chain, as libpq does.
    let e = session_is_tls(&url(
        "127.0.0.1",
        format!("sslmode=require&sslrootcert={other}"),
    ))
    .await
    .unwrap_err();
    assert!(
        e.contains("(sslmode=verify-ca)") && e.contains("not signed by a CA"),
        "{e}"
    );
    // verify-full with the system's store: this private CA is not in it.
    let e = session_is_tls(&url("127.0.0.1", "sslmode=verify-full".into())).await;
    match e {
        Err(e) => assert!(
            e.contains("not signed by a CA in the system's CA store")
                || e.contains("no CA certificates found in the system's store"),
            "{e}"
        ),
        Ok(_) => panic!("a private CA passed the system's store"),
    }
}

// ---------------------------------------------------------------------------
// Item 2: no maintenance database needed.

#[actix_web::test]
async fn a_role_shut_out_of_the_maintenance_database_starts_on_its_own_database() {
    let role = unique("app_owner");
    let name = unique("owned");
    tls_admin(&format!(
        "CREATE ROLE {role} LOGIN NOCREATEDB; CREATE DATABASE {name} OWNER {role}"
    ))
    .await;
    // The role cannot reach `postgres`…
    let e = session_is_tls(&verify_full(&role, "postgres"))
        .await
        .unwrap_err();
    assert!(e.contains("permission denied for database"), "{e}");
    // …and `thidua migrate` as that role creates its schema and exits 0.
    let out = run_binary(
        &["migrate"],
        &[
            ("DATABASE_URL", &verify_full(&role, &name)),
            ("RUST_LOG", "warn"),
        ],
        Duration::from_secs(60),
    );
    assert!(out.status.success(), "{out:?}");
    let target = Target::parse(&verify_full(&role, &name)).unwrap();
    let mut c = target.connect().await.unwrap();
    let n: Count = diesel::sql_query("SELECT count(*) AS n FROM __diesel_schema_migrations")
        .get_result(&mut c)
        .await
        .unwrap();
    assert_eq!(n.n, migration_count());
    drop(c);
    tls_admin(&format!(
        "DROP DATABASE {name} WITH (FORCE); DROP ROLE {role}"
    ))
    .await;
}

#[actix_web::test]
async fn a_missing_database_is_created_only_when_the_role_may() {
    let role = unique("app_maker");
    let name = unique("made");
    tls_admin(&format!(
        "CREATE ROLE {role} LOGIN NOCREATEDB; GRANT CONNECT ON DATABASE postgres TO {role}"
    ))
    .await;
    let url = verify_full(&role, &name);
    let e = create_database_if_missing(&url).await.unwrap_err();
    assert_eq!(
        e,
        format!(
            "database \"{name}\" does not exist at 127.0.0.1:{}/{name} and role \"{role}\" may not create it: create it (CREATE DATABASE \"{name}\" OWNER \"{role}\") or grant the role CREATEDB",
            tls_server().port
        )
    );
    tls_admin(&format!("ALTER ROLE {role} CREATEDB")).await;
    assert_eq!(create_database_if_missing(&url).await, Ok(true));
    assert_eq!(
        create_database_if_missing(&url).await,
        Ok(false),
        "it exists now"
    );
    assert_eq!(session_is_tls(&url).await, Ok(true));

    // A role that may create databases but reach no maintenance database
    // is told both.
    let shut_out = unique("app_shut");
    tls_admin(&format!("CREATE ROLE {shut_out} LOGIN CREATEDB")).await;
    let e = create_database_if_missing(&verify_full(&shut_out, &unique("never")))
        .await
        .unwrap_err();
    assert!(
        e.contains("does not exist")
            && e.contains("it cannot be created: ")
            && e.contains("permission denied for database"),
        "{e}"
    );
    tls_admin(&format!(
        "DROP DATABASE {name} WITH (FORCE); REVOKE CONNECT ON DATABASE postgres FROM {role}; DROP ROLE {role}; DROP ROLE {shut_out}"
    ))
    .await;
}

// ---------------------------------------------------------------------------
// Item 3: migrations under an advisory lock.

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// `thidua serve` as a child process, logging JSON at info to a file.
struct Instance {
    child: Child,
    addr: SocketAddr,
    log: PathBuf,
}

impl Instance {
    fn start(database_url: &str, dir: &Path) -> Instance {
        let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
        let log = dir.join(format!("thidua-{}.log", addr.port()));
        let out = std::fs::File::create(&log).expect("log file");
        let child = Command::new(BIN)
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("DATABASE_URL", database_url)
            .env("BIND_ADDR", addr.to_string())
            .env("THIDUA_VAR_DIR", dir)
            .env("JWT_SECRET", std::str::from_utf8(TEST_SECRET).unwrap())
            .env("RATE_LIMIT_PER_MINUTE", "0")
            .env("DB_POOL_SIZE", "2")
            .env("LOG_FORMAT", "json")
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .expect("start the thidua binary");
        Instance { child, addr, log }
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn ready(&self) -> bool {
        let Ok(mut s) = TcpStream::connect_timeout(&self.addr, Duration::from_secs(2)) else {
            return false;
        };
        let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
        let req = format!(
            "GET /health/ready HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        );
        let mut answer = Vec::new();
        s.write_all(req.as_bytes()).is_ok()
            && s.read_to_end(&mut answer).is_ok()
            && answer.starts_with(b"HTTP/1.1 200")
    }

    fn wait_ready(&mut self, limit: Duration) {
        let start = Instant::now();
        while !self.ready() {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("thidua exited at start ({status}): {}", self.log_text());
            }
            assert!(
                start.elapsed() < limit,
                "not ready within {limit:?}: {}",
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn with_database(url: &str, name: &str) -> String {
    let mut u = url::Url::parse(url).unwrap();
    u.set_path(&format!("/{name}"));
    u.to_string()
}

fn count(url: &str, sql: &str) -> i64 {
    let (url, sql) = (url.to_string(), sql.to_string());
    std::thread::spawn(move || {
        let mut c = SyncConn::establish(&url).expect("connect");
        diesel::RunQueryDsl::get_result::<Count>(diesel::sql_query(&sql), &mut c)
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .n
    })
    .join()
    .unwrap()
}

fn applied_by(instances: &[Instance]) -> usize {
    instances
        .iter()
        .filter(|i| i.log_text().contains("migrations applied"))
        .count()
}

#[actix_web::test]
async fn two_instances_started_at_once_on_a_missing_database_migrate_once_and_both_serve() {
    // A server URL from the harness (its test database stays as it is).
    let app = TestApp::spawn().await;
    let name = unique("thidua_race");
    let url = with_database(&app.url, &name);
    let dir = scratch_dir("race");
    let mut both = [Instance::start(&url, &dir), Instance::start(&url, &dir)];
    for i in &mut both {
        i.wait_ready(Duration::from_secs(90));
    }
    assert_eq!(
        count(&url, "SELECT count(*) AS n FROM __diesel_schema_migrations"),
        migration_count()
    );
    assert_eq!(
        applied_by(&both),
        1,
        "exactly one instance applied the migrations: {} / {}",
        both[0].log_text(),
        both[1].log_text()
    );
    drop(both);
    admin_sql(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    let _ = std::fs::remove_dir_all(dir);
}

#[actix_web::test]
async fn instances_wait_while_the_migration_lock_is_held_then_one_migrates_and_both_serve() {
    let app = TestApp::spawn().await;
    let name = unique("thidua_lock");
    admin_sql(format!("CREATE DATABASE {name}"));
    let url = with_database(&app.url, &name);
    let dir = scratch_dir("lock");

    // Another session (standing for a slow instance) holds the lock.
    let (hold_tx, hold_rx) = std::sync::mpsc::channel::<()>();
    let (held_tx, held_rx) = std::sync::mpsc::channel::<()>();
    let holder_url = url.clone();
    let holder = std::thread::spawn(move || {
        let mut c = SyncConn::establish(&holder_url).expect("connect");
        sync_sql(
            &mut c,
            &format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"),
        );
        held_tx.send(()).unwrap();
        let _ = hold_rx.recv();
        sync_sql(
            &mut c,
            &format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"),
        );
    });
    held_rx.recv().unwrap();

    let mut both = [Instance::start(&url, &dir), Instance::start(&url, &dir)];
    let waiting = format!(
        "SELECT count(*) AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
          WHERE d.datname = '{name}' AND l.locktype = 'advisory' AND NOT l.granted
            AND l.classid::bigint = {} AND l.objid::bigint = {}",
        (MIGRATION_LOCK_KEY >> 32) as u32,
        MIGRATION_LOCK_KEY as u32
    );
    let start = Instant::now();
    while count(&url, &waiting) < 2 {
        for i in &mut both {
            if let Ok(Some(status)) = i.child.try_wait() {
                panic!("thidua exited ({status}): {}", i.log_text());
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "both instances should wait for the lock"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // Waiting: nothing migrated, nobody serving.
    assert_eq!(
        count(
            &url,
            "SELECT count(*) AS n FROM pg_tables WHERE tablename = '__diesel_schema_migrations'"
        ),
        0
    );
    assert!(both.iter().all(|i| !i.ready()));

    hold_tx.send(()).unwrap();
    holder.join().unwrap();
    for i in &mut both {
        i.wait_ready(Duration::from_secs(90));
        assert!(
            i.log_text().contains("waiting for the migration lock"),
            "{}",
            i.log_text()
        );
    }
    assert_eq!(applied_by(&both), 1);
    assert_eq!(
        count(&url, "SELECT count(*) AS n FROM __diesel_schema_migrations"),
        migration_count()
    );
    drop(both);
    admin_sql(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    let _ = std::fs::remove_dir_all(dir);
}

// ---------------------------------------------------------------------------
// Item 4: settings.

/// The README's configuration table: (variable, default cell).
fn readme_settings() -> Vec<(String, String)> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let section = readme
        .split("\n## Configuration\n")
        .nth(1)
        .expect("a Configuration section");
    section
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2) // header and rule
        .map(|row| {
            let cells: Vec<&str> = row.trim_matches('|').split('|').map(str::trim).collect();
            assert_eq!(cells.len(), 3, "three cells: {row}");
            let name = cells[0].trim_matches('`');
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit()),
                "one variable per row: {row}"
            );
            (name.to_string(), cells[1].to_string())
        })
        .collect()
}

/// (variable, default as the README must show it) from the arguments.
fn help_settings() -> Vec<(String, String)> {
    thidua::config::Settings::command()
        .get_arguments()
        .filter_map(|a| {
            let env = a.get_env()?.to_string_lossy().into_owned();
            let default = match a.get_default_values().first() {
                Some(d) => format!("`{}`", d.to_string_lossy()),
                None => {
                    let help = a.get_long_help().or(a.get_help()).unwrap().to_string();
                    help.lines()
                        .rev()
                        .find_map(|l| l.trim().strip_prefix("Default: "))
                        .unwrap_or_else(|| panic!("{env}: no default and no `Default:` line"))
                        .trim_end_matches('.')
                        .to_string()
                }
            };
            Some((env, default))
        })
        .collect()
}

#[test]
fn the_readme_table_and_serve_help_list_the_same_settings_with_the_same_defaults() {
    let readme = readme_settings();
    let help = help_settings();
    let names = |v: &[(String, String)]| {
        let mut n: Vec<String> = v.iter().map(|(n, _)| n.clone()).collect();
        n.sort();
        n
    };
    assert_eq!(names(&readme), names(&help), "the same variables");
    for (name, default) in &help {
        let cell = &readme.iter().find(|(n, _)| n == name).unwrap().1;
        let same = if default.starts_with('`') {
            cell == default
        } else {
            // Prose: the same words, code spans aside.
            cell.replace('`', "") == *default
        };
        assert!(
            same,
            "{name}: README says {cell:?}, --help says {default:?}"
        );
    }

    // And `thidua serve --help` (the binary, not just the struct) shows
    // each variable and each fixed default.
    let out = run_binary(&["serve", "--help"], &[], Duration::from_secs(20));
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for (name, default) in &help {
        assert!(
            text.contains(&format!("[env: {name}")),
            "{name} missing from --help"
        );
        if let Some(d) = default.strip_prefix('`').and_then(|d| d.strip_suffix('`')) {
            assert!(
                text.contains(&format!("[default: {d}]")),
                "{name}: [default: {d}]"
            );
        }
    }
}

#[test]
fn a_bad_setting_stops_the_start_with_one_line_naming_it() {
    let missing = "/nonexistent/audit.pem";
    let cases: &[(&str, &str, &str)] = &[
        ("CORS_ALLOWED_ORIGINS", "*", "\"*\" is not allowed"),
        (
            "CORS_ALLOWED_ORIGINS",
            "https://app.example/",
            "write \"https://app.example\"",
        ),
        ("DB_POOL_SIZE", "0", "must be 1–10000 connections"),
        ("BODY_LIMIT_BYTES", "10", "must be 1024–1073741824 bytes"),
        ("REQUEST_TIMEOUT_SECS", "0", "must be at least 1"),
        ("DB_CONNECT_TIMEOUT_MS", "soon", "not a whole number"),
        (
            "TRUSTED_PROXIES",
            "proxy.local",
            "not an IP address or CIDR",
        ),
        ("PUBLIC_URL", "ftp://thidua.example", "http:// or https://"),
        ("BIND_ADDR", "8080", "must be host:port"),
        ("LOG_FORMAT", "xml", "must be one of json, pretty"),
        ("RUST_LOG", "thidua=loud", "not a log filter"),
        (
            "DATABASE_URL",
            "mysql://db/thidua",
            "must be a postgres:// URL",
        ),
        (
            "DATABASE_URL",
            "postgres://db/thidua?sslmode=verify",
            "sslmode=\"verify\" is not one of",
        ),
        ("JWT_SECRET", "short", "must be at least 32 bytes"),
        (
            "AUDIT_SIGNING_KEY",
            missing,
            "cannot read /nonexistent/audit.pem",
        ),
    ];
    for (name, value, reason) in cases {
        let out = run_binary(&["serve"], &[(name, value)], Duration::from_secs(20));
        assert_eq!(out.status.code(), Some(2), "{name}={value}: {out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{name}={value}: {stderr}");
        let flag = thidua::config::Settings::command()
            .get_arguments()
            .find(|a| a.get_env().is_some_and(|e| e == *name))
            .and_then(|a| a.get_long())
            .unwrap()
            .to_string();
        assert!(
            lines[0].starts_with(&format!("thidua: configuration: {name}"))
                && lines[0].contains(&format!("(--{flag}): "))
                && lines[0].contains(reason),
            "{name}={value}: {}",
            lines[0]
        );
        if ["JWT_SECRET", "DATABASE_URL", "AUDIT_SIGNING_KEY"].contains(name) {
            assert!(
                !lines[0].contains(&format!("{name}=")),
                "secrets are not echoed: {}",
                lines[0]
            );
        }
    }
    // Two settings that must come together.
    let out = run_binary(
        &["serve"],
        &[("JWT_PUBLIC_KEY", "-----BEGIN PUBLIC KEY-----\n")],
        Duration::from_secs(20),
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim_end(),
        "thidua: configuration: JWT_PRIVATE_KEY and JWT_PUBLIC_KEY: set both, or neither"
    );
    // A variable set to blanks is unset, as before: `openapi` parses every
    // setting and succeeds.
    let out = run_binary(
        &["openapi"],
        &[("DB_POOL_SIZE", " "), ("CORS_ALLOWED_ORIGINS", "")],
        Duration::from_secs(20),
    );
    assert!(out.status.success(), "{out:?}");
}
