//! `/api/v1/audit`: the audit trail (admin only), JSON or CSV.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::extract::{ValidatedQuery, wants_csv};
use super::respond::{Page, csv};
use crate::AppState;
use crate::auth::Principal;
use crate::db::audit::{AuditFilter, AuditRow};
use crate::domain::paging::PageRequest;
use crate::error::{AppError, Problem};
use crate::service;

/// One audit record: who changed what, before and after.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    /// `user`, `client` or `system`.
    pub actor_kind: String,
    pub actor_id: Option<Uuid>,
    pub actor_name: String,
    pub organization_id: Option<Uuid>,
    /// The organisation the admin acted for, when it did.
    pub on_behalf_of: Option<Uuid>,
    #[schema(example = "user.created")]
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub reason: Option<String>,
    pub request_id: Option<String>,
    /// Hex SHA-256 chaining this row to the previous one.
    pub hash: String,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        AuditEntry {
            id: r.id,
            occurred_at: r.occurred_at,
            actor_kind: r.actor_kind,
            actor_id: r.actor_id,
            actor_name: r.actor_name,
            organization_id: r.organization_id,
            on_behalf_of: r.on_behalf_of,
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            before: r.before,
            after: r.after,
            reason: r.reason,
            request_id: r.request_id,
            hash: hex::encode(r.hash),
        }
    }
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub actor_id: Option<Uuid>,
    /// Entity type, e.g. `user`.
    #[validate(length(max = 64))]
    #[param(max_length = 64)]
    pub entity: Option<String>,
    #[validate(length(max = 128))]
    #[param(max_length = 128)]
    pub entity_id: Option<String>,
    /// From this time (inclusive).
    #[validate(custom(function = "crate::api::checks::instant"))]
    pub from: Option<DateTime<Utc>>,
    /// Until this time (exclusive).
    #[validate(custom(function = "crate::api::checks::instant"))]
    pub to: Option<DateTime<Utc>>,
    #[validate(range(min = 1, max = 200))]
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Read the audit trail, newest first.
///
/// Admin only. `Accept: text/csv` returns the same page as CSV (UTF-8 with BOM).
#[utoipa::path(
    tag = "audit",
    params(AuditQuery),
    responses(
        (status = 200, description = "One page", content(
            (Page<AuditEntry> = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`, `invalid_cursor`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/audit")]
pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Principal,
    q: ValidatedQuery<AuditQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.0;
    let page = PageRequest::new(q.limit, q.cursor.as_deref())?;
    let filter = AuditFilter {
        actor_id: q.actor_id,
        entity: q.entity,
        entity_id: q.entity_id,
        from: q.from,
        to: q.to,
        ..Default::default()
    };
    let (rows, next) = service::audit::list(&state.db, &caller, filter, page).await?;
    let items: Vec<AuditEntry> = rows.into_iter().map(Into::into).collect();
    if wants_csv(&req) {
        let mut out = vec![
            [
                "id",
                "occurredAt",
                "actorKind",
                "actorName",
                "action",
                "entity",
                "entityId",
                "reason",
                "requestId",
                "before",
                "after",
                "hash",
            ]
            .map(String::from)
            .to_vec(),
        ];
        let js =
            |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string()).unwrap_or_default();
        for e in &items {
            out.push(vec![
                e.id.to_string(),
                e.occurred_at.to_rfc3339(),
                e.actor_kind.clone(),
                e.actor_name.clone(),
                e.action.clone(),
                e.entity.clone(),
                e.entity_id.clone(),
                e.reason.clone().unwrap_or_default(),
                e.request_id.clone().unwrap_or_default(),
                js(&e.before),
                js(&e.after),
                e.hash.clone(),
            ]);
        }
        return Ok(csv("audit.csv", out));
    }
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: next,
    }))
}
