//! P2: open, close, withdraw.

use actix_web::{post, web};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::PledgeView;
use crate::AppState;
use crate::api::extract::{IfMatch, OptionalJson};
use crate::api::respond::Tagged;
use crate::auth::Principal;
use crate::domain::ids::PledgeId;
use crate::domain::pledge::Action;
use crate::error::{AppError, Problem};
use crate::service::pledges as svc;

#[derive(Debug, Deserialize, Validate, ToSchema, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"reason": "Theo kết luận Hội nghị Khối thi đua Văn hóa – Xã hội ngày 01/04/2021"}))]
pub struct ActionBody {
    /// Why (kept in the audit trail).
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::api::checks::block")
    )]
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]*[^\\s\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069][^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]*$"
    )]
    pub reason: Option<String>,
}

async fn action(
    state: &AppState,
    caller: &Principal,
    id: PledgeId,
    if_match: IfMatch,
    action: Action,
    body: Option<ActionBody>,
) -> Result<Tagged<PledgeView>, AppError> {
    let reason = body.and_then(|b| b.reason);
    Ok(Tagged(
        svc::act(&state.db, caller, id, if_match.0, action, reason)
            .await?
            .into(),
    ))
}

/// Open a pledge for signing.
///
/// The head unit's leader or officers, or the admin (P2). Needs at least one
/// item and valid targets (P3, T2). Opening freezes the term's membership, head
/// and deputy (B4); the members' leaders then sign (P4).
#[utoipa::path(
    tag = "pledges",
    operation_id = "openPledge",
    request_body(content = Option<ActionBody>, description = "Optional reason"),
    params(("id" = Uuid, Path, description = "Pledge id"), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    responses(
        (status = 200, body = PledgeView, description = "Open for signing"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_head_unit` (P2)"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`invalid_transition` (P2), `pledge_has_no_items` (P3), `pledge_read_only` (P6)"),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "`version_conflict`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed` (the optional body: an unknown field, a reason over 2,000 characters), `invalid_target` (T2)"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/pledges/{id}/open")]
pub async fn open(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<PledgeId>,
    if_match: IfMatch,
    body: OptionalJson<ActionBody>,
) -> Result<Tagged<PledgeView>, AppError> {
    action(
        &state,
        &caller,
        *id,
        if_match,
        Action::Open,
        body.into_inner(),
    )
    .await
}

/// Close a pledge in force.
///
/// The head unit's leader or officers, or the admin (P2: `not_head_unit`), at
/// the end of its year. The pledge becomes read-only (P6); its reports and
/// compliance stay readable. An optional `reason` is audited.
#[utoipa::path(
    tag = "pledges",
    operation_id = "closePledge",
    request_body(content = Option<ActionBody>, description = "Optional reason"),
    params(("id" = Uuid, Path, description = "Pledge id"), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    responses(
        (status = 200, body = PledgeView, description = "Closed"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_head_unit` (P2)"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`invalid_transition` (P2), `pledge_read_only` (P6)"),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "`version_conflict`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed` (the optional body: an unknown field, a reason over 2,000 characters)"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/pledges/{id}/close")]
pub async fn close(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<PledgeId>,
    if_match: IfMatch,
    body: OptionalJson<ActionBody>,
) -> Result<Tagged<PledgeView>, AppError> {
    action(
        &state,
        &caller,
        *id,
        if_match,
        Action::Close,
        body.into_inner(),
    )
    .await
}

/// Withdraw a draft or open pledge.
///
/// The head unit's leader or officers, or the admin (P2). The term may then get
/// a new pledge (P1). An optional `reason` is audited.
#[utoipa::path(
    tag = "pledges",
    operation_id = "withdrawPledge",
    request_body(content = Option<ActionBody>, description = "Why it is withdrawn"),
    params(("id" = Uuid, Path, description = "Pledge id"), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    responses(
        (status = 200, body = PledgeView, description = "Withdrawn"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_head_unit` (P2)"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`invalid_transition` (P2), `pledge_read_only` (P6)"),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "`version_conflict`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed` (the optional body: an unknown field, a reason over 2,000 characters)"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/pledges/{id}/withdraw")]
pub async fn withdraw(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<PledgeId>,
    if_match: IfMatch,
    body: OptionalJson<ActionBody>,
) -> Result<Tagged<PledgeView>, AppError> {
    action(
        &state,
        &caller,
        *id,
        if_match,
        Action::Withdraw,
        body.into_inner(),
    )
    .await
}
