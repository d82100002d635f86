//! `/api/v1/people`: staff (cán bộ, công chức, viên chức, người lao động).

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::extract::{ExportListQuery, IfMatch, PageParams, ValidatedJson, double_option};
use super::respond::{Created, Page, Tagged, Versioned};
use crate::AppState;
use crate::api::export::{self, ExportParams, XlsxFile};
use crate::api::reads::ReadDb;
use crate::auth::Principal;
use crate::domain::ids::{OrganizationId, PersonId};
use crate::domain::registry::{Gender, StaffCategory};
use crate::error::{AppError, Problem};
use crate::service::registry::{self, Person};

/// A member of staff. No national ID numbers are kept.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id": "0179377a-5e73-7f06-a2f6-42a1f8cf07a7", "fullName": "Hoàng Minh Ái", "organizationId": "0179e854-ddb4-7cd4-b294-6d9fc894ad9f", "position": "Trưởng Ban Dân tộc", "category": "can_bo", "gender": "male", "employmentStart": null, "active": true, "version": 1, "createdAt": "2021-04-01T02:00:00Z", "updatedAt": "2021-04-01T02:00:00Z"}))]
pub struct PersonView {
    #[schema(value_type = Uuid)]
    pub id: PersonId,
    #[schema(example = "Hoàng Minh Ái")]
    pub full_name: String,
    /// Unit or sub-unit.
    #[schema(value_type = Uuid)]
    pub organization_id: OrganizationId,
    pub position: Option<String>,
    pub category: StaffCategory,
    pub gender: Option<Gender>,
    pub employment_start: Option<NaiveDate>,
    pub active: bool,
    /// Staff code (mã cán bộ), unique when given: the import's natural key.
    #[schema(example = "CB-00123")]
    pub code: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Person> for PersonView {
    fn from(p: Person) -> Self {
        PersonView {
            id: p.id,
            full_name: p.full_name,
            organization_id: p.organization_id,
            position: p.position,
            category: p.category,
            gender: p.gender,
            employment_start: p.employment_start,
            active: p.active,
            code: p.code,
            version: p.version,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

impl Versioned for PersonView {
    fn version(&self) -> i32 {
        self.version
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"fullName": "Hoàng Minh Ái", "organizationId": "0179e854-ddb4-7cd4-b294-6d9fc894ad9f",
    "position": "Trưởng Ban Dân tộc", "category": "cong_chuc"}))]
pub struct CreatePersonBody {
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::api::checks::line")
    )]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff][^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*$"
    )]
    pub full_name: String,
    #[schema(value_type = Uuid)]
    pub organization_id: OrganizationId,
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::api::checks::line")
    )]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff][^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*$"
    )]
    pub position: Option<String>,
    pub category: StaffCategory,
    pub gender: Option<Gender>,
    #[validate(custom(function = "crate::api::checks::date"))]
    #[schema(pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-")]
    pub employment_start: Option<NaiveDate>,
    /// Staff code (mã cán bộ), unique: letters, digits, `_`, `.`, `-`.
    #[validate(regex(path = *PERSON_CODE))]
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,32}$", example = "CB-00123")]
    pub code: Option<String>,
}

/// A staff code as the database keeps it.
pub static PERSON_CODE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new("^[A-Za-z0-9_.-]{1,32}$").expect("a valid pattern")
});

impl From<CreatePersonBody> for registry::CreatePerson {
    fn from(b: CreatePersonBody) -> Self {
        registry::CreatePerson {
            full_name: b.full_name,
            organization_id: b.organization_id,
            position: b.position,
            category: b.category,
            gender: b.gender,
            employment_start: b.employment_start,
            code: b.code,
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"position": "Phó Trưởng phòng"}))]
pub struct UpdatePersonBody {
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::api::checks::line")
    )]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff][^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*$"
    )]
    pub full_name: Option<String>,
    #[schema(value_type = Option<Uuid>)]
    pub organization_id: Option<OrganizationId>,
    #[serde(default, deserialize_with = "double_option")]
    #[validate(length(max = 200))]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub position: Option<Option<String>>,
    pub category: Option<StaffCategory>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Gender>)]
    pub gender: Option<Option<Gender>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>, pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-")]
    #[validate(custom(function = "crate::api::checks::date"))]
    pub employment_start: Option<Option<NaiveDate>>,
    /// `false` when the person leaves (people are never deleted); recorded
    /// in the staff history as of today (`POST /people/{id}/leave` takes a date).
    pub active: Option<bool>,
}

impl From<UpdatePersonBody> for registry::UpdatePerson {
    fn from(b: UpdatePersonBody) -> Self {
        registry::UpdatePerson {
            full_name: b.full_name,
            organization_id: b.organization_id,
            position: b.position,
            category: b.category,
            gender: b.gender,
            employment_start: b.employment_start,
            active: b.active,
            code: None,
        }
    }
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct PersonQuery {
    #[param(value_type = Option<Uuid>)]
    pub organization_id: Option<OrganizationId>,
    pub category: Option<StaffCategory>,
    pub active: Option<bool>,
    /// Case- and diacritic-insensitive name search (`nguyen van`).
    #[validate(length(min = 1, max = 100))]
    #[param(min_length = 1, max_length = 100)]
    pub q: Option<String>,
    /// Staff on this day from the staff history (with `organizationId`:
    /// those employed there on that day, whatever their place today).
    #[validate(custom(function = "crate::api::checks::date"))]
    #[param(pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-")]
    pub as_of: Option<NaiveDate>,
}

impl From<PersonQuery> for registry::PersonFilter {
    fn from(q: PersonQuery) -> Self {
        registry::PersonFilter {
            organization_id: q.organization_id,
            category: q.category,
            active: q.active,
            q: q.q,
            as_of: q.as_of,
        }
    }
}

/// Add a member of staff.
///
/// The admin, or the unit's own leader or officers (`not_your_organization`,
/// `read_only`). A person belongs to one organisation; titles for persons are
/// checked against their facts.
#[utoipa::path(
    operation_id = "createPerson",
    tag = "people",
    request_body = CreatePersonBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried POST return the first response")),
    responses(
        (status = 201, body = PersonView, description = "Created"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`malformed_json`, `body_not_an_object`, `malformed_body`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_your_organization`, `read_only`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`code_taken` (the staff code belongs to another person)"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `unknown_organization`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/people")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Principal,
    body: ValidatedJson<CreatePersonBody>,
) -> Result<Created<PersonView>, AppError> {
    let p = registry::create_person(&state.db, &caller, body.into_inner().into()).await?;
    Ok(Created::versioned(
        format!("/api/v1/people/{}", p.id),
        p.into(),
    ))
}

/// List staff.
///
/// Members of staff, keyset-paginated, optionally by organisation. Any
/// signed-in caller (a person with any role, or a service client with the
/// `read` scope) may call it.
///
/// `Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`
/// or `?format=xlsx` gives an Excel workbook (docs/documents.md, "Exports").
#[utoipa::path(
    operation_id = "listPeople",
    tag = "people",
    params(PersonQuery, PageParams, ExportParams),
    responses(
        (status = 200, headers(("Link" = String, description = "`<…?…&cursor=…>; rel=\"next\"`: the next page (this request with `cursor` replaced); absent on the last page")), description = "One page", content((Page<PersonView> = "application/json"), (XlsxFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`, `invalid_cursor`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/people")]
pub async fn list(
    reads: ReadDb,
    req: HttpRequest,
    _caller: Principal,
    q: ExportListQuery<PersonQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.0;
    let page: Page<PersonView> = registry::list_people(&reads, q.filter.into(), q.page)
        .await?
        .into();
    export::page_or_xlsx(&req, q.format, "people.xlsx", page, |items| {
        export::lists::list("Cán bộ", export::lists::PEOPLE, items)
    })
}

/// Get a member of staff.
///
/// The person's organisation, position and employment start, with the `ETag`.
/// Any signed-in caller (a person with any role, or a service client with the
/// `read` scope) may call it.
#[utoipa::path(
    operation_id = "getPerson",
    tag = "people",
    params(("id" = Uuid, Path, description = "Person id")),
    responses(
        (status = 200, body = PersonView, description = "The person; `ETag` set"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/people/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    _caller: Principal,
    id: web::Path<PersonId>,
) -> Result<Tagged<PersonView>, AppError> {
    Ok(Tagged(registry::get_person(&state.db, *id).await?.into()))
}

/// Change a member of staff.
///
/// The admin, or the unit's own leader or officers. Send `If-Match` with the
/// ETag you read (412 when it changed meanwhile).
#[utoipa::path(
    operation_id = "updatePerson",
    tag = "people",
    request_body = UpdatePersonBody,
    params(
        ("id" = Uuid, Path, description = "Person id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read"),
    ),
    responses(
        (status = 200, body = PersonView, description = "Changed"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_your_organization`, `read_only`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "`version_conflict`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`code_taken` (the staff code belongs to another person)"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `unknown_organization`"),
    ),
    security(("bearer" = []))
)]
#[patch("/api/v1/people/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<PersonId>,
    if_match: IfMatch,
    body: ValidatedJson<UpdatePersonBody>,
) -> Result<Tagged<PersonView>, AppError> {
    let cmd = body.into_inner().into();
    Ok(Tagged(
        registry::update_person(&state.db, &caller, *id, if_match.0, cmd)
            .await?
            .into(),
    ))
}
