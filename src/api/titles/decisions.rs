//! Decisions (`/api/v1/decisions`): the admin awards an approved proposal
//! (or a part of it) or a list.

use actix_web::{get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::awards::AwardView;
use super::proposals::{AwardItemBody, items_input};
use crate::AppState;
use crate::api::extract::{ListQuery, PageParams, ValidatedJson};
use crate::api::reads::ReadDb;
use crate::api::respond::{Created, Page};
use crate::auth::Principal;
use crate::error::{AppError, Problem};
use crate::service::titles as svc;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"number": "123/QĐ-UBND", "decidedOn": "2022-01-25", "signer": "Chủ tịch UBND tỉnh",
    "issuingBody": "UBND tỉnh Vĩnh Phúc", "proposalId": "0193a5f0-7c1e-7b3a-9c1d-2f0e4b5a6c7d"}))]
pub struct DecisionBody {
    /// Số quyết định, e.g. `123/QĐ-UBND`; unique.
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::api::checks::line")
    )]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff][^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*$"
    )]
    pub number: String,
    #[validate(custom(function = "crate::api::checks::date"))]
    #[schema(pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-")]
    pub decided_on: NaiveDate,
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::api::checks::line")
    )]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff][^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*$"
    )]
    pub signer: String,
    #[validate(
        length(min = 1, max = 300),
        custom(function = "crate::api::checks::line")
    )]
    #[schema(
        min_length = 1,
        max_length = 300,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff][^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*$"
    )]
    pub issuing_body: String,
    /// The emulation year (required without a proposal).
    #[validate(range(min = 2000, max = 2100))]
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
    /// An approved proposal: all its items are awarded unless `awards` lists a part.
    pub proposal_id: Option<Uuid>,
    #[serde(default)]
    #[validate(length(max = 5000), nested)]
    #[schema(max_items = 5000)]
    pub awards: Vec<AwardItemBody>,
    /// Award despite failed rules (never C1), with the written reason kept in the audit trail.
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::api::checks::block")
    )]
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]*[^\\s\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069][^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]*$"
    )]
    pub override_reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id": "0179542e-d58a-7640-9779-2b69a9e31c69", "number": "123/QĐ-UBND", "decidedOn": "2022-01-20", "signer": "Chủ tịch UBND tỉnh", "issuingBody": "UBND tỉnh Vĩnh Phúc", "year": 2021, "proposalId": "0179439b-c169-7845-9e37-49d51dca7c15", "ruleSetId": "01797a27-2e69-7b29-9fc8-8ba84bf1ca0a", "overrideReason": null, "awards": [{"id": "01792249-4ee1-7a6a-b280-e19bc7dc6be2", "awardType": "cstdcs", "personId": "0179377a-5e73-7f06-a2f6-42a1f8cf07a7", "organizationId": null, "year": 2021, "decisionId": "01795d02-5c0a-7c62-80a0-93127b23f631", "status": "active", "overridden": false, "eligibility": {"eligible": false, "ruleSet": {"id": "00000000-0000-7000-8000-000000002017", "code": "vn-2017", "version": 1}, "checks": [{"rule": "C2", "passed": true, "vi": "Hoàn thành xuất sắc nhiệm vụ năm 2021", "en": "Completed the year's duties with distinction", "figures": {"rating": "excellent"}}], "redacted": false}, "revokedAt": null, "revokeReason": null, "createdAt": "2021-04-01T02:00:00Z"}], "createdAt": "2021-04-01T02:00:00Z"}))]
pub struct DecisionView {
    pub id: Uuid,
    #[schema(example = "123/QĐ-UBND")]
    pub number: String,
    pub decided_on: NaiveDate,
    pub signer: String,
    pub issuing_body: String,
    pub year: i32,
    pub proposal_id: Option<Uuid>,
    pub rule_set_id: Uuid,
    /// Set when the admin awarded despite failed rules.
    pub override_reason: Option<String>,
    pub awards: Vec<AwardView>,
    pub created_at: DateTime<Utc>,
}

impl From<svc::Decision> for DecisionView {
    fn from(d: svc::Decision) -> Self {
        DecisionView {
            id: d.id,
            number: d.number,
            decided_on: d.decided_on,
            signer: d.signer,
            issuing_body: d.issuing_body,
            year: d.year,
            proposal_id: d.proposal_id,
            rule_set_id: d.rule_set_id,
            override_reason: d.override_reason,
            awards: d.awards.into_iter().map(AwardView::from).collect(),
            created_at: d.created_at,
        }
    }
}

/// Record an award decision.
///
/// Only the provincial board may call it: a person with the `admin` role
/// (`admin_required` otherwise). Awards an approved proposal (or a part of it)
/// or a list, re-checking every rule under the rule set in force for the year
/// (C0–C14). A failed rule refuses it (`not_eligible`, the rules in `errors`)
/// unless `overrideReason` is given, which is audited; C1 (one award per
/// achievement) is never overridden. Caps are checked too (`quota_exceeded`,
/// C4, C8).
#[utoipa::path(
    operation_id = "createDecision",
    tag = "titles",
    request_body = DecisionBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried POST return the first response")),
    responses(
        (status = 201, body = DecisionView, description = "Decided; the awards are in the history"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found` (proposal)"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`not_eligible` (failed rules in `errors`), `quota_exceeded`, `already_awarded` (C1), `decision_number_taken`, `invalid_transition`, `no_rule_set`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `invalid_items` (`not_proposed`, `duplicate`), `invalid_subject`, `invalid_decision` (year required without a proposal), `subject_kind_mismatch`, `unknown_person`, `unknown_organization`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/decisions")]
pub async fn decide(
    state: web::Data<AppState>,
    caller: Principal,
    body: ValidatedJson<DecisionBody>,
) -> Result<Created<DecisionView>, AppError> {
    let b = body.into_inner();
    let cmd = svc::DecisionInput {
        awards: items_input(b.awards, "awards")?,
        number: b.number,
        decided_on: b.decided_on,
        signer: b.signer,
        issuing_body: b.issuing_body,
        year: b.year,
        proposal_id: b.proposal_id,
        override_reason: b.override_reason,
    };
    let d = svc::decide(&state.db, &caller, cmd).await?;
    Ok(Created::at(format!("/api/v1/decisions/{}", d.id), d.into()))
}

/// One decision with its awards.
///
/// Each stored eligibility answer shows its checks and figures only to the
/// admin and to the subject's own unit; anyone else gets the outcome
/// (`eligible`, `ruleSet`) with `checks` empty and `redacted: true` (C2 data,
/// docs/titles.md).
#[utoipa::path(
    operation_id = "getDecision",
    tag = "titles",
    params(("id" = Uuid, Path, description = "Decision id")),
    responses(
        (status = 200, body = DecisionView, description = "The decision"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/decisions/{id}")]
pub async fn decision(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<DecisionView>, AppError> {
    Ok(web::Json(
        svc::decision(&state.db, &caller, *id).await?.into(),
    ))
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct DecisionQuery {
    #[validate(range(min = 2000, max = 2100))]
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
}

/// List decisions.
///
/// Award decisions, keyset-paginated, without their awards (get one for those).
/// Any signed-in caller (a person with any role, or a service client with the
/// `read` scope) may call it.
#[utoipa::path(
    operation_id = "listDecisions",
    tag = "titles",
    params(DecisionQuery, PageParams),
    responses(
        (status = 200, headers(("Link" = String, description = "`<…?…&cursor=…>; rel=\"next\"`: the next page (this request with `cursor` replaced); absent on the last page")), body = Page<DecisionView>, description = "One page; `awards` is empty here"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`, `invalid_cursor`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/decisions")]
pub async fn decisions(
    reads: ReadDb,
    _caller: Principal,
    q: ListQuery<DecisionQuery>,
) -> Result<Page<DecisionView>, AppError> {
    let (q, page) = (q.filter, q.page);
    Ok(svc::decisions(&reads, q.year, page).await?.into())
}
