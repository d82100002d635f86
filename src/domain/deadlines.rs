//! Deadlines (issue 17, item 5): what each member unit of a term must do
//! and by when, its state for that unit, and which reminder is due. Pure
//! rules over the facts `db::deadlines` reads; rule ids D1–D9 are listed in
//! docs/webhooks.md ("Deadlines").

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Days, FixedOffset, NaiveDate, Utc};
use uuid::Uuid;

use super::pledge::{Period, PledgeStatus};
use super::text::text_enum;

text_enum! {
    /// What a unit must do.
    pub enum DeadlineKind {
        /// Sign the term's pledge (D1).
        PledgeSignature = "pledge_signature",
        /// Report on every measurable target for a period (D2).
        ProgressReport = "progress_report",
        /// Register its emulation aims for the year (D3).
        Registration = "registration",
        /// Submit its score sheets: its self-score and its assigned cross-scores (D4).
        ScoreSheet = "score_sheet",
        /// Cast its ballot for the leading units (D5).
        Vote = "vote",
    }
}

text_enum! {
    /// `done`; `due` (not done, due date today or later); `overdue` (D6).
    pub enum DeadlineState {
        Done = "done",
        Due = "due",
        Overdue = "overdue",
    }
}

text_enum! {
    /// A reminder before a due date, or the miss after it (D7).
    pub enum NoticeKind {
        Reminder = "reminder",
        Missed = "missed",
    }
}

/// The province's dates: Việt Nam is UTC+7 all year (no summer time).
pub fn today(now: DateTime<Utc>) -> NaiveDate {
    let ict = FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset");
    now.with_timezone(&ict).date_naive()
}

/// Default signing time after the pledge opens (D1).
pub const SIGNING_DAYS: u64 = 30;
/// Default reporting time after a period ends (D2).
pub const REPORT_DAYS: u64 = 10;
/// Default voting time after the ballot opens (D5).
pub const VOTING_DAYS: u64 = 7;
/// A miss is announced only this many days after the due date (D7): an
/// old term (the 2021 demo) does not flood the feed with misses.
pub const MISSED_WINDOW_DAYS: i64 = 7;
/// Default reminder lead times, in days before the due date.
pub const DEFAULT_LEAD_DAYS: [u16; 2] = [7, 1];

/// A term's deadline settings (`term_deadline_settings`; defaults when
/// the term has none).
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub reporting_periods: Vec<Period>,
    /// Set due dates by key: `pledge_signature`, `progress_report:Q1`,
    /// `score_sheet`, `vote`.
    pub due_dates: BTreeMap<String, NaiveDate>,
    pub lead_days: Vec<u16>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            reporting_periods: (1..=4).map(Period::Quarter).collect(),
            due_dates: BTreeMap::new(),
            lead_days: DEFAULT_LEAD_DAYS.to_vec(),
        }
    }
}

/// The key of a set due date.
pub fn due_key(kind: DeadlineKind, period: Option<Period>) -> String {
    match period {
        Some(p) => format!("{}:{}", kind.as_str(), p.code()),
        None => kind.as_str().to_string(),
    }
}

#[derive(Debug, Clone, Default)]
pub struct PledgeFacts {
    pub status: Option<PledgeStatus>,
    pub opened_on: Option<NaiveDate>,
    pub signed: HashSet<Uuid>,
    /// The pledge's targets that take a report (all but `qualitative`).
    pub reportable_targets: usize,
    /// Per (unit, period code): how many reportable targets it reported.
    pub reported: HashMap<(Uuid, String), usize>,
}

#[derive(Debug, Clone, Default)]
pub struct ScoringFacts {
    /// (reviewer, subject) cross-score assignments.
    pub assignments: Vec<(Uuid, Uuid)>,
    /// (reviewer, subject) sheets submitted or recused.
    pub finished: HashSet<(Uuid, Uuid)>,
}

#[derive(Debug, Clone, Default)]
pub struct BallotFacts {
    pub opened_on: NaiveDate,
    pub members: Vec<Uuid>,
    pub voters: HashSet<Uuid>,
}

/// Everything the rules read of one term.
#[derive(Debug, Clone)]
pub struct TermFacts {
    pub term_id: Uuid,
    pub bloc_id: Uuid,
    pub year: i32,
    pub reporting_cutoff: NaiveDate,
    pub registration_deadline: Option<NaiveDate>,
    pub members: Vec<Uuid>,
    pub settings: Settings,
    /// The term's pledge that is not withdrawn.
    pub pledge: Option<PledgeFacts>,
    pub registered: HashSet<Uuid>,
    /// Present when the term has a scoring scheme.
    pub scoring: Option<ScoringFacts>,
    /// The term's latest ballot.
    pub ballot: Option<BallotFacts>,
}

/// One thing one unit must do, by when, and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    pub term_id: Uuid,
    pub organization_id: Uuid,
    pub kind: DeadlineKind,
    pub period: Option<Period>,
    pub due_on: NaiveDate,
    pub state: DeadlineState,
}

impl Deadline {
    pub fn period_code(&self) -> String {
        self.period.map(Period::code).unwrap_or_default()
    }
}

/// The last day of a period of `year`.
pub fn period_end(year: i32, p: Period) -> NaiveDate {
    let month = u32::from(p.rank().0);
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|d| d.pred_opt())
        .expect("a month of a valid year")
}

fn plus(d: NaiveDate, days: u64) -> NaiveDate {
    d.checked_add_days(Days::new(days)).unwrap_or(d)
}

/// D6: done, else due until the end of the due date, then overdue.
pub fn state(done: bool, due_on: NaiveDate, today: NaiveDate) -> DeadlineState {
    if done {
        DeadlineState::Done
    } else if today <= due_on {
        DeadlineState::Due
    } else {
        DeadlineState::Overdue
    }
}

/// Every deadline of every member of the term (D1–D6), by unit then kind.
pub fn deadlines(f: &TermFacts, today: NaiveDate) -> Vec<Deadline> {
    let mut out = Vec::new();
    for &unit in &f.members {
        let mut push = |kind, period, due_on, done| {
            out.push(Deadline {
                term_id: f.term_id,
                organization_id: unit,
                kind,
                period,
                due_on,
                state: state(done, due_on, today),
            })
        };
        let set = |kind, period| f.settings.due_dates.get(&due_key(kind, period)).copied();
        if let Some(p) = &f.pledge {
            pledge_deadlines(f, p, unit, &set, &mut push);
        }
        if let Some(due) = f.registration_deadline {
            push(
                DeadlineKind::Registration,
                None,
                due,
                f.registered.contains(&unit),
            );
        }
        if let (Some(s), Some(due)) = (&f.scoring, set(DeadlineKind::ScoreSheet, None)) {
            let own = s.finished.contains(&(unit, unit));
            let cross = s
                .assignments
                .iter()
                .filter(|(reviewer, _)| *reviewer == unit)
                .all(|pair| s.finished.contains(pair));
            push(DeadlineKind::ScoreSheet, None, due, own && cross);
        }
        if let Some(b) = f.ballot.as_ref().filter(|b| b.members.contains(&unit)) {
            let due = set(DeadlineKind::Vote, None).unwrap_or(plus(b.opened_on, VOTING_DAYS));
            push(DeadlineKind::Vote, None, due, b.voters.contains(&unit));
        }
    }
    out
}

/// D1 (signing, once the pledge is open) and D2 (a report per period, once
/// it is in force and has a target that takes a report).
fn pledge_deadlines(
    f: &TermFacts,
    p: &PledgeFacts,
    unit: Uuid,
    set: &impl Fn(DeadlineKind, Option<Period>) -> Option<NaiveDate>,
    push: &mut impl FnMut(DeadlineKind, Option<Period>, NaiveDate, bool),
) {
    use PledgeStatus as S;
    let status = p.status.unwrap_or(S::Draft);
    if !matches!(status, S::Open | S::InForce | S::Closed) {
        return;
    }
    if let Some(opened) = p.opened_on {
        let due = set(DeadlineKind::PledgeSignature, None).unwrap_or(plus(opened, SIGNING_DAYS));
        push(
            DeadlineKind::PledgeSignature,
            None,
            due,
            p.signed.contains(&unit),
        );
    }
    if status == S::Open || p.reportable_targets == 0 {
        return;
    }
    for &period in &f.settings.reporting_periods {
        let default = plus(period_end(f.year, period), REPORT_DAYS).min(f.reporting_cutoff);
        let due = set(DeadlineKind::ProgressReport, Some(period)).unwrap_or(default);
        let reported = p.reported.get(&(unit, period.code())).copied().unwrap_or(0);
        push(
            DeadlineKind::ProgressReport,
            Some(period),
            due,
            reported >= p.reportable_targets,
        );
    }
}

/// D7: the notice a deadline calls for today, if any: before or on its due
/// date, the reminder of the smallest lead time not smaller than the days
/// left (with 7 and 1: from 7 days before, the 7-day one; from 1 day before,
/// the 1-day one); after it, within `MISSED_WINDOW_DAYS`, the miss. A done
/// deadline calls for none. The pair is (kind, lead days; 0 for a miss).
pub fn notice_due(d: &Deadline, leads: &[u16], today: NaiveDate) -> Option<(NoticeKind, i32)> {
    if d.state == DeadlineState::Done {
        return None;
    }
    let left = (d.due_on - today).num_days();
    if left >= 0 {
        leads
            .iter()
            .map(|l| i64::from(*l))
            .filter(|l| *l >= left)
            .min()
            .map(|l| (NoticeKind::Reminder, l as i32))
    } else if -left <= MISSED_WINDOW_DAYS {
        Some((NoticeKind::Missed, 0))
    } else {
        None
    }
}

#[cfg(test)]
mod tests;
