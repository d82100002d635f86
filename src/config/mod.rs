//! Settings: every one a clap argument with its environment variable
//! ([`Settings`], shown by `thidua serve --help`), each value checked when
//! it is read, then turned into the one [`Config`] the process uses. The
//! README's configuration table lists the same variables with the same
//! defaults (a test compares them).

use std::path::PathBuf;
use std::time::Duration;

mod cli;
mod keys;
mod values;
pub use cli::{describe_setting_error, ignore_blank_env};
#[cfg(test)]
use keys::resolve_audit_key;
pub use keys::{AuditKeySource, audit_signing_key, jwt_keys};
use values::*;
pub use values::{AllowHosts, IpNet, Origins, Pem, TrustedProxies};

/// Every setting the service uses, checked (see [`Settings`]).
#[derive(Clone)]
pub struct Config {
    /// `DATABASE_URL`; unset → the private PostgreSQL under `var/postgres`.
    pub database_url: Option<String>,
    /// `DATABASE_REPLICA_URL`: a hot standby of that database for heavy
    /// reads (`service::reads`); unset: every read goes to the primary.
    pub database_replica_url: Option<String>,
    /// `REPLICA_MAX_LAG_MS` (default 1000): beyond this lag, reads that
    /// would go to the replica go to the primary.
    pub replica_max_lag: Duration,
    /// `BIND_ADDR` (default `127.0.0.1:8080`).
    pub bind_addr: String,
    /// `THIDUA_VAR_DIR` (default `./var`): private database, generated secret.
    pub var_dir: PathBuf,
    /// `PG_BIN`: directory with `initdb` and `postgres` for the private server.
    pub pg_bin: Option<PathBuf>,
    /// `DB_POOL_SIZE` (default 8: 2–4× the cores; bigger pools made p99 worse).
    pub pool_size: usize,
    /// `DB_STATEMENT_TIMEOUT_MS` (default 5000) set on every pooled connection.
    pub statement_timeout_ms: u64,
    /// `DB_CONNECT_TIMEOUT_MS` (default 2000): how long a request waits for a
    /// connection before it fails fast with 503.
    pub connect_timeout: Duration,
    /// `REQUEST_TIMEOUT_SECS` (default 30): a request still running is answered 503.
    pub request_timeout: Duration,
    /// `BODY_LIMIT_BYTES` (default 262144): larger JSON bodies get 413.
    pub body_limit: usize,
    /// `CORS_ALLOWED_ORIGINS`: comma-separated origins; empty (default) allows none.
    pub cors_origins: Vec<String>,
    /// `LOG_FORMAT`: `json` (default) or `pretty`.
    pub log_format: String,
    /// `RUST_LOG` (default `info`): the log filter.
    pub log_filter: String,
    /// `PUBLIC_URL`: how the server is reached, for printed links (default from `BIND_ADDR`).
    pub public_url: Option<String>,
    /// `TRUSTED_PROXIES`: IPs or CIDRs of the reverse proxies in front of the
    /// server. Only a request whose TCP peer is one of them has its
    /// `Forwarded` / `X-Forwarded-For` read (right-most untrusted hop); empty
    /// (default): the peer address is the client, headers are ignored.
    pub trusted_proxies: TrustedProxies,
    /// `PASSWORD_HASH_CONCURRENCY` (default: half the cores, at least 1):
    /// Argon2 runs at once in the process (each holds a 19 MiB block).
    pub hash_concurrency: usize,
    /// `PASSWORD_HASH_WAIT_MS` (default 1000): how long a login waits for a
    /// hashing slot before it is answered 503 `login_busy`.
    pub hash_wait: Duration,
    /// `LOGIN_PACE_MS` (default 2000): once an account has had 10 failed
    /// logins in 15 minutes from all sources together, attempts on it run
    /// one per this interval.
    pub login_pace: Duration,
    /// `RATE_LIMIT_PER_MINUTE` (default 600 per caller; 0 turns it off).
    pub rate_limit_per_minute: u32,
    /// `JWT_SECRET`: the HS256 secret (at least 32 bytes).
    pub jwt_secret: Option<String>,
    /// `JWT_PRIVATE_KEY`: Ed25519 PEM (read from the path when the setting named a file).
    pub jwt_private_key: Option<Vec<u8>>,
    /// `JWT_PUBLIC_KEY`: Ed25519 PEM (read from the path when the setting named a file).
    pub jwt_public_key: Option<Vec<u8>>,
    /// `JWT_ISSUER` (default `thidua`).
    pub jwt_issuer: String,
    /// `JWT_AUDIENCE` (default `thidua-api`).
    pub jwt_audience: String,
    /// `TOKEN_TTL_SECS` (default 3600).
    pub token_ttl_secs: u64,
    /// `AUDIT_SIGNING_KEY`: the Ed25519 PKCS#8 PEM (read from the path when
    /// the setting named a file), checked to be a key.
    pub audit_signing_key: Option<Vec<u8>>,
    /// `AUDIT_CHECKPOINT_SECS` (default 300; 0 → `None`, off).
    pub audit_checkpoint: Option<Duration>,
    /// `SETTLE_INTERVAL_MS` (default 100; kept within 1–60000): how often `serve`'s
    /// settler numbers committed events and chains committed audit rows
    /// (docs/feed.md).
    pub settle_interval: Duration,
    /// `ACCOUNT_CACHE_TTL_MS` (default 1000; 0 turns the cache off): how
    /// long `serve` may answer the per-request account check from memory
    /// (changes reach every instance at once by LISTEN/NOTIFY; this bounds
    /// a lost notification).
    pub account_cache_ttl: Duration,
    /// `WEBHOOK_ALLOW_HOSTS`: hosts (lower case) a webhook may target over
    /// plain http and whatever they resolve to (empty: none).
    pub webhook_allow_hosts: Vec<String>,
    /// `WEBHOOK_CONCURRENCY` (default 4): deliveries in flight per instance;
    /// 0: this instance delivers none.
    pub webhook_concurrency: usize,
    /// `WEBHOOK_RETRY_BASE_MS` and `WEBHOOK_RETRY_WINDOW_SECS`: the first
    /// retry's delay (default 30 s) and how long a failing delivery is tried
    /// (default 24 h) before its webhook pauses.
    pub webhook_retry: crate::domain::webhooks::RetryPolicy,
    /// `WEBHOOK_LEASE_SECS` (default 60, at least 11): how long a claimed
    /// delivery is held before another instance may make it again.
    pub webhook_lease: Duration,
    /// `DEADLINE_SCAN_SECS` (default 60; 0 → `None`, no reminders from this
    /// instance): how often each term's deadlines are looked at.
    pub deadline_scan: Option<Duration>,
    /// `SMTP_URL`: where reminder mail goes (unset: none is sent).
    pub smtp_url: Option<String>,
    /// `MAIL_FROM`: the reminder mail's sender.
    pub mail_from: String,
    /// `IMPORT_MAX_ROWS` (default 100000) and `IMPORT_MAX_BYTES` (default
    /// 33554432): an import file's data rows and size (docs/imports.md).
    pub import_max_rows: usize,
    pub import_max_bytes: usize,
    /// `DOCUMENT_PLACE`: the place name the printed documents are dated at
    /// (Decree 30/2020/NĐ-CP, địa danh: `Vĩnh Phúc`); unset: a dotted blank.
    pub document_place: Option<String>,
}

/// The settings as command-line arguments, each also read from its
/// environment variable (a flag wins over the variable). `thidua serve
/// --help` lists them; the README's table must agree (`tests/api/deploy.rs`).
/// Every parser below refuses a bad value with a reason, which
/// `describe_setting_error` turns into one line naming the variable.
///
/// A setting whose default is not one fixed value says so in a last help
/// paragraph `Default: …`, in the words of the README's default column.
#[derive(clap::Args, Clone, Debug)]
#[command(next_help_heading = "Settings (each also read from the environment variable shown)")]
pub struct Settings {
    /// PostgreSQL to use (created if missing when the role may, then migrated).
    ///
    /// A postgres:// URL; `sslmode` (disable, prefer, require, verify-ca,
    /// verify-full) and `sslrootcert` (a CA file, or `system`) as in libpq.
    /// Unset: a private server from the installed binaries, data in
    /// $THIDUA_VAR_DIR/postgres, on a free local port, stopped on exit.
    ///
    /// Default: unset
    #[arg(long, env = "DATABASE_URL", value_name = "URL", hide_env_values = true,
          global = true, value_parser = database_url)]
    pub database_url: Option<String>,

    /// A hot standby of DATABASE_URL's database for the heavy reads (lists, search, compliance, ranking, the feed).
    ///
    /// A postgres:// URL as DATABASE_URL (sslmode, sslrootcert); never
    /// migrated or written. A caller's reads after its own write stay on
    /// the primary until the replica has replayed it (Thidua-Lsn), and all
    /// reads do while it lags more than REPLICA_MAX_LAG_MS or is down.
    ///
    /// Default: unset (every read from the primary)
    #[arg(long, env = "DATABASE_REPLICA_URL", value_name = "URL", hide_env_values = true,
          global = true, value_parser = database_url)]
    pub database_replica_url: Option<String>,

    /// Replica lag beyond which its reads go to the primary (milliseconds, at least 1).
    #[arg(long, env = "REPLICA_MAX_LAG_MS", value_name = "MS", default_value = "1000",
          global = true, value_parser = at_least_one)]
    pub replica_max_lag_ms: u64,

    /// Address the API listens on (host:port).
    #[arg(long, env = "BIND_ADDR", value_name = "HOST:PORT", default_value = "127.0.0.1:8080",
          global = true, value_parser = bind_addr)]
    pub bind_addr: String,

    /// How the server is reached, for the printed links (an http(s) URL).
    ///
    /// Default: http://$BIND_ADDR
    #[arg(long, env = "PUBLIC_URL", value_name = "URL", global = true, value_parser = public_url)]
    pub public_url: Option<String>,

    /// The private database, its log, the generated JWT secret and audit signing key.
    #[arg(long, env = "THIDUA_VAR_DIR", value_name = "DIR", default_value = "./var",
          global = true, value_parser = non_empty_path)]
    pub var_dir: PathBuf,

    /// Directory with `initdb` and `postgres` for the private server.
    ///
    /// Default: searched (PATH, /usr/lib/postgresql/<v>/bin, pg_config --bindir)
    #[arg(long, env = "PG_BIN", value_name = "DIR", global = true, value_parser = pg_bin)]
    pub pg_bin: Option<PathBuf>,

    /// HS256 secret, at least 32 bytes; required with DATABASE_URL unless a key pair is set.
    ///
    /// Default: generated with the private database
    #[arg(long, env = "JWT_SECRET", value_name = "SECRET", hide_env_values = true,
          global = true, value_parser = jwt_secret)]
    pub jwt_secret: Option<String>,

    /// Ed25519 private key (PEM text or a path) → EdDSA tokens; set with JWT_PUBLIC_KEY.
    ///
    /// Default: unset
    #[arg(long, env = "JWT_PRIVATE_KEY", value_name = "PEM|PATH", hide_env_values = true,
          global = true, value_parser = pem_or_path)]
    pub jwt_private_key: Option<Pem>,

    /// Ed25519 public key (PEM text or a path), served at /api/v1/auth/jwks.
    ///
    /// Default: unset
    #[arg(long, env = "JWT_PUBLIC_KEY", value_name = "PEM|PATH", global = true,
          value_parser = pem_or_path)]
    pub jwt_public_key: Option<Pem>,

    /// The `iss` claim, checked on every token.
    #[arg(long, env = "JWT_ISSUER", value_name = "TEXT", default_value = "thidua",
          global = true, value_parser = non_empty)]
    pub jwt_issuer: String,

    /// The `aud` claim, checked on every token.
    #[arg(long, env = "JWT_AUDIENCE", value_name = "TEXT", default_value = "thidua-api",
          global = true, value_parser = non_empty)]
    pub jwt_audience: String,

    /// Token lifetime in seconds (at least 1).
    #[arg(long, env = "TOKEN_TTL_SECS", value_name = "SECS", default_value = "3600",
          global = true, value_parser = at_least_one)]
    pub token_ttl_secs: u64,

    /// Ed25519 private key (PKCS#8 PEM text or a path) that signs audit checkpoints.
    ///
    /// Default: generated with the private database, else derived from the JWT key
    #[arg(long, env = "AUDIT_SIGNING_KEY", value_name = "PEM|PATH", hide_env_values = true,
          global = true, value_parser = audit_key)]
    pub audit_signing_key: Option<Pem>,

    /// How often `serve` signs an audit checkpoint when the chain advanced (seconds); 0 turns it off.
    #[arg(long, env = "AUDIT_CHECKPOINT_SECS", value_name = "SECS", default_value = "300",
          global = true, value_parser = number::<u64>)]
    pub audit_checkpoint_secs: u64,

    /// How often `serve` settles committed events and audit rows into the feed and the chain (milliseconds).
    #[arg(long, env = "SETTLE_INTERVAL_MS", value_name = "MS", default_value = "100",
          global = true, value_parser = number::<u64>)]
    pub settle_interval_ms: u64,

    /// How long `serve` may answer the per-request account check from memory (milliseconds); 0 turns the cache off.
    #[arg(long, env = "ACCOUNT_CACHE_TTL_MS", value_name = "MS", default_value = "1000",
          global = true, value_parser = number::<u64>)]
    pub account_cache_ttl_ms: u64,

    /// Requests per caller (token subject, or client address before login) per minute, per instance; 0 turns it off.
    #[arg(long, env = "RATE_LIMIT_PER_MINUTE", value_name = "N", default_value = "600",
          global = true, value_parser = number::<u32>)]
    pub rate_limit_per_minute: u32,

    /// IPs or CIDRs (comma- or space-separated) of the reverse proxies in front.
    ///
    /// Only when the TCP peer is one are Forwarded / X-Forwarded-For read
    /// (the right-most hop that is not a trusted proxy) for rate limits and
    /// login failures; otherwise the peer address, headers ignored.
    ///
    /// Default: empty
    #[arg(long, env = "TRUSTED_PROXIES", value_name = "LIST", global = true,
          value_parser = trusted_proxies)]
    pub trusted_proxies: Option<TrustedProxies>,

    /// Argon2 runs at once (each holds 19 MiB); at least 1.
    ///
    /// Default: half the cores (at least 1)
    #[arg(long, env = "PASSWORD_HASH_CONCURRENCY", value_name = "N", global = true,
          value_parser = at_least_one_usize)]
    pub password_hash_concurrency: Option<usize>,

    /// How long a login waits for a hashing slot before 503 login_busy (milliseconds).
    #[arg(long, env = "PASSWORD_HASH_WAIT_MS", value_name = "MS", default_value = "1000",
          global = true, value_parser = number::<u64>)]
    pub password_hash_wait_ms: u64,

    /// After 10 failed logins for one account in 15 minutes (all addresses), attempts on it run one per this interval (milliseconds).
    #[arg(long, env = "LOGIN_PACE_MS", value_name = "MS", default_value = "2000",
          global = true, value_parser = number::<u64>)]
    pub login_pace_ms: u64,

    /// Pooled database connections (keep it 2–4× the cores); 1–10000.
    #[arg(long, env = "DB_POOL_SIZE", value_name = "N", default_value = "8",
          global = true, value_parser = pool_size)]
    pub db_pool_size: usize,

    /// statement_timeout and lock_timeout of every pooled connection (milliseconds; 0: none).
    #[arg(long, env = "DB_STATEMENT_TIMEOUT_MS", value_name = "MS", default_value = "5000",
          global = true, value_parser = number::<u64>)]
    pub db_statement_timeout_ms: u64,

    /// Wait for a database connection before answering 503 (milliseconds, at least 1).
    #[arg(long, env = "DB_CONNECT_TIMEOUT_MS", value_name = "MS", default_value = "2000",
          global = true, value_parser = at_least_one)]
    pub db_connect_timeout_ms: u64,

    /// A request still running after this is answered 503 request_timeout (seconds, at least 1).
    #[arg(long, env = "REQUEST_TIMEOUT_SECS", value_name = "SECS", default_value = "30",
          global = true, value_parser = at_least_one)]
    pub request_timeout_secs: u64,

    /// Larger request bodies get 413 (bytes, 1024–1073741824).
    #[arg(long, env = "BODY_LIMIT_BYTES", value_name = "BYTES", default_value = "262144",
          global = true, value_parser = body_limit)]
    pub body_limit_bytes: usize,

    /// Comma-separated origins (scheme://host[:port]) allowed by CORS; `*` is refused.
    ///
    /// Default: empty (none)
    #[arg(long, env = "CORS_ALLOWED_ORIGINS", value_name = "ORIGINS", global = true,
          value_parser = cors_origins)]
    pub cors_allowed_origins: Option<Origins>,

    /// Log lines on stderr: json, or pretty.
    #[arg(long, env = "LOG_FORMAT", value_name = "FORMAT", default_value = "json",
          global = true, value_parser = ["json", "pretty"])]
    pub log_format: String,

    /// Log filter (tracing's EnvFilter syntax: `info`, `warn,thidua=debug`).
    #[arg(long, env = "RUST_LOG", value_name = "FILTER", default_value = "info",
          global = true, value_parser = log_filter)]
    pub log_filter: String,

    /// Comma-separated hosts webhooks may target over plain http and at any address (loopback, private).
    ///
    /// Each a host name or address exactly as written in the webhook's URL;
    /// every other target must be https and resolve to public addresses
    /// only. For a receiver on the same machine or network (and the tests).
    ///
    /// Default: empty (none)
    #[arg(long, env = "WEBHOOK_ALLOW_HOSTS", value_name = "HOSTS", global = true,
          value_parser = allow_hosts)]
    pub webhook_allow_hosts: Option<AllowHosts>,

    /// Webhook deliveries in flight at once in this instance; 0: this instance delivers none.
    #[arg(long, env = "WEBHOOK_CONCURRENCY", value_name = "N", default_value = "4",
          global = true, value_parser = number::<usize>)]
    pub webhook_concurrency: usize,

    /// Delay before a failed webhook delivery's first retry (milliseconds); each next one is 3× longer.
    #[arg(long, env = "WEBHOOK_RETRY_BASE_MS", value_name = "MS", default_value = "30000",
          global = true, value_parser = at_least_one)]
    pub webhook_retry_base_ms: u64,

    /// How long a failing webhook delivery is retried before its webhook pauses (seconds).
    #[arg(long, env = "WEBHOOK_RETRY_WINDOW_SECS", value_name = "SECS", default_value = "86400",
          global = true, value_parser = at_least_one)]
    pub webhook_retry_window_secs: u64,

    /// How long a claimed webhook delivery is held before another instance may make it again (seconds, at least 11).
    #[arg(long, env = "WEBHOOK_LEASE_SECS", value_name = "SECS", default_value = "60",
          global = true, value_parser = lease_secs)]
    pub webhook_lease_secs: u64,

    /// How often each term's deadlines are looked at for reminders (seconds); 0: this instance sends none.
    #[arg(long, env = "DEADLINE_SCAN_SECS", value_name = "SECS", default_value = "60",
          global = true, value_parser = number::<u64>)]
    pub deadline_scan_secs: u64,

    /// Where deadline reminder mail is sent: smtp://host:port, smtp://…?tls=required, smtps://…
    ///
    /// With `user:password@` when the relay needs it. Unset: reminders go
    /// to the feed and the webhooks only.
    ///
    /// Default: unset (no mail)
    #[arg(long, env = "SMTP_URL", value_name = "URL", hide_env_values = true, global = true,
          value_parser = smtp_url)]
    pub smtp_url: Option<String>,

    /// The sender of reminder mail (an address, or `Name <address>`).
    #[arg(long, env = "MAIL_FROM", value_name = "MAILBOX", default_value = "thidua@localhost",
          global = true, value_parser = mail_from)]
    pub mail_from: String,

    /// An import file with more data rows gets 413 too_many_rows (at least 1).
    #[arg(long, env = "IMPORT_MAX_ROWS", value_name = "ROWS", default_value = "100000",
          global = true, value_parser = at_least_one_usize)]
    pub import_max_rows: usize,

    /// A larger import file gets 413 payload_too_large (bytes, 1024–1073741824).
    #[arg(long, env = "IMPORT_MAX_BYTES", value_name = "BYTES", default_value = "33554432",
          global = true, value_parser = body_limit)]
    pub import_max_bytes: usize,
    /// Place name the printed documents are dated at (địa danh, Decree 30/2020/NĐ-CP), e.g. "Vĩnh Phúc".
    ///
    /// Default: unset (a dotted blank the clerk fills in)
    #[arg(long, env = "DOCUMENT_PLACE", value_name = "PLACE", global = true)]
    pub document_place: Option<String>,
}

impl Settings {
    /// The checked settings as the `Config` the process uses; the checks
    /// that span two settings are made here.
    pub fn into_config(self) -> Result<Config, ConfigError> {
        if self.jwt_private_key.is_some() != self.jwt_public_key.is_some() {
            return Err(ConfigError(
                "JWT_PRIVATE_KEY and JWT_PUBLIC_KEY: set both, or neither".into(),
            ));
        }
        Ok(Config {
            database_url: self.database_url,
            database_replica_url: self.database_replica_url,
            replica_max_lag: Duration::from_millis(self.replica_max_lag_ms),
            bind_addr: self.bind_addr,
            var_dir: self.var_dir,
            pg_bin: self.pg_bin,
            pool_size: self.db_pool_size,
            statement_timeout_ms: self.db_statement_timeout_ms,
            connect_timeout: Duration::from_millis(self.db_connect_timeout_ms),
            request_timeout: Duration::from_secs(self.request_timeout_secs),
            body_limit: self.body_limit_bytes,
            cors_origins: self.cors_allowed_origins.map(|o| o.0).unwrap_or_default(),
            log_format: self.log_format,
            log_filter: self.log_filter,
            public_url: self.public_url,
            trusted_proxies: self.trusted_proxies.unwrap_or_default(),
            hash_concurrency: self
                .password_hash_concurrency
                .unwrap_or_else(crate::auth::password::default_concurrency),
            hash_wait: Duration::from_millis(self.password_hash_wait_ms),
            login_pace: Duration::from_millis(self.login_pace_ms),
            rate_limit_per_minute: self.rate_limit_per_minute,
            jwt_secret: self.jwt_secret,
            jwt_private_key: self.jwt_private_key.map(|p| p.0),
            jwt_public_key: self.jwt_public_key.map(|p| p.0),
            jwt_issuer: self.jwt_issuer,
            jwt_audience: self.jwt_audience,
            token_ttl_secs: self.token_ttl_secs,
            audit_signing_key: self.audit_signing_key.map(|p| p.0),
            audit_checkpoint: (self.audit_checkpoint_secs > 0)
                .then(|| Duration::from_secs(self.audit_checkpoint_secs)),
            settle_interval: Duration::from_millis(self.settle_interval_ms.clamp(1, 60_000)),
            account_cache_ttl: Duration::from_millis(self.account_cache_ttl_ms.min(60_000)),
            webhook_allow_hosts: self.webhook_allow_hosts.map(|h| h.0).unwrap_or_default(),
            webhook_concurrency: self.webhook_concurrency,
            webhook_retry: crate::domain::webhooks::RetryPolicy {
                base: Duration::from_millis(self.webhook_retry_base_ms),
                window: Duration::from_secs(self.webhook_retry_window_secs),
            },
            webhook_lease: Duration::from_secs(self.webhook_lease_secs),
            deadline_scan: (self.deadline_scan_secs > 0)
                .then(|| Duration::from_secs(self.deadline_scan_secs)),
            smtp_url: self.smtp_url,
            mail_from: self.mail_from,
            import_max_rows: self.import_max_rows,
            import_max_bytes: self.import_max_bytes,
            document_place: self
                .document_place
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty()),
        })
    }

    /// The settings alone as a command (for `from_env`, the error lines and the tests).
    pub fn command() -> clap::Command {
        use clap::Args;
        Settings::augment_args(clap::Command::new("thidua").no_binary_name(true))
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The database URL may carry a password, and keys are secrets: never print them.
        let set = |v: bool| if v { "<set>" } else { "<unset>" };
        f.debug_struct("Config")
            .field("database_url", &set(self.database_url.is_some()))
            .field(
                "database_replica_url",
                &set(self.database_replica_url.is_some()),
            )
            .field("replica_max_lag", &self.replica_max_lag)
            .field("bind_addr", &self.bind_addr)
            .field("pool_size", &self.pool_size)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("hash_concurrency", &self.hash_concurrency)
            .field("jwt_secret", &set(self.jwt_secret.is_some()))
            .field("jwt_private_key", &set(self.jwt_private_key.is_some()))
            .field("audit_signing_key", &set(self.audit_signing_key.is_some()))
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(pub String);

impl Config {
    /// The settings from the environment alone (no command line).
    pub fn from_env() -> Result<Config, ConfigError> {
        use clap::FromArgMatches;
        let matches = ignore_blank_env(Settings::command())
            .try_get_matches_from(std::iter::empty::<String>())
            .map_err(|e| {
                ConfigError(match describe_setting_error(&e) {
                    Some(line) => line.trim_start_matches("configuration: ").to_string(),
                    None => e.to_string(),
                })
            })?;
        Settings::from_arg_matches(&matches)
            .map_err(|e| ConfigError(e.to_string()))?
            .into_config()
    }

    /// Defaults for tests and tools: no environment read.
    pub fn for_tests() -> Config {
        Config {
            database_url: None,
            database_replica_url: None,
            replica_max_lag: Duration::from_millis(1000),
            bind_addr: "127.0.0.1:0".into(),
            var_dir: PathBuf::from("var"),
            pg_bin: None,
            pool_size: 4,
            statement_timeout_ms: 5000,
            connect_timeout: Duration::from_millis(1000),
            request_timeout: Duration::from_secs(30),
            body_limit: 262_144,
            cors_origins: Vec::new(),
            log_format: "json".into(),
            log_filter: "info".into(),
            public_url: None,
            trusted_proxies: TrustedProxies::default(),
            // Tests hash on every core and wait for a slot as long as a
            // request may run: a test that logs in many times at once is not
            // a test of the login bound (`Options::hasher` is).
            hash_concurrency: std::thread::available_parallelism().map_or(2, |n| n.get()),
            hash_wait: Duration::from_secs(30),
            login_pace: Duration::from_millis(2000),
            rate_limit_per_minute: 0,
            jwt_secret: None,
            jwt_private_key: None,
            jwt_public_key: None,
            jwt_issuer: "thidua".into(),
            jwt_audience: "thidua-api".into(),
            token_ttl_secs: 3600,
            audit_signing_key: None,
            audit_checkpoint: None,
            settle_interval: Duration::from_millis(100),
            // Tests turn the cache on themselves (`start_account_cache`).
            account_cache_ttl: Duration::from_millis(1000),
            webhook_allow_hosts: Vec::new(),
            // Tests start the delivery workers themselves.
            webhook_concurrency: 4,
            webhook_retry: crate::domain::webhooks::RetryPolicy::default(),
            webhook_lease: Duration::from_secs(60),
            deadline_scan: Some(Duration::from_secs(60)),
            smtp_url: None,
            mail_from: "thidua@localhost".into(),
            import_max_rows: 100_000,
            import_max_bytes: 33_554_432,
            document_place: None,
        }
    }
}

#[cfg(test)]
mod tests;
