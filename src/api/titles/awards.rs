//! The catalogue of titles and forms, the award history and revocation (C14).

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::AppState;
use crate::api::export::{self, ExportParams, XlsxFile};
use crate::api::extract::{ExportListQuery, NoFilter, PageParams, ValidatedJson};
use crate::api::reads::ReadDb;
use crate::api::respond::Page;
use crate::auth::Principal;
use crate::domain::titles::{AwardStatus, AwardType, StoredAnswer, SubjectRef};
use crate::error::{AppError, Problem};
use crate::service::titles as svc;

/// A title or form of the catalogue.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"code": "ldtt", "kind": "title", "subjectKind": "person", "level": "grassroots", "nameVi": "Lao động tiên tiến", "nameEn": "Advanced Worker", "legalBasis": "Luật TĐKT 2022 Điều 24; Nghị định 98/2023/NĐ-CP"}))]
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

impl From<svc::AwardTypeEntry> for AwardTypeView {
    fn from(e: svc::AwardTypeEntry) -> Self {
        AwardTypeView {
            code: e.code,
            kind: e.kind,
            subject_kind: e.subject_kind,
            level: e.level,
            name_vi: e.name_vi,
            name_en: e.name_en,
            legal_basis: e.legal_basis,
        }
    }
}

/// The catalogue of titles and forms, in the law's order.
///
/// Every emulation title and form of commendation the rules know (one page):
/// its code, kind (title or form), level, the subject it is given to (a person
/// or a collective) and its legal basis. The codes are what eligibility checks,
/// proposals and decisions name. Any signed-in caller (a person with any role,
/// or a service client with the `read` scope) may call it.
#[utoipa::path(
    operation_id = "listAwardTypes",
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
) -> Result<Page<AwardTypeView>, AppError> {
    let entries = svc::award_types(&state.db).await?;
    Ok(Page::complete(
        entries.into_iter().map(AwardTypeView::from).collect(),
    ))
}

/// An award in the history.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id": "01792249-4ee1-7a6a-b280-e19bc7dc6be2", "awardType": "cstdcs", "personId": "0179377a-5e73-7f06-a2f6-42a1f8cf07a7", "organizationId": null, "year": 2021, "decisionId": "01795d02-5c0a-7c62-80a0-93127b23f631", "status": "active", "overridden": false, "eligibility": {"eligible": false, "ruleSet": {"id": "00000000-0000-7000-8000-000000002017", "code": "vn-2017", "version": 1}, "checks": [{"rule": "C2", "passed": true, "vi": "Hoàn thành xuất sắc nhiệm vụ năm 2021", "en": "Completed the year's duties with distinction", "figures": {"rating": "excellent"}}], "redacted": false}, "revokedAt": null, "revokeReason": null, "createdAt": "2021-04-01T02:00:00Z"}))]
pub struct AwardView {
    pub id: Uuid,
    pub award_type: AwardType,
    pub person_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub year: i32,
    pub decision_id: Uuid,
    /// `active` or `revoked` (a revoked award never counts again, C14).
    pub status: AwardStatus,
    /// Awarded although a rule failed, by the admin's override.
    pub overridden: bool,
    pub eligibility: StoredAnswer,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoke_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<svc::Award> for AwardView {
    fn from(a: svc::Award) -> Self {
        AwardView {
            id: a.id,
            award_type: a.award_type,
            person_id: a.person_id,
            organization_id: a.organization_id,
            year: a.year,
            decision_id: a.decision_id,
            status: a.status,
            overridden: a.overridden,
            eligibility: a.eligibility,
            revoked_at: a.revoked_at,
            revoke_reason: a.revoke_reason,
            created_at: a.created_at,
        }
    }
}

/// An award in a subject's history, with its decision.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"award": {"id": "01792249-4ee1-7a6a-b280-e19bc7dc6be2", "awardType": "cstdcs", "personId": "0179377a-5e73-7f06-a2f6-42a1f8cf07a7", "organizationId": null, "year": 2021, "decisionId": "01795d02-5c0a-7c62-80a0-93127b23f631", "status": "active", "overridden": false, "eligibility": {"eligible": false, "ruleSet": {"id": "00000000-0000-7000-8000-000000002017", "code": "vn-2017", "version": 1}, "checks": [{"rule": "C2", "passed": true, "vi": "Hoàn thành xuất sắc nhiệm vụ năm 2021", "en": "Completed the year's duties with distinction", "figures": {"rating": "excellent"}}], "redacted": false}, "revokedAt": null, "revokeReason": null, "createdAt": "2021-04-01T02:00:00Z"}, "decisionNumber": "123/QĐ-UBND", "decidedOn": "2022-01-20", "issuingBody": "UBND tỉnh Vĩnh Phúc"}))]
pub struct HistoryEntry {
    pub award: AwardView,
    pub decision_number: String,
    pub decided_on: NaiveDate,
    pub issuing_body: String,
}

impl From<svc::HistoryEntry> for HistoryEntry {
    fn from(e: svc::HistoryEntry) -> Self {
        HistoryEntry {
            award: e.award.into(),
            decision_number: e.decision_number,
            decided_on: e.decided_on,
            issuing_body: e.issuing_body,
        }
    }
}

/// A person's award history, newest first (revoked awards included and marked).
///
/// Each stored eligibility answer shows its checks and figures only to the
/// admin and to the subject's own unit; anyone else gets the outcome
/// (`eligible`, `ruleSet`) with `checks` empty and `redacted: true` (C2 data,
/// docs/titles.md).
///
/// `Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`
/// or `?format=xlsx`: the same page as an Excel workbook, one row per award (C2 redaction as in the JSON),
/// one typed column per field (docs/documents.md, "Exports").
#[utoipa::path(
    operation_id = "listPersonAwards",
    tag = "titles",
    params(("id" = Uuid, Path, description = "Person id"), PageParams, ExportParams),
    responses(
        (status = 200, headers(("Link" = String, description = "`<…?…&cursor=…>; rel=\"next\"`: the next page (this request with `cursor` replaced); absent on the last page")), description = "One page", content((Page<HistoryEntry> = "application/json"), (XlsxFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`, `invalid_cursor`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/people/{id}/awards")]
pub async fn person_awards(
    reads: ReadDb,
    req: HttpRequest,
    caller: Principal,
    id: web::Path<Uuid>,
    q: ExportListQuery<NoFilter>,
) -> Result<HttpResponse, AppError> {
    let q = q.0;
    let subject = SubjectRef::Person(*id);
    let page: Page<HistoryEntry> = svc::history(&reads, &caller, subject, q.page).await?.into();
    export::page_or_xlsx(&req, q.format, "awards-person.xlsx", page, |items| {
        export::lists::list("Khen thưởng", export::lists::AWARDS, items)
    })
}

/// An organisation's award history, newest first.
///
/// Each stored eligibility answer shows its checks and figures only to the
/// admin and to the subject's own unit; anyone else gets the outcome
/// (`eligible`, `ruleSet`) with `checks` empty and `redacted: true` (C2 data,
/// docs/titles.md).
///
/// `Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`
/// or `?format=xlsx`: the same page as an Excel workbook, one row per award (C2 redaction as in the JSON),
/// one typed column per field (docs/documents.md, "Exports").
#[utoipa::path(
    operation_id = "listOrganizationAwards",
    tag = "titles",
    params(("id" = Uuid, Path, description = "Organisation id"), PageParams, ExportParams),
    responses(
        (status = 200, headers(("Link" = String, description = "`<…?…&cursor=…>; rel=\"next\"`: the next page (this request with `cursor` replaced); absent on the last page")), description = "One page", content((Page<HistoryEntry> = "application/json"), (XlsxFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`, `invalid_cursor`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/organizations/{id}/awards")]
pub async fn organization_awards(
    reads: ReadDb,
    req: HttpRequest,
    caller: Principal,
    id: web::Path<Uuid>,
    q: ExportListQuery<NoFilter>,
) -> Result<HttpResponse, AppError> {
    let q = q.0;
    let subject = SubjectRef::Organization(*id);
    let page: Page<HistoryEntry> = svc::history(&reads, &caller, subject, q.page).await?.into();
    export::page_or_xlsx(&req, q.format, "awards-organization.xlsx", page, |items| {
        export::lists::list("Khen thưởng", export::lists::AWARDS, items)
    })
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

/// Revoke an award with a reason.
///
/// Only the provincial board may call it: a person with the `admin` role
/// (`admin_required` otherwise). The award stays in the history, marked revoked
/// with the reason and the time, and the change is audited; it no longer counts
/// for any later rule (C14), e.g. consecutive years for a higher title. A
/// second revocation is `award_revoked`.
#[utoipa::path(
    operation_id = "revokeAward",
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
