//! A webhook's deliveries as the API shows them, a test event (ping) and a
//! redelivery asked for.

use chrono::Utc;
use serde_json::json;

use super::{Delivery, Webhook, may_manage, owner_of};
use crate::auth::Principal;
use crate::db::webhooks::NewDelivery;
use crate::db::{self, Conn, Db};
use crate::domain::ids::{DeliveryId, WebhookId};
use crate::domain::paging::{Cursor, Page, PageRequest};
use crate::domain::webhooks::{DeliveryOrigin, DeliveryStatus};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::service::{Audited, Change, record};

async fn managed(tx: &mut Conn, caller: &Principal, id: WebhookId) -> AppResult<Webhook> {
    let row = db::webhooks::lock(tx, id)
        .await?
        .ok_or(AppError::not_found(Webhook::ENTITY))?;
    may_manage(caller, &row)?;
    Ok(row.into())
}

/// Every attempt, newest first.
pub async fn list_deliveries(
    db: &Db,
    caller: &Principal,
    id: WebhookId,
    page: PageRequest,
) -> AppResult<Page<Delivery>> {
    owner_of(caller)?;
    let before = page.cursor.as_ref().map(Cursor::uuid).transpose()?;
    let rows = db
        .read(async |c| -> AppResult<_> {
            let row = db::webhooks::get(c, id)
                .await?
                .ok_or(AppError::not_found(Webhook::ENTITY))?;
            may_manage(caller, &row)?;
            Ok(db::webhooks::list_deliveries(c, id, before, page.fetch()).await?)
        })
        .await?;
    Ok(page
        .page(rows, |r| Cursor::from_uuid(r.id.uuid()))
        .map(Delivery::from))
}

/// A test event: `webhook.pinged` goes on the feed (and the audit trail),
/// and is delivered to this webhook whatever its filters.
pub async fn ping(db: &Db, caller: &Principal, id: WebhookId) -> AppResult<Delivery> {
    owner_of(caller)?;
    db.transaction(async |tx| -> AppResult<_> {
        let webhook = managed(tx, caller, id).await?;
        record(tx, caller, Change::created("webhook.pinged", &webhook)).await?;
        let event_id = db::events::settle_now(tx, "webhook.pinged", &webhook.entity_id())
            .await?
            .ok_or_else(|| AppError::internal("the ping's event is not on the feed"))?;
        let now = Utc::now();
        Ok(db::webhooks::insert_delivery(
            tx,
            NewDelivery {
                id: DeliveryId::generate(),
                subscription_id: id,
                event_id,
                origin: DeliveryOrigin::Ping,
                attempt: 1,
                due_at: now,
                series_started_at: now,
            },
        )
        .await?
        .into())
    })
    .await
}

/// Deliver a finished attempt's event again (a new attempt, due now).
pub async fn redeliver(
    db: &Db,
    caller: &Principal,
    id: WebhookId,
    delivery: DeliveryId,
) -> AppResult<Delivery> {
    owner_of(caller)?;
    db.transaction(async |tx| -> AppResult<_> {
        let webhook = managed(tx, caller, id).await?;
        let old = db::webhooks::get_delivery(tx, id, delivery)
            .await?
            .ok_or(AppError::not_found("delivery"))?;
        if old.status == DeliveryStatus::Pending {
            return Err(AppError::new(ErrorCode::DeliveryPending));
        }
        let now = Utc::now();
        let new: Delivery = db::webhooks::insert_delivery(
            tx,
            NewDelivery {
                id: DeliveryId::generate(),
                subscription_id: id,
                event_id: old.event_id,
                origin: DeliveryOrigin::Redeliver,
                attempt: 1,
                due_at: now,
                series_started_at: now,
            },
        )
        .await?
        .into();
        let mut change = Change::created("webhook.redelivery_requested", &webhook);
        change.after = serde_json::to_value(&new).ok();
        change.event_data = Some(json!({"id": id, "eventId": old.event_id, "deliveryId": new.id}));
        record(tx, caller, change).await?;
        Ok(new)
    })
    .await
}
