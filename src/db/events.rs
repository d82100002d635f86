//! The change feed.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::Result;
use super::schema::events as ev;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = ev)]
pub struct EventRow {
    pub id: i64,
    pub type_: String,
    pub entity: String,
    pub entity_id: String,
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub data: serde_json::Value,
}

/// Events after `after`, oldest first. Ids are given out under the
/// commit-order lock, so every id below a visible one is visible too.
pub async fn after(c: &mut Conn, after: i64, limit: i64) -> Result<Vec<EventRow>> {
    Ok(ev::table
        .select(EventRow::as_select())
        .filter(ev::id.gt(after))
        .order(ev::id.asc())
        .limit(limit)
        .load(c)
        .await?)
}
