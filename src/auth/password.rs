//! Argon2id password and secret hashing, run off the async workers.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::error::{AppError, AppResult};

pub const MIN_PASSWORD_LEN: usize = 10;

/// A hash of a fixed dummy password: verifying against it makes an unknown
/// user cost the same time as a wrong password.
static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();

fn hash_blocking(secret: &str) -> AppResult<String> {
    Argon2::default()
        .hash_password(secret.as_bytes())
        .map(|h| h.to_string())
        .map_err(AppError::internal)
}

fn verify_blocking(secret: &str, hash: Option<&str>) -> bool {
    let dummy;
    let phc = match hash {
        Some(h) => h,
        None => {
            dummy = DUMMY
                .get_or_init(|| hash_blocking("dummy-password-for-timing").unwrap_or_default());
            dummy.as_str()
        }
    };
    let ok = PasswordHash::new(phc)
        .map(|parsed| {
            Argon2::default()
                .verify_password(secret.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false);
    ok && hash.is_some()
}

pub async fn hash(secret: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || hash_blocking(&secret))
        .await
        .map_err(AppError::internal)?
}

/// Verify `secret` against `hash`; with `None` a dummy hash is verified so
/// that the time taken does not reveal whether the account exists.
pub async fn verify(secret: String, hash: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || verify_blocking(&secret, hash.as_deref()))
        .await
        .unwrap_or(false)
}

/// A random secret for service clients and generated passwords (URL-safe).
pub fn random_secret(bytes: usize) -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_verifies_and_rejects() {
        let h = hash_blocking("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_blocking("correct horse battery", Some(&h)));
        assert!(!verify_blocking("wrong horse battery", Some(&h)));
        assert!(!verify_blocking("anything", None));
    }
}
