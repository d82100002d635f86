//! The keys the settings name or the run story keeps: token keys (JWT) and
//! the audit checkpoints' signing key, read, checked, or generated once.

use std::path::PathBuf;

use super::{Config, ConfigError};

/// Token keys from the settings: `JWT_PRIVATE_KEY` + `JWT_PUBLIC_KEY`
/// (Ed25519) → EdDSA; else `JWT_SECRET` (≥ 32 bytes) → HS256; else, only
/// with the private local database, a random secret generated once and
/// kept in `var/jwt-secret`.
pub fn jwt_keys(cfg: &Config, private_db: bool) -> Result<crate::auth::jwt::JwtKeys, ConfigError> {
    use crate::auth::jwt::JwtKeys;
    let (issuer, audience, ttl) = (&cfg.jwt_issuer, &cfg.jwt_audience, cfg.token_ttl_secs);
    match (&cfg.jwt_private_key, &cfg.jwt_public_key) {
        (Some(private), Some(public)) => {
            return JwtKeys::ed25519(private, public, issuer, audience, ttl).map_err(ConfigError);
        }
        (Some(_), None) | (None, Some(_)) => {
            return Err(ConfigError(
                "JWT_PRIVATE_KEY and JWT_PUBLIC_KEY: set both, or neither".into(),
            ));
        }
        (None, None) => {}
    }
    let secret = match &cfg.jwt_secret {
        Some(s) => s.clone(),
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
    JwtKeys::hs256(secret.as_bytes(), issuer, audience, ttl).map_err(ConfigError)
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
    let jwt = cfg
        .jwt_private_key
        .clone()
        .or_else(|| cfg.jwt_secret.clone().map(String::into_bytes));
    resolve_audit_key(
        cfg.audit_signing_key.clone(),
        private_db.then(|| cfg.var_dir.join("audit-signing-key.pem")),
        jwt,
        generate,
    )
}

pub(super) fn resolve_audit_key(
    setting: Option<Vec<u8>>,
    key_file: Option<PathBuf>,
    jwt_material: Option<Vec<u8>>,
    generate: bool,
) -> Result<Option<(crate::domain::audit::SigningKey, AuditKeySource)>, ConfigError> {
    use crate::domain::audit::SigningKey;
    if let Some(pem) = setting {
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
