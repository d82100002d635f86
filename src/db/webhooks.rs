//! Queries on `webhook_subscriptions` and `webhook_deliveries`: the
//! subscriptions' management, the fan-out of the feed into deliveries, and
//! the claim of due deliveries (`FOR UPDATE SKIP LOCKED`).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::Result;
use super::events::EventRow;
use super::schema::events as ev;
use super::schema::webhook_deliveries as wd;
use super::schema::webhook_subscriptions as ws;
use crate::domain::ids::{DeliveryId, OrganizationId, WebhookId};
use crate::domain::webhooks::{
    DeliveryOrigin, DeliveryStatus, OwnerKind, PauseReason, WebhookStatus,
};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ws)]
pub struct SubscriptionRow {
    pub id: WebhookId,
    pub owner_kind: OwnerKind,
    pub owner_id: Uuid,
    pub url: String,
    pub event_types: Vec<String>,
    pub organization_id: Option<OrganizationId>,
    pub status: WebhookStatus,
    pub paused_reason: Option<PauseReason>,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<DateTime<Utc>>,
    pub cursor: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Insertable)]
#[diesel(table_name = ws)]
pub struct NewSubscription {
    pub id: WebhookId,
    pub owner_kind: OwnerKind,
    pub owner_id: Uuid,
    pub url: String,
    pub event_types: Vec<String>,
    pub organization_id: Option<OrganizationId>,
    pub secret: String,
    pub cursor: i64,
}

/// A patch: `None` leaves the column as it is.
#[derive(AsChangeset, Default)]
#[diesel(table_name = ws)]
pub struct SubscriptionChanges {
    pub url: Option<String>,
    pub event_types: Option<Vec<String>>,
    pub organization_id: Option<Option<OrganizationId>>,
    pub status: Option<WebhookStatus>,
    pub paused_reason: Option<Option<PauseReason>>,
    pub secret: Option<String>,
    pub previous_secret: Option<Option<String>>,
    pub previous_secret_until: Option<Option<DateTime<Utc>>>,
}

/// The feed's last id (0 when empty): where a new subscription starts.
pub async fn feed_head(c: &mut Conn) -> Result<i64> {
    Ok(ev::table
        .select(diesel::dsl::max(ev::id))
        .first::<Option<i64>>(c)
        .await?
        .unwrap_or(0))
}

pub async fn insert(c: &mut Conn, new: NewSubscription) -> Result<SubscriptionRow> {
    Ok(diesel::insert_into(ws::table)
        .values(new)
        .returning(SubscriptionRow::as_returning())
        .get_result(c)
        .await?)
}

pub async fn get(c: &mut Conn, id: WebhookId) -> Result<Option<SubscriptionRow>> {
    Ok(ws::table
        .find(id)
        .select(SubscriptionRow::as_select())
        .first(c)
        .await
        .optional()?)
}

pub async fn lock(c: &mut Conn, id: WebhookId) -> Result<Option<SubscriptionRow>> {
    Ok(ws::table
        .find(id)
        .select(SubscriptionRow::as_select())
        .for_update()
        .first(c)
        .await
        .optional()?)
}

/// Keyset page in creation order; `owner`: only that owner's.
pub async fn list(
    c: &mut Conn,
    owner: Option<Uuid>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<SubscriptionRow>> {
    let mut q = ws::table
        .select(SubscriptionRow::as_select())
        .order(ws::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(o) = owner {
        q = q.filter(ws::owner_id.eq(o));
    }
    if let Some(a) = after {
        q = q.filter(ws::id.gt(WebhookId(a)));
    }
    Ok(q.load(c).await?)
}

/// Apply `changes`, a new version.
pub async fn update(
    c: &mut Conn,
    id: WebhookId,
    changes: SubscriptionChanges,
) -> Result<SubscriptionRow> {
    Ok(diesel::update(ws::table.find(id))
        .set((
            changes,
            ws::version.eq(ws::version + 1),
            ws::updated_at.eq(diesel::dsl::now),
        ))
        .returning(SubscriptionRow::as_returning())
        .get_result(c)
        .await?)
}

pub async fn delete(c: &mut Conn, id: WebhookId) -> Result<usize> {
    Ok(diesel::delete(ws::table.find(id)).execute(c).await?)
}

// ------------------------------------------------------------------ fan-out

/// Active subscriptions the feed has moved past (`cursor < head`), in a
/// random order: one whose owner is disabled (it waits) never starves the
/// others, and two instances tend to start on different ones.
pub async fn behind(c: &mut Conn, head: i64, limit: i64) -> Result<Vec<SubscriptionRow>> {
    Ok(ws::table
        .select(SubscriptionRow::as_select())
        .filter(ws::status.eq(WebhookStatus::Active))
        .filter(ws::cursor.lt(head))
        .order(diesel::dsl::sql::<diesel::sql_types::Double>("random()"))
        .limit(limit)
        .load(c)
        .await?)
}

/// The subscription still active at `cursor`, locked for its fan-out, or
/// `None` when another instance has it or moved it on.
pub async fn lock_for_fanout(
    c: &mut Conn,
    id: WebhookId,
    cursor: i64,
) -> Result<Option<SubscriptionRow>> {
    Ok(ws::table
        .find(id)
        .filter(ws::status.eq(WebhookStatus::Active))
        .filter(ws::cursor.eq(cursor))
        .select(SubscriptionRow::as_select())
        .for_update()
        .skip_locked()
        .first(c)
        .await
        .optional()?)
}

/// Move the fan-out cursor (worker state: no new version).
pub async fn set_cursor(c: &mut Conn, id: WebhookId, cursor: i64) -> Result<()> {
    diesel::update(ws::table.find(id))
        .set(ws::cursor.eq(cursor))
        .execute(c)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = wd)]
pub struct DeliveryRow {
    pub id: DeliveryId,
    pub subscription_id: WebhookId,
    pub event_id: i64,
    pub origin: DeliveryOrigin,
    pub attempt: i32,
    pub status: DeliveryStatus,
    pub due_at: DateTime<Utc>,
    pub series_started_at: DateTime<Utc>,
    pub claimed_until: Option<DateTime<Utc>>,
    pub attempted_at: Option<DateTime<Utc>>,
    pub response_status: Option<i32>,
    pub latency_ms: Option<i32>,
    pub response_body: Option<String>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Insertable, Clone)]
#[diesel(table_name = wd)]
pub struct NewDelivery {
    pub id: DeliveryId,
    pub subscription_id: WebhookId,
    pub event_id: i64,
    pub origin: DeliveryOrigin,
    pub attempt: i32,
    pub due_at: DateTime<Utc>,
    pub series_started_at: DateTime<Utc>,
}

/// Schedule attempts; a feed event already fanned out to the subscription
/// is skipped (`webhook_deliveries_fanned_once`).
pub async fn insert_deliveries(c: &mut Conn, new: &[NewDelivery]) -> Result<usize> {
    if new.is_empty() {
        return Ok(0);
    }
    Ok(diesel::insert_into(wd::table)
        .values(new.to_vec())
        .on_conflict_do_nothing()
        .execute(c)
        .await?)
}

pub async fn insert_delivery(c: &mut Conn, new: NewDelivery) -> Result<DeliveryRow> {
    Ok(diesel::insert_into(wd::table)
        .values(new)
        .returning(DeliveryRow::as_returning())
        .get_result(c)
        .await?)
}

pub async fn get_delivery(
    c: &mut Conn,
    sub: WebhookId,
    id: DeliveryId,
) -> Result<Option<DeliveryRow>> {
    Ok(wd::table
        .find(id)
        .filter(wd::subscription_id.eq(sub))
        .select(DeliveryRow::as_select())
        .first(c)
        .await
        .optional()?)
}

/// Keyset page, newest first.
pub async fn list_deliveries(
    c: &mut Conn,
    sub: WebhookId,
    before: Option<Uuid>,
    limit: i64,
) -> Result<Vec<DeliveryRow>> {
    let mut q = wd::table
        .select(DeliveryRow::as_select())
        .filter(wd::subscription_id.eq(sub))
        .order(wd::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(b) = before {
        q = q.filter(wd::id.lt(DeliveryId(b)));
    }
    Ok(q.load(c).await?)
}

/// The subscription's pending attempts start a new series now (resume).
pub async fn restart_series(c: &mut Conn, sub: WebhookId) -> Result<usize> {
    Ok(diesel::update(
        wd::table
            .filter(wd::subscription_id.eq(sub))
            .filter(wd::status.eq(DeliveryStatus::Pending)),
    )
    .set((
        wd::due_at.eq(diesel::dsl::now),
        wd::series_started_at.eq(diesel::dsl::now),
        wd::claimed_until.eq(None::<DateTime<Utc>>),
        wd::updated_at.eq(diesel::dsl::now),
    ))
    .execute(c)
    .await?)
}

// ------------------------------------------------------------------ claims

#[derive(diesel::QueryableByName)]
struct Claimed {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
}

/// Claim up to `limit` due attempts for `lease_ms`: for each active
/// subscription only its oldest pending attempt (by feed id, then row id)
/// qualifies, and rows another worker holds are skipped, so any number of
/// instances share the work and one subscription's deliveries stay
/// sequential and in feed order.
pub async fn claim(c: &mut Conn, limit: i64, lease_ms: i64) -> Result<Vec<DeliveryId>> {
    let rows: Vec<Claimed> = diesel::sql_query(
        "WITH due AS (
             SELECT d.id FROM webhook_deliveries d
             JOIN webhook_subscriptions s ON s.id = d.subscription_id AND s.status = 'active'
             WHERE d.status = 'pending' AND d.due_at <= now()
               AND (d.claimed_until IS NULL OR d.claimed_until < now())
               AND NOT EXISTS (
                   SELECT 1 FROM webhook_deliveries e
                   WHERE e.subscription_id = d.subscription_id AND e.status = 'pending'
                     AND (e.event_id, e.id) < (d.event_id, d.id))
             ORDER BY d.due_at
             LIMIT $1
             FOR UPDATE OF d SKIP LOCKED)
         UPDATE webhook_deliveries w
            SET claimed_until = now() + make_interval(secs => $2 / 1000.0), updated_at = now()
           FROM due WHERE w.id = due.id
         RETURNING w.id",
    )
    .bind::<diesel::sql_types::Int8, _>(limit)
    .bind::<diesel::sql_types::Int8, _>(lease_ms)
    .load(c)
    .await?;
    Ok(rows.into_iter().map(|r| DeliveryId(r.id)).collect())
}

/// What one claimed attempt needs: its row, its subscription and its event.
pub async fn claimed_context(
    c: &mut Conn,
    id: DeliveryId,
) -> Result<Option<(DeliveryRow, SubscriptionRow, EventRow)>> {
    Ok(wd::table
        .find(id)
        .inner_join(ws::table)
        .inner_join(ev::table.on(ev::id.eq(wd::event_id.nullable())))
        .filter(wd::status.eq(DeliveryStatus::Pending))
        .select((
            DeliveryRow::as_select(),
            SubscriptionRow::as_select(),
            EventRow::as_select(),
        ))
        .first(c)
        .await
        .optional()?)
}

/// What came of one attempt.
pub struct Outcome {
    pub status: DeliveryStatus,
    pub attempted_at: DateTime<Utc>,
    pub response_status: Option<i32>,
    pub latency_ms: i32,
    pub response_body: Option<String>,
    pub error: Option<String>,
}

/// Record the attempt (still pending: nobody else finished it), or `None`.
pub async fn finish(c: &mut Conn, id: DeliveryId, o: Outcome) -> Result<Option<DeliveryRow>> {
    Ok(diesel::update(
        wd::table
            .find(id)
            .filter(wd::status.eq(DeliveryStatus::Pending)),
    )
    .set((
        wd::status.eq(o.status),
        wd::attempted_at.eq(Some(o.attempted_at)),
        wd::response_status.eq(o.response_status),
        wd::latency_ms.eq(Some(o.latency_ms)),
        wd::response_body.eq(o.response_body),
        wd::error.eq(o.error),
        wd::claimed_until.eq(None::<DateTime<Utc>>),
        wd::updated_at.eq(diesel::dsl::now),
    ))
    .returning(DeliveryRow::as_returning())
    .get_result(c)
    .await
    .optional()?)
}
