//! `/api/v1/webhooks`: signed pushes of the change feed to other systems
//! (the admin's, or a service client's own). docs/webhooks.md.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::extract::{
    IfMatch, ListQuery, NoFilter, OptionalJson, PageParams, ValidatedJson, double_option,
};
use super::respond::{Created, Page, Tagged, Versioned};

mod filters;
use crate::AppState;
use crate::auth::Principal;
use crate::domain::ids::{DeliveryId, OrganizationId, WebhookId};
use crate::domain::webhooks::{
    DeliveryOrigin, DeliveryStatus, OwnerKind, PauseReason, WebhookStatus,
};
use crate::error::{AppError, Problem};
use crate::service::webhooks::{self, Delivery, Webhook};
use filters::{type_filters, type_filters_or_null_schema, type_filters_schema};

/// A webhook. Its secret is shown once, when created or rotated.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id": "01793b3c-b74e-7c34-9c25-6e9ed6572ad1", "ownerKind": "user", "ownerId": "017949c0-c6ff-770a-87ee-c13a79606f40", "url": "https://hooks.example.gov.vn/thidua", "eventTypes": ["pledge.", "user.created"], "organizationId": null, "status": "active", "pausedReason": null, "previousSecretUntil": null, "lastEventId": 42, "version": 1, "createdAt": "2021-04-01T02:00:00Z", "updatedAt": "2021-04-01T02:00:00Z"}))]
pub struct WebhookView {
    #[schema(value_type = Uuid)]
    pub id: WebhookId,
    pub owner_kind: OwnerKind,
    /// The admin user's or the service client's id.
    pub owner_id: Uuid,
    #[schema(example = "https://hooks.example.gov.vn/thidua")]
    pub url: String,
    /// Exact types, or prefixes ending in `.`.
    #[schema(example = json!(["pledge.", "user.created"]))]
    pub event_types: Vec<String>,
    /// Only this organisation's events, when set.
    #[schema(value_type = Option<Uuid>)]
    pub organization_id: Option<OrganizationId>,
    pub status: WebhookStatus,
    pub paused_reason: Option<PauseReason>,
    /// Until then, the previous secret signs too (a second `v1,` signature).
    pub previous_secret_until: Option<DateTime<Utc>>,
    /// The last feed id turned into deliveries.
    pub last_event_id: i64,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Webhook> for WebhookView {
    fn from(w: Webhook) -> Self {
        WebhookView {
            id: w.id,
            owner_kind: w.owner_kind,
            owner_id: w.owner_id,
            url: w.url,
            event_types: w.event_types,
            organization_id: w.organization_id,
            status: w.status,
            paused_reason: w.paused_reason,
            previous_secret_until: w.previous_secret_until,
            last_event_id: w.last_event_id,
            version: w.version,
            created_at: w.created_at,
            updated_at: w.updated_at,
        }
    }
}

impl Versioned for WebhookView {
    fn version(&self) -> i32 {
        self.version
    }
}

/// A webhook with its signing secret: returned exactly once.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id": "01793b3c-b74e-7c34-9c25-6e9ed6572ad1", "ownerKind": "user", "ownerId": "017949c0-c6ff-770a-87ee-c13a79606f40", "url": "https://hooks.example.gov.vn/thidua", "eventTypes": ["pledge.", "user.created"], "organizationId": null, "status": "active", "pausedReason": null, "previousSecretUntil": null, "lastEventId": 42, "version": 1, "createdAt": "2021-04-01T02:00:00Z", "updatedAt": "2021-04-01T02:00:00Z", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}))]
pub struct WebhookWithSecret {
    #[serde(flatten)]
    pub webhook: WebhookView,
    /// `whsec_` + base64: the HMAC key is the decoded bytes (Standard Webhooks).
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
}

impl Versioned for WebhookWithSecret {
    fn version(&self) -> i32 {
        self.webhook.version
    }
}

/// One delivery attempt.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id": "01791044-d1a3-75eb-86e5-ff3762f5ebb5", "webhookId": "0179fa97-afcf-709d-a4e4-e1895a338706", "eventId": 42, "origin": "feed", "attempt": 1, "status": "pending", "dueAt": "2021-04-01T02:00:00Z", "attemptedAt": "2021-04-01T03:00:01Z", "responseStatus": 200, "latencyMs": 84, "responseBody": "ok", "error": null, "createdAt": "2021-04-01T02:00:00Z"}))]
pub struct DeliveryView {
    #[schema(value_type = Uuid)]
    pub id: DeliveryId,
    #[schema(value_type = Uuid)]
    pub webhook_id: WebhookId,
    /// The feed event delivered; also its `webhook-id` header.
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

impl From<Delivery> for DeliveryView {
    fn from(d: Delivery) -> Self {
        DeliveryView {
            id: d.id,
            webhook_id: d.webhook_id,
            event_id: d.event_id,
            origin: d.origin,
            attempt: d.attempt,
            status: d.status,
            due_at: d.due_at,
            attempted_at: d.attempted_at,
            response_status: d.response_status,
            latency_ms: d.latency_ms,
            response_body: d.response_body,
            error: d.error,
            created_at: d.created_at,
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"url": "https://hooks.example.gov.vn/thidua", "eventTypes": ["pledge."]}))]
pub struct CreateWebhookBody {
    /// `https` (plain `http` only for hosts in `WEBHOOK_ALLOW_HOSTS`); it must
    /// not be or resolve to a loopback, private, link-local or metadata address.
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub url: String,
    #[validate(length(min = 1, max = 50), custom(function = "type_filters"))]
    #[schema(schema_with = type_filters_schema)]
    pub event_types: Vec<String>,
    #[schema(value_type = Option<Uuid>)]
    pub organization_id: Option<OrganizationId>,
}

impl From<CreateWebhookBody> for webhooks::CreateWebhook {
    fn from(b: CreateWebhookBody) -> Self {
        webhooks::CreateWebhook {
            url: b.url,
            event_types: b.event_types,
            organization_id: b.organization_id,
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"url": null, "eventTypes": ["pledge.", "user.created"], "organizationId": "0179e854-ddb4-7cd4-b294-6d9fc894ad9f"}))]
pub struct UpdateWebhookBody {
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub url: Option<String>,
    #[validate(length(min = 1, max = 50), custom(function = "type_filters"))]
    #[schema(schema_with = type_filters_or_null_schema)]
    pub event_types: Option<Vec<String>>,
    /// `null` drops the organisation filter.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub organization_id: Option<Option<OrganizationId>>,
}

impl From<UpdateWebhookBody> for webhooks::UpdateWebhook {
    fn from(b: UpdateWebhookBody) -> Self {
        webhooks::UpdateWebhook {
            url: b.url,
            event_types: b.event_types,
            organization_id: b.organization_id,
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"overlapSeconds": 86400}))]
pub struct RotateSecretBody {
    /// How long the previous secret keeps signing (default 86400: a day; 0: not at all).
    #[validate(range(min = 0, max = 604800))]
    #[schema(minimum = 0, maximum = 604800)]
    pub overlap_seconds: Option<i64>,
}

/// Register a webhook.
///
/// The admin, or a service client for itself. The change feed's events are
/// pushed to the URL, signed (Standard Webhooks); the response carries the
/// signing secret, once. The URL must be HTTPS and reach no private address
/// (`webhook_https_required`, `webhook_target_forbidden`).
#[utoipa::path(
    tag = "webhooks",
    operation_id = "createWebhook",
    request_body = CreateWebhookBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried POST return the first response")),
    responses(
        (status = 201, body = WebhookWithSecret, description = "Created; deliveries start with the next event on the feed"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`malformed_json`, `body_not_an_object`, `malformed_body`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `webhook_url_invalid`, `webhook_https_required`, `webhook_target_forbidden`, `webhook_target_unresolved`, `unknown_organization`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/webhooks")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Principal,
    body: ValidatedJson<CreateWebhookBody>,
) -> Result<Created<WebhookWithSecret>, AppError> {
    let (w, secret) = webhooks::create_webhook(
        &state.db,
        &state.config.webhook_allow_hosts,
        &caller,
        body.into_inner().into(),
    )
    .await?;
    Ok(Created::versioned(
        format!("/api/v1/webhooks/{}", w.id),
        WebhookWithSecret {
            webhook: w.into(),
            secret,
        },
    ))
}

/// List webhooks.
///
/// The admin sees every webhook; a service client its own. Keyset-paginated;
/// secrets are never shown again.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "listWebhooks",
    params(PageParams),
    responses(
        (status = 200, headers(("Link" = String, description = "`<…?…&cursor=…>; rel=\"next\"`: the next page (this request with `cursor` replaced); absent on the last page")), body = Page<WebhookView>, description = "One page"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`, `invalid_cursor`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/webhooks")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Principal,
    q: ListQuery<NoFilter>,
) -> Result<Page<WebhookView>, AppError> {
    Ok(webhooks::list_webhooks(&state.db, &caller, q.page)
        .await?
        .into())
}

/// Get a webhook.
///
/// The admin, or the service client that owns it. Its URL, filters, state and
/// the last event delivered, never its secret.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "getWebhook",
    params(("id" = Uuid, Path, description = "Webhook id")),
    responses(
        (status = 200, body = WebhookView, description = "The webhook"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/webhooks/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<WebhookId>,
) -> Result<Tagged<WebhookView>, AppError> {
    Ok(Tagged(
        webhooks::get_webhook(&state.db, &caller, *id).await?.into(),
    ))
}

/// Change a webhook.
///
/// The admin, or the service client that owns it. Its URL, event types or
/// organisation filter; the URL is checked as on creation.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "updateWebhook",
    request_body = UpdateWebhookBody,
    params(
        ("id" = Uuid, Path, description = "Webhook id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read"),
    ),
    responses(
        (status = 200, body = WebhookView, description = "Changed"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`malformed_json`, `body_not_an_object`, `malformed_body`, `invalid_if_match`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "`version_conflict`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `webhook_url_invalid`, `webhook_https_required`, `webhook_target_forbidden`, `webhook_target_unresolved`, `unknown_organization`"),
    ),
    security(("bearer" = []))
)]
#[patch("/api/v1/webhooks/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<WebhookId>,
    if_match: IfMatch,
    body: ValidatedJson<UpdateWebhookBody>,
) -> Result<Tagged<WebhookView>, AppError> {
    Ok(Tagged(
        webhooks::update_webhook(
            &state.db,
            &state.config.webhook_allow_hosts,
            &caller,
            *id,
            if_match.0,
            body.into_inner().into(),
        )
        .await?
        .into(),
    ))
}

/// Pause a webhook's deliveries.
///
/// The admin, or the service client that owns it. What the feed gains meanwhile
/// is delivered on resume, in order.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "pauseWebhook",
    params(
        ("id" = Uuid, Path, description = "Webhook id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read"),
    ),
    responses(
        (status = 200, body = WebhookView, description = "Paused"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_if_match`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`webhook_already_paused`"),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "`version_conflict`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/webhooks/{id}/pause")]
pub async fn pause(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<WebhookId>,
    if_match: IfMatch,
) -> Result<Tagged<WebhookView>, AppError> {
    Ok(Tagged(
        webhooks::pause_webhook(&state.db, &caller, *id, if_match.0)
            .await?
            .into(),
    ))
}

/// Resume a webhook's deliveries.
///
/// The admin, or the service client that owns it. Deliveries resume from where
/// they stopped (paused by a call, or by the server after a day of failures).
#[utoipa::path(
    tag = "webhooks",
    operation_id = "resumeWebhook",
    params(
        ("id" = Uuid, Path, description = "Webhook id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read"),
    ),
    responses(
        (status = 200, body = WebhookView, description = "Active again"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_if_match`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`webhook_not_paused`"),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "`version_conflict`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/webhooks/{id}/resume")]
pub async fn resume(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<WebhookId>,
    if_match: IfMatch,
) -> Result<Tagged<WebhookView>, AppError> {
    Ok(Tagged(
        webhooks::resume_webhook(&state.db, &caller, *id, if_match.0)
            .await?
            .into(),
    ))
}

/// Delete a webhook.
///
/// The admin, or the service client that owns it. The webhook and its delivery
/// history are removed; nothing more is sent.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "deleteWebhook",
    params(
        ("id" = Uuid, Path, description = "Webhook id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_if_match`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "`version_conflict`"),
    ),
    security(("bearer" = []))
)]
#[delete("/api/v1/webhooks/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<WebhookId>,
    if_match: IfMatch,
) -> Result<HttpResponse, AppError> {
    webhooks::delete_webhook(&state.db, &caller, *id, if_match.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Replace a webhook's signing secret.
///
/// The admin, or the service client that owns it. The previous secret keeps
/// signing for the overlap (two `v1,` signatures meanwhile), so the receiver
/// can switch without losing an event; the new one is shown once.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "rotateWebhookSecret",
    request_body(content = Option<RotateSecretBody>, description = "Optional: the overlap"),
    params(("id" = Uuid, Path, description = "Webhook id")),
    responses(
        (status = 200, body = WebhookWithSecret, description = "The new secret, shown once"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`malformed_json`, `body_not_an_object`, `malformed_body`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/webhooks/{id}/secret")]
pub async fn rotate_secret(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<WebhookId>,
    body: OptionalJson<RotateSecretBody>,
) -> Result<Tagged<WebhookWithSecret>, AppError> {
    let overlap = body
        .into_inner()
        .and_then(|b| b.overlap_seconds)
        .unwrap_or(86_400);
    let (w, secret) = webhooks::rotate_webhook_secret(
        &state.db,
        &caller,
        *id,
        chrono::Duration::seconds(overlap),
    )
    .await?;
    Ok(Tagged(WebhookWithSecret {
        webhook: w.into(),
        secret,
    }))
}

/// Send a test event to a webhook.
///
/// The admin, or the service client that owns it. Sends `webhook.pinged` (on
/// the feed too) to this webhook whatever its filters: a way to check the
/// receiver's signature check.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "pingWebhook",
    params(("id" = Uuid, Path, description = "Webhook id")),
    responses(
        (status = 202, body = DeliveryView, description = "Scheduled"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/webhooks/{id}/ping")]
pub async fn ping(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<WebhookId>,
) -> Result<HttpResponse, AppError> {
    let d = webhooks::ping(&state.db, &caller, *id).await?;
    Ok(HttpResponse::Accepted().json(DeliveryView::from(d)))
}

/// A webhook's delivery attempts, newest first.
///
/// The admin, or the service client that owns it. Each attempt: when, what the
/// receiver answered (status, latency, the first 1 KiB), or why there was no
/// answer.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "listWebhookDeliveries",
    params(("id" = Uuid, Path, description = "Webhook id"), PageParams),
    responses(
        (status = 200, headers(("Link" = String, description = "`<…?…&cursor=…>; rel=\"next\"`: the next page (this request with `cursor` replaced); absent on the last page")), body = Page<DeliveryView>, description = "One page"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`, `invalid_cursor`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/webhooks/{id}/deliveries")]
pub async fn list_deliveries(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<WebhookId>,
    q: ListQuery<NoFilter>,
) -> Result<Page<DeliveryView>, AppError> {
    Ok(webhooks::list_deliveries(&state.db, &caller, *id, q.page)
        .await?
        .into())
}

/// Deliver a finished attempt's event again.
///
/// The admin, or the service client that owns the webhook. Queues the same
/// event now, with a new signature (`delivery_pending` while the attempt is
/// still due).
#[utoipa::path(
    tag = "webhooks",
    operation_id = "redeliverWebhookDelivery",
    params(
        ("id" = Uuid, Path, description = "Webhook id"),
        ("deliveryId" = Uuid, Path, description = "Delivery id"),
    ),
    responses(
        (status = 202, body = DeliveryView, description = "The new attempt, scheduled"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`delivery_pending`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver")]
pub async fn redeliver(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(WebhookId, DeliveryId)>,
) -> Result<HttpResponse, AppError> {
    let (id, delivery) = path.into_inner();
    let d = webhooks::redeliver(&state.db, &caller, id, delivery).await?;
    Ok(HttpResponse::Accepted().json(DeliveryView::from(d)))
}
