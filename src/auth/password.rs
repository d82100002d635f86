//! Argon2id password and secret hashing, run off the async workers and
//! bounded: every hash and verification holds a permit of one process-wide
//! semaphore, so concurrent logins cannot multiply Argon2's 19 MiB working
//! block or take every core (issue 12, item 4).

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::{AppError, AppResult};

pub const MIN_PASSWORD_LEN: usize = 10;

/// A hash of a fixed dummy password: verifying against it makes an unknown
/// user cost the same time as a wrong password.
static DUMMY: OnceLock<String> = OnceLock::new();

/// The process's hasher, sized by the first `Hasher::install`.
static GLOBAL: OnceLock<Arc<Hasher>> = OnceLock::new();

/// Default permits: half the cores (at least one), so that a burst of logins
/// leaves the other half to everyone else's requests.
pub fn default_concurrency() -> usize {
    std::thread::available_parallelism()
        .map(|n| (n.get() / 2).max(1))
        .unwrap_or(1)
}

/// Concurrent Argon2 runs, bounded by a semaphore. A login waits at most
/// `login_wait` for a permit, then is answered 503 `login_busy`; hashing a
/// new password or secret (authenticated admin work, the CLI) waits its turn.
pub struct Hasher {
    permits: Arc<Semaphore>,
    size: usize,
    login_wait: Duration,
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hasher")
            .field("size", &self.size)
            .field("available", &self.permits.available_permits())
            .finish()
    }
}

/// A held hashing slot (released when dropped).
pub struct HashPermit(#[allow(dead_code)] OwnedSemaphorePermit);

/// No hashing slot came free within the login's wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

impl Hasher {
    /// A hasher of its own (tests; `install` for the process's).
    pub fn new(concurrency: usize, login_wait: Duration) -> Arc<Hasher> {
        let size = concurrency.max(1);
        Arc::new(Hasher {
            permits: Arc::new(Semaphore::new(size)),
            size,
            login_wait,
        })
    }

    /// The process-wide hasher: created by the first call (`AppState::new`
    /// passes the configured size); later calls return the same one.
    pub fn install(concurrency: usize, login_wait: Duration) -> Arc<Hasher> {
        GLOBAL
            .get_or_init(|| Hasher::new(concurrency, login_wait))
            .clone()
    }

    /// The process-wide hasher (with the defaults when none was installed).
    pub fn global() -> Arc<Hasher> {
        Hasher::install(default_concurrency(), Duration::from_secs(1))
    }

    pub fn size(&self) -> usize {
        self.size
    }

    /// How long a login waits for hashing capacity.
    pub fn login_wait(&self) -> Duration {
        self.login_wait
    }

    pub fn available(&self) -> usize {
        self.permits.available_permits()
    }

    /// Wait for a slot (`None`: as long as it takes).
    pub async fn permit(&self, deadline: Option<Duration>) -> Result<HashPermit, Busy> {
        let acquire = self.permits.clone().acquire_owned();
        let permit = match deadline {
            None => acquire.await,
            Some(d) => tokio::time::timeout(d, acquire).await.map_err(|_| Busy)?,
        };
        // The semaphore is never closed.
        permit.map(HashPermit).map_err(|_| Busy)
    }

    /// Hash a new password or secret, waiting for a slot.
    pub async fn hash(&self, secret: String) -> AppResult<String> {
        let permit = self.permit(None).await.map_err(AppError::internal)?;
        tokio::task::spawn_blocking(move || {
            let _held = permit;
            hash_blocking(&secret)
        })
        .await
        .map_err(AppError::internal)?
    }

    /// Take a slot for a login, waiting at most `login_wait`.
    pub async fn login_permit(&self) -> Result<HashPermit, Busy> {
        self.permit(Some(self.login_wait)).await
    }

    /// Verify `secret` against `hash` while holding `permit`; with `None` a
    /// dummy hash is verified so that the time taken does not reveal
    /// whether the account exists. The permit is released when the hashing
    /// ends, even if the request was abandoned meanwhile.
    pub async fn verify(permit: HashPermit, secret: String, hash: Option<String>) -> bool {
        tokio::task::spawn_blocking(move || {
            let _held = permit;
            verify_blocking(&secret, hash.as_deref())
        })
        .await
        .unwrap_or(false)
    }
}

impl std::fmt::Display for Busy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("no password hashing slot available")
    }
}

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

/// Hash a new password or secret on the process-wide hasher.
pub async fn hash(secret: String) -> AppResult<String> {
    Hasher::global().hash(secret).await
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

    #[tokio::test]
    async fn a_login_waits_at_most_its_deadline_for_a_hashing_slot() {
        let h = Hasher::new(1, Duration::from_millis(20));
        let held = h.login_permit().await.expect("the one slot");
        assert_eq!(h.available(), 0);
        assert_eq!(h.login_permit().await.err(), Some(Busy));
        drop(held);
        assert!(h.login_permit().await.is_ok());
        assert_eq!(h.available(), 1, "a dropped permit is returned");
    }
}
