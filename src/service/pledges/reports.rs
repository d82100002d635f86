//! T3–T5, T8: progress reports, their history, and the reporting cut-off.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::auth::Principal;
use crate::db::blocs::TermRow;
use crate::db::pledges::ReportRow;
use crate::db::{self, Db};
use crate::domain::RuleViolation;
use crate::domain::ids::PledgeId;
use crate::domain::paging::{Cursor, Page, PageRequest};
use crate::domain::pledge::{self as rules, Period, ReportValues};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::i18n::nfc;
use crate::service::{Change, record};

/// A stored report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
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
    pub on_behalf: bool,
    pub superseded_at: Option<DateTime<Utc>>,
}

impl From<ReportRow> for Report {
    fn from(r: ReportRow) -> Self {
        Report {
            id: r.id,
            target_id: r.target_id,
            organization_id: r.organization_id,
            period: r.period,
            numerator: r.numerator,
            denominator: r.denominator,
            count: r.count_value,
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

pub struct ReportEntry {
    pub target_id: Uuid,
    pub values: ReportValues,
    pub note: Option<String>,
    pub evidence: Vec<String>,
}

pub struct ReportCommand {
    /// The unit reported on; defaults to the caller's organisation.
    pub organization_id: Option<Uuid>,
    pub period: String,
    pub entries: Vec<ReportEntry>,
}

/// Today in Vietnam (UTC+7, no daylight saving): the reporting cut-off is a Vietnamese date.
pub fn today_in_vietnam() -> NaiveDate {
    (Utc::now() + chrono::Duration::hours(7)).date_naive()
}

/// May the caller report for `org` in this term: the unit itself, the head
/// unit, or the admin.
fn require_reporter(caller: &Principal, org: Uuid, term: &TermRow) -> AppResult<()> {
    let allowed = caller.is_admin()
        || caller.require_acting_for(org).is_ok()
        || caller.require_acting_for(term.head_id).is_ok();
    if allowed {
        Ok(())
    } else {
        Err(crate::auth::principal::not_your_organization())
    }
}

/// T3, T4: the rows of a batch, each for a target of the pledge, once.
fn report_rows(
    caller: &Principal,
    pledge_id: PledgeId,
    org: Uuid,
    period: Period,
    targets: &[crate::db::pledges::TargetRow],
    entries: &[ReportEntry],
) -> AppResult<Vec<ReportRow>> {
    let on_behalf = caller.organization_id != Some(org);
    let mut seen = Vec::new();
    let mut rows = Vec::with_capacity(entries.len());
    for e in entries {
        let target = targets
            .iter()
            .find(|t| t.id == e.target_id)
            .ok_or(RuleViolation::UnknownTarget)?;
        if seen.contains(&e.target_id) {
            return Err(AppError::new(ErrorCode::DuplicateTarget));
        }
        seen.push(e.target_id);
        rules::check_values(target.kind, &e.values)?;
        rows.push(ReportRow {
            id: Uuid::now_v7(),
            pledge_id,
            target_id: e.target_id,
            organization_id: org,
            period: period.code(),
            numerator: e.values.numerator,
            denominator: e.values.denominator,
            count_value: e.values.count,
            done: e.values.done,
            note: e.note.as_deref().map(nfc).filter(|n| !n.is_empty()),
            evidence: e.evidence.clone(),
            reported_at: Utc::now(),
            reported_by: (!caller.is_system()).then_some(caller.id),
            on_behalf,
            superseded_at: None,
        });
    }
    Ok(rows)
}

/// T3, T4, T5, T8: a member unit reports for itself (or the admin or the
/// head unit for it, recorded as such) while in force, for a period of the
/// pledge year, before the cut-off. A batch is all-or-nothing.
pub async fn report(
    db: &Db,
    caller: &Principal,
    id: PledgeId,
    cmd: ReportCommand,
) -> AppResult<Vec<Report>> {
    let today = today_in_vietnam();
    let org = cmd
        .organization_id
        .or(caller.organization_id)
        .ok_or(RuleViolation::NotAMember)?;
    caller.require_write()?;
    db.transaction(async |tx| {
        // A share lock: a concurrent close waits for the report, or the report sees it closed (P6).
        let pledge = db::pledges::lock_share(tx, id)
            .await?
            .ok_or(AppError::not_found("pledge"))?;
        let term = db::blocs::term_by_id(tx, pledge.term_id)
            .await?
            .ok_or(AppError::not_found("term"))?;
        require_reporter(caller, org, &term)?;
        rules::check_reportable(pledge.status)?;
        let members = db::blocs::members(tx, &[term.id]).await?;
        if !members.iter().any(|m| m.id == org) {
            return Err(RuleViolation::NotAMember.into());
        }
        let period = Period::parse(&cmd.period, term.year)?;
        rules::check_cutoff(today, term.reporting_cutoff)?;
        let targets = db::pledges::targets(tx, id).await?;
        let rows = report_rows(caller, id, org, period, &targets, &cmd.entries)?;
        db::pledges::insert_reports(tx, &rows).await?;
        let reports: Vec<Report> = rows.into_iter().map(Report::from).collect();
        let on_behalf = caller.organization_id != Some(org);
        record(
            tx,
            caller,
            Change {
                action: "progress.reported",
                entity: "pledge",
                entity_id: id.to_string(),
                after: Some(json!({"organizationId": org, "period": period.code(),
                    "onBehalf": on_behalf, "reports": reports})),
                on_behalf_of: on_behalf.then_some(org),
                organization_id: Some(org),
                ..Default::default()
            },
        )
        .await?;
        Ok(reports)
    })
    .await
}

/// Which reports a list shows.
#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    pub organization_id: Option<Uuid>,
    pub target_id: Option<Uuid>,
    /// A period code (`Q2`), or with the year (`2021-Q2`).
    pub period: Option<String>,
    /// Superseded reports too (the history, T5).
    pub history: bool,
}

pub async fn reports(
    db: &Db,
    id: PledgeId,
    filter: ReportFilter,
    page: PageRequest,
) -> AppResult<Page<Report>> {
    let query = db::pledges::ReportFilter {
        organization_id: filter.organization_id,
        target_id: filter.target_id,
        period: filter
            .period
            .map(|p| p.rsplit('-').next().unwrap_or_default().to_string()),
        history: filter.history,
        after: page.cursor.as_ref().map(Cursor::uuid).transpose()?,
        limit: page.fetch(),
    };
    let rows = db
        .read(async |c| -> AppResult<_> {
            db::pledges::get(c, id)
                .await?
                .ok_or(AppError::not_found("pledge"))?;
            Ok(db::pledges::reports(c, id, &query).await?)
        })
        .await?;
    Ok(page
        .page(rows, |r| Cursor::from_uuid(r.id))
        .map(Report::from))
}
