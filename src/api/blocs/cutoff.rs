//! `PUT /api/v1/blocs/{id}/terms/{year}/reporting-cutoff`: the admin moves a
//! term's reporting cut-off (T8).

use actix_web::{put, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::TermView;
use crate::AppState;
use crate::api::extract::ValidatedJson;
use crate::api::respond::Tagged;
use crate::auth::Principal;
use crate::error::{AppError, Problem};
use crate::service::registry;
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"reportingCutoff": "2026-12-31", "reason": "Cho phép nhập thử số liệu năm 2021 (demo)"}))]
pub struct CutoffBody {
    #[validate(custom(function = "crate::api::checks::date"))]
    #[schema(pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-")]
    pub reporting_cutoff: NaiveDate,
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
    pub reason: String,
}

/// Move a term's reporting cut-off (T8).
///
/// Only the provincial board may call it: a person with the `admin` role
/// (`admin_required` otherwise). Audited with the reason. Reports for a period
/// are accepted until the cut-off (T8): move it to let a late report in, or to
/// try out a past year such as the 2021 demo. Allowed on a frozen term (B4): it
/// changes no member, head or deputy.
#[utoipa::path(
    operation_id = "setReportingCutoff",
    tag = "blocs",
    request_body = CutoffBody,
    params(
        ("id" = Uuid, Path, description = "Bloc id"),
        ("year" = i32, Path, description = "Emulation year", example = 2021),
    ),
    responses(
        (status = 200, body = TermView, description = "Moved"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    ),
    security(("bearer" = []))
)]
#[put("/api/v1/blocs/{id}/terms/{year}/reporting-cutoff")]
pub async fn set_cutoff(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, i32)>,
    body: ValidatedJson<CutoffBody>,
) -> Result<Tagged<TermView>, AppError> {
    let (bloc_id, year) = path.into_inner();
    let b = body.into_inner();
    let term = registry::move_cutoff(
        &state.db,
        &caller,
        bloc_id,
        year,
        b.reporting_cutoff,
        b.reason,
    )
    .await?;
    Ok(Tagged(term.into()))
}
