//! The server's periodic tasks: the settler, purges and audit checkpoints.

use std::sync::Arc;
use std::time::Duration;

use crate::db::Db;
use crate::domain::audit::SigningKey;

/// Every ten minutes: expired idempotency records and login failures go.
pub fn spawn_purges(db: Db) {
    actix_web::rt::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            if let Err(e) = super::idempotency::purge_expired(&db).await {
                tracing::warn!(error = %e, "idempotency purge failed");
            }
            if let Err(e) = super::identity::purge_login_failures(&db).await {
                tracing::warn!(error = %e, "login failure purge failed");
            }
        }
    });
}

/// The settler (docs/feed.md): every `every`, give committed change events
/// their feed positions and chain committed audit rows. Any number of
/// instances may run it: one round at a time holds the settler lock, the
/// others find it taken and wait for their next tick.
pub fn spawn_settler(db: Db, every: Duration) {
    actix_web::rt::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = super::events::settle(&db).await {
                tracing::warn!(error = %e, "settling the feed and the audit chain failed");
            }
        }
    });
}

/// Sign an audit checkpoint `every` while the trail grows.
pub fn spawn_checkpoints(db: Db, every: Duration, audit_key: Arc<SigningKey>) {
    actix_web::rt::spawn(async move {
        // The first one after a full interval: a restart is not a reason to sign.
        let start = tokio::time::Instant::now() + every;
        let mut tick = tokio::time::interval_at(start, every);
        loop {
            tick.tick().await;
            match super::audit::checkpoint(&db, &audit_key).await {
                Ok(super::audit::Checkpointed::Created(c)) => {
                    tracing::info!(
                        checkpoint = c.id,
                        audit_id = c.audit_id,
                        "audit checkpoint signed"
                    )
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "audit checkpoint failed"),
            }
        }
    });
}
