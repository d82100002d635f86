//! Proposals (`/api/v1/proposals`): `draft → submitted → returned (with
//! reason) → submitted … → approved | rejected`, and `approved → decided`.

use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::subject_of;
use crate::AppState;
use crate::api::export::{self, ExportParams, XlsxFile};
use crate::api::extract::{ExportListQuery, IfMatch, PageParams, ValidatedJson};
use crate::api::reads::ReadDb;
use crate::api::respond::{Created, Page, Tagged, Versioned};
use crate::auth::Principal;
use crate::domain::titles::{
    AwardType, CouncilOutcome, ProposalAction, ProposalStatus, StoredAnswer,
};
use crate::error::{AppError, Problem};
use crate::service::titles as svc;

#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AwardItemBody {
    pub award_type: AwardType,
    /// A person (exactly one of `personId`, `organizationId`).
    pub person_id: Option<Uuid>,
    /// A collective.
    pub organization_id: Option<Uuid>,
}

/// The items of a body as the service's input (`invalid_subject` names the item).
pub(super) fn items_input(
    items: Vec<AwardItemBody>,
    field: &str,
) -> Result<Vec<svc::ItemInput>, AppError> {
    items
        .into_iter()
        .enumerate()
        .map(|(i, it)| {
            Ok(svc::ItemInput {
                award_type: it.award_type,
                subject: subject_of(it.person_id, it.organization_id, &format!("{field}[{i}]"))?,
            })
        })
        .collect()
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"organizationId": "0193a5f0-7c1e-7b3a-9c1d-2f0e4b5a6c7d", "year": 2021,
    "title": "Đề nghị công nhận danh hiệu năm 2021",
    "items": [{"awardType": "ldtt", "personId": "0193a5f0-7c1e-7b3a-9c1d-2f0e4b5a6c7e"}]}))]
pub struct CreateProposalBody {
    /// The proposing unit; omit for a proposal of the provincial board (admin).
    pub organization_id: Option<Uuid>,
    #[validate(range(min = 2000, max = 2100))]
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: i32,
    #[validate(
        length(min = 1, max = 300),
        custom(function = "crate::api::checks::line")
    )]
    #[schema(
        min_length = 1,
        max_length = 300,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff][^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*$"
    )]
    pub title: String,
    #[validate(length(max = 5000), nested)]
    #[schema(max_items = 5000)]
    pub items: Vec<AwardItemBody>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"title": "Đề nghị khen thưởng năm 2021 – Ban Dân tộc tỉnh", "items": [{"awardType": "ldtt", "personId": "0179377a-5e73-7f06-a2f6-42a1f8cf07a7"}]}))]
pub struct UpdateProposalBody {
    #[validate(
        length(min = 1, max = 300),
        custom(function = "crate::api::checks::line")
    )]
    #[schema(
        min_length = 1,
        max_length = 300,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff][^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*$"
    )]
    pub title: String,
    #[validate(length(max = 5000), nested)]
    #[schema(max_items = 5000)]
    pub items: Vec<AwardItemBody>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProposalItemView {
    pub id: Uuid,
    pub award_type: AwardType,
    pub person_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub eligible: bool,
    pub eligibility: StoredAnswer,
}

/// A proposal: `draft → submitted → returned (with reason) → submitted …
/// → approved | rejected`, and `approved → decided` by a decision.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id": "017914dd-7978-708b-8de7-a1f5c9c53933", "organizationId": "0179e854-ddb4-7cd4-b294-6d9fc894ad9f", "year": 2021, "title": "Đề nghị khen thưởng năm 2021 – Ban Dân tộc tỉnh", "status": "draft", "returnReason": null, "councilNote": null, "councilOn": null, "items": [{"id": "0179a603-c1c3-73af-b2e5-53bebe3072f0", "awardType": "ldtt", "personId": "0179377a-5e73-7f06-a2f6-42a1f8cf07a7", "organizationId": "0179e854-ddb4-7cd4-b294-6d9fc894ad9f", "eligible": false, "eligibility": {"eligible": false, "ruleSet": {"id": "00000000-0000-7000-8000-000000002017", "code": "vn-2017", "version": 1}, "checks": [{"rule": "C2", "passed": true, "vi": "Hoàn thành xuất sắc nhiệm vụ năm 2021", "en": "Completed the year's duties with distinction", "figures": {"rating": "excellent"}}], "redacted": false}}], "version": 1, "createdAt": "2021-04-01T02:00:00Z", "updatedAt": "2021-04-01T02:00:00Z"}))]
pub struct ProposalView {
    pub id: Uuid,
    /// `null`: proposed by the provincial board.
    pub organization_id: Option<Uuid>,
    pub year: i32,
    pub title: String,
    pub status: ProposalStatus,
    pub return_reason: Option<String>,
    pub council_note: Option<String>,
    pub council_on: Option<NaiveDate>,
    pub items: Vec<ProposalItemView>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Versioned for ProposalView {
    fn version(&self) -> i32 {
        self.version
    }
}

impl From<svc::ProposalItem> for ProposalItemView {
    fn from(i: svc::ProposalItem) -> Self {
        ProposalItemView {
            id: i.id,
            award_type: i.award_type,
            person_id: i.person_id,
            organization_id: i.organization_id,
            eligible: i.eligible,
            eligibility: i.eligibility,
        }
    }
}

impl From<svc::Proposal> for ProposalView {
    fn from(p: svc::Proposal) -> Self {
        ProposalView {
            id: p.id,
            organization_id: p.organization_id,
            year: p.year,
            title: p.title,
            status: p.status,
            return_reason: p.return_reason,
            council_note: p.council_note,
            council_on: p.council_on,
            items: p.items.into_iter().map(Into::into).collect(),
            version: p.version,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// Propose awards.
///
/// A unit's leader or officers for its own staff, sub-units and itself
/// (`not_in_unit`); the board (admin) for anyone. Each item is checked under
/// the rule set in force for the year (C0) and carries the eligibility answer
/// it was made with. Starts as a draft; submit it when ready.
#[utoipa::path(
    operation_id = "createProposal",
    tag = "titles",
    request_body = CreateProposalBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried POST return the first response")),
    responses(
        (status = 201, body = ProposalView, description = "A draft"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_your_organization`, `admin_required`, `read_only`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`no_rule_set` (C0)"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `invalid_items` (`not_in_unit`, `duplicate`), `invalid_subject` (exactly one of personId, organizationId), `subject_kind_mismatch`, `unknown_person`, `unknown_organization`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/proposals")]
pub async fn create_proposal(
    state: web::Data<AppState>,
    caller: Principal,
    body: ValidatedJson<CreateProposalBody>,
) -> Result<Created<ProposalView>, AppError> {
    let b = body.into_inner();
    let cmd = svc::NewProposal {
        organization_id: b.organization_id,
        year: b.year,
        title: b.title,
        items: items_input(b.items, "items")?,
    };
    let p = svc::create_proposal(&state.db, &caller, cmd).await?;
    Ok(Created::versioned(
        format!("/api/v1/proposals/{}", p.id),
        p.into(),
    ))
}

/// Replace a draft or returned proposal.
///
/// The proposer (the unit's leader or officers) or the admin. Send `If-Match`;
/// title and items are replaced and each item is checked again (C0–C14).
#[utoipa::path(
    operation_id = "updateProposal",
    tag = "titles",
    request_body = UpdateProposalBody,
    params(
        ("id" = Uuid, Path, description = "Proposal id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read"),
    ),
    responses(
        (status = 200, body = ProposalView, description = "Changed"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_your_organization`, `admin_required`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`invalid_transition`, `no_rule_set`"),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "`version_conflict`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `invalid_items`, `invalid_subject`, `subject_kind_mismatch`, `unknown_person`, `unknown_organization`"),
    ),
    security(("bearer" = []))
)]
#[put("/api/v1/proposals/{id}")]
pub async fn update_proposal(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidatedJson<UpdateProposalBody>,
) -> Result<Tagged<ProposalView>, AppError> {
    let b = body.into_inner();
    let items = items_input(b.items, "items")?;
    Ok(Tagged(
        svc::update_proposal(&state.db, &caller, *id, if_match.0, b.title, items)
            .await?
            .into(),
    ))
}

/// One proposal with its items and their answers.
///
/// Each stored eligibility answer shows its checks and figures only to the
/// admin and to the subject's own unit; anyone else gets the outcome
/// (`eligible`, `ruleSet`) with `checks` empty and `redacted: true` (C2 data,
/// docs/titles.md).
#[utoipa::path(
    operation_id = "getProposal",
    tag = "titles",
    params(("id" = Uuid, Path, description = "Proposal id")),
    responses(
        (status = 200, body = ProposalView, description = "The proposal; `ETag` set"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/proposals/{id}")]
pub async fn proposal(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<Tagged<ProposalView>, AppError> {
    Ok(Tagged(svc::proposal(&state.db, &caller, *id).await?.into()))
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ProposalQuery {
    #[validate(range(min = 2000, max = 2100))]
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
    pub organization_id: Option<Uuid>,
    #[param(inline)]
    pub status: Option<ProposalStatus>,
}

/// Proposals, keyset-paginated.
///
/// Each stored eligibility answer shows its checks and figures only to the
/// admin and to the subject's own unit; anyone else gets the outcome
/// (`eligible`, `ruleSet`) with `checks` empty and `redacted: true` (C2 data,
/// docs/titles.md).
///
/// `Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`
/// or `?format=xlsx`: the same page as an Excel workbook, one row per proposal item, with its eligibility outcome and the rules it failed (empty when the checks are redacted, C2),
/// one typed column per field (docs/documents.md, "Exports").
#[utoipa::path(
    operation_id = "listProposals",
    tag = "titles",
    params(ProposalQuery, PageParams, ExportParams),
    responses(
        (status = 200, headers(("Link" = String, description = "`<…?…&cursor=…>; rel=\"next\"`: the next page (this request with `cursor` replaced); absent on the last page")), description = "One page", content((Page<ProposalView> = "application/json"), (XlsxFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`, `invalid_cursor`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/proposals")]
pub async fn proposals(
    reads: ReadDb,
    req: HttpRequest,
    caller: Principal,
    q: ExportListQuery<ProposalQuery>,
) -> Result<HttpResponse, AppError> {
    let (q, page, format) = (q.0.filter, q.0.page, q.0.format);
    let filter = svc::ProposalFilter {
        year: q.year,
        organization_id: q.organization_id,
        status: q.status,
    };
    let page: Page<ProposalView> = svc::proposals(&reads, &caller, filter, page).await?.into();
    export::page_or_xlsx(&req, format, "proposals.xlsx", page, |items| {
        let rows = export::lists::proposal_rows(items);
        export::lists::list("Đề nghị khen thưởng", export::lists::PROPOSALS, &rows)
    })
}

/// Submit a draft or returned proposal.
///
/// The proposer (the unit's leader or officers) or the admin. Every item is
/// re-checked: a failed rule refuses it with the rules listed (`not_eligible`:
/// field = item, code = rule id), and the caps (C4, C8) are checked over the
/// proposer's whole list (`quota_exceeded`).
#[utoipa::path(
    operation_id = "submitProposal",
    tag = "titles",
    params(("id" = Uuid, Path, description = "Proposal id"), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    responses(
        (status = 200, body = ProposalView, description = "Submitted"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_your_organization`, `admin_required`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`not_eligible` (each failed rule in `errors`: field = item, code = rule id), `quota_exceeded`, `invalid_transition`, `proposal_empty`"),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "`version_conflict`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/proposals/{id}/submit")]
pub async fn submit_proposal(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<Tagged<ProposalView>, AppError> {
    let cmd = svc::ProposalMove {
        action: ProposalAction::Submit,
        note: None,
        council_on: None,
    };
    let p = svc::proposal_action(&state.db, &caller, *id, if_match.0, cmd).await?;
    Ok(Tagged(p.into()))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"reason": "Thiếu báo cáo thành tích của cá nhân"}))]
pub struct ReturnBody {
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::api::checks::block")
    )]
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]*[^\\s\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069][^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]*$"
    )]
    pub reason: String,
}

/// Return a submitted proposal to the proposer.
///
/// Only the provincial board may call it: a person with the `admin` role
/// (`admin_required` otherwise). With a reason; the proposer may change and
/// submit it again.
#[utoipa::path(
    operation_id = "returnProposal",
    tag = "titles",
    request_body = ReturnBody,
    params(("id" = Uuid, Path, description = "Proposal id"), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    responses(
        (status = 200, body = ProposalView, description = "Returned"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`invalid_transition`"),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "`version_conflict`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/proposals/{id}/return")]
pub async fn return_proposal(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidatedJson<ReturnBody>,
) -> Result<Tagged<ProposalView>, AppError> {
    let cmd = svc::ProposalMove {
        action: ProposalAction::Return,
        note: Some(body.into_inner().reason),
        council_on: None,
    };
    let p = svc::proposal_action(&state.db, &caller, *id, if_match.0, cmd).await?;
    Ok(Tagged(p.into()))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"outcome": "approved", "note": "Hội đồng TĐKT tỉnh nhất trí 9/9", "meetingDate": "2022-01-20"}))]
pub struct CouncilBody {
    pub outcome: CouncilOutcome,
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::api::checks::block")
    )]
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]*[^\\s\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069][^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]*$"
    )]
    pub note: String,
    /// The day the emulation council met.
    #[validate(custom(function = "crate::api::checks::date"))]
    #[schema(pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-")]
    pub meeting_date: Option<NaiveDate>,
}

/// Record the emulation council's outcome.
///
/// Only the provincial board may call it: a person with the `admin` role
/// (`admin_required` otherwise). On a submitted proposal: approved (a decision
/// may then award it) or rejected, with the council's date and note.
#[utoipa::path(
    operation_id = "recordCouncilOutcome",
    tag = "titles",
    request_body = CouncilBody,
    params(("id" = Uuid, Path, description = "Proposal id"), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    responses(
        (status = 200, body = ProposalView, description = "Approved or rejected"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`invalid_transition`"),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "`version_conflict`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/proposals/{id}/council-outcome")]
pub async fn council_outcome(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidatedJson<CouncilBody>,
) -> Result<Tagged<ProposalView>, AppError> {
    let b = body.into_inner();
    let cmd = svc::ProposalMove {
        action: b.outcome.action(),
        note: Some(b.note),
        council_on: b.meeting_date,
    };
    let p = svc::proposal_action(&state.db, &caller, *id, if_match.0, cmd).await?;
    Ok(Tagged(p.into()))
}
