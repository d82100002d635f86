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
    /// Increases in commit order.
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

/// Any authenticated caller may follow the feed: it carries what the API
/// lets every reader see. Events with ids above `after`, oldest first.
pub async fn after(db: &Db, _caller: &Principal, after: i64, limit: i64) -> AppResult<Feed> {
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
