//! Following the change feed.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::auth::Principal;
use crate::db::events::EventRow;
use crate::db::{self, Db};
use crate::error::AppResult;

/// One committed change as the feed serves it.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The feed position (docs/feed.md): consecutive, given after commit.
    pub id: i64,
    /// The action: `user.created`, `pledge.signed`, `audit.checkpoint`, …
    pub type_: String,
    pub entity: String,
    pub entity_id: String,
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub data: serde_json::Value,
}

impl From<EventRow> for Event {
    fn from(e: EventRow) -> Self {
        Event {
            id: e.id,
            type_: e.type_,
            entity: e.entity,
            entity_id: e.entity_id,
            occurred_at: e.occurred_at,
            actor_id: e.actor_id,
            organization_id: e.organization_id,
            data: e.data,
        }
    }
}

/// The events after a position, and where to go on from.
#[derive(Debug, Clone, PartialEq)]
pub struct Feed {
    pub events: Vec<Event>,
    /// The last id served, or `after` when none was.
    pub last_event_id: i64,
}

/// Rows per settler round (events and audit rows each).
pub const SETTLE_BATCH: i32 = 5000;

/// Give every committed event its feed position and chain every committed
/// audit row (docs/feed.md), in rounds of `SETTLE_BATCH`, unless another
/// session (this instance's settler task, another instance, another reader)
/// is doing it: then its round covers what was committed before it began,
/// and later commits wait for the next round. Returns the rows settled here.
pub async fn settle(db: &Db) -> AppResult<i64> {
    let mut total = 0;
    loop {
        match db
            .read(async |c| db::audit::settle(c, SETTLE_BATCH).await)
            .await?
        {
            Some(n) => {
                total += i64::from(n);
                if n < SETTLE_BATCH {
                    return Ok(total);
                }
            }
            None => return Ok(total),
        }
    }
}

/// Any authenticated caller may follow the feed: it carries what the API
/// lets every reader see. Events with ids above `after`, oldest first.
/// Settles first, so a caller sees its own committed writes (unless another
/// session is settling at that moment: then on its next read).
pub async fn after(db: &Db, _caller: &Principal, after: i64, limit: i64) -> AppResult<Feed> {
    settle(db).await?;
    let events: Vec<Event> = db
        .read(async |c| db::events::after(c, after, limit).await)
        .await?
        .into_iter()
        .map(Event::from)
        .collect();
    let last_event_id = events.last().map(|e| e.id).unwrap_or(after);
    Ok(Feed {
        events,
        last_event_id,
    })
}
