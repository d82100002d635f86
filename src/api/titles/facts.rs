//! The yearly facts a unit enters for its staff (`/organizations/{id}/facts/{year}`).

use actix_web::{get, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::AppState;
use crate::api::extract::ValidatedJson;
use crate::auth::Principal;
use crate::domain::titles::{Discipline, Level, Rating};
use crate::error::{AppError, FieldError, Problem};
use crate::service::titles as svc;

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
    pub level: Level,
}

/// A person's facts for the year.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PersonFactsBody {
    pub person_id: Uuid,
    /// Xếp loại: `htxs` excellent, `htt` good, `ht` completed, `kht` not completed.
    pub rating: Rating,
    /// Registered for emulation (đăng ký thi đua) this year.
    pub registered: bool,
    /// Months employed in the year; left out, the rules derive it from the
    /// person's employments (whole calendar months employed).
    #[validate(range(min = 0, max = 12))]
    #[schema(minimum = 0, maximum = 12)]
    pub months_employed: Option<i32>,
    /// Working days absent, maternity leave excluded.
    #[validate(range(min = 0, max = 366))]
    #[schema(minimum = 0, maximum = 366)]
    pub absent_days: i32,
    /// Discipline that fell in the year.
    pub discipline: Discipline,
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

/// A person's row, read back under the names it is written with
/// (`PersonFactsBody`): the facts are `null` until entered (`version` too).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersonFactsView {
    pub person_id: Uuid,
    pub full_name: String,
    pub organization_id: Uuid,
    pub rating: Option<Rating>,
    pub registered: Option<bool>,
    pub months_employed: Option<i32>,
    pub absent_days: Option<i32>,
    pub discipline: Option<Discipline>,
    pub discipline_until: Option<NaiveDate>,
    pub under_investigation: Option<bool>,
    /// The row's version; `null` until entered.
    pub version: Option<i32>,
    pub updated_at: Option<DateTime<Utc>>,
    pub initiatives: Vec<InitiativeBody>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"organizationId": "0179e854-ddb4-7cd4-b294-6d9fc894ad9f", "year": 2021, "people": [{"personId": "0179377a-5e73-7f06-a2f6-42a1f8cf07a7", "fullName": "Hoàng Minh Ái", "organizationId": "0179e854-ddb4-7cd4-b294-6d9fc894ad9f", "rating": "kht", "registered": false, "monthsEmployed": 1, "absentDays": 1, "discipline": "none", "disciplineUntil": "2021-04-01", "underInvestigation": false, "version": 1, "updatedAt": "2021-04-01T02:00:00Z", "initiatives": [{"title": "Ứng dụng công nghệ thông tin trong quản lý, điều hành", "level": "grassroots"}]}]}))]
pub struct YearFactsView {
    pub organization_id: Uuid,
    pub year: i32,
    /// Active staff of the organisation and its sub-units.
    pub people: Vec<PersonFactsView>,
}

impl From<svc::InitiativeInput> for InitiativeBody {
    fn from(i: svc::InitiativeInput) -> Self {
        InitiativeBody {
            title: i.title,
            level: i.level,
        }
    }
}

impl From<InitiativeBody> for svc::InitiativeInput {
    fn from(i: InitiativeBody) -> Self {
        svc::InitiativeInput {
            title: i.title,
            level: i.level,
        }
    }
}

impl From<svc::PersonFacts> for PersonFactsView {
    fn from(p: svc::PersonFacts) -> Self {
        let f = p.facts;
        PersonFactsView {
            person_id: p.person_id,
            full_name: p.full_name,
            organization_id: p.organization_id,
            rating: f.as_ref().map(|f| f.rating),
            registered: f.as_ref().map(|f| f.registered),
            months_employed: f.as_ref().and_then(|f| f.months_employed),
            absent_days: f.as_ref().map(|f| f.absent_days),
            discipline: f.as_ref().map(|f| f.discipline),
            discipline_until: f.as_ref().and_then(|f| f.discipline_until),
            under_investigation: f.as_ref().map(|f| f.under_investigation),
            version: f.as_ref().map(|f| f.version),
            updated_at: f.as_ref().map(|f| f.updated_at),
            initiatives: p
                .initiatives
                .into_iter()
                .map(InitiativeBody::from)
                .collect(),
        }
    }
}

impl From<svc::YearFacts> for YearFactsView {
    fn from(y: svc::YearFacts) -> Self {
        YearFactsView {
            organization_id: y.organization_id,
            year: y.year,
            people: y.people.into_iter().map(PersonFactsView::from).collect(),
        }
    }
}

impl From<PersonFactsBody> for svc::FactsInput {
    fn from(p: PersonFactsBody) -> Self {
        svc::FactsInput {
            person_id: p.person_id,
            rating: p.rating,
            registered: p.registered,
            months_employed: p.months_employed,
            absent_days: p.absent_days,
            discipline: p.discipline,
            discipline_until: p.discipline_until,
            under_investigation: p.under_investigation,
            initiatives: p.initiatives.into_iter().map(Into::into).collect(),
        }
    }
}

/// Enter a unit's yearly facts.
///
/// The unit's leader or officers, or the admin (`not_your_organization`,
/// `read_only`). All or nothing, every row error listed
/// (`people[3].disciplineUntil`, `not_staff`, `duplicate`). Rows replace that
/// person's facts and initiatives for the year; staff not listed are untouched.
#[utoipa::path(
    operation_id = "putFacts",
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
        .map(Into::into)
        .collect();
    let out = svc::put_year_facts(&state.db, &caller, org, year, rows).await?;
    Ok(web::Json(out.into()))
}

/// A unit's yearly facts.
///
/// Every active member of staff with the facts entered for the year (months
/// employed, days absent, discipline, initiatives): what the eligibility rules
/// read. Any signed-in caller (a person with any role, or a service client with
/// the `read` scope) may call it.
#[utoipa::path(
    operation_id = "getFacts",
    tag = "titles",
    params(
        ("id" = Uuid, Path, description = "Organisation (unit or sub-unit) id"),
        ("year" = i32, Path, description = "Emulation year", example = 2021, minimum = 2000, maximum = 2100),
    ),
    responses(
        (status = 200, body = YearFactsView, description = "The organisation's year"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_your_organization` (another unit's year)"),
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
    Ok(web::Json(out.into()))
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
