//! The database layer: pool, migrations and one module of queries per
//! aggregate. SQL lives here and nowhere else.

pub mod audit;
pub mod benchdata;
pub mod blocs;
pub mod clients;
pub mod conferences;
pub mod connect;
pub mod deadlines;
pub mod documents;
pub mod employments;
pub mod error;
pub mod evaluation;
pub mod events;
pub mod idempotency;
pub mod imports;
pub mod login_failures;
pub mod migrate;
pub mod notify;
pub mod organizations;
pub mod people;
pub mod pledges;
pub mod replica;
pub mod schema;
pub mod titles;
pub mod users;
pub mod webhooks;

use std::time::Duration;

use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::{
    AnsiTransactionManager, AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection,
    TransactionManager,
};
use futures_util::FutureExt;

pub use error::{Error, ErrorKind, Result, TxError};

pub type Conn = AsyncPgConnection;
pub type PgPool = Pool<AsyncPgConnection>;
pub type PoolError = diesel_async::pooled_connection::deadpool::PoolError;

/// Pool gauges for `/metrics`.
pub struct PoolStatus {
    pub size: usize,
    pub in_use: usize,
    pub max: usize,
    /// SQL statements run since start (every pooled connection counts).
    pub statements: u64,
}

/// The handle the service layer uses: a small pool of async connections.
#[derive(Clone)]
pub struct Db {
    pool: PgPool,
    statements: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// Where the pool connects (for a listener's own connection, `notify`).
    target: std::sync::Arc<connect::Target>,
    /// A read replica's pool only: where its reads go when it cannot serve
    /// them (`replica::Reads`).
    fallback: Option<std::sync::Arc<Fallback>>,
}

/// The primary behind a replica's pool, and whom to tell that the replica
/// was found unreachable.
struct Fallback {
    primary: Db,
    on_lost: std::sync::Arc<dyn Fn() + Send + Sync>,
}

impl Db {
    /// Build the pool (no connection is made until the first request).
    /// Connections are recycled without a health query (a per-checkout ping
    /// doubled round trips in a probe): a broken one is detected by its
    /// error, fails that one request and is taken out of the pool at once
    /// (`discard_if_lost`); one whose session already closed is dropped at
    /// checkout. Each new connection gets the statement timeout, and the
    /// TLS policy of the URL's `sslmode` / `sslrootcert` (`connect::Target`).
    pub fn connect(
        url: &str,
        size: usize,
        statement_timeout_ms: u64,
        wait: Duration,
    ) -> Result<Db> {
        Self::connect_counting(url, size, statement_timeout_ms, wait, None)
    }

    /// As `connect`, counting every SQL statement the pool's connections run
    /// into `counter` (tests assert statements per request with it). Without
    /// one the pool keeps its own count, shown by `/metrics`.
    pub fn connect_counting(
        url: &str,
        size: usize,
        statement_timeout_ms: u64,
        wait: Duration,
        counter: Option<std::sync::Arc<std::sync::atomic::AtomicU64>>,
    ) -> Result<Db> {
        let statements = counter.unwrap_or_default();
        let counter = statements.clone();
        // `sslmode` / `sslrootcert` are read here (CA files too), once.
        let target = std::sync::Arc::new(
            connect::Target::parse(url)
                .map_err(|e| Error::new(ErrorKind::Other, format!("DATABASE_URL: {e}")))?,
        );
        let listen_target = target.clone();
        let mut cfg = ManagerConfig::<AsyncPgConnection>::default();
        cfg.recycling_method = RecyclingMethod::Fast;
        cfg.custom_setup = Box::new(move |_url| {
            let target = target.clone();
            let counter = counter.clone();
            async move {
                let mut conn = target.establish().await?;
                conn.batch_execute(&format!(
                    "SET statement_timeout = {statement_timeout_ms}; SET lock_timeout = {statement_timeout_ms}; SET TimeZone = 'UTC'"
                ))
                .await
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                conn.set_instrumentation(move |event: diesel::connection::InstrumentationEvent<'_>| {
                    if let diesel::connection::InstrumentationEvent::StartQuery { .. } = event {
                        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                });
                Ok(conn)
            }
            .boxed()
        });
        let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(url, cfg);
        let pool = Pool::builder(manager)
            .max_size(size)
            .runtime(deadpool::Runtime::Tokio1)
            .wait_timeout(Some(wait))
            .create_timeout(Some(wait))
            .recycle_timeout(Some(wait))
            .build()
            .map_err(Error::other)?;
        Ok(Db {
            pool,
            statements,
            target: listen_target,
            fallback: None,
        })
    }

    /// This pool (a read replica's) with `primary` behind it: a checkout
    /// that fails, or a `read` whose connection is lost, goes to `primary`
    /// and calls `on_lost`.
    pub(crate) fn with_fallback(
        mut self,
        primary: Db,
        on_lost: std::sync::Arc<dyn Fn() + Send + Sync>,
    ) -> Db {
        self.fallback = Some(std::sync::Arc::new(Fallback { primary, on_lost }));
        self
    }

    /// The same pool without its fallback (to ask the replica itself).
    pub(crate) fn without_fallback(&self) -> Db {
        Db {
            fallback: None,
            ..self.clone()
        }
    }

    pub async fn conn(&self) -> Result<Object<AsyncPgConnection>> {
        match (self.pool.get().await, &self.fallback) {
            (Ok(c), _) => Ok(c),
            (Err(e), Some(fb)) => {
                tracing::warn!(error = %e, "read replica checkout failed: reading from the primary");
                (fb.on_lost)();
                Ok(fb.primary.pool.get().await?)
            }
            (Err(e), None) => Err(e.into()),
        }
    }

    pub fn status(&self) -> PoolStatus {
        let s = self.pool.status();
        PoolStatus {
            size: s.size,
            in_use: s.size.saturating_sub(s.available),
            max: s.max_size,
            statements: std::sync::atomic::AtomicU64::load(
                &self.statements,
                std::sync::atomic::Ordering::Relaxed,
            ),
        }
    }

    /// Run `f` on one connection outside a transaction (single-statement
    /// reads). `f`'s error is the caller's (a use case's `AppError`, or
    /// `db::Error` itself). On a read replica's pool, a read whose
    /// connection is lost runs again on the primary (so `f` may run twice:
    /// it only reads).
    pub async fn read<R, E: TxError>(
        &self,
        f: impl AsyncFnOnce(&mut Conn) -> std::result::Result<R, E> + Clone,
    ) -> std::result::Result<R, E> {
        let mut conn = self.conn().await?;
        let again = self.fallback.as_ref().map(|_| f.clone());
        let result = f(&mut conn).await;
        let lost = result.as_ref().is_err_and(|e| e.is_connection_lost());
        discard_if_lost(conn, &result);
        match (&self.fallback, again) {
            (Some(fb), Some(f)) if lost => {
                tracing::warn!("read replica connection lost: reading from the primary");
                (fb.on_lost)();
                let mut conn = fb.primary.conn().await?;
                let result = f(&mut conn).await;
                discard_if_lost(conn, &result);
                result
            }
            _ => result,
        }
    }

    /// Run `f` in ONE transaction: everything it writes, including its audit
    /// row and change event, commits or rolls back together. If the future is
    /// dropped midway, the connection is left in a transaction, counted as
    /// broken by the pool and closed, which rolls the work back.
    pub async fn transaction<R, E: TxError>(
        &self,
        f: impl AsyncFnOnce(&mut Conn) -> std::result::Result<R, E>,
    ) -> std::result::Result<R, E> {
        let mut conn = self.conn().await?;
        let result = Self::in_transaction(&mut conn, f).await;
        discard_if_lost(conn, &result);
        result
    }

    async fn in_transaction<R, E: TxError>(
        conn: &mut Conn,
        f: impl AsyncFnOnce(&mut Conn) -> std::result::Result<R, E>,
    ) -> std::result::Result<R, E> {
        AnsiTransactionManager::begin_transaction(conn)
            .await
            .map_err(Error::from)?;
        match f(conn).await {
            Ok(v) => {
                // A reserved request's write: its reservation commits with it.
                if let Err(e) = idempotency::mark_committed(conn).await {
                    if let Err(rb) = AnsiTransactionManager::rollback_transaction(conn).await {
                        tracing::warn!(error = %rb, "rollback failed");
                    }
                    return Err(e.into());
                }
                AnsiTransactionManager::commit_transaction(conn)
                    .await
                    .map_err(Error::from)?;
                Ok(v)
            }
            Err(e) => {
                if let Err(rb) = AnsiTransactionManager::rollback_transaction(conn).await {
                    tracing::warn!(error = %rb, "rollback failed");
                }
                Err(e)
            }
        }
    }

    /// `SELECT 1` through the pool: the readiness probe.
    pub async fn ping(&self) -> Result<()> {
        self.read(async |c| {
            diesel::sql_query("SELECT 1").execute(c).await?;
            Ok::<_, Error>(())
        })
        .await
    }
}

/// A connection whose session broke (its error said so) leaves the pool now:
/// the next request gets a new one instead of failing on it too. Without
/// this, a session cut while a query ran could go back to the pool before
/// its background task saw the socket close, and fail a second request.
fn discard_if_lost<R, E: TxError>(
    conn: Object<AsyncPgConnection>,
    result: &std::result::Result<R, E>,
) {
    if let Err(e) = result
        && e.is_connection_lost()
    {
        tracing::warn!("database connection lost: discarding it from the pool");
        drop(Object::take(conn));
    }
}
