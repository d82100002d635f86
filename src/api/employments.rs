//! `/api/v1/people/{id}/…`: the staff history (transfers, leaving, the
//! list of a person's employments).

use actix_web::{get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::extract::{IfMatch, ListQuery, NoFilter, PageParams, ValidatedJson};
use super::people::PersonView;
use super::respond::{Page, Tagged};
use crate::AppState;
use crate::auth::Principal;
use crate::domain::ids::{OrganizationId, PersonId};
use crate::error::{AppError, Problem};
use crate::service::registry::{self, Employment};

/// One employment: where and as what a person worked, from and to (both
/// days inclusive; `validTo` null while still employed there).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id": "0193a5f0-7c1e-7b3a-9c1d-2f0e4b5a6c7e", "personId": "0193a5f0-7c1e-7b3a-9c1d-2f0e4b5a6c7d",
    "organizationId": "0193a5f0-7c1e-7b3a-9c1d-2f0e4b5a6c7f", "position": "Chuyên viên",
    "validFrom": "2015-09-01", "validTo": "2024-06-30", "createdAt": "2026-12-02T08:00:00Z"}))]
pub struct EmploymentView {
    pub id: Uuid,
    #[schema(value_type = Uuid)]
    pub person_id: PersonId,
    #[schema(value_type = Uuid)]
    pub organization_id: OrganizationId,
    pub position: Option<String>,
    /// First day; null: since before the records.
    pub valid_from: Option<NaiveDate>,
    /// Last day; null: still employed there.
    pub valid_to: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

impl From<Employment> for EmploymentView {
    fn from(e: Employment) -> Self {
        EmploymentView {
            id: e.id,
            person_id: e.person_id,
            organization_id: e.organization_id,
            position: e.position,
            valid_from: e.valid_from,
            valid_to: e.valid_to,
            created_at: e.created_at,
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"organizationId": "0193a5f0-7c1e-7b3a-9c1d-2f0e4b5a6c7f", "position": "Phó Trưởng phòng", "on": "2024-07-01"}))]
pub struct TransferBody {
    /// The unit or sub-unit the person moves to.
    #[schema(value_type = Uuid)]
    pub organization_id: OrganizationId,
    /// The position there (none: no position recorded).
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::api::checks::line")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub position: Option<String>,
    /// First day in the new organisation; the current employment ends the day before.
    #[validate(custom(function = "crate::api::checks::date"))]
    #[schema(pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-")]
    pub on: NaiveDate,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"lastDay": "2024-05-31"}))]
pub struct LeaveBody {
    /// The last day employed.
    #[validate(custom(function = "crate::api::checks::date"))]
    #[schema(pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-")]
    pub last_day: NaiveDate,
}

/// Transfer a member of staff to another organisation.
///
/// Closes the person's current employment on the day before `on` and opens
/// one in the new organisation from `on` (điều chuyển). Collective titles
/// count members on 31 December of the year considered, so the transfer
/// moves the person's count from that year on. The caller keeps the staff
/// lists of both organisations (or is the admin).
#[utoipa::path(
    operation_id = "transferPerson",
    tag = "people",
    request_body = TransferBody,
    params(
        ("id" = Uuid, Path, description = "Person id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read"),
    ),
    responses(
        (status = 200, body = PersonView, description = "Transferred: the person as of the new employment"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`malformed_json`, `body_not_an_object`, `malformed_body`, `invalid_if_match`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_your_organization`, `read_only`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`not_employed` (the person has left)"),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "`version_conflict`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `unknown_organization`, `employment_date_invalid` (not after the current employment's first day)"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/people/{id}/transfers")]
pub async fn transfer(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<PersonId>,
    if_match: IfMatch,
    body: ValidatedJson<TransferBody>,
) -> Result<Tagged<PersonView>, AppError> {
    let b = body.into_inner();
    let cmd = registry::Transfer {
        organization_id: b.organization_id,
        position: b.position,
        on: b.on,
    };
    Ok(Tagged(
        registry::transfer_person(&state.db, &caller, *id, if_match.0, cmd)
            .await?
            .into(),
    ))
}

/// Record that a member of staff left.
///
/// Closes the person's current employment on `lastDay` and marks the person
/// inactive (nghỉ việc, nghỉ hưu). The person still counts as a member of
/// their collective for every year whose 31 December falls on or before
/// `lastDay`.
#[utoipa::path(
    operation_id = "recordPersonLeave",
    tag = "people",
    request_body = LeaveBody,
    params(
        ("id" = Uuid, Path, description = "Person id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read"),
    ),
    responses(
        (status = 200, body = PersonView, description = "Left: the person, now inactive"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`malformed_json`, `body_not_an_object`, `malformed_body`, `invalid_if_match`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_your_organization`, `read_only`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`not_employed` (already left)"),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "`version_conflict`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `employment_date_invalid` (before the current employment's first day)"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/people/{id}/leave")]
pub async fn leave(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<PersonId>,
    if_match: IfMatch,
    body: ValidatedJson<LeaveBody>,
) -> Result<Tagged<PersonView>, AppError> {
    let last_day = body.into_inner().last_day;
    Ok(Tagged(
        registry::person_leaves(&state.db, &caller, *id, if_match.0, last_day)
            .await?
            .into(),
    ))
}

/// List a person's employments, oldest first.
///
/// The staff history the rules read: where and as what the person worked,
/// from and to (both days inclusive). Keyset-paginated.
#[utoipa::path(
    operation_id = "listPersonEmployments",
    tag = "people",
    params(("id" = Uuid, Path, description = "Person id"), PageParams),
    responses(
        (status = 200, headers(("Link" = String, description = "`<…?…&cursor=…>; rel=\"next\"`: the next page (this request with `cursor` replaced); absent on the last page")), body = Page<EmploymentView>, description = "One page"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`, `invalid_cursor`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/people/{id}/employments")]
pub async fn list(
    state: web::Data<AppState>,
    _caller: Principal,
    id: web::Path<PersonId>,
    q: ListQuery<NoFilter>,
) -> Result<Page<EmploymentView>, AppError> {
    Ok(registry::list_employments(&state.db, *id, q.page)
        .await?
        .into())
}
