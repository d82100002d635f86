//! Embedded migrations under an advisory lock, and creating the database
//! when it is missing. Both connect through `connect::Target`, so the URL's
//! `sslmode` / `sslrootcert` hold here as for the pool.

use diesel::connection::SimpleConnection;
use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use sha2::{Digest, Sha256};

use super::connect::Target;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// The session advisory lock migrations run under (`"thiduamg"` in ASCII):
/// instances that start together on one database migrate one at a time; the
/// others wait, then find nothing pending. Advisory locks are per database.
pub const MIGRATION_LOCK_KEY: i64 = 0x7468_6964_7561_6d67;

type SyncConn = AsyncConnectionWrapper<AsyncPgConnection>;

#[derive(diesel::QueryableByName)]
struct Flag {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    flag: bool,
}

/// Apply every pending migration, holding [`MIGRATION_LOCK_KEY`]; returns
/// the versions applied (none when another instance applied them first).
/// Runs the synchronous harness on a blocking thread (the async harness
/// panics on actix's current-thread workers).
pub async fn run(url: &str) -> Result<Vec<String>, String> {
    let target = Target::parse(url).map_err(|e| format!("DATABASE_URL: {e}"))?;
    let conn = target.connect().await.map_err(|e| target.explain(&e))?;
    tokio::task::spawn_blocking(move || {
        use diesel::RunQueryDsl;
        let mut conn = SyncConn::from(conn);
        conn.batch_execute("SET client_min_messages = warning")
            .map_err(|e| e.to_string())?;
        let got: Flag = diesel::sql_query("SELECT pg_try_advisory_lock($1) AS flag")
            .bind::<diesel::sql_types::BigInt, _>(MIGRATION_LOCK_KEY)
            .get_result(&mut conn)
            .map_err(|e| format!("migration lock: {e}"))?;
        if !got.flag {
            tracing::info!(
                lock = MIGRATION_LOCK_KEY,
                "another instance is migrating this database: waiting for the migration lock"
            );
            diesel::sql_query("SELECT pg_advisory_lock($1)")
                .bind::<diesel::sql_types::BigInt, _>(MIGRATION_LOCK_KEY)
                .execute(&mut conn)
                .map_err(|e| format!("migration lock: {e}"))?;
        }
        // On an error the session ends with the connection, and the lock with it.
        let applied: Vec<String> = conn
            .run_pending_migrations(MIGRATIONS)
            .map_err(|e| format!("migrate: {e}"))?
            .iter()
            .map(|v| v.to_string())
            .collect();
        diesel::sql_query("SELECT pg_advisory_unlock($1)")
            .bind::<diesel::sql_types::BigInt, _>(MIGRATION_LOCK_KEY)
            .execute(&mut conn)
            .map_err(|e| format!("migration lock: {e}"))?;
        Ok(applied)
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

/// Connect to the database `url` names; only when the server says it does
/// not exist, connect to a maintenance database (`postgres`, else
/// `template1`) and create it, when the role may (`CREATEDB` or superuser).
/// A role that may not reach the maintenance database starts as long as its
/// own database exists. Returns whether it was created.
pub async fn create_database_if_missing(url: &str) -> Result<bool, String> {
    use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
    let target = Target::parse(url).map_err(|e| format!("DATABASE_URL: {e}"))?;
    match target.connect().await {
        Ok(_) => return Ok(false),
        Err(e) if e.is_missing_database() => {}
        Err(e) => return Err(target.explain(&e)),
    }
    let name = target.database().to_string();
    let role = target.user().unwrap_or("(default)").to_string();
    let mut maintenance = None;
    let mut why = String::new();
    for db in ["postgres", "template1"] {
        let t = target.with_database(db);
        match t.connect().await {
            Ok(c) => {
                maintenance = Some(c);
                break;
            }
            Err(e) => why = t.explain(&e),
        }
    }
    let Some(mut conn) = maintenance else {
        return Err(format!(
            "database \"{name}\" does not exist at {}, and it cannot be created: {why}",
            target.describe_server()
        ));
    };
    let may: Flag = diesel::sql_query(
        "SELECT rolcreatedb OR rolsuper AS flag FROM pg_roles WHERE rolname = current_user",
    )
    .get_result(&mut conn)
    .await
    .map_err(|e| e.to_string())?;
    if !may.flag {
        return Err(format!(
            "database \"{name}\" does not exist at {} and role \"{role}\" may not create it: create it (CREATE DATABASE \"{name}\" OWNER \"{role}\") or grant the role CREATEDB",
            target.describe_server()
        ));
    }
    let quoted = format!("\"{}\"", name.replace('"', "\"\""));
    match conn
        .batch_execute(&format!("CREATE DATABASE {quoted}"))
        .await
    {
        Ok(()) => Ok(true),
        // Another instance created it at the same moment (42P04, or the
        // unique index on pg_database when both got past the check).
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(false),
        Err(e) if e.to_string().contains("already exists") => Ok(false),
        Err(e) => Err(format!("CREATE DATABASE {quoted}: {e}")),
    }
}
