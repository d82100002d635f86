//! T3–T5: progress reports and their history.

use actix_web::{get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use crate::AppState;
use crate::api::extract::{ListQuery, PageParams, typed_body};
use crate::api::reads::ReadDb;
use crate::api::respond::{Created, Page};
use crate::auth::Principal;
use crate::domain::ids::PledgeId;
use crate::domain::pledge::ReportValues;
use crate::error::{AppError, Problem};
use crate::service::pledges::{self as svc, Report};

/// One report line.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReportLine {
    pub target_id: Uuid,
    /// Percentage targets: how many achieved…
    #[validate(range(min = 0))]
    #[schema(minimum = 0)]
    pub numerator: Option<i64>,
    /// …out of how many (> 0).
    #[validate(range(min = 1))]
    #[schema(minimum = 1)]
    pub denominator: Option<i64>,
    /// Count targets.
    #[validate(range(min = 0))]
    #[schema(minimum = 0)]
    pub count: Option<i64>,
    /// Boolean targets.
    pub done: Option<bool>,
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub note: Option<String>,
    /// Links to evidence (`http:` or `https:` URLs).
    #[serde(default)]
    #[validate(length(max = 20), custom(function = "crate::api::checks::web_urls"))]
    #[schema(max_items = 20, value_type = Vec<crate::api::checks::WebUrl>)]
    pub evidence: Vec<String>,
}

/// Reports of one unit for one period: one line, or a batch (all-or-nothing).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"period": "Q2", "reports": [{"targetId": "0193a5f0-7c1e-7b3a-9c1d-2f0e4b5a6c7d", "numerator": 45, "denominator": 48, "note": "Sơ kết quý II"}]}))]
pub struct ReportBody {
    /// The unit reported on; the caller's own by default (the admin or the head unit names it).
    pub organization_id: Option<Uuid>,
    /// `M01..M12`, `Q1..Q4`, `H1`, `H2`, `Y`, optionally `2021-Q2`.
    #[validate(length(min = 1, max = 10))]
    #[schema(
        min_length = 1,
        max_length = 10,
        pattern = r"^([0-9]{4}-)?(M(0[1-9]|1[0-2])|Q[1-4]|H[12]|Y)$",
        example = "Q2"
    )]
    pub period: String,
    #[validate(length(min = 1, max = 100), nested)]
    #[schema(min_items = 1, max_items = 100)]
    pub reports: Vec<ReportLine>,
}

/// One report, without the batch wrapper: the line's fields next to `period`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"period": "Q2", "targetId": "0193a5f0-7c1e-7b3a-9c1d-2f0e4b5a6c7d", "numerator": 45, "denominator": 48, "note": "Sơ kết quý II"}))]
pub struct OneReportBody {
    /// The unit reported on; the caller's own by default (the admin or the head unit names it).
    pub organization_id: Option<Uuid>,
    /// `M01..M12`, `Q1..Q4`, `H1`, `H2`, `Y`, optionally `2021-Q2`.
    #[validate(length(min = 1, max = 10))]
    #[schema(
        min_length = 1,
        max_length = 10,
        pattern = r"^([0-9]{4}-)?(M(0[1-9]|1[0-2])|Q[1-4]|H[12]|Y)$",
        example = "Q2"
    )]
    pub period: String,
    pub target_id: Uuid,
    /// Percentage targets: how many achieved…
    #[validate(range(min = 0))]
    #[schema(minimum = 0)]
    pub numerator: Option<i64>,
    /// …out of how many (> 0).
    #[validate(range(min = 1))]
    #[schema(minimum = 1)]
    pub denominator: Option<i64>,
    /// Count targets.
    #[validate(range(min = 0))]
    #[schema(minimum = 0)]
    pub count: Option<i64>,
    /// Boolean targets.
    pub done: Option<bool>,
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub note: Option<String>,
    /// Links to evidence (`http:` or `https:` URLs).
    #[serde(default)]
    #[validate(length(max = 20), custom(function = "crate::api::checks::web_urls"))]
    #[schema(max_items = 20, value_type = Vec<crate::api::checks::WebUrl>)]
    pub evidence: Vec<String>,
}

/// One report (`targetId` at the top level) or a batch (`reports`), on the
/// same route; told apart by `targetId` (docs/contract.md, "One report or a batch").
#[derive(Debug, ToSchema)]
#[serde(untagged)]
pub enum ReportRequest {
    Batch(ReportBody),
    One(OneReportBody),
}

impl ReportRequest {
    fn into_command(self) -> svc::ReportCommand {
        let (organization_id, period, lines) = match self {
            ReportRequest::Batch(b) => (b.organization_id, b.period, b.reports),
            ReportRequest::One(o) => (
                o.organization_id,
                o.period,
                vec![ReportLine {
                    target_id: o.target_id,
                    numerator: o.numerator,
                    denominator: o.denominator,
                    count: o.count,
                    done: o.done,
                    note: o.note,
                    evidence: o.evidence,
                }],
            ),
        };
        svc::ReportCommand {
            organization_id,
            period,
            entries: lines
                .into_iter()
                .map(|l| svc::ReportEntry {
                    target_id: l.target_id,
                    values: ReportValues {
                        numerator: l.numerator,
                        denominator: l.denominator,
                        count: l.count,
                        done: l.done,
                    },
                    note: l.note,
                    evidence: l.evidence,
                })
                .collect(),
        }
    }
}

impl actix_web::FromRequest for ReportRequest {
    type Error = actix_web::Error;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(
        req: &actix_web::HttpRequest,
        payload: &mut actix_web::dev::Payload,
    ) -> Self::Future {
        let fut = web::Json::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move {
            let json = fut.await?.into_inner();
            // Each shape is read (and its problems listed with their paths)
            // against its own schema.
            let one = json.as_object().is_some_and(|o| o.contains_key("targetId"));
            Ok(if one {
                ReportRequest::One(typed_body(json)?)
            } else {
                ReportRequest::Batch(typed_body(json)?)
            })
        })
    }
}

/// A stored report.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id": "0179c72b-0c33-7415-9290-47d439cce4ce", "targetId": "01799674-4df3-7c6e-a32b-e6a6f7aaafac", "organizationId": "01797ed5-eb83-7e8e-ba1a-99bc19100a47", "period": "2021", "numerator": 9, "denominator": 9, "count": null, "done": null, "note": null, "evidence": [], "reportedAt": "2021-04-01T03:30:00Z", "reportedBy": "01799d57-3a15-7872-b3e7-aa7fb19f1e80", "onBehalf": false, "supersededAt": null}))]
pub struct ReportView {
    pub id: Uuid,
    pub target_id: Uuid,
    pub organization_id: Uuid,
    pub period: String,
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
    pub count: Option<i64>,
    pub done: Option<bool>,
    pub note: Option<String>,
    pub evidence: Vec<String>,
    pub reported_at: DateTime<Utc>,
    pub reported_by: Option<Uuid>,
    /// Made by the admin or the head unit for this unit.
    pub on_behalf: bool,
    /// Set when a newer report for the same target, unit and period replaced it (T5).
    pub superseded_at: Option<DateTime<Utc>>,
}

impl From<Report> for ReportView {
    fn from(r: Report) -> Self {
        ReportView {
            id: r.id,
            target_id: r.target_id,
            organization_id: r.organization_id,
            period: r.period,
            numerator: r.numerator,
            denominator: r.denominator,
            count: r.count,
            done: r.done,
            note: r.note,
            evidence: r.evidence,
            reported_at: r.reported_at,
            reported_by: r.reported_by,
            on_behalf: r.on_behalf,
            superseded_at: r.superseded_at,
        }
    }
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    pub organization_id: Option<Uuid>,
    pub target_id: Option<Uuid>,
    #[validate(length(max = 10))]
    #[param(max_length = 10)]
    pub period: Option<String>,
    /// Include superseded reports (the history, T5).
    pub history: Option<bool>,
}

/// Report progress for one unit and period: one line or a batch, all-or-nothing.
///
/// A member unit reports for itself (the admin or the head unit may report for
/// it, recorded as such), only while the pledge is in force, for a period of
/// the pledge year (T3), with whole non-negative values (T4), before the
/// term's cut-off (T8). A new report supersedes the last one for the same
/// target, unit and period; the history is kept (T5).
#[utoipa::path(
    tag = "pledges",
    operation_id = "submitProgressReports",
    request_body = ReportRequest,
    params(("id" = Uuid, Path, description = "Pledge id"), ("Idempotency-Key" = Option<String>, Header, description = "Makes a retried POST return the first response")),
    responses(
        (status = 201, body = Vec<ReportView>, description = "Stored"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`malformed_json`, `body_not_an_object`, `malformed_body`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_your_organization`, `read_only`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`pledge_not_in_force`, `period_outside_year`, `not_a_member` (T3), `reporting_closed` (T8)"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `invalid_period`, `unknown_target` (T3), `invalid_report_values` (T4), `duplicate_target`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/pledges/{id}/reports")]
pub async fn report(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<PledgeId>,
    body: ReportRequest,
) -> Result<Created<Vec<ReportView>>, AppError> {
    let cmd = body.into_command();
    let stored = svc::report(&state.db, &caller, *id, cmd).await?;
    Ok(Created::at(
        format!("/api/v1/pledges/{id}/reports"),
        stored.into_iter().map(Into::into).collect(),
    ))
}

/// List a pledge's progress reports.
///
/// The current report per unit, target and period, or with `history=true` every
/// report made, superseded ones marked (T3–T5). Any signed-in caller (a person
/// with any role, or a service client with the `read` scope) may call it.
#[utoipa::path(
    tag = "pledges",
    operation_id = "listProgressReports",
    params(("id" = Uuid, Path, description = "Pledge id"), ReportQuery, PageParams),
    responses(
        (status = 200, headers(("Link" = String, description = "`<…?…&cursor=…>; rel=\"next\"`: the next page (this request with `cursor` replaced); absent on the last page")), body = Page<ReportView>, description = "One page, in the order made"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`, `invalid_cursor`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/pledges/{id}/reports")]
pub async fn reports(
    reads: ReadDb,
    _caller: Principal,
    id: web::Path<PledgeId>,
    q: ListQuery<ReportQuery>,
) -> Result<Page<ReportView>, AppError> {
    let (q, page) = (q.filter, q.page);
    let filter = svc::ReportFilter {
        organization_id: q.organization_id,
        target_id: q.target_id,
        period: q.period,
        history: q.history.unwrap_or(false),
    };
    Ok(svc::reports(&reads, *id, filter, page).await?.into())
}
