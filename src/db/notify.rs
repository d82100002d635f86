//! `LISTEN` on a channel of our own triggers (the account changes of
//! migration 2026-12-02-000102): one connection per listener, outside the
//! pool, with the pool's TLS policy; reconnected a second after it is lost.
//! What is heard goes to a callback (the service wires it to the account
//! cache, `auth::cache`).

use std::time::Duration;

use diesel_async::SimpleAsyncConnection;
use futures_util::StreamExt;

use super::Db;
use super::connect::Target;

/// The channel the account triggers notify on.
pub const ACCOUNTS_CHANNEL: &str = "thidua_accounts";

/// What a listener reports.
pub enum Heard<'a> {
    /// Now listening (`true`), or the connection was lost (`false`): what
    /// was heard before cannot be relied on either way.
    Listening(bool),
    /// One notification's payload.
    Payload(&'a str),
}

/// Listen on `channel` for as long as the runtime runs; spawns the task.
pub fn listen(db: &Db, channel: &'static str, on: impl Fn(Heard<'_>) + Send + Sync + 'static) {
    let target = db.target.clone();
    tokio::spawn(async move {
        loop {
            if let Err(e) = listen_once(&target, channel, &on).await {
                tracing::warn!(error = %e, channel, "listener lost; reconnecting in a second");
            }
            on(Heard::Listening(false));
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
}

async fn listen_once(
    target: &Target,
    channel: &str,
    on: &(impl Fn(Heard<'_>) + Send + Sync),
) -> Result<(), String> {
    let mut conn = target.connect().await.map_err(|e| target.explain(&e))?;
    conn.batch_execute(&format!("LISTEN {channel}"))
        .await
        .map_err(|e| e.to_string())?;
    on(Heard::Listening(true));
    let mut stream = std::pin::pin!(conn.notifications_stream());
    while let Some(n) = stream.next().await {
        match n {
            Ok(n) => on(Heard::Payload(&n.payload)),
            Err(e) => return Err(e.to_string()),
        }
    }
    Err("the notification stream ended".into())
}
