//! Titles and commendations (TITLES.md C0–C14): `/api/v1/award-types`,
//! `/rule-sets`, yearly facts, `/registrations`, `/eligibility-checks`,
//! `/proposals`, `/decisions` and the award history.

use actix_web::{get, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::{Validate, ValidationError};

use super::extract::{IfMatch, ValidatedJson, ValidatedQuery};
use super::respond::{Created, Page, Tagged, Versioned};
use crate::AppState;
use crate::auth::Principal;
use crate::db::titles::{AwardRow, DecisionRow, RegistrationRow, RuleSetRow};
use crate::domain::paging::PageRequest;
use crate::domain::titles::{AwardType, Check, RuleParams};
use crate::error::{AppError, ErrorCode, FieldError, Problem};
use crate::service::titles::{self as svc, SubjectRef};

// ---------------------------------------------------------------- catalogue

/// A title or form of the catalogue.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AwardTypeView {
    #[schema(example = "ldtt")]
    pub code: String,
    /// `title` (danh hiệu thi đua) or `form` (hình thức khen thưởng).
    pub kind: String,
    /// `person` or `collective`.
    pub subject_kind: String,
    /// `grassroots`, `provincial`, `ministerial` or `national`.
    pub level: String,
    #[schema(example = "Lao động tiên tiến")]
    pub name_vi: String,
    #[schema(example = "Advanced Worker")]
    pub name_en: String,
    /// The article of the law it comes from.
    pub legal_basis: String,
}

/// The catalogue of titles and forms, in the law's order (one page).
#[utoipa::path(
    tag = "titles",
    responses(
        (status = 200, body = Page<AwardTypeView>, description = "The whole catalogue"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/award-types")]
pub async fn award_types(
    state: web::Data<AppState>,
    _caller: Principal,
) -> Result<web::Json<Page<AwardTypeView>>, AppError> {
    let rows = svc::award_types(&state.db).await?;
    Ok(web::Json(Page {
        items: rows
            .into_iter()
            .map(|r| AwardTypeView {
                code: r.code,
                kind: r.kind,
                subject_kind: r.subject_kind,
                level: r.level,
                name_vi: r.name_vi,
                name_en: r.name_en,
                legal_basis: r.legal_basis,
            })
            .collect(),
        next_cursor: None,
    }))
}

// ---------------------------------------------------------------- rule sets

/// C0: one version of the legal parameters.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RuleSetView {
    pub id: Uuid,
    #[schema(example = "vn-2024")]
    pub code: String,
    /// The version of this code (a new version is a new rule set).
    pub version: i32,
    /// `national` or `province` (a provincial override wins where both are in force).
    pub scope: String,
    pub name: String,
    pub legal_basis: String,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    pub params: RuleParams,
    /// Set by the first decision made under it; from then on it never changes.
    pub used_at: Option<DateTime<Utc>>,
    /// Edit revision, sent as the `ETag`.
    pub revision: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Versioned for RuleSetView {
    // The ETag follows edits (`revision`); `version` numbers the code's versions.
    #[allow(clippy::misnamed_getters)]
    fn version(&self) -> i32 {
        self.revision
    }
}

impl TryFrom<RuleSetRow> for RuleSetView {
    type Error = AppError;
    fn try_from(r: RuleSetRow) -> Result<Self, AppError> {
        Ok(RuleSetView {
            params: svc::params_of(&r)?,
            id: r.id,
            code: r.code,
            version: r.version,
            scope: r.scope,
            name: r.name,
            legal_basis: r.legal_basis,
            effective_from: r.effective_from,
            effective_to: r.effective_to,
            used_at: r.used_at,
            revision: r.row_version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RuleSetScope {
    National,
    Province,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"code": "vinh-phuc-2026", "scope": "province", "name": "Quy định riêng của tỉnh",
    "legalBasis": "Quyết định của UBND tỉnh", "effectiveFrom": "2026-01-01",
    "params": {"ldttMinMonths": 10, "ldttMaxAbsentDays": 40, "cstdcsCapPercent": 15, "cstdTinhConsecutiveYears": 3,
        "cstdToanQuocConsecutive": 2, "cstdToanQuocMaxGapYears": 3, "ttldttMinSharePercent": 70, "ttldttShareStrict": false,
        "ttldxsMinSharePercent": 70, "ttldxsRequiresCstdcs": false, "ttldxsCapPercent": null, "flagMaxPerBloc": 1,
        "bangKhenTinhConsecutiveYears": 2, "bangKhenTinhInitiatives": 2, "bangKhenTtgYears": 5, "bangKhenTtgCstdcs": 3}}))]
pub struct CreateRuleSetBody {
    /// A new code, or an existing one to make its next version.
    #[validate(regex(path = *RULE_SET_CODE))]
    #[schema(pattern = "^[a-z0-9][a-z0-9_-]{1,47}$")]
    pub code: String,
    pub scope: RuleSetScope,
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
        length(min = 1, max = 2000),
        custom(function = "crate::api::checks::block")
    )]
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]*[^\\s\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069][^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]*$"
    )]
    pub legal_basis: String,
    #[validate(custom(function = "crate::api::checks::date"))]
    #[schema(pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-")]
    pub effective_from: NaiveDate,
    #[validate(custom(function = "crate::api::checks::date"))]
    #[schema(pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-")]
    pub effective_to: Option<NaiveDate>,
    pub params: RuleParams,
}

static RULE_SET_CODE: std::sync::LazyLock<regex::Regex> =
    std::sync::LazyLock::new(|| regex::Regex::new("^[a-z0-9][a-z0-9_-]{1,47}$").expect("regex"));

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UpdateRuleSetBody {
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
        length(min = 1, max = 2000),
        custom(function = "crate::api::checks::block")
    )]
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]*[^\\s\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069][^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]*$"
    )]
    pub legal_basis: String,
    #[validate(custom(function = "crate::api::checks::date"))]
    #[schema(pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-")]
    pub effective_from: NaiveDate,
    #[validate(custom(function = "crate::api::checks::date"))]
    #[schema(pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-")]
    pub effective_to: Option<NaiveDate>,
    pub params: RuleParams,
}

/// Every rule set, oldest first (one page). The one applied to emulation
/// year Y is the one in force on 31 December of Y.
#[utoipa::path(
    tag = "titles",
    responses(
        (status = 200, body = Page<RuleSetView>, description = "All rule sets"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/rule-sets")]
pub async fn rule_sets(
    state: web::Data<AppState>,
    _caller: Principal,
) -> Result<web::Json<Page<RuleSetView>>, AppError> {
    let rows = svc::rule_sets(&state.db).await?;
    Ok(web::Json(Page {
        items: rows
            .into_iter()
            .map(RuleSetView::try_from)
            .collect::<Result<_, _>>()?,
        next_cursor: None,
    }))
}

/// One rule set.
#[utoipa::path(
    tag = "titles",
    params(("id" = Uuid, Path, description = "Rule set id")),
    responses(
        (status = 200, body = RuleSetView, description = "The rule set; `ETag` set"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/rule-sets/{id}")]
pub async fn rule_set(
    state: web::Data<AppState>,
    _caller: Principal,
    id: web::Path<Uuid>,
) -> Result<Tagged<RuleSetView>, AppError> {
    Ok(Tagged(svc::rule_set(&state.db, *id).await?.try_into()?))
}

/// Add a rule set, a provincial override, or the next version of a code (admin; C0).
#[utoipa::path(
    tag = "titles",
    request_body = CreateRuleSetBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried POST return the first response")),
    responses(
        (status = 201, body = RuleSetView, description = "Created"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `invalid_rule_set` (C0)"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/rule-sets")]
pub async fn create_rule_set(
    state: web::Data<AppState>,
    caller: Principal,
    body: ValidatedJson<CreateRuleSetBody>,
) -> Result<Created<RuleSetView>, AppError> {
    let b = body.into_inner();
    let scope = match b.scope {
        RuleSetScope::National => "national",
        RuleSetScope::Province => "province",
    };
    let row = svc::create_rule_set(
        &state.db,
        &caller,
        b.code,
        scope.into(),
        svc::RuleSetInput {
            name: b.name,
            legal_basis: b.legal_basis,
            effective_from: b.effective_from,
            effective_to: b.effective_to,
            params: b.params,
        },
    )
    .await?;
    Ok(Created::versioned(
        format!("/api/v1/rule-sets/{}", row.id),
        row.try_into()?,
    ))
}

/// Edit a rule set no decision has used yet (admin, `If-Match`; C0).
#[utoipa::path(
    tag = "titles",
    request_body = UpdateRuleSetBody,
    params(
        ("id" = Uuid, Path, description = "Rule set id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the revision you read"),
    ),
    responses(
        (status = 200, body = RuleSetView, description = "Changed"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`rule_set_in_use` (C0: make a new version)"),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "`version_conflict`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `invalid_rule_set` (C0)"),
    ),
    security(("bearer" = []))
)]
#[put("/api/v1/rule-sets/{id}")]
pub async fn update_rule_set(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidatedJson<UpdateRuleSetBody>,
) -> Result<Tagged<RuleSetView>, AppError> {
    let b = body.into_inner();
    let row = svc::update_rule_set(
        &state.db,
        &caller,
        *id,
        if_match.0,
        svc::RuleSetInput {
            name: b.name,
            legal_basis: b.legal_basis,
            effective_from: b.effective_from,
            effective_to: b.effective_to,
            params: b.params,
        },
    )
    .await?;
    Ok(Tagged(row.try_into()?))
}

// ---------------------------------------------------------------- yearly facts

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RatingCode {
    Htxs,
    Htt,
    Ht,
    Kht,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DisciplineCode {
    None,
    KhienTrach,
    CanhCao,
    Higher,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InitiativeLevel {
    Grassroots,
    Provincial,
    National,
}

fn enum_code<T: Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct InitiativeBody {
    #[validate(
        length(min = 1, max = 500),
        custom(function = "crate::api::checks::line")
    )]
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff][^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*$"
    )]
    pub title: String,
    /// Recognised at this level (a higher level satisfies a lower requirement).
    pub level: InitiativeLevel,
}

/// A person's facts for the year.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PersonFactsBody {
    pub person_id: Uuid,
    /// Xếp loại: `htxs` excellent, `htt` good, `ht` completed, `kht` not completed.
    pub rating: RatingCode,
    /// Registered for emulation (đăng ký thi đua) this year.
    pub registered: bool,
    #[validate(range(min = 0, max = 12))]
    #[schema(minimum = 0, maximum = 12)]
    pub months_employed: i32,
    /// Working days absent, maternity leave excluded.
    #[validate(range(min = 0, max = 366))]
    #[schema(minimum = 0, maximum = 366)]
    pub absent_days: i32,
    /// Discipline that fell in the year.
    pub discipline: DisciplineCode,
    /// Required with a discipline: the last day it is in force (C2).
    #[validate(custom(function = "crate::api::checks::date"))]
    #[schema(pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-")]
    pub discipline_until: Option<NaiveDate>,
    /// Under investigation or complaint review (C2).
    #[serde(default)]
    pub under_investigation: bool,
    /// The year's recognised initiatives (replaces those recorded).
    #[serde(default)]
    #[validate(length(max = 50), nested)]
    #[schema(max_items = 50)]
    pub initiatives: Vec<InitiativeBody>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"people": [{"personId": "0193a5f0-7c1e-7b3a-9c1d-2f0e4b5a6c7d", "rating": "htxs",
    "registered": true, "monthsEmployed": 12, "absentDays": 0, "discipline": "none",
    "initiatives": [{"title": "Số hóa hồ sơ khen thưởng", "level": "grassroots"}]}]}))]
pub struct YearFactsBody {
    /// All rows are checked first; one bad row refuses the whole request and every row error is listed.
    #[validate(length(min = 1, max = 5000), nested)]
    #[schema(min_items = 1, max_items = 5000)]
    pub people: Vec<PersonFactsBody>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FactsView {
    pub rating: String,
    pub registered: bool,
    pub months_employed: i32,
    pub absent_days: i32,
    pub discipline: String,
    pub discipline_until: Option<NaiveDate>,
    pub under_investigation: bool,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersonFactsView {
    pub person_id: Uuid,
    pub full_name: String,
    pub organization_id: Uuid,
    /// `null` until entered.
    pub facts: Option<FactsView>,
    pub initiatives: Vec<InitiativeBody>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct YearFactsView {
    pub organization_id: Uuid,
    pub year: i32,
    /// Active staff of the organisation and its sub-units.
    pub people: Vec<PersonFactsView>,
}

fn year_facts_view(org: Uuid, year: i32, rows: Vec<svc::PersonFacts>) -> YearFactsView {
    YearFactsView {
        organization_id: org,
        year,
        people: rows
            .into_iter()
            .map(|p| PersonFactsView {
                person_id: p.person_id,
                full_name: p.full_name,
                organization_id: p.organization_id,
                facts: p.facts.map(|f| FactsView {
                    rating: f.rating,
                    registered: f.registered,
                    months_employed: f.months_employed,
                    absent_days: f.absent_days,
                    discipline: f.discipline,
                    discipline_until: f.discipline_until,
                    under_investigation: f.under_investigation,
                    version: f.version,
                    updated_at: f.updated_at,
                }),
                initiatives: p
                    .initiatives
                    .into_iter()
                    .map(|i| InitiativeBody {
                        title: i.title,
                        level: match i.level.as_str() {
                            "national" => InitiativeLevel::National,
                            "provincial" => InitiativeLevel::Provincial,
                            _ => InitiativeLevel::Grassroots,
                        },
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// Enter a unit's year for its staff in one request (the unit's officers,
/// or the admin): all or nothing, every row error listed. Rows replace that
/// person's facts and initiatives for the year; staff not listed are untouched.
#[utoipa::path(
    tag = "titles",
    request_body = YearFactsBody,
    params(
        ("id" = Uuid, Path, description = "Organisation (unit or sub-unit) id"),
        ("year" = i32, Path, description = "Emulation year", example = 2021, minimum = 2000, maximum = 2100),
    ),
    responses(
        (status = 200, body = YearFactsView, description = "The organisation's year as stored"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_your_organization`, `read_only`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `invalid_facts` (every row error: `people[3].disciplineUntil`, `not_staff`, `duplicate`), `unknown_organization`"),
    ),
    security(("bearer" = []))
)]
#[put("/api/v1/organizations/{id}/facts/{year}")]
pub async fn put_facts(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, i32)>,
    body: ValidatedJson<YearFactsBody>,
) -> Result<web::Json<YearFactsView>, AppError> {
    let (org, year) = path.into_inner();
    check_year(year)?;
    let rows = body
        .into_inner()
        .people
        .into_iter()
        .map(|p| svc::FactsInput {
            person_id: p.person_id,
            rating: enum_code(p.rating),
            registered: p.registered,
            months_employed: p.months_employed,
            absent_days: p.absent_days,
            discipline: enum_code(p.discipline),
            discipline_until: p.discipline_until,
            under_investigation: p.under_investigation,
            initiatives: p
                .initiatives
                .into_iter()
                .map(|i| svc::InitiativeInput {
                    title: i.title,
                    level: enum_code(i.level),
                })
                .collect(),
        })
        .collect();
    let out = svc::put_year_facts(&state.db, &caller, org, year, rows).await?;
    Ok(web::Json(year_facts_view(org, year, out)))
}

/// A unit's year: every active staff member with the facts entered.
#[utoipa::path(
    tag = "titles",
    params(
        ("id" = Uuid, Path, description = "Organisation (unit or sub-unit) id"),
        ("year" = i32, Path, description = "Emulation year", example = 2021, minimum = 2000, maximum = 2100),
    ),
    responses(
        (status = 200, body = YearFactsView, description = "The organisation's year"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed` (year out of range)"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/organizations/{id}/facts/{year}")]
pub async fn get_facts(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, i32)>,
) -> Result<web::Json<YearFactsView>, AppError> {
    let (org, year) = path.into_inner();
    check_year(year)?;
    let out = svc::year_facts(&state.db, &caller, org, year).await?;
    Ok(web::Json(year_facts_view(org, year, out)))
}

fn check_year(year: i32) -> Result<(), AppError> {
    if (2000..=2100).contains(&year) {
        Ok(())
    } else {
        Err(AppError::validation(vec![FieldError {
            field: "year".into(),
            code: "range".into(),
            message: "2000..2100".into(),
        }]))
    }
}

// ---------------------------------------------------------------- registrations

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
pub struct RegistrationView {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub year: i32,
    pub titles: Vec<String>,
    /// `[{"organizationId", "titles"}]`
    #[schema(value_type = Vec<Object>)]
    pub sub_units: serde_json::Value,
    /// Person title code → number of staff aiming at it.
    #[schema(value_type = Object)]
    pub staff: serde_json::Value,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Versioned for RegistrationView {
    fn version(&self) -> i32 {
        self.version
    }
}

impl From<RegistrationRow> for RegistrationView {
    fn from(r: RegistrationRow) -> Self {
        RegistrationView {
            id: r.id,
            organization_id: r.organization_id,
            year: r.year,
            titles: r.titles,
            sub_units: r.sub_units,
            staff: r.staff,
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

/// Register a unit for the year (its leader or officers, or the admin),
/// before the term's registration deadline (the admin also after it).
#[utoipa::path(
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
    let row = svc::create_registration(
        &state.db,
        &caller,
        b.organization_id,
        b.year,
        registration_input(b.titles, b.sub_units, b.staff),
    )
    .await?;
    Ok(Created::versioned(
        format!("/api/v1/registrations/{}", row.id),
        row.into(),
    ))
}

/// Change a registration (`If-Match`), before the deadline.
#[utoipa::path(
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
    let row = svc::update_registration(
        &state.db,
        &caller,
        *id,
        if_match.0,
        registration_input(b.titles, b.sub_units, b.staff),
    )
    .await?;
    Ok(Tagged(row.into()))
}

/// One registration.
#[utoipa::path(
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
    #[validate(range(min = 1, max = 200))]
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Registrations, keyset-paginated.
#[utoipa::path(
    tag = "titles",
    params(YearOrgQuery),
    responses(
        (status = 200, body = Page<RegistrationView>, description = "One page"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`, `invalid_cursor`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/registrations")]
pub async fn registrations(
    state: web::Data<AppState>,
    _caller: Principal,
    q: ValidatedQuery<YearOrgQuery>,
) -> Result<web::Json<Page<RegistrationView>>, AppError> {
    let q = q.0;
    let page = PageRequest::new(q.limit, q.cursor.as_deref())?;
    let (rows, next) = svc::registrations(&state.db, q.year, q.organization_id, page).await?;
    Ok(web::Json(Page {
        items: rows.into_iter().map(Into::into).collect(),
        next_cursor: next,
    }))
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

/// Set the term's registration deadline (the head unit or the admin).
#[utoipa::path(
    tag = "blocs",
    request_body = DeadlineBody,
    params(
        ("id" = Uuid, Path, description = "Bloc id"),
        ("year" = i32, Path, description = "Emulation year", example = 2021),
    ),
    responses(
        (status = 200, body = crate::api::blocs::TermView, description = "Set"),
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
) -> Result<Tagged<crate::api::blocs::TermView>, AppError> {
    let (bloc_id, year) = path.into_inner();
    svc::set_registration_deadline(
        &state.db,
        &caller,
        bloc_id,
        year,
        body.into_inner().registration_deadline,
    )
    .await?;
    Ok(Tagged(
        crate::service::registry::get_term(&state.db, bloc_id, year)
            .await?
            .into(),
    ))
}

// ---------------------------------------------------------------- eligibility

fn one_subject(person: Option<Uuid>, org: Option<Uuid>) -> Result<SubjectRef, ValidationError> {
    match (person, org) {
        (Some(p), None) => Ok(SubjectRef::Person(p)),
        (None, Some(o)) => Ok(SubjectRef::Organization(o)),
        _ => Err(ValidationError::new("one_subject")
            .with_message("exactly one of personId and organizationId".into())),
    }
}

fn subject_of(
    person: Option<Uuid>,
    org: Option<Uuid>,
    field: &str,
) -> Result<SubjectRef, AppError> {
    one_subject(person, org).map_err(|_| {
        AppError::new(ErrorCode::InvalidSubject).with_errors(vec![FieldError {
            field: field.into(),
            code: "one_subject".into(),
            message: "exactly one of personId and organizationId".into(),
        }])
    })
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"personId": "0193a5f0-7c1e-7b3a-9c1d-2f0e4b5a6c7d", "awardType": "cstdcs", "year": 2021}))]
pub struct CheckBody {
    /// A person (exactly one of `personId`, `organizationId`).
    pub person_id: Option<Uuid>,
    /// A collective: a unit or sub-unit.
    pub organization_id: Option<Uuid>,
    pub award_type: AwardType,
    #[validate(range(min = 2000, max = 2100))]
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: i32,
    /// Check under this rule set instead of the one in force for the year.
    pub rule_set_id: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RuleSetRef {
    pub id: Uuid,
    pub code: String,
    pub version: i32,
}

/// The engine's answer: every rule checked, passed or not, with its reason
/// in Vietnamese and English and the figures behind it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EligibilityView {
    pub person_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub award_type: String,
    pub year: i32,
    pub rule_set: RuleSetRef,
    pub eligible: bool,
    pub checks: Vec<Check>,
}

impl From<svc::Eligibility> for EligibilityView {
    fn from(e: svc::Eligibility) -> Self {
        EligibilityView {
            person_id: e.subject.person(),
            organization_id: e.subject.organization(),
            award_type: e.award.code().to_string(),
            year: e.year,
            rule_set: RuleSetRef {
                id: e.rule_set.id,
                code: e.rule_set.code,
                version: e.rule_set.version,
            },
            eligible: e.answer.eligible,
            checks: e.answer.checks,
        }
    }
}

/// Is this subject eligible for this title or form in this year? Reads the
/// yearly facts, the award history (revoked awards never count, C14) and the
/// bloc's leading units (C9, C10) under the rule set in force for the year.
#[utoipa::path(
    tag = "titles",
    request_body = CheckBody,
    responses(
        (status = 200, body = EligibilityView, description = "The answer, eligible or not"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`no_rule_set` (C0)"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `invalid_subject` (exactly one of personId, organizationId), `subject_kind_mismatch`, `unknown_person`, `unknown_organization`, `unknown_rule_set`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/eligibility-checks")]
pub async fn check(
    state: web::Data<AppState>,
    caller: Principal,
    body: ValidatedJson<CheckBody>,
) -> Result<web::Json<EligibilityView>, AppError> {
    let b = body.into_inner();
    let subject = subject_of(b.person_id, b.organization_id, "personId")?;
    let e = svc::check(
        &state.db,
        &caller,
        subject,
        b.award_type,
        b.year,
        b.rule_set_id,
    )
    .await?;
    Ok(web::Json(e.into()))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"organizationId": "0193a5f0-7c1e-7b3a-9c1d-2f0e4b5a6c7d", "year": 2021, "awardTypes": ["ldtt", "cstdcs", "ttldtt"]}))]
pub struct BatchCheckBody {
    /// The unit: its staff and sub-units are checked too.
    pub organization_id: Uuid,
    #[validate(range(min = 2000, max = 2100))]
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: i32,
    #[validate(length(min = 1, max = 12))]
    #[schema(min_items = 1, max_items = 12)]
    pub award_types: Vec<AwardType>,
    pub rule_set_id: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BatchSummary {
    pub award_type: String,
    pub checked: i64,
    pub eligible: i64,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BatchView {
    pub organization_id: Uuid,
    pub year: i32,
    pub summary: Vec<BatchSummary>,
    pub results: Vec<EligibilityView>,
}

/// Check a whole unit at once: every active staff member for each person
/// title, the unit and its sub-units for each collective title. A fixed
/// number of queries whatever the unit's size.
#[utoipa::path(
    tag = "titles",
    request_body = BatchCheckBody,
    responses(
        (status = 200, body = BatchView, description = "Every answer, and counts per title"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`no_rule_set` (C0)"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `unknown_rule_set`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/eligibility-checks/batch")]
pub async fn check_batch(
    state: web::Data<AppState>,
    caller: Principal,
    body: ValidatedJson<BatchCheckBody>,
) -> Result<web::Json<BatchView>, AppError> {
    let b = body.into_inner();
    let awards = b.award_types;
    let results = svc::check_unit(
        &state.db,
        &caller,
        b.organization_id,
        b.year,
        &awards,
        b.rule_set_id,
    )
    .await?;
    let mut summary: Vec<BatchSummary> = Vec::new();
    for a in &awards {
        if summary.iter().any(|s| s.award_type == a.code()) {
            continue;
        }
        let of: Vec<&svc::Eligibility> = results.iter().filter(|e| e.award == *a).collect();
        summary.push(BatchSummary {
            award_type: a.code().to_string(),
            checked: of.len() as i64,
            eligible: of.iter().filter(|e| e.answer.eligible).count() as i64,
        });
    }
    Ok(web::Json(BatchView {
        organization_id: b.organization_id,
        year: b.year,
        summary,
        results: results.into_iter().map(Into::into).collect(),
    }))
}

// ---------------------------------------------------------------- proposals

#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AwardItemBody {
    pub award_type: AwardType,
    /// A person (exactly one of `personId`, `organizationId`).
    pub person_id: Option<Uuid>,
    /// A collective.
    pub organization_id: Option<Uuid>,
}

fn items_input(items: Vec<AwardItemBody>, field: &str) -> Result<Vec<svc::ItemInput>, AppError> {
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

/// The answer a proposal item (or an award) was made with.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StoredAnswer {
    pub eligible: bool,
    #[schema(value_type = Object)]
    pub rule_set: serde_json::Value,
    /// Every rule checked with its figures; empty when `redacted`.
    pub checks: Vec<Check>,
    /// `true` when the caller may not read the subject's C2 data (only the
    /// admin and the subject's own unit do): the outcome without the checks.
    #[serde(default)]
    pub redacted: bool,
}

fn stored(v: serde_json::Value) -> StoredAnswer {
    serde_json::from_value(v).unwrap_or(StoredAnswer {
        eligible: false,
        rule_set: serde_json::Value::Null,
        checks: Vec::new(),
        redacted: false,
    })
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProposalItemView {
    pub id: Uuid,
    pub award_type: String,
    pub person_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub eligible: bool,
    pub eligibility: StoredAnswer,
}

/// A proposal: `draft → submitted → returned (with reason) → submitted …
/// → approved | rejected`, and `approved → decided` by a decision.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProposalView {
    pub id: Uuid,
    /// `null`: proposed by the provincial board.
    pub organization_id: Option<Uuid>,
    pub year: i32,
    pub title: String,
    #[schema(example = "draft")]
    pub status: String,
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

impl From<svc::Proposal> for ProposalView {
    fn from(p: svc::Proposal) -> Self {
        ProposalView {
            id: p.row.id,
            organization_id: p.row.organization_id,
            year: p.row.year,
            title: p.row.title,
            status: p.row.status,
            return_reason: p.row.return_reason,
            council_note: p.row.council_note,
            council_on: p.row.council_on,
            items: p
                .items
                .into_iter()
                .map(|i| ProposalItemView {
                    id: i.id,
                    award_type: i.award_type,
                    person_id: i.person_id,
                    organization_id: i.organization_id,
                    eligible: i.eligible,
                    eligibility: stored(i.eligibility),
                })
                .collect(),
            version: p.row.version,
            created_at: p.row.created_at,
            updated_at: p.row.updated_at,
        }
    }
}

/// Propose awards (a unit for its own staff, sub-units and itself; the
/// board, as admin, for anyone). Each item carries the eligibility answer
/// it was made with.
#[utoipa::path(
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
    let items = items_input(b.items, "items")?;
    let p = svc::create_proposal(
        &state.db,
        &caller,
        b.organization_id,
        b.year,
        b.title,
        items,
    )
    .await?;
    Ok(Created::versioned(
        format!("/api/v1/proposals/{}", p.row.id),
        p.into(),
    ))
}

/// Replace a draft or returned proposal's title and items (`If-Match`).
#[utoipa::path(
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

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    Draft,
    Submitted,
    Returned,
    Approved,
    Rejected,
    Decided,
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
    #[validate(range(min = 1, max = 200))]
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Proposals, keyset-paginated.
///
/// Each stored eligibility answer shows its checks and figures only to the
/// admin and to the subject's own unit; anyone else gets the outcome
/// (`eligible`, `ruleSet`) with `checks` empty and `redacted: true` (C2 data,
/// docs/titles.md).
#[utoipa::path(
    tag = "titles",
    params(ProposalQuery),
    responses(
        (status = 200, body = Page<ProposalView>, description = "One page"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`, `invalid_cursor`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/proposals")]
pub async fn proposals(
    state: web::Data<AppState>,
    caller: Principal,
    q: ValidatedQuery<ProposalQuery>,
) -> Result<web::Json<Page<ProposalView>>, AppError> {
    let q = q.0;
    let page = PageRequest::new(q.limit, q.cursor.as_deref())?;
    let status = q.status.map(enum_code);
    let (rows, next) =
        svc::proposals(&state.db, &caller, q.year, q.organization_id, status, page).await?;
    Ok(web::Json(Page {
        items: rows.into_iter().map(Into::into).collect(),
        next_cursor: next,
    }))
}

/// Submit a draft or returned proposal (the proposer). Every item is
/// re-checked: any failed rule refuses it with the rules listed, and the
/// quotas (C4, C8 caps) are checked over the proposer's whole list.
#[utoipa::path(
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
    Ok(Tagged(
        svc::proposal_action(&state.db, &caller, *id, if_match.0, "submit", None, None)
            .await?
            .into(),
    ))
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

/// Return a submitted proposal to the proposer with a reason (admin).
#[utoipa::path(
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
    Ok(Tagged(
        svc::proposal_action(
            &state.db,
            &caller,
            *id,
            if_match.0,
            "return",
            Some(body.into_inner().reason),
            None,
        )
        .await?
        .into(),
    ))
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CouncilOutcome {
    Approved,
    Rejected,
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

/// Record the emulation council's outcome on a submitted proposal (admin).
#[utoipa::path(
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
    let action = match b.outcome {
        CouncilOutcome::Approved => "approve",
        CouncilOutcome::Rejected => "reject",
    };
    Ok(Tagged(
        svc::proposal_action(
            &state.db,
            &caller,
            *id,
            if_match.0,
            action,
            Some(b.note),
            b.meeting_date,
        )
        .await?
        .into(),
    ))
}

// ---------------------------------------------------------------- decisions and awards

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

/// An award in the history.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AwardView {
    pub id: Uuid,
    pub award_type: String,
    pub person_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub year: i32,
    pub decision_id: Uuid,
    /// `active` or `revoked` (a revoked award never counts again, C14).
    pub status: String,
    /// Awarded although a rule failed, by the admin's override.
    pub overridden: bool,
    pub eligibility: StoredAnswer,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoke_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<AwardRow> for AwardView {
    fn from(a: AwardRow) -> Self {
        AwardView {
            id: a.id,
            award_type: a.award_type,
            person_id: a.person_id,
            organization_id: a.organization_id,
            year: a.year,
            decision_id: a.decision_id,
            status: a.status,
            overridden: a.overridden,
            eligibility: stored(a.eligibility),
            revoked_at: a.revoked_at,
            revoke_reason: a.revoke_reason,
            created_at: a.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
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

fn decision_view(d: DecisionRow, awards: Vec<AwardRow>) -> DecisionView {
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
        awards: awards.into_iter().map(Into::into).collect(),
        created_at: d.created_at,
    }
}

/// Record a decision (admin): awards an approved proposal (or a part of
/// it) or a list, re-checking every rule under the rule set in force for
/// the year. A failed rule refuses it unless `overrideReason` is given
/// (audited); C1 (one award per achievement) is never overridden.
#[utoipa::path(
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
    let awards = items_input(b.awards, "awards")?;
    let d = svc::decide(
        &state.db,
        &caller,
        svc::DecisionInput {
            number: b.number,
            decided_on: b.decided_on,
            signer: b.signer,
            issuing_body: b.issuing_body,
            year: b.year,
            proposal_id: b.proposal_id,
            awards,
            override_reason: b.override_reason,
        },
    )
    .await?;
    Ok(Created::at(
        format!("/api/v1/decisions/{}", d.row.id),
        decision_view(d.row, d.awards),
    ))
}

/// One decision with its awards.
///
/// Each stored eligibility answer shows its checks and figures only to the
/// admin and to the subject's own unit; anyone else gets the outcome
/// (`eligible`, `ruleSet`) with `checks` empty and `redacted: true` (C2 data,
/// docs/titles.md).
#[utoipa::path(
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
    let d = svc::decision(&state.db, &caller, *id).await?;
    Ok(web::Json(decision_view(d.row, d.awards)))
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct DecisionQuery {
    #[validate(range(min = 2000, max = 2100))]
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
    #[validate(range(min = 1, max = 200))]
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Decisions, keyset-paginated (without their awards: get one for those).
#[utoipa::path(
    tag = "titles",
    params(DecisionQuery),
    responses(
        (status = 200, body = Page<DecisionView>, description = "One page; `awards` is empty here"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`, `invalid_cursor`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/decisions")]
pub async fn decisions(
    state: web::Data<AppState>,
    _caller: Principal,
    q: ValidatedQuery<DecisionQuery>,
) -> Result<web::Json<Page<DecisionView>>, AppError> {
    let q = q.0;
    let page = PageRequest::new(q.limit, q.cursor.as_deref())?;
    let (rows, next) = svc::decisions(&state.db, q.year, page).await?;
    Ok(web::Json(Page {
        items: rows
            .into_iter()
            .map(|d| decision_view(d, Vec::new()))
            .collect(),
        next_cursor: next,
    }))
}

/// An award in a subject's history, with its decision.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    pub award: AwardView,
    pub decision_number: String,
    pub decided_on: NaiveDate,
    pub issuing_body: String,
}

fn history_page(rows: Vec<(AwardRow, DecisionRow)>) -> Page<HistoryEntry> {
    Page {
        items: rows
            .into_iter()
            .map(|(a, d)| HistoryEntry {
                award: a.into(),
                decision_number: d.number,
                decided_on: d.decided_on,
                issuing_body: d.issuing_body,
            })
            .collect(),
        next_cursor: None,
    }
}

/// A person's award history, newest first (revoked awards included and marked).
///
/// Each stored eligibility answer shows its checks and figures only to the
/// admin and to the subject's own unit; anyone else gets the outcome
/// (`eligible`, `ruleSet`) with `checks` empty and `redacted: true` (C2 data,
/// docs/titles.md).
#[utoipa::path(
    tag = "titles",
    params(("id" = Uuid, Path, description = "Person id")),
    responses(
        (status = 200, body = Page<HistoryEntry>, description = "The whole history"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/people/{id}/awards")]
pub async fn person_awards(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<Page<HistoryEntry>>, AppError> {
    Ok(web::Json(history_page(
        svc::history(&state.db, &caller, SubjectRef::Person(*id)).await?,
    )))
}

/// An organisation's award history, newest first.
///
/// Each stored eligibility answer shows its checks and figures only to the
/// admin and to the subject's own unit; anyone else gets the outcome
/// (`eligible`, `ruleSet`) with `checks` empty and `redacted: true` (C2 data,
/// docs/titles.md).
#[utoipa::path(
    tag = "titles",
    params(("id" = Uuid, Path, description = "Organisation id")),
    responses(
        (status = 200, body = Page<HistoryEntry>, description = "The whole history"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/organizations/{id}/awards")]
pub async fn organization_awards(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<Page<HistoryEntry>>, AppError> {
    Ok(web::Json(history_page(
        svc::history(&state.db, &caller, SubjectRef::Organization(*id)).await?,
    )))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"reason": "Quyết định thu hồi số 45/QĐ-UBND: khai man thành tích"}))]
pub struct RevokeBody {
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

/// Revoke an award with a reason (admin, audited): it no longer counts for
/// any later rule (C14).
#[utoipa::path(
    tag = "titles",
    request_body = RevokeBody,
    params(("id" = Uuid, Path, description = "Award id")),
    responses(
        (status = 200, body = AwardView, description = "Revoked"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`award_revoked` (C14)"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/awards/{id}/revocation")]
pub async fn revoke(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: ValidatedJson<RevokeBody>,
) -> Result<web::Json<AwardView>, AppError> {
    let a = svc::revoke(&state.db, &caller, *id, body.into_inner().reason).await?;
    Ok(web::Json(a.into()))
}
