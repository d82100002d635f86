//! C0: the versioned rule sets (`/api/v1/rule-sets`).

use actix_web::{get, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::AppState;
use crate::api::extract::{IfMatch, ValidatedJson};
use crate::api::respond::{Created, Page, Tagged, Versioned};
use crate::auth::Principal;
use crate::domain::titles::{RuleParams, RuleSetScope};
use crate::error::{AppError, Problem};
use crate::service::titles as svc;

/// C0: one version of the legal parameters.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id": "00000000-0000-7000-8000-000000002017", "code": "vn-2017", "version": 1, "scope": "national", "name": "Quy định theo Nghị định 91/2017/NĐ-CP", "legalBasis": "Luật Thi đua, Khen thưởng 2003 (sửa đổi 2013); Nghị định 91/2017/NĐ-CP", "effectiveFrom": "2000-01-01", "effectiveTo": "2023-12-31", "params": {"ldttMinMonths": 10, "ldttMaxAbsentDays": 40, "cstdcsCapPercent": null, "cstdTinhConsecutiveYears": 3, "cstdToanQuocConsecutive": 2, "cstdToanQuocMaxGapYears": 3, "ttldttMinSharePercent": 50, "ttldttShareStrict": true, "ttldxsMinSharePercent": 70, "ttldxsRequiresCstdcs": true, "ttldxsCapPercent": null, "flagMaxPerBloc": 1, "bangKhenTinhConsecutiveYears": 2, "bangKhenTinhInitiatives": 2, "bangKhenTtgYears": 5, "bangKhenTtgCstdcs": 3}, "usedAt": null, "revision": 1, "createdAt": "2021-04-01T02:00:00Z", "updatedAt": "2021-04-01T02:00:00Z"}))]
pub struct RuleSetView {
    pub id: Uuid,
    #[schema(example = "vn-2024")]
    pub code: String,
    /// The version of this code (a new version is a new rule set).
    pub version: i32,
    /// `national` or `province` (a provincial override wins where both are in force).
    pub scope: RuleSetScope,
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

impl From<svc::RuleSet> for RuleSetView {
    fn from(r: svc::RuleSet) -> Self {
        RuleSetView {
            params: r.params,
            id: r.id,
            code: r.code,
            version: r.version,
            scope: r.scope,
            name: r.name,
            legal_basis: r.legal_basis,
            effective_from: r.effective_from,
            effective_to: r.effective_to,
            used_at: r.used_at,
            revision: r.revision,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
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
#[schema(example = json!({"name": "Quy định theo Nghị định 91/2017/NĐ-CP", "legalBasis": "Luật Thi đua, Khen thưởng 2003 (sửa đổi 2013); Nghị định 91/2017/NĐ-CP", "effectiveFrom": "2000-01-01", "effectiveTo": "2023-12-31", "params": {"ldttMinMonths": 10, "ldttMaxAbsentDays": 40, "cstdcsCapPercent": null, "cstdTinhConsecutiveYears": 3, "cstdToanQuocConsecutive": 2, "cstdToanQuocMaxGapYears": 3, "ttldttMinSharePercent": 50, "ttldttShareStrict": true, "ttldxsMinSharePercent": 70, "ttldxsRequiresCstdcs": true, "ttldxsCapPercent": null, "flagMaxPerBloc": 1, "bangKhenTinhConsecutiveYears": 2, "bangKhenTinhInitiatives": 2, "bangKhenTtgYears": 5, "bangKhenTtgCstdcs": 3}}))]
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

/// Every rule set, oldest first.
///
/// The versioned parameters of the commendation rules (C0), one page. The one
/// applied to emulation year Y is the one in force on 31 December of Y. Any
/// signed-in caller (a person with any role, or a service client with the
/// `read` scope) may call it.
#[utoipa::path(
    operation_id = "listRuleSets",
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
) -> Result<Page<RuleSetView>, AppError> {
    let sets = svc::rule_sets(&state.db).await?;
    Ok(Page::complete(
        sets.into_iter().map(RuleSetView::from).collect(),
    ))
}

/// Get one rule set.
///
/// Its parameters, validity dates and legal basis, and whether a decision has
/// used it. Any signed-in caller (a person with any role, or a service client
/// with the `read` scope) may call it.
#[utoipa::path(
    operation_id = "getRuleSet",
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
    Ok(Tagged(svc::rule_set(&state.db, *id).await?.into()))
}

/// Add a rule set.
///
/// Only the provincial board may call it: a person with the `admin` role
/// (`admin_required` otherwise). A new code, a provincial override, or the next
/// version of a code (C0), with its legal basis, validity dates and parameters
/// (`invalid_rule_set`).
#[utoipa::path(
    operation_id = "createRuleSet",
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
    let cmd = svc::NewRuleSet {
        code: b.code,
        scope: b.scope,
        input: svc::RuleSetInput {
            name: b.name,
            legal_basis: b.legal_basis,
            effective_from: b.effective_from,
            effective_to: b.effective_to,
            params: b.params,
        },
    };
    let set = svc::create_rule_set(&state.db, &caller, cmd).await?;
    Ok(Created::versioned(
        format!("/api/v1/rule-sets/{}", set.id),
        set.into(),
    ))
}

/// Edit an unused rule set.
///
/// Only the provincial board may call it: a person with the `admin` role
/// (`admin_required` otherwise). Send `If-Match`. Once a decision has used it
/// the set is fixed (C0: `rule_set_in_use`): make a new version instead.
#[utoipa::path(
    operation_id = "updateRuleSet",
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
    let input = svc::RuleSetInput {
        name: b.name,
        legal_basis: b.legal_basis,
        effective_from: b.effective_from,
        effective_to: b.effective_to,
        params: b.params,
    };
    let set = svc::update_rule_set(&state.db, &caller, *id, if_match.0, input).await?;
    Ok(Tagged(set.into()))
}
