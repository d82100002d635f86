//! `Idempotency-Key` records: reserve before running, store the response
//! after, replay it for 24 hours.

use crate::db::{self, Db};
use crate::error::AppResult;

pub use crate::db::idempotency::{Reservation, Stored};

pub async fn reserve(
    db: &Db,
    caller: &str,
    key: &str,
    request_hash: &[u8],
) -> AppResult<Reservation> {
    db.read(async |c| db::idempotency::reserve(c, caller, key, request_hash).await)
        .await
}

/// Store the first response. A failure here only costs the replay (the
/// write itself is committed), so it is logged, not returned.
pub async fn complete(
    db: &Db,
    caller: &str,
    key: &str,
    status: i16,
    headers: &[(String, String)],
    body: &[u8],
) {
    let r = db
        .read(async |c| db::idempotency::complete(c, caller, key, status, headers, body).await)
        .await;
    if let Err(e) = r {
        tracing::warn!(error = %e, "could not store the idempotent response");
    }
}

/// Forget a reservation whose request failed before committing anything.
pub async fn release(db: &Db, caller: &str, key: &str) {
    let r = db
        .read(async |c| db::idempotency::release(c, caller, key).await)
        .await;
    if let Err(e) = r {
        tracing::warn!(error = %e, "could not release the idempotency key");
    }
}

/// Delete records older than 24 hours (run periodically by `serve`).
pub async fn purge_expired(db: &Db) -> AppResult<usize> {
    db.read(async |c| db::idempotency::purge_expired(c).await)
        .await
}
