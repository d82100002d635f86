//! Tokens: credentials exchanged for a bearer token, under the login limits
//! (docs/security.md), and the live check behind every authenticated request.

use std::sync::Arc;
use std::time::Duration;

use uuid::Uuid;

use crate::auth::cache::AccountCache;
use crate::auth::jwt::{Claims, JwtKeys, claims_for};
use crate::auth::password::Hasher;
use crate::auth::{Principal, PrincipalKind};
use crate::db::login_failures::{Limits, Outcome, Reservation};
use crate::db::{self, Db};
use crate::error::{AppError, AppResult, ErrorCode};

pub enum Grant {
    Password {
        username: String,
        password: String,
    },
    ClientCredentials {
        client_id: String,
        client_secret: String,
    },
}

pub struct IssuedToken {
    pub access_token: String,
    pub expires_in: u64,
}

/// Issue 12, item 2: failures allowed per (account, source address) in the
/// window; the next attempt from that source is 429 `too_many_failed_logins`.
pub const MAX_FAILURES_PER_SOURCE: i32 = 10;
/// Failures per account, from all sources together, after which attempts on
/// it are paced (`Config::login_pace` apart) instead of refused.
pub const PACE_AFTER_ACCOUNT_FAILURES: i32 = 10;
pub const FAILURE_WINDOW_SECS: i64 = 15 * 60;
/// A paced attempt whose turn is further away than this is refused (429
/// `login_throttled`) rather than kept waiting.
pub const MAX_PACING_WAIT: Duration = Duration::from_secs(10);
/// How often a crowded source looks again for a free reservation.
const CROWDED_RETRY: Duration = Duration::from_millis(25);

/// How logins are bounded: the hashing slots and the pacing interval.
pub struct LoginGuard<'a> {
    pub hasher: &'a Hasher,
    pub pace: Duration,
}

/// Exchange credentials for a token (`source`: the caller's address key).
///
/// Every attempt is first reserved on its (account, source) pair and its
/// account, in the statements that check the limits (failures and
/// attempts in flight together), and settled once checked. A source past
/// `MAX_FAILURES_PER_SOURCE` is refused; an account past
/// `PACE_AFTER_ACCOUNT_FAILURES` is slowed, one attempt per `pace`, so
/// another source with the right password still logs in. An unknown account costs the same hashing time as a wrong
/// password, and hashing waits for a slot (503 `login_busy` after
/// `PASSWORD_HASH_WAIT_MS`).
pub async fn issue_token(
    db: &Db,
    keys: &JwtKeys,
    guard: &LoginGuard<'_>,
    grant: Grant,
    source: &str,
) -> AppResult<IssuedToken> {
    let (principal_key, name, secret) = match grant {
        Grant::Password { username, password } => {
            let name = username.trim().to_lowercase();
            (format!("user:{name}"), name, password)
        }
        Grant::ClientCredentials {
            client_id,
            client_secret,
        } => {
            let name = client_id.trim().to_lowercase();
            (format!("client:{name}"), name, client_secret)
        }
    };
    let is_user = principal_key.starts_with("user:");
    let limits = Limits {
        per_source: MAX_FAILURES_PER_SOURCE,
        per_account: PACE_AFTER_ACCOUNT_FAILURES,
        window_secs: FAILURE_WINDOW_SECS,
        pace_ms: guard.pace.as_millis() as i64,
        max_wait_ms: MAX_PACING_WAIT.as_millis() as i64,
    };
    let wait_ms = reserve_attempt(db, &principal_key, source, limits, guard).await?;
    if wait_ms > 0 {
        tokio::time::sleep(Duration::from_millis(wait_ms)).await;
    }

    let claims = account_claims(db, is_user, &name).await?;
    // Both counters in one transaction, in the order `reserve` locks them:
    // a reservation never sees the address's attempt settled and the
    // account's still in flight (which would pace a right answer).
    let settle = async |outcome| {
        db.transaction(async |tx| {
            db::login_failures::settle(tx, &principal_key, source, outcome).await
        })
        .await
    };
    let Ok(permit) = guard.hasher.login_permit().await else {
        settle(Outcome::NotRun).await?;
        return Err(AppError::new(ErrorCode::LoginBusy).retry_after(1));
    };
    let (claims, hash) = match claims {
        Some((claims, hash)) => (Some(claims), Some(hash)),
        None => (None, None),
    };
    let ok = Hasher::verify(permit, secret, hash).await;
    match claims.filter(|_| ok) {
        Some(claims) => {
            settle(Outcome::Succeeded).await?;
            let (access_token, expires_in) = keys.issue(claims)?;
            Ok(IssuedToken {
                access_token,
                expires_in,
            })
        }
        None => {
            settle(Outcome::Failed).await?;
            Err(AppError::unauthenticated())
        }
    }
}

/// Delete failed-login counters whose window has ended (run by `serve`
/// with the idempotency purge, so the table holds at most a window's worth).
pub async fn purge_login_failures(db: &Db) -> AppResult<usize> {
    Ok(db
        .read(async |c| db::login_failures::purge_expired(c, FAILURE_WINDOW_SECS).await)
        .await?)
}

/// The live side of authentication: the account still exists, is active,
/// and the token's version is current. Roles and organisation come from the
/// database, so a change applies at once.
pub async fn principal_from_claims(
    db: &Db,
    accounts: &AccountCache,
    claims: &Claims,
) -> AppResult<Principal> {
    let id: Uuid = claims
        .sub
        .parse()
        .map_err(|_| AppError::unauthenticated())?;
    // No round trip while the account cache is live (auth::cache).
    if let Some(p) = accounts.get(claims.typ, id, claims.tv) {
        return Ok(p);
    }
    let generation = accounts.generation();
    let principal = account_check(db, claims, id).await?;
    accounts.put(generation, &principal, claims.tv);
    Ok(principal)
}

/// Turn the account cache on (`ACCOUNT_CACHE_TTL_MS`; 0 leaves it off) and
/// feed it from `LISTEN thidua_accounts`: `serve` calls this once; the
/// listener runs on the current runtime.
pub fn start_account_cache(db: &Db, accounts: &Arc<AccountCache>, ttl: std::time::Duration) {
    accounts.set_ttl(ttl);
    if ttl.is_zero() {
        return;
    }
    let cache = accounts.clone();
    db::notify::listen(db, db::notify::ACCOUNTS_CHANNEL, move |heard| match heard {
        db::notify::Heard::Listening(yes) => cache.set_listening(yes),
        db::notify::Heard::Payload(p) => cache.evict(p),
    });
}

/// The account read: active, and the token's version is the account's.
async fn account_check(db: &Db, claims: &Claims, id: Uuid) -> AppResult<Principal> {
    match claims.typ {
        PrincipalKind::User => {
            let row = db
                .read(async |c| db::users::auth_state(c, id).await)
                .await?;
            match row {
                Some(u) if u.active && u.token_version == claims.tv => Ok(Principal {
                    kind: PrincipalKind::User,
                    id,
                    name: u.username,
                    organization_id: u.organization_id,
                    roles: u.roles,
                    scopes: vec![],
                }),
                _ => Err(AppError::unauthenticated()),
            }
        }
        PrincipalKind::Client => {
            let row = db.read(async |c| db::clients::get(c, id).await).await?;
            match row {
                Some(c) if c.active && c.token_version == claims.tv => Ok(Principal {
                    kind: PrincipalKind::Client,
                    id,
                    name: c.client_id,
                    organization_id: c.organization_id,
                    roles: vec![],
                    scopes: c.scopes,
                }),
                _ => Err(AppError::unauthenticated()),
            }
        }
    }
}

/// Reserve the attempt on its (account, source) pair and its account:
/// how long to wait for a paced turn, or the refusal. A source with as many
/// checks in flight as it has failures left waits for one to finish, as
/// long as a login waits for a hashing slot.
async fn reserve_attempt(
    db: &Db,
    principal_key: &str,
    source: &str,
    limits: Limits,
    guard: &LoginGuard<'_>,
) -> AppResult<u64> {
    let deadline = tokio::time::Instant::now() + guard.hasher.login_wait();
    loop {
        let r = db
            .transaction(async |tx| {
                match db::login_failures::reserve(tx, principal_key, source, limits).await? {
                    Reservation::Go { wait_ms } => Ok(Some(wait_ms)),
                    Reservation::Crowded => Ok(None),
                    Reservation::SourceLocked { retry_after_secs } => {
                        Err(AppError::new(ErrorCode::TooManyFailedLogins)
                            .retry_after(retry_after_secs))
                    }
                    Reservation::Paced { retry_after_secs } => {
                        Err(AppError::new(ErrorCode::LoginThrottled).retry_after(retry_after_secs))
                    }
                }
            })
            .await?;
        match r {
            Some(wait_ms) => return Ok(wait_ms),
            None if tokio::time::Instant::now() + CROWDED_RETRY < deadline => {
                tokio::time::sleep(CROWDED_RETRY).await;
            }
            None => {
                return Err(AppError::new(ErrorCode::LoginBusy).retry_after(1));
            }
        }
    }
}

/// The claims a token for this account would carry, and its secret's hash;
/// `None` for an unknown or inactive account.
async fn account_claims(db: &Db, is_user: bool, name: &str) -> AppResult<Option<(Claims, String)>> {
    Ok(if is_user {
        db.read(async |c| db::users::by_username(c, name).await)
            .await?
            .filter(|(row, _)| row.active)
            .map(|(u, hash)| {
                let roles = u.roles.clone();
                let claims = claims_for(
                    PrincipalKind::User,
                    u.id,
                    &u.username,
                    roles,
                    &[],
                    u.organization_id,
                    u.token_version,
                );
                (claims, hash)
            })
    } else {
        db.read(async |c| db::clients::by_client_id(c, name).await)
            .await?
            .filter(|(row, _)| row.active)
            .map(|(c, hash)| {
                let scopes = c.scopes.clone();
                let claims = claims_for(
                    PrincipalKind::Client,
                    c.id,
                    &c.client_id,
                    vec![],
                    &scopes,
                    c.organization_id,
                    c.token_version,
                );
                (claims, hash)
            })
    })
}
