//! Eligibility checks (C1–C14): one subject, or a whole unit at once.

use actix_web::{post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::subject_of;
use crate::AppState;
use crate::api::extract::ValidatedJson;
use crate::auth::Principal;
use crate::domain::titles::{AwardType, Check};
use crate::error::{AppError, Problem};
use crate::service::titles as svc;

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
#[schema(example = json!({"personId": "0179377a-5e73-7f06-a2f6-42a1f8cf07a7", "organizationId": "0179e854-ddb4-7cd4-b294-6d9fc894ad9f", "awardType": "cstdcs", "year": 2021, "ruleSet": {"id": "00000000-0000-7000-8000-000000002017", "code": "vn-2017", "version": 1}, "eligible": true, "checks": [{"rule": "C2", "passed": true, "vi": "Hoàn thành xuất sắc nhiệm vụ năm 2021", "en": "Completed the year's duties with distinction", "figures": {"rating": "excellent"}}]}))]
pub struct EligibilityView {
    pub person_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub award_type: AwardType,
    pub year: i32,
    pub rule_set: RuleSetRef,
    pub eligible: bool,
    pub checks: Vec<Check>,
}

impl From<svc::RuleSetRef> for RuleSetRef {
    fn from(r: svc::RuleSetRef) -> Self {
        RuleSetRef {
            id: r.id,
            code: r.code,
            version: r.version,
        }
    }
}

impl From<svc::Eligibility> for EligibilityView {
    fn from(e: svc::Eligibility) -> Self {
        EligibilityView {
            person_id: e.subject.person(),
            organization_id: e.subject.organization(),
            award_type: e.award,
            year: e.year,
            rule_set: e.rule_set.into(),
            eligible: e.answer.eligible,
            checks: e.answer.checks,
        }
    }
}

/// Check one subject's eligibility for a title or form.
///
/// Is this person or collective eligible for this title or form in this year?
/// Reads the yearly facts, the award history (revoked awards never count, C14)
/// and the bloc's leading units (C9, C10) under the rule set in force for the
/// year (C0), and answers each rule checked (C1–C14) with its figures. Nothing
/// is stored. Any signed-in caller (a person with any role, or a service client
/// with the `read` scope) may call it.
#[utoipa::path(
    operation_id = "checkEligibility",
    tag = "titles",
    request_body = CheckBody,
    responses(
        (status = 200, body = EligibilityView, description = "The answer, eligible or not"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_your_organization` (a unit's user checking another unit's person or collective)"),
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
    pub award_type: AwardType,
    pub checked: i64,
    pub eligible: i64,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"organizationId": "0179e854-ddb4-7cd4-b294-6d9fc894ad9f", "year": 2021, "summary": [{"awardType": "ldtt", "checked": 1, "eligible": 1}], "results": [{"personId": "0179377a-5e73-7f06-a2f6-42a1f8cf07a7", "organizationId": "0179e854-ddb4-7cd4-b294-6d9fc894ad9f", "awardType": "cstdcs", "year": 2021, "ruleSet": {"id": "00000000-0000-7000-8000-000000002017", "code": "vn-2017", "version": 1}, "eligible": true, "checks": [{"rule": "C2", "passed": true, "vi": "Hoàn thành xuất sắc nhiệm vụ năm 2021", "en": "Completed the year's duties with distinction", "figures": {"rating": "excellent"}}]}]}))]
pub struct BatchView {
    pub organization_id: Uuid,
    pub year: i32,
    pub summary: Vec<BatchSummary>,
    pub results: Vec<EligibilityView>,
}

/// Check a whole unit's eligibility at once.
///
/// Every active member of staff for each person title, and the unit and its
/// sub-units for each collective title, under the rule set in force for the
/// year (C0–C14). A fixed number of queries whatever the unit's size; nothing
/// is stored. Any signed-in caller (a person with any role, or a service client
/// with the `read` scope) may call it.
#[utoipa::path(
    operation_id = "checkEligibilityBatch",
    tag = "titles",
    request_body = BatchCheckBody,
    responses(
        (status = 200, body = BatchView, description = "Every answer, and counts per title"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_your_organization` (a unit's user checking another unit)"),
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
    let (org, year) = (b.organization_id, b.year);
    let batch =
        svc::check_unit(&state.db, &caller, org, year, &b.award_types, b.rule_set_id).await?;
    Ok(web::Json(batch.into()))
}

impl From<svc::Batch> for BatchView {
    fn from(b: svc::Batch) -> Self {
        BatchView {
            organization_id: b.organization_id,
            year: b.year,
            summary: b
                .summary
                .into_iter()
                .map(|s| BatchSummary {
                    award_type: s.award,
                    checked: s.checked,
                    eligible: s.eligible,
                })
                .collect(),
            results: b.results.into_iter().map(Into::into).collect(),
        }
    }
}
