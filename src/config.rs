//! Settings from the environment: one struct, read and validated at start.

use std::net::IpAddr;
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
}

/// One IP network (`10.0.0.0/8`, `2001:db8::/32`, or one address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl std::str::FromStr for IpNet {
    type Err = String;
    fn from_str(s: &str) -> Result<IpNet, String> {
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| format!("{s:?} is not an IP address or CIDR"))?;
        let addr = addr.to_canonical();
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{s:?}: the prefix length must be 0–{max}"))?,
        };
        Ok(IpNet { addr, prefix })
    }
}

/// The reverse proxies whose forwarding headers are believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// A comma- or space-separated list of IPs and CIDRs.
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        list.split([',', ' ', '\t'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::parse)
            .collect::<Result<Vec<IpNet>, String>>()
            .map(TrustedProxies)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(ip))
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The database URL may carry a password: never print it.
        f.debug_struct("Config")
            .field("database_url", &self.database_url.as_ref().map(|_| "<set>"))
            .field("bind_addr", &self.bind_addr)
            .field("pool_size", &self.pool_size)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("hash_concurrency", &self.hash_concurrency)
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
            trusted_proxies: TrustedProxies::parse(&var("TRUSTED_PROXIES").unwrap_or_default())
                .map_err(|e| ConfigError(format!("TRUSTED_PROXIES: {e}")))?,
            hash_concurrency: match parse(
                "PASSWORD_HASH_CONCURRENCY",
                crate::auth::password::default_concurrency(),
            )? {
                0 => {
                    return Err(ConfigError(
                        "PASSWORD_HASH_CONCURRENCY must be at least 1".into(),
                    ));
                }
                n => n,
            },
            hash_wait: Duration::from_millis(parse("PASSWORD_HASH_WAIT_MS", 1000u64)?),
            login_pace: Duration::from_millis(parse("LOGIN_PACE_MS", 2000u64)?),
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
            trusted_proxies: TrustedProxies::default(),
            // Tests hash on every core and wait for a slot as long as a
            // request may run: a test that logs in many times at once is not
            // a test of the login bound (`Options::hasher` is).
            hash_concurrency: std::thread::available_parallelism().map_or(2, |n| n.get()),
            hash_wait: Duration::from_secs(30),
            login_pace: Duration::from_millis(2000),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_proxies_read_addresses_and_cidrs() {
        let t = TrustedProxies::parse("10.0.0.0/8, 192.168.1.7 2001:db8::/32").unwrap();
        assert!(t.contains("10.200.3.4".parse().unwrap()));
        assert!(
            t.contains("::ffff:10.1.1.1".parse().unwrap()),
            "IPv4-mapped"
        );
        assert!(t.contains("192.168.1.7".parse().unwrap()));
        assert!(!t.contains("192.168.1.8".parse().unwrap()));
        assert!(t.contains("2001:db8:ffff::1".parse().unwrap()));
        assert!(!t.contains("2001:db9::1".parse().unwrap()));
        assert!(
            TrustedProxies::parse("0.0.0.0/0")
                .unwrap()
                .contains("8.8.8.8".parse().unwrap())
        );
        assert!(TrustedProxies::parse("").unwrap().is_empty());
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.local").is_err());
    }
}
