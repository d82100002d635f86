//! Deadlines and reminders (issue 17, item 5): what each unit must do and
//! by when (`list_deadlines`), a term's deadline settings (due dates per
//! kind and period, reminder lead times), and the reminders the workers
//! announce (`reminders`) and mail (`mail`). Rules: `domain::deadlines`;
//! decisions: docs/webhooks.md ("Deadlines").

mod facts;
pub mod mail;
pub mod reminders;

use std::collections::BTreeMap;

use chrono::{NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::auth::Principal;
use crate::db::{self, Db};
use crate::domain::RuleViolation;
use crate::domain::deadlines::{
    Deadline, DeadlineKind, DeadlineState, Settings, deadlines, due_key, today,
};
use crate::domain::paging::{Cursor, Page, PageRequest};
use crate::domain::pledge::Period;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::service::{Change, record};

pub use facts::term_facts;

/// One thing one unit must do, by when, and where it stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnitDeadline {
    pub term_id: Uuid,
    pub bloc_id: Uuid,
    pub year: i32,
    pub organization_id: Uuid,
    pub kind: DeadlineKind,
    /// The reporting period (`progress_report` only).
    pub period: Option<String>,
    pub due_on: NaiveDate,
    pub state: DeadlineState,
}

impl UnitDeadline {
    fn of(d: &Deadline, bloc_id: Uuid, year: i32) -> UnitDeadline {
        UnitDeadline {
            term_id: d.term_id,
            bloc_id,
            year,
            organization_id: d.organization_id,
            kind: d.kind,
            period: d.period.map(Period::code),
            due_on: d.due_on,
            state: d.state,
        }
    }

    /// The list's order: due date, unit, kind, period, term.
    fn key(&self) -> String {
        format!(
            "{}|{}|{}|{}|{}",
            self.due_on,
            self.organization_id,
            self.kind.as_str(),
            self.period.as_deref().unwrap_or(""),
            self.term_id
        )
    }
}

#[derive(Debug, Clone, Default)]
pub struct DeadlineFilter {
    pub organization_id: Option<Uuid>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// D9: the admin, a province-wide user and a service client read every
/// unit's deadlines; a unit's user only its own (another unit is
/// `not_your_organization`). The unit the list is limited to.
fn readable_unit(caller: &Principal, asked: Option<Uuid>) -> AppResult<Option<Uuid>> {
    match caller.organization_id {
        Some(own) if !caller.is_admin() && caller.kind == crate::auth::PrincipalKind::User => {
            if asked.is_some_and(|a| a != own) {
                return Err(AppError::new(ErrorCode::NotYourOrganization));
            }
            Ok(Some(own))
        }
        _ => Ok(asked),
    }
}

/// Every deadline of the units the caller may read, by due date.
pub async fn list_deadlines(
    db: &Db,
    caller: &Principal,
    filter: DeadlineFilter,
    page: PageRequest,
) -> AppResult<Page<UnitDeadline>> {
    if let (Some(f), Some(t)) = (filter.from, filter.to)
        && f > t
    {
        return Err(AppError::new(ErrorCode::InvalidDates));
    }
    let unit = readable_unit(caller, filter.organization_id)?;
    let after = page.cursor.as_ref().map(|c| c.key().to_string());
    let now = today(Utc::now());
    let mut all = db
        .read(async |c| -> AppResult<_> {
            let mut out = Vec::new();
            for term_id in db::deadlines::term_ids_of(c, unit).await? {
                let Some(f) = term_facts(c, term_id).await? else {
                    continue;
                };
                out.extend(
                    deadlines(&f, now)
                        .iter()
                        .filter(|d| unit.is_none_or(|u| d.organization_id == u))
                        .map(|d| UnitDeadline::of(d, f.bloc_id, f.year)),
                );
            }
            Ok(out)
        })
        .await?;
    all.retain(|d| {
        filter.from.is_none_or(|f| d.due_on >= f)
            && filter.to.is_none_or(|t| d.due_on <= t)
            && after.as_deref().is_none_or(|a| d.key().as_str() > a)
    });
    all.sort_by_key(UnitDeadline::key);
    all.truncate(page.fetch() as usize);
    Ok(page.page(all, |d| Cursor::encode(&d.key())))
}

// ------------------------------------------------------------------ settings

/// A term's deadline settings as the API shows and takes them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeadlineSettings {
    pub term_id: Uuid,
    pub reporting_periods: Vec<String>,
    /// Days before a due date; each a reminder (D7).
    pub reminder_lead_days: Vec<u16>,
    pub pledge_signature_due: Option<NaiveDate>,
    /// Per reporting period, a due date replacing the default.
    pub report_due: BTreeMap<String, NaiveDate>,
    pub score_sheet_due: Option<NaiveDate>,
    pub vote_due: Option<NaiveDate>,
    /// 0 while the term has the defaults only.
    pub version: i32,
}

impl DeadlineSettings {
    fn of(term_id: Uuid, s: &Settings, version: i32) -> DeadlineSettings {
        let get = |k: DeadlineKind| s.due_dates.get(&due_key(k, None)).copied();
        let prefix = format!("{}:", DeadlineKind::ProgressReport.as_str());
        DeadlineSettings {
            term_id,
            reporting_periods: s.reporting_periods.iter().map(|p| p.code()).collect(),
            reminder_lead_days: s.lead_days.clone(),
            pledge_signature_due: get(DeadlineKind::PledgeSignature),
            report_due: s
                .due_dates
                .iter()
                .filter_map(|(k, v)| Some((k.strip_prefix(&prefix)?.to_string(), *v)))
                .collect(),
            score_sheet_due: get(DeadlineKind::ScoreSheet),
            vote_due: get(DeadlineKind::Vote),
            version,
        }
    }
}

/// What a term's deadline settings become (the whole of them).
#[derive(Debug, Clone)]
pub struct PutDeadlineSettings {
    pub reporting_periods: Vec<String>,
    pub reminder_lead_days: Vec<u16>,
    pub pledge_signature_due: Option<NaiveDate>,
    pub report_due: BTreeMap<String, NaiveDate>,
    pub score_sheet_due: Option<NaiveDate>,
    pub vote_due: Option<NaiveDate>,
}

/// A term's settings, defaults where none are set.
pub async fn deadline_settings(db: &Db, bloc_id: Uuid, year: i32) -> AppResult<DeadlineSettings> {
    db.read(async |c| -> AppResult<_> {
        let term = db::blocs::term(c, bloc_id, year)
            .await?
            .ok_or(AppError::not_found("term"))?;
        let row = db::deadlines::settings(c, term.id).await?;
        let version = row.as_ref().map_or(0, |r| r.version);
        Ok(DeadlineSettings::of(
            term.id,
            &facts::settings_of(row, year),
            version,
        ))
    })
    .await
}

/// The settings as stored: periods valid for the term's year (T3), every
/// report due date for one of them, lead times from the longest.
fn checked(year: i32, put: &PutDeadlineSettings) -> AppResult<Settings> {
    let mut periods: Vec<Period> = Vec::new();
    for p in &put.reporting_periods {
        let p = Period::parse(p, year)?;
        if !periods.contains(&p) {
            periods.push(p);
        }
    }
    periods.sort_by_key(|p| p.rank());
    let mut due_dates = BTreeMap::new();
    for (k, v) in &put.report_due {
        let p = Period::parse(k, year)?;
        if !periods.contains(&p) {
            return Err(RuleViolation::InvalidPeriod.into());
        }
        due_dates.insert(due_key(DeadlineKind::ProgressReport, Some(p)), *v);
    }
    for (kind, due) in [
        (DeadlineKind::PledgeSignature, put.pledge_signature_due),
        (DeadlineKind::ScoreSheet, put.score_sheet_due),
        (DeadlineKind::Vote, put.vote_due),
    ] {
        if let Some(d) = due {
            due_dates.insert(due_key(kind, None), d);
        }
    }
    let mut lead_days = put.reminder_lead_days.clone();
    lead_days.sort_unstable_by(|a, b| b.cmp(a));
    lead_days.dedup();
    Ok(Settings {
        reporting_periods: periods,
        due_dates,
        lead_days,
    })
}

/// The head unit or the admin sets the term's deadline settings (audited
/// `term.deadlines_set`); the workers look at the term again at once.
pub async fn set_deadline_settings(
    db: &Db,
    caller: &Principal,
    bloc_id: Uuid,
    year: i32,
    put: PutDeadlineSettings,
) -> AppResult<DeadlineSettings> {
    let s = checked(year, &put)?;
    db.transaction(async |tx| -> AppResult<_> {
        let term = db::blocs::lock_term(tx, bloc_id, year)
            .await?
            .ok_or(AppError::not_found("term"))?;
        crate::service::require_head_or_admin(caller, &term)?;
        let before_row = db::deadlines::settings(tx, term.id).await?;
        let before_version = before_row.as_ref().map_or(0, |r| r.version);
        let before = DeadlineSettings::of(
            term.id,
            &facts::settings_of(before_row, year),
            before_version,
        );
        let periods: Vec<String> = s.reporting_periods.iter().map(|p| p.code()).collect();
        let leads: Vec<i32> = s.lead_days.iter().map(|d| i32::from(*d)).collect();
        let row =
            db::deadlines::put_settings(tx, term.id, &periods, &json!(s.due_dates), &leads).await?;
        let after = DeadlineSettings::of(term.id, &s, row.version);
        db::deadlines::rescan_now(tx, term.id).await?;
        let change = Change {
            action: "term.deadlines_set",
            entity: "term",
            entity_id: term.id.to_string(),
            before: serde_json::to_value(&before).ok(),
            after: serde_json::to_value(&after).ok(),
            ..Default::default()
        };
        record(tx, caller, change).await?;
        Ok(after)
    })
    .await
}
