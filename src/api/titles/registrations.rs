//! Đăng ký thi đua (`/api/v1/registrations`) and the term's registration deadline.

use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use crate::AppState;
use crate::api::blocs::TermView;
use crate::api::export::{self, ExportParams, XlsxFile};
use crate::api::extract::{ExportListQuery, IfMatch, PageParams, ValidatedJson};
use crate::api::reads::ReadDb;
use crate::api::respond::{Created, Page, Tagged, Versioned};
use crate::auth::Principal;
use crate::domain::titles::AwardType;
use crate::error::{AppError, Problem};
use crate::service::titles as svc;

#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SubUnitBody {
    pub organization_id: Uuid,
    /// Collective titles the sub-unit aims at.
    #[validate(length(max = 4))]
    #[schema(max_items = 4)]
    pub titles: Vec<AwardType>,
}

#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct StaffTargetBody {
    /// A person title.
    pub award_type: AwardType,
    /// How many staff aim at it.
    #[validate(range(min = 0, max = 100000))]
    #[schema(minimum = 0, maximum = 100000)]
    pub count: i32,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"organizationId": "0193a5f0-7c1e-7b3a-9c1d-2f0e4b5a6c7d", "year": 2021,
    "titles": ["ttldxs", "co_thi_dua_tinh"], "subUnits": [],
    "staff": [{"awardType": "ldtt", "count": 40}, {"awardType": "cstdcs", "count": 5}]}))]
pub struct CreateRegistrationBody {
    /// The unit (not a sub-unit) registering.
    pub organization_id: Uuid,
    #[validate(range(min = 2000, max = 2100))]
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: i32,
    /// Collective titles the unit aims at for itself.
    #[validate(length(max = 4))]
    #[schema(max_items = 4)]
    pub titles: Vec<AwardType>,
    #[serde(default)]
    #[validate(length(max = 200), nested)]
    #[schema(max_items = 200)]
    pub sub_units: Vec<SubUnitBody>,
    #[serde(default)]
    #[validate(length(max = 12), nested)]
    #[schema(max_items = 12)]
    pub staff: Vec<StaffTargetBody>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"titles": ["ttldxs"], "subUnits": [{"organizationId": "0179e854-ddb4-7cd4-b294-6d9fc894ad9f", "titles": ["ttldtt"]}], "staff": [{"awardType": "ldtt", "count": 40}, {"awardType": "cstdcs", "count": 5}]}))]
pub struct UpdateRegistrationBody {
    #[validate(length(max = 4))]
    #[schema(max_items = 4)]
    pub titles: Vec<AwardType>,
    #[serde(default)]
    #[validate(length(max = 200), nested)]
    #[schema(max_items = 200)]
    pub sub_units: Vec<SubUnitBody>,
    #[serde(default)]
    #[validate(length(max = 12), nested)]
    #[schema(max_items = 12)]
    pub staff: Vec<StaffTargetBody>,
}

/// Đăng ký thi đua: what a unit aims at for the year.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id": "01791f15-6b89-7b4d-af13-65f95b1f597e", "organizationId": "0179e854-ddb4-7cd4-b294-6d9fc894ad9f", "year": 2021, "titles": ["ttldxs"], "subUnits": [], "staff": [{"awardType": "ldtt", "count": 40}, {"awardType": "cstdcs", "count": 5}], "version": 1, "createdAt": "2021-04-01T02:00:00Z", "updatedAt": "2021-04-01T02:00:00Z"}))]
pub struct RegistrationView {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub year: i32,
    pub titles: Vec<AwardType>,
    /// The sub-units' own titles, as written.
    pub sub_units: Vec<SubUnitBody>,
    /// How many staff aim at each person title, as written (in the order of the title codes).
    pub staff: Vec<StaffTargetBody>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Versioned for RegistrationView {
    fn version(&self) -> i32 {
        self.version
    }
}

impl From<svc::Registration> for RegistrationView {
    fn from(r: svc::Registration) -> Self {
        RegistrationView {
            id: r.id,
            organization_id: r.organization_id,
            year: r.year,
            titles: r.titles,
            // Stored by the service as `[{organizationId, titles}]` and
            // `{code: count}`; read back in the request's shape.
            sub_units: serde_json::from_value(r.sub_units).unwrap_or_default(),
            staff: r
                .staff
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(code, count)| {
                    Some(StaffTargetBody {
                        award_type: serde_json::from_value(serde_json::Value::String(code.clone()))
                            .ok()?,
                        count: i32::try_from(count.as_i64()?).ok()?,
                    })
                })
                .collect(),
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

fn registration_input(
    titles: Vec<AwardType>,
    subs: Vec<SubUnitBody>,
    staff: Vec<StaffTargetBody>,
) -> svc::RegistrationInput {
    svc::RegistrationInput {
        titles,
        sub_units: subs
            .into_iter()
            .map(|s| svc::SubUnitRegistration {
                organization_id: s.organization_id,
                titles: s.titles,
            })
            .collect(),
        staff: staff.into_iter().map(|s| (s.award_type, s.count)).collect(),
    }
}

/// Register a unit for the year.
///
/// The unit's leader or officers, or the admin (`not_your_organization`),
/// before the term's registration deadline (`registration_closed`; the admin
/// also after it). One per unit and year (`registration_exists`); sub-units
/// listed must be the unit's own.
#[utoipa::path(
    operation_id = "createRegistration",
    tag = "titles",
    request_body = CreateRegistrationBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried POST return the first response")),
    responses(
        (status = 201, body = RegistrationView, description = "Registered"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_your_organization`, `read_only`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`registration_exists`, `registration_closed`, `member_not_a_unit`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `invalid_registration` (a sub-unit not the unit's, or listed twice), `subject_kind_mismatch`, `unknown_organization`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/registrations")]
pub async fn create_registration(
    state: web::Data<AppState>,
    caller: Principal,
    body: ValidatedJson<CreateRegistrationBody>,
) -> Result<Created<RegistrationView>, AppError> {
    let b = body.into_inner();
    let input = registration_input(b.titles, b.sub_units, b.staff);
    let r = svc::create_registration(&state.db, &caller, b.organization_id, b.year, input).await?;
    Ok(Created::versioned(
        format!("/api/v1/registrations/{}", r.id),
        r.into(),
    ))
}

/// Change a registration.
///
/// The unit's leader or officers, or the admin. Send `If-Match`; before the
/// term's registration deadline (`registration_closed`).
#[utoipa::path(
    operation_id = "updateRegistration",
    tag = "titles",
    request_body = UpdateRegistrationBody,
    params(
        ("id" = Uuid, Path, description = "Registration id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read"),
    ),
    responses(
        (status = 200, body = RegistrationView, description = "Changed"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_your_organization`, `read_only`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`registration_closed`"),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "`version_conflict`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `invalid_registration`, `subject_kind_mismatch`"),
    ),
    security(("bearer" = []))
)]
#[put("/api/v1/registrations/{id}")]
pub async fn update_registration(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidatedJson<UpdateRegistrationBody>,
) -> Result<Tagged<RegistrationView>, AppError> {
    let b = body.into_inner();
    let input = registration_input(b.titles, b.sub_units, b.staff);
    let r = svc::update_registration(&state.db, &caller, *id, if_match.0, input).await?;
    Ok(Tagged(r.into()))
}

/// Get one registration.
///
/// What the unit registered for: collective title, sub-units, staff counts,
/// with the `ETag`. Any signed-in caller (a person with any role, or a service
/// client with the `read` scope) may call it.
#[utoipa::path(
    operation_id = "getRegistration",
    tag = "titles",
    params(("id" = Uuid, Path, description = "Registration id")),
    responses(
        (status = 200, body = RegistrationView, description = "The registration; `ETag` set"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/registrations/{id}")]
pub async fn registration(
    state: web::Data<AppState>,
    _caller: Principal,
    id: web::Path<Uuid>,
) -> Result<Tagged<RegistrationView>, AppError> {
    Ok(Tagged(svc::registration(&state.db, *id).await?.into()))
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct YearOrgQuery {
    #[validate(range(min = 2000, max = 2100))]
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
    pub organization_id: Option<Uuid>,
}

/// List emulation registrations.
///
/// Units' yearly registrations for titles (đăng ký thi đua), keyset-paginated.
/// Any signed-in caller (a person with any role, or a service client with the
/// `read` scope) may call it.
///
/// `Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`
/// or `?format=xlsx` gives an Excel workbook (docs/documents.md, "Exports").
#[utoipa::path(
    operation_id = "listRegistrations",
    tag = "titles",
    params(YearOrgQuery, PageParams, ExportParams),
    responses(
        (status = 200, headers(("Link" = String, description = "`<…?…&cursor=…>; rel=\"next\"`: the next page (this request with `cursor` replaced); absent on the last page")), description = "One page", content((Page<RegistrationView> = "application/json"), (XlsxFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`, `invalid_cursor`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/registrations")]
pub async fn registrations(
    reads: ReadDb,
    req: HttpRequest,
    _caller: Principal,
    q: ExportListQuery<YearOrgQuery>,
) -> Result<HttpResponse, AppError> {
    let (q, page, format) = (q.0.filter, q.0.page, q.0.format);
    let filter = svc::RegistrationFilter {
        year: q.year,
        organization_id: q.organization_id,
    };
    let page: Page<RegistrationView> = svc::registrations(&reads, filter, page).await?.into();
    export::page_or_xlsx(&req, format, "registrations.xlsx", page, |items| {
        export::lists::list("Đăng ký thi đua", export::lists::REGISTRATIONS, items)
    })
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"registrationDeadline": "2021-03-31"}))]
pub struct DeadlineBody {
    /// `null` removes the deadline.
    #[validate(custom(function = "crate::api::checks::date"))]
    #[schema(pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-")]
    pub registration_deadline: Option<NaiveDate>,
}

/// Set the term's registration deadline.
///
/// The head unit's leader or officers, or the admin (`not_head_unit`; a
/// read-only caller gets `read_only`). After the deadline only the admin can
/// create or change a registration for the year.
#[utoipa::path(
    operation_id = "setRegistrationDeadline",
    tag = "blocs",
    request_body = DeadlineBody,
    params(
        ("id" = Uuid, Path, description = "Bloc id"),
        ("year" = i32, Path, description = "Emulation year", example = 2021),
    ),
    responses(
        (status = 200, body = TermView, description = "Set"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_head_unit`, `read_only`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    ),
    security(("bearer" = []))
)]
#[put("/api/v1/blocs/{id}/terms/{year}/registration-deadline")]
pub async fn set_deadline(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, i32)>,
    body: ValidatedJson<DeadlineBody>,
) -> Result<Tagged<TermView>, AppError> {
    let (bloc_id, year) = path.into_inner();
    let deadline = body.into_inner().registration_deadline;
    let term = svc::set_registration_deadline(&state.db, &caller, bloc_id, year, deadline).await?;
    Ok(Tagged(term.into()))
}
