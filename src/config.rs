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

/// Where the audit checkpoint signing key came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditKeySource {
    /// `AUDIT_SIGNING_KEY` (PEM text or a path to a PEM file).
    Setting,
    /// Generated once with the private database and kept in this file.
    File(PathBuf),
    /// Derived from the JWT key material (HKDF): `JWT_PRIVATE_KEY`, else `JWT_SECRET`.
    DerivedFromJwt,
}

/// The key that signs audit checkpoints (Ed25519): `AUDIT_SIGNING_KEY` (an
/// unencrypted PKCS#8 PEM, e.g. from `openssl genpkey -algorithm ed25519`, as
/// text or a path); else, with the private local database,
/// `$THIDUA_VAR_DIR/audit-signing-key.pem`, generated on first use; else a
/// key derived from the JWT key material, so that instances sharing one
/// database and one JWT setting sign with the same key. With `generate`
/// false (verify), a missing key file is not created and gives `None`.
pub fn audit_signing_key(
    cfg: &Config,
    private_db: bool,
    generate: bool,
) -> Result<Option<(crate::domain::audit::SigningKey, AuditKeySource)>, ConfigError> {
    let jwt = match var("JWT_PRIVATE_KEY") {
        Some(v) if v.trim_start().starts_with("-----BEGIN") => Some(v.into_bytes()),
        Some(path) => Some(
            std::fs::read(&path)
                .map_err(|e| ConfigError(format!("JWT_PRIVATE_KEY: cannot read {path}: {e}")))?,
        ),
        None => var("JWT_SECRET").map(String::into_bytes),
    };
    resolve_audit_key(
        var("AUDIT_SIGNING_KEY"),
        private_db.then(|| cfg.var_dir.join("audit-signing-key.pem")),
        jwt,
        generate,
    )
}

fn resolve_audit_key(
    setting: Option<String>,
    key_file: Option<PathBuf>,
    jwt_material: Option<Vec<u8>>,
    generate: bool,
) -> Result<Option<(crate::domain::audit::SigningKey, AuditKeySource)>, ConfigError> {
    use crate::domain::audit::SigningKey;
    if let Some(v) = setting {
        let pem = if v.trim_start().starts_with("-----BEGIN") {
            v.into_bytes()
        } else {
            std::fs::read(&v)
                .map_err(|e| ConfigError(format!("AUDIT_SIGNING_KEY: cannot read {v}: {e}")))?
        };
        let key = SigningKey::from_pem(&pem)
            .map_err(|e| ConfigError(format!("AUDIT_SIGNING_KEY: {e}")))?;
        return Ok(Some((key, AuditKeySource::Setting)));
    }
    if let Some(path) = key_file {
        let shown = path.display().to_string();
        return match std::fs::read(&path) {
            Ok(pem) => SigningKey::from_pem(&pem)
                .map(|k| Some((k, AuditKeySource::File(path))))
                .map_err(|e| ConfigError(format!("{shown}: {e}"))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && generate => {
                let key = SigningKey::generate();
                write_private(&path, key.to_pem().as_bytes())
                    .map_err(|e| ConfigError(format!("write {shown}: {e}")))?;
                Ok(Some((key, AuditKeySource::File(path))))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(ConfigError(format!("read {shown}: {e}"))),
        };
    }
    match jwt_material {
        Some(m) => Ok(Some((
            SigningKey::derive(&m),
            AuditKeySource::DerivedFromJwt,
        ))),
        None if generate => Err(ConfigError(
            "AUDIT_SIGNING_KEY is not set and there is no JWT key to derive one from: set AUDIT_SIGNING_KEY to an Ed25519 private key (`openssl genpkey -algorithm ed25519`)".into(),
        )),
        None => Ok(None),
    }
}

/// A new file only its owner can read.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p)?;
    }
    let mut f = std::fs::OpenOptions::new()
        .create_new(true)
        .write(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)
}

/// `AUDIT_CHECKPOINT_SECS` (default 300): how often `serve` signs a
/// checkpoint when the audit chain has advanced; `0` turns it off.
pub fn audit_checkpoint_interval() -> Result<Option<Duration>, ConfigError> {
    let secs = parse("AUDIT_CHECKPOINT_SECS", 300u64)?;
    Ok((secs > 0).then(|| Duration::from_secs(secs)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "thidua-config-{name}-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn the_audit_key_setting_wins_over_the_file_and_the_jwt_secret() {
        let key = crate::domain::audit::SigningKey::generate();
        let dir = temp_dir("setting");
        let (got, source) = resolve_audit_key(
            Some(key.to_pem()),
            Some(dir.join("audit-signing-key.pem")),
            Some(b"jwt secret".to_vec()),
            true,
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            (got.public(), source),
            (key.public(), AuditKeySource::Setting)
        );
        assert!(!dir.join("audit-signing-key.pem").exists());
        // A path to the PEM works too.
        let path = dir.join("given.pem");
        std::fs::write(&path, key.to_pem()).unwrap();
        let (got, _) = resolve_audit_key(Some(path.display().to_string()), None, None, true)
            .unwrap()
            .unwrap();
        assert_eq!(got.public(), key.public());
        assert!(resolve_audit_key(Some("-----BEGIN junk".into()), None, None, true).is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn the_private_database_keeps_one_generated_audit_key_readable_only_by_its_owner() {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp_dir("file");
        let path = dir.join("var").join("audit-signing-key.pem");
        assert!(
            resolve_audit_key(None, Some(path.clone()), None, false)
                .unwrap()
                .is_none(),
            "verify never creates a key"
        );
        let (first, source) = resolve_audit_key(None, Some(path.clone()), None, true)
            .unwrap()
            .unwrap();
        assert_eq!(source, AuditKeySource::File(path.clone()));
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let (again, _) = resolve_audit_key(None, Some(path.clone()), Some(b"x".to_vec()), true)
            .unwrap()
            .unwrap();
        assert_eq!(again.public(), first.public());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn without_setting_or_file_the_audit_key_is_derived_from_the_jwt_key_or_refused() {
        let a = resolve_audit_key(None, None, Some(b"the same secret".to_vec()), true)
            .unwrap()
            .unwrap();
        let b = resolve_audit_key(None, None, Some(b"the same secret".to_vec()), true)
            .unwrap()
            .unwrap();
        assert_eq!(a.1, AuditKeySource::DerivedFromJwt);
        assert_eq!(a.0.public(), b.0.public());
        assert!(resolve_audit_key(None, None, None, true).is_err());
        assert!(
            resolve_audit_key(None, None, None, false)
                .unwrap()
                .is_none()
        );
    }

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
