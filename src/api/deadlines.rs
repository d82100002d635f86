//! `/api/v1/deadlines`: what each unit must do and by when, and where it
//! stands; a term's deadline settings (due dates, reminder lead times).
//! docs/webhooks.md, "Deadlines" (rules D1–D9).

use std::collections::BTreeMap;

use actix_web::{get, put, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::extract::{ListQuery, PageParams, ValidatedJson};
use super::respond::{Page, Tagged, Versioned};
use crate::AppState;
use crate::auth::Principal;
use crate::domain::deadlines::{DeadlineKind, DeadlineState};
use crate::error::{AppError, Problem};
use crate::service::deadlines::{self as svc, DeadlineSettings, UnitDeadline};

/// One thing one unit must do, by when, and where it stands.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"termId": "0191c0de-0000-7000-8000-000000000001",
    "blocId": "0191c0de-0000-7000-8000-000000000002", "year": 2026,
    "organizationId": "0191c0de-0000-7000-8000-000000000003",
    "kind": "progress_report", "period": "Q2", "dueOn": "2026-07-10", "state": "due"}))]
pub struct DeadlineView {
    pub term_id: Uuid,
    pub bloc_id: Uuid,
    pub year: i32,
    pub organization_id: Uuid,
    pub kind: DeadlineKind,
    /// The reporting period (`progress_report` only).
    #[schema(example = "Q2")]
    pub period: Option<String>,
    pub due_on: NaiveDate,
    pub state: DeadlineState,
}

impl From<UnitDeadline> for DeadlineView {
    fn from(d: UnitDeadline) -> Self {
        DeadlineView {
            term_id: d.term_id,
            bloc_id: d.bloc_id,
            year: d.year,
            organization_id: d.organization_id,
            kind: d.kind,
            period: d.period,
            due_on: d.due_on,
            state: d.state,
        }
    }
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct DeadlineQuery {
    /// One unit's deadlines (a unit's user: its own only, the default).
    pub organization_id: Option<Uuid>,
    /// Due on or after this date.
    #[validate(custom(function = "crate::api::checks::date"))]
    pub from: Option<NaiveDate>,
    /// Due on or before this date.
    #[validate(custom(function = "crate::api::checks::date"))]
    pub to: Option<NaiveDate>,
}

/// List deadlines.
///
/// What each member unit must do and by when — sign the pledge (D1),
/// report each period (D2), register for titles (D3), submit its score
/// sheets (D4), vote (D5) — with its state for that unit: `done`, `due`
/// (through its due date) or `overdue` (D6). Ordered by due date, then
/// unit. The admin, a province-wide user and a service client read every
/// unit; a unit's user its own (D9).
#[utoipa::path(
    operation_id = "listDeadlines",
    tag = "deadlines",
    params(DeadlineQuery, PageParams),
    responses(
        (status = 200, headers(("Link" = String, description = "`<…?…&cursor=…>; rel=\"next\"`: the next page (this request with `cursor` replaced); absent on the last page")), body = Page<DeadlineView>, description = "One page"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`, `invalid_cursor`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_your_organization`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `invalid_dates`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/deadlines")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Principal,
    q: ListQuery<DeadlineQuery>,
) -> Result<Page<DeadlineView>, AppError> {
    let filter = svc::DeadlineFilter {
        organization_id: q.filter.organization_id,
        from: q.filter.from,
        to: q.filter.to,
    };
    Ok(svc::list_deadlines(&state.db, &caller, filter, q.page)
        .await?
        .into())
}

/// A term's deadline settings.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"termId": "0191c0de-0000-7000-8000-000000000001",
    "reportingPeriods": ["Q1", "Q2", "Q3", "Q4"], "reminderLeadDays": [7, 1],
    "pledgeSignatureDue": "2026-03-31", "reportDue": {"Q2": "2026-07-15"},
    "scoreSheetDue": "2026-12-20", "voteDue": null, "version": 1}))]
pub struct DeadlineSettingsView {
    pub term_id: Uuid,
    /// The periods each unit reports for (D2; default the four quarters).
    pub reporting_periods: Vec<String>,
    /// Reminders this many days before each due date (default 7 and 1).
    pub reminder_lead_days: Vec<u16>,
    /// Default: 30 days after the pledge opened (D1).
    pub pledge_signature_due: Option<NaiveDate>,
    /// Per period; default 10 days after the period ends, at the latest the
    /// reporting cut-off (D2).
    pub report_due: BTreeMap<String, NaiveDate>,
    /// No default: without it, no score-sheet deadline (D4).
    pub score_sheet_due: Option<NaiveDate>,
    /// Default: 7 days after the ballot opened (D5).
    pub vote_due: Option<NaiveDate>,
    /// Also sent as the `ETag`; 0 while the term has the defaults only.
    pub version: i32,
}

impl From<DeadlineSettings> for DeadlineSettingsView {
    fn from(s: DeadlineSettings) -> Self {
        DeadlineSettingsView {
            term_id: s.term_id,
            reporting_periods: s.reporting_periods,
            reminder_lead_days: s.reminder_lead_days,
            pledge_signature_due: s.pledge_signature_due,
            report_due: s.report_due,
            score_sheet_due: s.score_sheet_due,
            vote_due: s.vote_due,
            version: s.version,
        }
    }
}

impl Versioned for DeadlineSettingsView {
    fn version(&self) -> i32 {
        self.version
    }
}

/// The whole of a term's deadline settings (absent fields take defaults).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"reportingPeriods": ["Q1", "Q2", "Q3", "Q4"],
    "reminderLeadDays": [7, 1], "reportDue": {"Q2": "2026-07-15"},
    "scoreSheetDue": "2026-12-20"}))]
pub struct DeadlineSettingsBody {
    /// `M01..M12`, `Q1..Q4`, `H1`, `H2`, `Y`; default the four quarters.
    #[validate(length(max = 19))]
    #[schema(max_items = 19, example = json!(["Q1", "Q2", "Q3", "Q4"]))]
    pub reporting_periods: Option<Vec<String>>,
    /// Days before a due date, each 0–90, at most 5; default `[7, 1]`;
    /// `[]`: no reminders (misses are still announced).
    #[validate(length(max = 5), custom(function = "lead_days"))]
    #[schema(schema_with = lead_days_schema)]
    pub reminder_lead_days: Option<Vec<u16>>,
    #[validate(custom(function = "crate::api::checks::date"))]
    pub pledge_signature_due: Option<NaiveDate>,
    /// Per reporting period (each one of `reportingPeriods`).
    #[serde(default)]
    #[schema(example = json!({"Q2": "2026-07-15"}))]
    pub report_due: BTreeMap<String, NaiveDate>,
    #[validate(custom(function = "crate::api::checks::date"))]
    pub score_sheet_due: Option<NaiveDate>,
    #[validate(custom(function = "crate::api::checks::date"))]
    pub vote_due: Option<NaiveDate>,
}

/// `reminderLeadDays` as the check reads it: at most 5 whole days, each
/// 0–90, or `null` (the default).
fn lead_days_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Type};
    let days = ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(0))
                .maximum(Some(90)),
        )
        .max_items(Some(5))
        .examples([serde_json::json!([7, 1])]);
    OneOfBuilder::new()
        .item(days)
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .build()
        .into()
}

fn lead_days(days: &[u16]) -> Result<(), validator::ValidationError> {
    if days.iter().all(|d| *d <= 90) {
        Ok(())
    } else {
        Err(validator::ValidationError::new("range"))
    }
}

impl From<DeadlineSettingsBody> for svc::PutDeadlineSettings {
    fn from(b: DeadlineSettingsBody) -> Self {
        svc::PutDeadlineSettings {
            reporting_periods: b
                .reporting_periods
                .unwrap_or_else(|| ["Q1", "Q2", "Q3", "Q4"].map(String::from).to_vec()),
            reminder_lead_days: b
                .reminder_lead_days
                .unwrap_or(crate::domain::deadlines::DEFAULT_LEAD_DAYS.to_vec()),
            pledge_signature_due: b.pledge_signature_due,
            report_due: b.report_due,
            score_sheet_due: b.score_sheet_due,
            vote_due: b.vote_due,
        }
    }
}

/// Get a term's deadline settings.
///
/// The due dates the head unit or the admin set, and the reminder lead
/// times; a due date not set takes its default (see each field). Any
/// signed-in caller may read them.
#[utoipa::path(
    operation_id = "getDeadlineSettings",
    tag = "deadlines",
    params(
        ("id" = Uuid, Path, description = "Bloc id"),
        ("year" = i32, Path, description = "Emulation year", example = 2026),
    ),
    responses(
        (status = 200, body = DeadlineSettingsView, description = "The settings; `ETag` set"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/blocs/{id}/terms/{year}/deadline-settings")]
pub async fn get_settings(
    state: web::Data<AppState>,
    _caller: Principal,
    path: web::Path<(Uuid, i32)>,
) -> Result<Tagged<DeadlineSettingsView>, AppError> {
    let (bloc_id, year) = path.into_inner();
    let s = svc::deadline_settings(&state.db, bloc_id, year).await?;
    Ok(Tagged(s.into()))
}

/// Set a term's deadline settings.
///
/// The head unit or the admin replaces the term's due dates and reminder
/// lead times (audited `term.deadlines_set`); the workers look at the
/// term's deadlines again at once, so a due date moved near is reminded
/// within seconds (D7). A report due date must name one of the reporting
/// periods.
#[utoipa::path(
    operation_id = "setDeadlineSettings",
    tag = "deadlines",
    request_body = DeadlineSettingsBody,
    params(
        ("id" = Uuid, Path, description = "Bloc id"),
        ("year" = i32, Path, description = "Emulation year", example = 2026),
    ),
    responses(
        (status = 200, body = DeadlineSettingsView, description = "Set; `ETag` set"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`malformed_json`, `body_not_an_object`, `malformed_body`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_head_unit`, `read_only`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`period_outside_year`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `invalid_period`"),
    ),
    security(("bearer" = []))
)]
#[put("/api/v1/blocs/{id}/terms/{year}/deadline-settings")]
pub async fn set_settings(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, i32)>,
    body: ValidatedJson<DeadlineSettingsBody>,
) -> Result<Tagged<DeadlineSettingsView>, AppError> {
    let (bloc_id, year) = path.into_inner();
    let s = svc::set_deadline_settings(&state.db, &caller, bloc_id, year, body.into_inner().into())
        .await?;
    Ok(Tagged(s.into()))
}
