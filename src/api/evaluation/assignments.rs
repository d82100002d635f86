//! Who cross-scores whom.

use actix_web::{get, put, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::AppState;
use crate::api::extract::ValidatedJson;
use crate::api::respond::Page;
use crate::auth::Principal;
use crate::error::{AppError, Problem};
use crate::service::evaluation as svc;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"reviewerId": "0179e854-ddb4-7cd4-b294-6d9fc894ad9f", "subjectId": "01797ed5-eb83-7e8e-ba1a-99bc19100a47"}))]
pub struct Assignment {
    /// The unit that scores…
    pub reviewer_id: Uuid,
    /// …this unit (never itself).
    pub subject_id: Uuid,
}

impl From<svc::Assignment> for Assignment {
    fn from(a: svc::Assignment) -> Self {
        Assignment {
            reviewer_id: a.reviewer_id,
            subject_id: a.subject_id,
        }
    }
}

impl From<Assignment> for svc::Assignment {
    fn from(a: Assignment) -> Self {
        svc::Assignment {
            reviewer_id: a.reviewer_id,
            subject_id: a.subject_id,
        }
    }
}

/// The whole matrix, written as it is read back (`{items}`, the page the
/// `GET` and this `PUT` answer).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"items": [{"reviewerId": "0179e854-ddb4-7cd4-b294-6d9fc894ad9f", "subjectId": "01797ed5-eb83-7e8e-ba1a-99bc19100a47"}]}))]
pub struct AssignmentsBody {
    #[validate(length(max = 10000))]
    #[schema(max_items = 10000)]
    pub items: Vec<Assignment>,
}

/// Set who cross-scores whom.
///
/// The head unit's leader or officers, or the admin (`not_head_unit`). Replaces
/// the whole matrix; reviewer and subject must be term members (`not_a_member`)
/// and never the same unit (`self_assignment`).
#[utoipa::path(
    tag = "evaluation",
    operation_id = "putReviewAssignments",
    request_body = AssignmentsBody,
    params(("id" = Uuid, Path, description = "Bloc id"), ("year" = i32, Path, description = "Emulation year")),
    responses(
        (status = 200, body = Page<Assignment>, description = "The assignment matrix"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_head_unit`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`not_a_member`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `self_assignment`"),
    ),
    security(("bearer" = []))
)]
#[put("/api/v1/blocs/{id}/terms/{year}/review-assignments")]
pub async fn put_assignments(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, i32)>,
    body: ValidatedJson<AssignmentsBody>,
) -> Result<Page<Assignment>, AppError> {
    let (bloc, year) = path.into_inner();
    let given = body
        .into_inner()
        .items
        .into_iter()
        .map(Into::into)
        .collect();
    let saved = svc::set_assignments(&state.db, &caller, bloc, year, given).await?;
    Ok(Page::complete(saved.into_iter().map(Into::into).collect()))
}

/// The term's cross-scoring assignments.
///
/// Who cross-scores whom. Empty means the default: the head and the deputy
/// cross-score every member (E2). Any signed-in caller (a person with any role,
/// or a service client with the `read` scope) may call it.
#[utoipa::path(
    tag = "evaluation",
    operation_id = "getReviewAssignments",
    params(("id" = Uuid, Path, description = "Bloc id"), ("year" = i32, Path, description = "Emulation year")),
    responses(
        (status = 200, body = Page<Assignment>, description = "The assignment matrix"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/blocs/{id}/terms/{year}/review-assignments")]
pub async fn get_assignments(
    state: web::Data<AppState>,
    _caller: Principal,
    path: web::Path<(Uuid, i32)>,
) -> Result<Page<Assignment>, AppError> {
    let (bloc, year) = path.into_inner();
    let pairs = svc::assignments(&state.db, bloc, year).await?;
    Ok(Page::complete(pairs.into_iter().map(Into::into).collect()))
}
