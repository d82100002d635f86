//! E2: score sheets: enter points, submit, recuse, reopen.

use actix_web::{get, post, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::AppState;
use crate::api::extract::{OptionalJson, ValidatedJson};
use crate::api::respond::{Page, Tagged, Upserted, Versioned};
use crate::auth::Principal;
use crate::domain::evaluation::SheetStatus;
use crate::error::{AppError, Problem};
use crate::service::evaluation::{self as svc, Sheet, SheetAction};

#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EntryBody {
    pub criterion_id: Uuid,
    /// Within the criterion's bounds (E2).
    pub points: i32,
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub note: Option<String>,
    #[validate(length(max = 2000), custom(function = "crate::api::checks::web_url"))]
    #[schema(max_length = 2000, format = "uri", pattern = "^https?://")]
    pub evidence_url: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"reviewerId": "0179e854-ddb4-7cd4-b294-6d9fc894ad9f", "entries": [{"criterionId": "01797ceb-a908-76a9-b0b7-62fb8ba790ec", "points": 1, "note": null, "evidenceUrl": null}]}))]
pub struct SheetBody {
    /// The scoring unit: the caller's own by default (the admin names it).
    /// The same as the subject for a self-score sheet.
    pub reviewer_id: Option<Uuid>,
    #[validate(length(max = 500), nested)]
    #[schema(max_items = 500)]
    pub entries: Vec<EntryBody>,
}

#[derive(Debug, Deserialize, Validate, ToSchema, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"reason": "Đơn vị trực tiếp phối hợp thực hiện chỉ tiêu với đơn vị được chấm"}))]
pub struct ReasonBody {
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

/// The reason a recusal or a reopening must give (required: the schema says
/// what the rule says).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"reason": "Đơn vị chấm có quan hệ với đơn vị được chấm"}))]
pub struct RequiredReasonBody {
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

impl From<RequiredReasonBody> for ReasonBody {
    fn from(b: RequiredReasonBody) -> Self {
        ReasonBody {
            reason: Some(b.reason),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EntryView {
    pub criterion_id: Uuid,
    pub points: i32,
    pub note: Option<String>,
    pub evidence_url: Option<String>,
}

/// A score sheet: self (reviewer = subject) or cross.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id": "0179edca-707b-7291-acfd-7305928fc81f", "subjectId": "01797ed5-eb83-7e8e-ba1a-99bc19100a47", "reviewerId": "0179e854-ddb4-7cd4-b294-6d9fc894ad9f", "selfScore": false, "status": "submitted", "recusalReason": null, "submittedAt": "2021-12-15T02:00:00Z", "entries": [{"criterionId": "0179f141-1775-7d5a-bc81-1be6fb9b72d1", "points": 1, "note": null, "evidenceUrl": null}], "version": 1}))]
pub struct SheetView {
    pub id: Uuid,
    pub subject_id: Uuid,
    pub reviewer_id: Uuid,
    pub self_score: bool,
    /// `draft`, `submitted` (locked) or `recused`.
    pub status: SheetStatus,
    pub recusal_reason: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub entries: Vec<EntryView>,
    pub version: i32,
}

impl Versioned for SheetView {
    fn version(&self) -> i32 {
        self.version
    }
}

impl From<Sheet> for SheetView {
    fn from(s: Sheet) -> Self {
        SheetView {
            self_score: s.self_score(),
            id: s.id,
            subject_id: s.subject_id,
            reviewer_id: s.reviewer_id,
            status: s.status,
            recusal_reason: s.recusal_reason,
            submitted_at: s.submitted_at,
            entries: s
                .entries
                .into_iter()
                .map(|e| EntryView {
                    criterion_id: e.criterion_id,
                    points: e.points,
                    note: e.note,
                    evidence_url: e.evidence_url,
                })
                .collect(),
            version: s.version,
        }
    }
}

/// Enter points on a draft sheet for a unit (self-score by the unit itself;
/// cross-score by an assigned reviewer, or the head or deputy). E2 bounds.
///
/// `201` with `Location` (`/api/v1/score-sheets/{id}`) when this creates the
/// reviewer's sheet for the unit, `200` when it replaces its entries.
#[utoipa::path(
    tag = "evaluation",
    operation_id = "putScoreSheet",
    request_body = SheetBody,
    params(("id" = Uuid, Path, description = "Bloc id"), ("year" = i32, Path, description = "Emulation year"),
           ("subjectId" = Uuid, Path, description = "The unit scored")),
    responses(
        (status = 200, body = SheetView, description = "The draft sheet, replaced; `ETag` set"),
        (status = 201, body = SheetView, description = "The draft sheet, created; `Location` and `ETag` set"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_your_organization`, `not_a_reviewer`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`sheet_locked`, `no_scoring_scheme`, `not_a_member`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `points_out_of_bounds` (E2)"),
    ),
    security(("bearer" = []))
)]
#[put("/api/v1/blocs/{id}/terms/{year}/score-sheets/{subjectId}")]
pub async fn put_sheet(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, i32, Uuid)>,
    body: ValidatedJson<SheetBody>,
) -> Result<Upserted<SheetView>, AppError> {
    let (bloc, year, subject) = path.into_inner();
    let b = body.into_inner();
    let entries = b
        .entries
        .into_iter()
        .map(|e| svc::EntryInput {
            criterion_id: e.criterion_id,
            points: e.points,
            note: e.note,
            evidence_url: e.evidence_url,
        })
        .collect();
    let (sheet, created) = svc::put_sheet(
        &state.db,
        &caller,
        bloc,
        year,
        subject,
        b.reviewer_id,
        entries,
    )
    .await?;
    let view = SheetView::from(sheet);
    let location = format!("/api/v1/score-sheets/{}", view.id);
    Ok(Upserted::new(created, location, view))
}

/// Get one score sheet.
///
/// The sheet a `PUT …/score-sheets/{subjectId}` created (its `Location`);
/// readable by any signed-in caller, as the term's list is.
#[utoipa::path(
    tag = "evaluation",
    operation_id = "getScoreSheet",
    params(("id" = Uuid, Path, description = "Score sheet id")),
    responses(
        (status = 200, body = SheetView, description = "The sheet; `ETag` set"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/score-sheets/{id}")]
pub async fn get_sheet(
    state: web::Data<AppState>,
    _caller: Principal,
    id: web::Path<Uuid>,
) -> Result<Tagged<SheetView>, AppError> {
    Ok(Tagged(svc::sheet(&state.db, *id).await?.into()))
}

/// Every score sheet of the term.
///
/// Self-scores and cross-scores with their entries and state (draft, submitted,
/// recused), keyset-paginated (E2). Any signed-in caller (a person with any
/// role, or a service client with the `read` scope) may call it.
#[utoipa::path(
    tag = "evaluation",
    operation_id = "listScoreSheets",
    params(("id" = Uuid, Path, description = "Bloc id"), ("year" = i32, Path, description = "Emulation year")),
    responses(
        (status = 200, body = Page<SheetView>, description = "The sheets"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/blocs/{id}/terms/{year}/score-sheets")]
pub async fn list_sheets(
    state: web::Data<AppState>,
    _caller: Principal,
    path: web::Path<(Uuid, i32)>,
) -> Result<Page<SheetView>, AppError> {
    let (bloc, year) = path.into_inner();
    Ok(Page::complete(
        svc::sheets(&state.db, bloc, year)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

async fn sheet_action(
    state: &AppState,
    caller: &Principal,
    id: Uuid,
    action: SheetAction,
    body: Option<ReasonBody>,
) -> Result<Tagged<SheetView>, AppError> {
    Ok(Tagged(
        svc::sheet_action(&state.db, caller, id, action, body.and_then(|b| b.reason))
            .await?
            .into(),
    ))
}

/// Submit a score sheet.
///
/// The reviewing unit's leader or officers, or the admin
/// (`not_your_organization`). The sheet is locked (only the admin can reopen
/// it) and counts in the ranking (E3).
#[utoipa::path(
    tag = "evaluation",
    operation_id = "submitScoreSheet",
    request_body(content = Option<ReasonBody>, description = "Optional"),
    params(("id" = Uuid, Path, description = "Sheet id")),
    responses(
        (status = 200, body = SheetView, description = "Submitted"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_your_organization`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`sheet_locked`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed` (the optional body: an unknown field, a reason over 2,000 characters)"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/score-sheets/{id}/submit")]
pub async fn submit_sheet(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: OptionalJson<ReasonBody>,
) -> Result<Tagged<SheetView>, AppError> {
    sheet_action(&state, &caller, *id, SheetAction::Submit, body.into_inner()).await
}

/// Recuse from cross-scoring a unit.
///
/// The reviewing unit's leader or officers, or the admin
/// (`not_your_organization`), with a written reason (`recusal_needs_reason`),
/// while the sheet is a draft (`sheet_locked`). The sheet then counts for
/// nothing in the ranking (E2, E3).
#[utoipa::path(
    tag = "evaluation",
    operation_id = "recuseScoreSheet",
    request_body = RequiredReasonBody,
    params(("id" = Uuid, Path, description = "Sheet id")),
    responses(
        (status = 200, body = SheetView, description = "Recused"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_your_organization`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`sheet_locked`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed` (`reason` missing, empty or too long), `recusal_needs_reason`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/score-sheets/{id}/recuse")]
pub async fn recuse_sheet(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: ValidatedJson<RequiredReasonBody>,
) -> Result<Tagged<SheetView>, AppError> {
    sheet_action(
        &state,
        &caller,
        *id,
        SheetAction::Recuse,
        Some(body.into_inner().into()),
    )
    .await
}

/// Reopen a submitted or recused sheet.
///
/// Only the provincial board may call it: a person with the `admin` role
/// (`admin_required` otherwise). With a reason (`reason_required`), audited;
/// the reviewer may then change and submit it again.
#[utoipa::path(
    tag = "evaluation",
    operation_id = "reopenScoreSheet",
    request_body = RequiredReasonBody,
    params(("id" = Uuid, Path, description = "Sheet id")),
    responses(
        (status = 200, body = SheetView, description = "Back to draft"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed` (`reason` missing, empty or too long), `reason_required`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/score-sheets/{id}/reopen")]
pub async fn reopen_sheet(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: ValidatedJson<RequiredReasonBody>,
) -> Result<Tagged<SheetView>, AppError> {
    sheet_action(
        &state,
        &caller,
        *id,
        SheetAction::Reopen,
        Some(body.into_inner().into()),
    )
    .await
}
