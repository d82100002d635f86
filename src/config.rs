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
}
