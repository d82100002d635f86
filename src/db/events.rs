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
    #[diesel(select_expression = ev::id.assume_not_null())]
    #[diesel(select_expression_type = diesel::dsl::AssumeNotNull<ev::id>)]
    pub id: i64,
    pub type_: String,
    pub entity: String,
    pub entity_id: String,
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub data: serde_json::Value,
}

/// Settled events after `after`, oldest first. Positions are given only to
/// committed rows, under the settler lock (`audit::settle`), so every
/// position below a visible one is visible too; unsettled rows (no
/// position) are not served yet.
pub async fn after(c: &mut Conn, after: i64, limit: i64) -> Result<Vec<EventRow>> {
    Ok(ev::table
        .select(EventRow::as_select())
        .filter(ev::id.gt(after))
        .order(ev::id.asc())
        .limit(limit)
        .load(c)
        .await?)
}

#[derive(QueryableByName)]
struct Position {
    #[diesel(sql_type = diesel::sql_types::Int8)]
    id: i64,
}

/// Give the newest unsettled event of `type_` on `entity_id` written by this
/// transaction its feed position now (`thidua_settle_now`): for a webhook
/// ping, whose delivery must name its event. Holds the settler lock to
/// COMMIT (settling waits, writers do not).
pub async fn settle_now(tx: &mut Conn, type_: &str, entity_id: &str) -> Result<Option<i64>> {
    let seq: Option<i64> = ev::table
        .filter(ev::type_.eq(type_))
        .filter(ev::entity_id.eq(entity_id))
        .filter(ev::id.is_null())
        .select(diesel::dsl::max(ev::seq))
        .first(tx)
        .await?;
    let Some(seq) = seq else {
        return Ok(None);
    };
    let p: Position = diesel::sql_query("SELECT thidua_settle_now($1) AS id")
        .bind::<diesel::sql_types::Int8, _>(seq)
        .get_result(tx)
        .await?;
    Ok(Some(p.id))
}
