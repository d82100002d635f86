//! Signed webhooks (issue 17): subscriptions to the change feed
//! (`subscriptions`), their deliveries as the API shows them (`deliveries`),
//! the outbound HTTP client that refuses forbidden addresses (`outbound`),
//! and the workers that fan the feed out and deliver it (`worker`).
//! docs/webhooks.md has the decisions.

mod deliveries;
pub mod outbound;
mod subscriptions;
pub mod worker;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::auth::{Principal, PrincipalKind};
use crate::db::webhooks::{DeliveryRow, SubscriptionRow};
use crate::domain::ids::{DeliveryId, OrganizationId, WebhookId};
use crate::domain::webhooks::{
    DeliveryOrigin, DeliveryStatus, OwnerKind, PauseReason, WebhookStatus,
};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::service::Audited;

pub use deliveries::{list_deliveries, ping, redeliver};
pub use subscriptions::{
    CreateWebhook, UpdateWebhook, create_webhook, delete_webhook, get_webhook, list_webhooks,
    pause_webhook, resume_webhook, rotate_webhook_secret, update_webhook,
};

/// A webhook as the use cases return it: never its secrets (its
/// serialisation is what the audit trail records).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    pub id: WebhookId,
    pub owner_kind: OwnerKind,
    pub owner_id: Uuid,
    pub url: String,
    pub event_types: Vec<String>,
    pub organization_id: Option<OrganizationId>,
    pub status: WebhookStatus,
    pub paused_reason: Option<PauseReason>,
    /// While set and in the future, the previous secret still signs too.
    pub previous_secret_until: Option<DateTime<Utc>>,
    /// The last feed id fanned out into deliveries.
    pub last_event_id: i64,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<SubscriptionRow> for Webhook {
    fn from(r: SubscriptionRow) -> Self {
        Webhook {
            id: r.id,
            owner_kind: r.owner_kind,
            owner_id: r.owner_id,
            url: r.url,
            event_types: r.event_types,
            organization_id: r.organization_id,
            status: r.status,
            paused_reason: r.paused_reason,
            previous_secret_until: r.previous_secret_until,
            last_event_id: r.cursor,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

impl Audited for Webhook {
    const ENTITY: &'static str = "webhook";
    fn entity_id(&self) -> String {
        self.id.to_string()
    }
    fn version(&self) -> i32 {
        self.version
    }
    /// Every caller reads the feed: the webhook's identity and status only
    /// (its URL is its owner's business).
    fn event_data(&self) -> Option<Value> {
        Some(json!({"id": self.id, "status": self.status, "pausedReason": self.paused_reason}))
    }
}

/// One delivery attempt, scheduled or made.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub id: DeliveryId,
    pub webhook_id: WebhookId,
    /// The feed event delivered: also the `webhook-id` header.
    pub event_id: i64,
    pub origin: DeliveryOrigin,
    pub attempt: i32,
    pub status: DeliveryStatus,
    pub due_at: DateTime<Utc>,
    pub attempted_at: Option<DateTime<Utc>>,
    pub response_status: Option<i32>,
    pub latency_ms: Option<i32>,
    /// The first 1 KiB of the answer.
    pub response_body: Option<String>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<DeliveryRow> for Delivery {
    fn from(r: DeliveryRow) -> Self {
        Delivery {
            id: r.id,
            webhook_id: r.subscription_id,
            event_id: r.event_id,
            origin: r.origin,
            attempt: r.attempt,
            status: r.status,
            due_at: r.due_at,
            attempted_at: r.attempted_at,
            response_status: r.response_status,
            latency_ms: r.latency_ms,
            response_body: r.response_body,
            error: r.error,
            created_at: r.created_at,
        }
    }
}

/// Who may manage webhooks at all: the admin, or a service client (its own).
fn owner_of(caller: &Principal) -> AppResult<(OwnerKind, Uuid)> {
    match caller.kind {
        PrincipalKind::Client => Ok((OwnerKind::Client, caller.id)),
        PrincipalKind::User if caller.is_admin() => Ok((OwnerKind::User, caller.id)),
        PrincipalKind::User => Err(AppError::new(ErrorCode::AdminRequired)),
    }
}

/// The admin manages every webhook; a client only its own (another's is a
/// 404: its existence is not the client's business).
fn may_manage(caller: &Principal, row: &SubscriptionRow) -> AppResult<()> {
    owner_of(caller)?;
    if caller.is_admin() || (row.owner_kind == OwnerKind::Client && row.owner_id == caller.id) {
        Ok(())
    } else {
        Err(AppError::not_found(Webhook::ENTITY))
    }
}
