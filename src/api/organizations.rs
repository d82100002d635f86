//! `/api/v1/organizations`: units and sub-units, with their history.

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
use crate::domain::ids::OrganizationId;
use crate::domain::registry::OrgKind;
use crate::error::{AppError, Problem};
use crate::service::registry::{self, Organization};

pub static CODE_RE: std::sync::LazyLock<regex::Regex> =
    std::sync::LazyLock::new(|| regex::Regex::new("^[A-Za-z0-9_-]{2,32}$").expect("valid regex"));

/// A unit (đơn vị: sở, ban, ngành) or a sub-unit (phòng, đơn vị trực thuộc).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id": "01797ed5-eb83-7e8e-ba1a-99bc19100a47", "code": "SYT", "name": "Sở Y tế", "shortName": "SYT", "kind": "department", "parentId": null, "isUnit": true, "validFrom": null, "validTo": null, "supersededById": null, "supersededOn": null, "active": true, "version": 1, "createdAt": "2021-04-01T02:00:00Z", "updatedAt": "2021-04-01T02:00:00Z"}))]
pub struct OrganizationView {
    #[schema(value_type = Uuid)]
    pub id: OrganizationId,
    #[schema(example = "SYT")]
    pub code: String,
    #[schema(example = "Sở Y tế")]
    pub name: String,
    pub short_name: Option<String>,
    pub kind: OrgKind,
    /// The unit a sub-unit belongs to; `null` for a unit.
    #[schema(value_type = Option<Uuid>)]
    pub parent_id: Option<OrganizationId>,
    /// `true` for a unit (no parent): only units can be bloc members.
    pub is_unit: bool,
    pub valid_from: Option<NaiveDate>,
    /// Last day it existed under this identity.
    pub valid_to: Option<NaiveDate>,
    /// Renamed to / merged into this organisation…
    #[schema(value_type = Option<Uuid>)]
    pub superseded_by_id: Option<OrganizationId>,
    /// …on this date.
    pub superseded_on: Option<NaiveDate>,
    /// Valid today.
    pub active: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Organization> for OrganizationView {
    fn from(o: Organization) -> Self {
        OrganizationView {
            active: o.valid_on(Utc::now().date_naive()),
            is_unit: o.is_unit(),
            id: o.id,
            code: o.code,
            name: o.name,
            short_name: o.short_name,
            kind: o.kind,
            parent_id: o.parent_id,
            valid_from: o.valid_from,
            valid_to: o.valid_to,
            superseded_by_id: o.superseded_by_id,
            superseded_on: o.superseded_on,
            version: o.version,
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}

impl Versioned for OrganizationView {
    fn version(&self) -> i32 {
        self.version
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
// The example creates an organisation the demo does not hold (the demo has
// the bloc, its members and the board): the provincial People's Committee,
// which the founding document names as the issuer of its regulations.
#[schema(example = json!({"code": "UBND", "name": "Ủy ban nhân dân tỉnh Vĩnh Phúc", "shortName": "UBND tỉnh", "kind": "other"}))]
pub struct CreateOrganizationBody {
    /// 2–32 letters, digits, `_` or `-`; stored upper-case.
    #[validate(regex(path = *CODE_RE))]
    #[schema(pattern = "^[A-Za-z0-9_-]{2,32}$")]
    pub code: String,
    #[validate(
        length(min = 1, max = 300),
        custom(function = "crate::api::checks::line")
    )]
    #[schema(
        min_length = 1,
        max_length = 300,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff][^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*$"
    )]
    pub name: String,
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::api::checks::line")
    )]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff][^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*$"
    )]
    pub short_name: Option<String>,
    pub kind: OrgKind,
    /// Makes this a sub-unit of that unit.
    #[schema(value_type = Option<Uuid>)]
    pub parent_id: Option<OrganizationId>,
    #[validate(custom(function = "crate::api::checks::date"))]
    #[schema(pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-")]
    pub valid_from: Option<NaiveDate>,
    #[validate(custom(function = "crate::api::checks::date"))]
    #[schema(pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-")]
    pub valid_to: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"name": "Sở Văn hóa, Thể thao và Du lịch"}))]
pub struct UpdateOrganizationBody {
    #[validate(
        length(min = 1, max = 300),
        custom(function = "crate::api::checks::line")
    )]
    #[schema(
        min_length = 1,
        max_length = 300,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff][^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*$"
    )]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::api::checks::line")
    )]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 100, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff][^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*$")]
    pub short_name: Option<Option<String>>,
    pub kind: Option<OrgKind>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub parent_id: Option<Option<OrganizationId>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>, pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-")]
    #[validate(custom(function = "crate::api::checks::date"))]
    pub valid_from: Option<Option<NaiveDate>>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"validTo": "2025-06-30", "supersededById": "0193a5f0-7c1e-7b3a-9c1d-2f0e4b5a6c7d"}))]
pub struct RetireOrganizationBody {
    /// Last day valid (default: yesterday).
    #[validate(custom(function = "crate::api::checks::date"))]
    #[schema(pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-")]
    pub valid_to: Option<NaiveDate>,
    /// The organisation it was renamed to or merged into (from the next day).
    #[schema(value_type = Option<Uuid>)]
    pub superseded_by_id: Option<OrganizationId>,
}

impl From<CreateOrganizationBody> for registry::CreateOrg {
    fn from(b: CreateOrganizationBody) -> Self {
        registry::CreateOrg {
            code: b.code,
            name: b.name,
            short_name: b.short_name,
            kind: b.kind,
            parent_id: b.parent_id,
            valid_from: b.valid_from,
            valid_to: b.valid_to,
        }
    }
}

impl From<UpdateOrganizationBody> for registry::UpdateOrg {
    fn from(b: UpdateOrganizationBody) -> Self {
        registry::UpdateOrg {
            name: b.name,
            short_name: b.short_name,
            kind: b.kind,
            parent_id: b.parent_id,
            valid_from: b.valid_from,
        }
    }
}

impl From<RetireOrganizationBody> for registry::RetireOrg {
    fn from(b: RetireOrganizationBody) -> Self {
        registry::RetireOrg {
            valid_to: b.valid_to,
            superseded_by_id: b.superseded_by_id,
        }
    }
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct OrganizationQuery {
    pub kind: Option<OrgKind>,
    #[param(value_type = Option<Uuid>)]
    pub parent_id: Option<OrganizationId>,
    /// `true`: only units; `false`: only sub-units.
    pub units: Option<bool>,
    /// `true`: valid today; `false`: retired or not yet valid.
    pub active: Option<bool>,
    /// Only those valid on this date (history across renames and merges).
    #[validate(custom(function = "crate::api::checks::date"))]
    #[param(pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-")]
    pub as_of: Option<NaiveDate>,
    /// Case- and diacritic-insensitive search in code, name and short name (`so y te`).
    #[validate(length(min = 1, max = 100))]
    #[param(min_length = 1, max_length = 100)]
    pub q: Option<String>,
    /// Exact code.
    #[validate(length(max = 32))]
    #[param(max_length = 32)]
    pub code: Option<String>,
}

impl From<OrganizationQuery> for registry::OrgFilter {
    fn from(q: OrganizationQuery) -> Self {
        registry::OrgFilter {
            kind: q.kind,
            parent_id: q.parent_id,
            units: q.units,
            active: q.active,
            as_of: q.as_of,
            q: q.q,
            code: q.code,
        }
    }
}

/// Register an organisation.
///
/// Only the provincial board may call it: a person with the `admin` role
/// (`admin_required` otherwise). A unit (sở, ban, ngành) or, with `parentId`, a
/// sub-unit of a unit (`parent_not_a_unit` otherwise). The code is unique and
/// stored upper-case (`code_taken`). Only units can be bloc members (B5).
#[utoipa::path(
    operation_id = "createOrganization",
    tag = "organizations",
    request_body = CreateOrganizationBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried POST return the first response")),
    responses(
        (status = 201, body = OrganizationView, description = "Created"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`malformed_json`, `body_not_an_object`, `malformed_body`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`code_taken`, `parent_not_a_unit`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `unknown_organization`, `invalid_dates` (validTo before validFrom)"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/organizations")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Principal,
    body: ValidatedJson<CreateOrganizationBody>,
) -> Result<Created<OrganizationView>, AppError> {
    let org = registry::create_org(&state.db, &caller, body.into_inner().into()).await?;
    Ok(Created::versioned(
        format!("/api/v1/organizations/{}", org.id),
        org.into(),
    ))
}

/// List organisations, ordered by code.
///
/// `q` finds names whatever their case and diacritics: `so y te` finds "Sở Y tế".
///
/// `Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`
/// or `?format=xlsx`: the same page as an Excel workbook, one row per organisation,
/// one typed column per field (docs/documents.md, "Exports").
#[utoipa::path(
    operation_id = "listOrganizations",
    tag = "organizations",
    params(OrganizationQuery, PageParams, ExportParams),
    responses(
        (status = 200, headers(("Link" = String, description = "`<…?…&cursor=…>; rel=\"next\"`: the next page (this request with `cursor` replaced); absent on the last page")), description = "One page", content((Page<OrganizationView> = "application/json"), (XlsxFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`, `invalid_cursor`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/organizations")]
pub async fn list(
    reads: ReadDb,
    req: HttpRequest,
    _caller: Principal,
    q: ExportListQuery<OrganizationQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.0;
    let page: Page<OrganizationView> = registry::list_orgs(&reads, q.filter.into(), q.page)
        .await?
        .into();
    export::page_or_xlsx(&req, q.format, "organizations.xlsx", page, |items| {
        export::lists::list("Tổ chức", export::lists::ORGANIZATIONS, items)
    })
}

/// Get an organisation.
///
/// A unit or sub-unit with its validity dates and successor, and its `ETag`.
/// Any signed-in caller (a person with any role, or a service client with the
/// `read` scope) may call it.
#[utoipa::path(
    operation_id = "getOrganization",
    tag = "organizations",
    params(("id" = Uuid, Path, description = "Organisation id")),
    responses(
        (status = 200, body = OrganizationView, description = "The organisation; `ETag` set"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/organizations/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    _caller: Principal,
    id: web::Path<OrganizationId>,
) -> Result<Tagged<OrganizationView>, AppError> {
    Ok(Tagged(registry::get_org(&state.db, *id).await?.into()))
}

/// Change an organisation.
///
/// Only the provincial board may call it: a person with the `admin` role
/// (`admin_required` otherwise). Send `If-Match` with the ETag you read (412
/// when it changed meanwhile). A rename with a new identity is a retirement
/// with a successor, not a change.
#[utoipa::path(
    operation_id = "updateOrganization",
    tag = "organizations",
    request_body = UpdateOrganizationBody,
    params(
        ("id" = Uuid, Path, description = "Organisation id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read"),
    ),
    responses(
        (status = 200, body = OrganizationView, description = "Changed"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`parent_not_a_unit`, `member_not_a_unit` (a term member made a sub-unit)"),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "`version_conflict`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `unknown_organization`, `invalid_parent` (its own parent), `invalid_dates`"),
    ),
    security(("bearer" = []))
)]
#[patch("/api/v1/organizations/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<OrganizationId>,
    if_match: IfMatch,
    body: ValidatedJson<UpdateOrganizationBody>,
) -> Result<Tagged<OrganizationView>, AppError> {
    let cmd = body.into_inner().into();
    Ok(Tagged(
        registry::update_org(&state.db, &caller, *id, if_match.0, cmd)
            .await?
            .into(),
    ))
}

/// Retire an organisation.
///
/// Only the provincial board may call it: a person with the `admin` role
/// (`admin_required` otherwise). It stays readable for the dates it was valid;
/// a rename or merge names its successor (`supersededById`), valid from the
/// next day. Nothing is ever deleted.
#[utoipa::path(
    operation_id = "retireOrganization",
    tag = "organizations",
    request_body = RetireOrganizationBody,
    params(
        ("id" = Uuid, Path, description = "Organisation id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read"),
    ),
    responses(
        (status = 200, body = OrganizationView, description = "Retired"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`already_retired`"),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "`version_conflict`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`invalid_dates`, `invalid_successor`, `unknown_organization`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/organizations/{id}/retire")]
pub async fn retire(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<OrganizationId>,
    if_match: IfMatch,
    body: ValidatedJson<RetireOrganizationBody>,
) -> Result<Tagged<OrganizationView>, AppError> {
    let cmd = body.into_inner().into();
    Ok(Tagged(
        registry::retire_org(&state.db, &caller, *id, if_match.0, cmd)
            .await?
            .into(),
    ))
}
