//! `/api/v1/organizations`: units and sub-units, with their history.

use actix_web::{get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::extract::{IfMatch, ValidatedJson, ValidatedQuery, double_option};
use super::respond::{Created, Page, Tagged, Versioned};
use crate::AppState;
use crate::auth::Principal;
use crate::db::organizations::{OrgFilter, OrgRow};
use crate::domain::paging::PageRequest;
use crate::error::{AppError, Problem};
use crate::service::registry;

/// What kind of body an organisation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    Department,
    Committee,
    Broadcaster,
    NationalPark,
    Board,
    Division,
    Other,
}

impl OrgKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Department => "department",
            OrgKind::Committee => "committee",
            OrgKind::Broadcaster => "broadcaster",
            OrgKind::NationalPark => "national_park",
            OrgKind::Board => "board",
            OrgKind::Division => "division",
            OrgKind::Other => "other",
        }
    }
    fn parse(s: &str) -> OrgKind {
        serde_json::from_value(serde_json::Value::String(s.into())).unwrap_or(OrgKind::Other)
    }
}

pub static CODE_RE: std::sync::LazyLock<regex::Regex> =
    std::sync::LazyLock::new(|| regex::Regex::new("^[A-Za-z0-9_-]{2,32}$").expect("valid regex"));

/// A unit (đơn vị: sở, ban, ngành) or a sub-unit (phòng, đơn vị trực thuộc).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationView {
    pub id: Uuid,
    #[schema(example = "SYT")]
    pub code: String,
    #[schema(example = "Sở Y tế")]
    pub name: String,
    pub short_name: Option<String>,
    pub kind: OrgKind,
    /// The unit a sub-unit belongs to; `null` for a unit.
    pub parent_id: Option<Uuid>,
    /// `true` for a unit (no parent): only units can be bloc members.
    pub is_unit: bool,
    pub valid_from: Option<NaiveDate>,
    /// Last day it existed under this identity.
    pub valid_to: Option<NaiveDate>,
    /// Renamed to / merged into this organisation…
    pub superseded_by_id: Option<Uuid>,
    /// …on this date.
    pub superseded_on: Option<NaiveDate>,
    /// Valid today.
    pub active: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<OrgRow> for OrganizationView {
    fn from(o: OrgRow) -> Self {
        let today = Utc::now().date_naive();
        OrganizationView {
            active: o.valid_from.is_none_or(|f| f <= today)
                && o.valid_to.is_none_or(|t| t >= today),
            id: o.id,
            code: o.code,
            name: o.name,
            short_name: o.short_name,
            kind: OrgKind::parse(&o.kind),
            is_unit: o.parent_id.is_none(),
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
#[schema(example = json!({"code": "SYT", "name": "Sở Y tế", "shortName": "SYT", "kind": "department"}))]
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
    pub parent_id: Option<Uuid>,
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
    pub parent_id: Option<Option<Uuid>>,
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
    pub superseded_by_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct OrganizationQuery {
    pub kind: Option<OrgKind>,
    pub parent_id: Option<Uuid>,
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
    #[validate(range(min = 1, max = 200))]
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Register an organisation (admin).
#[utoipa::path(
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
    let b = body.into_inner();
    let org = registry::create_org(
        &state.db,
        &caller,
        registry::CreateOrg {
            code: b.code,
            name: b.name,
            short_name: b.short_name,
            kind: b.kind.as_str().into(),
            parent_id: b.parent_id,
            valid_from: b.valid_from,
            valid_to: b.valid_to,
        },
    )
    .await?;
    Ok(Created::versioned(
        format!("/api/v1/organizations/{}", org.id),
        org.into(),
    ))
}

/// List organisations, ordered by code.
///
/// `q` finds names whatever their case and diacritics: `so y te` finds "Sở Y tế".
#[utoipa::path(
    tag = "organizations",
    params(OrganizationQuery),
    responses(
        (status = 200, body = Page<OrganizationView>, description = "One page"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`, `invalid_cursor`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/organizations")]
pub async fn list(
    state: web::Data<AppState>,
    _caller: Principal,
    q: ValidatedQuery<OrganizationQuery>,
) -> Result<web::Json<Page<OrganizationView>>, AppError> {
    let q = q.0;
    let page = PageRequest::new(q.limit, q.cursor.as_deref())?;
    let today = Utc::now().date_naive();
    let filter = OrgFilter {
        kind: q.kind.map(|k| k.as_str().to_string()),
        parent_id: q.parent_id,
        units: q.units,
        valid_on: q.as_of.or(if q.active == Some(true) {
            Some(today)
        } else {
            None
        }),
        invalid_on: if q.active == Some(false) {
            Some(today)
        } else {
            None
        },
        q: q.q,
        code: q.code.map(|c| c.to_uppercase()),
        ..Default::default()
    };
    let (rows, next) = registry::list_orgs(&state.db, filter, page).await?;
    Ok(web::Json(Page {
        items: rows.into_iter().map(Into::into).collect(),
        next_cursor: next,
    }))
}

/// Get an organisation.
#[utoipa::path(
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
    id: web::Path<Uuid>,
) -> Result<Tagged<OrganizationView>, AppError> {
    Ok(Tagged(registry::get_org(&state.db, *id).await?.into()))
}

/// Change an organisation (admin; `If-Match`).
#[utoipa::path(
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
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`parent_not_a_unit`"),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "`version_conflict`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `unknown_organization`, `invalid_parent` (its own parent), `invalid_dates`"),
    ),
    security(("bearer" = []))
)]
#[patch("/api/v1/organizations/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidatedJson<UpdateOrganizationBody>,
) -> Result<Tagged<OrganizationView>, AppError> {
    let b = body.into_inner();
    let cmd = registry::UpdateOrg {
        name: b.name,
        short_name: b.short_name,
        kind: b.kind.map(|k| k.as_str().to_string()),
        parent_id: b.parent_id,
        valid_from: b.valid_from,
    };
    Ok(Tagged(
        registry::update_org(&state.db, &caller, *id, if_match.0, cmd)
            .await?
            .into(),
    ))
}

/// Retire an organisation (admin): it stays readable for the dates it was
/// valid; a rename or merge names its successor. Nothing is ever deleted.
#[utoipa::path(
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
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidatedJson<RetireOrganizationBody>,
) -> Result<Tagged<OrganizationView>, AppError> {
    let b = body.into_inner();
    let cmd = registry::RetireOrg {
        valid_to: b.valid_to,
        superseded_by_id: b.superseded_by_id,
    };
    Ok(Tagged(
        registry::retire_org(&state.db, &caller, *id, if_match.0, cmd)
            .await?
            .into(),
    ))
}
