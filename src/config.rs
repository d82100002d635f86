//! Settings from the environment: one struct, read and validated at start.

use std::path::PathBuf;
use std::time::Duration;

/// Every setting the service reads. The README's configuration table lists
/// the same variables with the same defaults.
#[derive(Clone)]
pub struct Config {
    /// `DATABASE_URL`; unset → the private PostgreSQL under `var/postgres`.
    pub database_url: Option<String>,
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
    /// `PUBLIC_URL`: how the server is reached, for printed links (default from `BIND_ADDR`).
    pub public_url: Option<String>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The database URL may carry a password: never print it.
        f.debug_struct("Config")
            .field("database_url", &self.database_url.as_ref().map(|_| "<set>"))
            .field("bind_addr", &self.bind_addr)
            .field("pool_size", &self.pool_size)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(pub String);

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parse<T: std::str::FromStr>(name: &str, default: T) -> Result<T, ConfigError> {
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .map_err(|_| ConfigError(format!("{name}={v:?} is not a valid value"))),
    }
}

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        let pool_size = parse("DB_POOL_SIZE", 8usize)?;
        if pool_size == 0 {
            return Err(ConfigError("DB_POOL_SIZE must be at least 1".into()));
        }
        let body_limit = parse("BODY_LIMIT_BYTES", 262_144usize)?;
        Ok(Config {
            database_url: var("DATABASE_URL"),
            bind_addr: var("BIND_ADDR").unwrap_or_else(|| "127.0.0.1:8080".into()),
            var_dir: PathBuf::from(var("THIDUA_VAR_DIR").unwrap_or_else(|| "var".into())),
            pg_bin: var("PG_BIN").map(PathBuf::from),
            pool_size,
            statement_timeout_ms: parse("DB_STATEMENT_TIMEOUT_MS", 5000u64)?,
            connect_timeout: Duration::from_millis(parse("DB_CONNECT_TIMEOUT_MS", 2000u64)?),
            request_timeout: Duration::from_secs(parse("REQUEST_TIMEOUT_SECS", 30u64)?),
            body_limit,
            cors_origins: var("CORS_ALLOWED_ORIGINS")
                .map(|v| {
                    v.split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            log_format: var("LOG_FORMAT").unwrap_or_else(|| "json".into()),
            public_url: var("PUBLIC_URL"),
        })
    }

    /// Defaults for tests and tools: no environment read.
    pub fn for_tests() -> Config {
        Config {
            database_url: None,
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
            public_url: None,
        }
    }
}

/// Token settings: `JWT_PRIVATE_KEY` + `JWT_PUBLIC_KEY` (Ed25519 PEM, or a
/// path to a PEM file) → EdDSA; else `JWT_SECRET` (≥ 32 bytes) → HS256; else,
/// only with the private local database, a random secret generated once and
/// kept in `var/jwt-secret`. `JWT_ISSUER` (default `thidua`), `JWT_AUDIENCE`
/// (default `thidua-api`), `TOKEN_TTL_SECS` (default 3600).
pub fn jwt_keys(cfg: &Config, private_db: bool) -> Result<crate::auth::jwt::JwtKeys, ConfigError> {
    use crate::auth::jwt::JwtKeys;
    let issuer = var("JWT_ISSUER").unwrap_or_else(|| "thidua".into());
    let audience = var("JWT_AUDIENCE").unwrap_or_else(|| "thidua-api".into());
    let ttl = parse("TOKEN_TTL_SECS", 3600u64)?;
    let pem = |name: &str| -> Result<Option<Vec<u8>>, ConfigError> {
        match var(name) {
            None => Ok(None),
            Some(v) if v.trim_start().starts_with("-----BEGIN") => Ok(Some(v.into_bytes())),
            Some(path) => std::fs::read(&path)
                .map(Some)
                .map_err(|e| ConfigError(format!("{name}: cannot read {path}: {e}"))),
        }
    };
    match (pem("JWT_PRIVATE_KEY")?, pem("JWT_PUBLIC_KEY")?) {
        (Some(private), Some(public)) => {
            return JwtKeys::ed25519(&private, &public, &issuer, &audience, ttl)
                .map_err(ConfigError);
        }
        (Some(_), None) | (None, Some(_)) => {
            return Err(ConfigError(
                "set both JWT_PRIVATE_KEY and JWT_PUBLIC_KEY, or neither".into(),
            ));
        }
        (None, None) => {}
    }
    let secret = match var("JWT_SECRET") {
        Some(s) => s,
        None if private_db => {
            crate::embedded_pg::persistent_secret(&cfg.var_dir.join("jwt-secret"), 48)
                .map_err(ConfigError)?
        }
        None => {
            return Err(ConfigError(
                "JWT_SECRET is not set: set a random secret of at least 32 bytes (e.g. `openssl rand -base64 48`), or JWT_PRIVATE_KEY/JWT_PUBLIC_KEY".into(),
            ));
        }
    };
    JwtKeys::hs256(secret.as_bytes(), &issuer, &audience, ttl).map_err(ConfigError)
}

/// `RATE_LIMIT_PER_MINUTE` (default 600 per caller; 0 turns it off).
pub fn rate_limit_per_minute() -> Result<u32, ConfigError> {
    parse("RATE_LIMIT_PER_MINUTE", 600u32)
}
