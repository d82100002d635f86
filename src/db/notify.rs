//! `LISTEN thidua_accounts` (migration 2026-12-02-000102): the account
//! cache's invalidation across instances. One connection of its own per
//! pool, outside the pool; reconnected after a second when lost, with the
//! cache off (every request reads the account) until it listens again.

use std::sync::Arc;
use std::time::Duration;

use diesel_async::SimpleAsyncConnection;
use futures_util::StreamExt;

use super::Db;
use super::connect::Target;
use crate::auth::cache::AccountCache;

/// The channel the account triggers notify on.
pub const ACCOUNTS_CHANNEL: &str = "thidua_accounts";

/// Turn the account cache on with `ttl` and keep it fed: spawns the
/// listener on the current runtime. `ttl` zero leaves the cache off.
pub fn listen_accounts(db: &Db, ttl: Duration) {
    db.accounts.set_ttl(ttl);
    if ttl.is_zero() {
        return;
    }
    let (target, cache) = (db.target.clone(), db.accounts.clone());
    tokio::spawn(async move {
        loop {
            if let Err(e) = listen_once(&target, &cache).await {
                tracing::warn!(error = %e, "account listener lost: the account cache is off until it reconnects");
            }
            cache.set_listening(false);
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
}

async fn listen_once(target: &Target, cache: &Arc<AccountCache>) -> Result<(), String> {
    let mut conn = target.connect().await.map_err(|e| target.explain(&e))?;
    conn.batch_execute(&format!("LISTEN {ACCOUNTS_CHANNEL}"))
        .await
        .map_err(|e| e.to_string())?;
    cache.set_listening(true);
    let mut stream = std::pin::pin!(conn.notifications_stream());
    while let Some(n) = stream.next().await {
        match n {
            Ok(n) => cache.evict(&n.payload),
            Err(e) => return Err(e.to_string()),
        }
    }
    Err("the notification stream ended".into())
}
