//! Embedded migrations, and creating the database when it is missing.

use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use sha2::{Digest, Sha256};

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

type SyncConn = AsyncConnectionWrapper<AsyncPgConnection>;

/// Apply every pending migration; returns the versions applied. Runs the
/// synchronous harness on a blocking thread (the async harness panics on
/// actix's current-thread workers).
pub async fn run(url: &str) -> Result<Vec<String>, String> {
    let url = url.to_string();
    tokio::task::spawn_blocking(move || {
        let mut conn = SyncConn::establish(&url).map_err(|e| format!("connect: {e}"))?;
        conn.batch_execute("SET client_min_messages = warning")
            .map_err(|e| e.to_string())?;
        let applied = conn
            .run_pending_migrations(MIGRATIONS)
            .map_err(|e| format!("migrate: {e}"))?;
        Ok(applied.iter().map(|v| v.to_string()).collect())
    })
    .await
    .map_err(|e| format!("migration task: {e}"))?
}

/// A fingerprint of the migration set (names and SQL), for test templates.
pub fn fingerprint() -> String {
    let mut h = Sha256::new();
    let mut dirs: Vec<_> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    dirs.sort();
    for d in dirs {
        h.update(
            d.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        );
        h.update(std::fs::read(d.join("up.sql")).unwrap_or_default());
    }
    hex::encode(&h.finalize()[..8])
}

/// Split a database URL into (server URL on the `postgres` database, name).
pub fn split_database(url: &str) -> Result<(String, String), String> {
    let mut u = url::Url::parse(url).map_err(|e| format!("DATABASE_URL is not a URL: {e}"))?;
    let name = u.path().trim_start_matches('/').to_string();
    if name.is_empty() {
        return Err("DATABASE_URL names no database".into());
    }
    u.set_path("/postgres");
    Ok((u.to_string(), name))
}

/// `CREATE DATABASE` when the database in `url` does not exist yet.
pub async fn create_database_if_missing(url: &str) -> Result<bool, String> {
    let (server, name) = split_database(url)?;
    tokio::task::spawn_blocking(move || {
        let mut conn = SyncConn::establish(&server).map_err(|e| format!("connect: {e}"))?;
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct Exists {
            #[diesel(sql_type = diesel::sql_types::Bool)]
            exists: bool,
        }
        let found: Exists = diesel::sql_query(
            "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists",
        )
        .bind::<diesel::sql_types::Text, _>(&name)
        .get_result(&mut conn)
        .map_err(|e| e.to_string())?;
        if found.exists {
            return Ok(false);
        }
        let quoted = format!("\"{}\"", name.replace('"', "\"\""));
        match conn.batch_execute(&format!("CREATE DATABASE {quoted}")) {
            Ok(()) => Ok(true),
            // Another instance created it at the same moment.
            Err(e) if e.to_string().contains("already exists") => Ok(false),
            Err(e) => Err(e.to_string()),
        }
    })
    .await
    .map_err(|e| e.to_string())?
}
