//! E2: score sheets: enter points on a draft, submit, recuse, reopen.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::scheme::domain_criteria;
use super::{member_ids, term};
use crate::auth::Principal;
use crate::db::blocs::TermRow;
use crate::db::evaluation::{EntryRow, SheetRow};
use crate::db::{self, Conn, Db};
use crate::domain::RuleViolation;
use crate::domain::evaluation::{self as rules, SheetStatus};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::i18n::nfc;
use crate::service::{Audited, Change, record};

pub struct EntryInput {
    pub criterion_id: Uuid,
    pub points: i32,
    pub note: Option<String>,
    pub evidence_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub criterion_id: Uuid,
    pub points: i32,
    pub note: Option<String>,
    pub evidence_url: Option<String>,
}

impl From<EntryRow> for Entry {
    fn from(e: EntryRow) -> Self {
        Entry {
            criterion_id: e.criterion_id,
            points: e.points,
            note: e.note,
            evidence_url: e.evidence_url,
        }
    }
}

/// A score sheet: self (reviewer = subject) or cross.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sheet {
    pub id: Uuid,
    pub subject_id: Uuid,
    pub reviewer_id: Uuid,
    pub status: SheetStatus,
    pub recusal_reason: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub entries: Vec<Entry>,
    pub version: i32,
}

impl Audited for Sheet {
    const ENTITY: &'static str = "score_sheet";
    fn entity_id(&self) -> String {
        self.id.to_string()
    }
    fn version(&self) -> i32 {
        self.version
    }
    /// The reviewer's change.
    fn organization_id(&self) -> Option<Uuid> {
        Some(self.reviewer_id)
    }
}

impl Sheet {
    fn of(row: SheetRow, entries: Vec<EntryRow>) -> Sheet {
        Sheet {
            id: row.id,
            subject_id: row.subject_id,
            reviewer_id: row.reviewer_id,
            status: row.status,
            recusal_reason: row.recusal_reason,
            submitted_at: row.submitted_at,
            entries: entries.into_iter().map(Entry::from).collect(),
            version: row.version,
        }
    }

    /// A self-score sheet.
    pub fn self_score(&self) -> bool {
        self.subject_id == self.reviewer_id
    }
}

/// May `caller` write the sheet of `reviewer` on `subject`? Self-sheets by the
/// unit itself; cross-sheets by the assigned reviewer (or, with no
/// assignments, by the head or deputy); never a cross-sheet on oneself.
async fn require_sheet_writer(
    c: &mut Conn,
    caller: &Principal,
    t: &TermRow,
    subject: Uuid,
    reviewer: Uuid,
) -> AppResult<()> {
    if !caller.is_admin() {
        caller.require_acting_for(reviewer)?;
    }
    let members = member_ids(c, t).await?;
    if !members.contains(&subject) || !members.contains(&reviewer) {
        return Err(RuleViolation::NotAMember.into());
    }
    if subject == reviewer {
        return Ok(());
    }
    let pairs = db::evaluation::assignments(c, t.id).await?;
    let allowed = if pairs.is_empty() {
        reviewer == t.head_id || Some(reviewer) == t.deputy_id
    } else {
        pairs.contains(&(reviewer, subject))
    };
    if allowed {
        Ok(())
    } else {
        Err(RuleViolation::NotAReviewer.into())
    }
}

/// E2: a sheet takes points only while a draft.
fn require_draft(status: SheetStatus) -> AppResult<()> {
    match status {
        SheetStatus::Draft => Ok(()),
        locked => Err(RuleViolation::SheetLocked {
            status: locked.as_str(),
        }
        .into()),
    }
}

/// E2: each criterion once, within its bounds.
fn check_entries(
    criteria: &[crate::db::evaluation::CriterionRow],
    entries: &[EntryInput],
) -> AppResult<()> {
    let mut ids: Vec<Uuid> = entries.iter().map(|e| e.criterion_id).collect();
    ids.sort();
    if ids.windows(2).any(|w| w[0] == w[1]) {
        return Err(RuleViolation::PointsOutOfBounds {
            reason: "a criterion is scored twice on one sheet".into(),
        }
        .into());
    }
    let points: Vec<(Uuid, i32)> = entries.iter().map(|e| (e.criterion_id, e.points)).collect();
    Ok(rules::check_points(&domain_criteria(criteria), &points)?)
}

/// E1, E2: enter points on a draft sheet (created on first use). The first
/// score fixes the scheme.
pub async fn put_sheet(
    db: &Db,
    caller: &Principal,
    bloc_id: Uuid,
    year: i32,
    subject: Uuid,
    reviewer: Option<Uuid>,
    entries: Vec<EntryInput>,
) -> AppResult<(Sheet, bool)> {
    let reviewer = reviewer
        .or(caller.organization_id)
        .ok_or(RuleViolation::NotAReviewer)?;
    db.transaction(async |tx| {
        let t = term(tx, bloc_id, year).await?;
        require_sheet_writer(tx, caller, &t, subject, reviewer).await?;
        let scheme = db::evaluation::scheme_of(tx, t.id)
            .await?
            .ok_or_else(|| AppError::new(ErrorCode::NoScoringScheme))?;
        let criteria = db::evaluation::criteria(tx, scheme.id).await?;
        check_entries(&criteria, &entries)?;
        let (sheet, created) =
            match db::evaluation::lock_sheet(tx, scheme.id, subject, reviewer).await? {
                Some(s) => (s, false),
                None => (
                    db::evaluation::insert_sheet(tx, scheme.id, subject, reviewer).await?,
                    true,
                ),
            };
        require_draft(sheet.status)?;
        let rows: Vec<EntryRow> = entries
            .into_iter()
            .map(|e| EntryRow {
                sheet_id: sheet.id,
                criterion_id: e.criterion_id,
                points: e.points,
                note: e.note.map(|n| nfc(&n)),
                evidence_url: e.evidence_url,
            })
            .collect();
        db::evaluation::set_entries(tx, sheet.id, &rows).await?;
        let row = db::evaluation::lock_sheet_by_id(tx, sheet.id)
            .await?
            .ok_or(AppError::not_found("score_sheet"))?;
        let saved = Sheet::of(row, rows);
        record(tx, caller, Change::created("score_sheet.saved", &saved)).await?;
        Ok((saved, created))
    })
    .await
}

/// One score sheet by its id (any signed-in caller, as the term's list).
pub async fn sheet(db: &Db, id: Uuid) -> AppResult<Sheet> {
    db.read(async |c| {
        let row = db::evaluation::sheet_by_id(c, id)
            .await?
            .ok_or(AppError::not_found("score_sheet"))?;
        let entries = db::evaluation::sheet_entries(c, id).await?;
        Ok(Sheet::of(row, entries))
    })
    .await
}

#[derive(Debug, Clone, Copy)]
pub enum SheetAction {
    Submit,
    Recuse,
    Reopen,
}

impl SheetAction {
    fn audit_action(self) -> &'static str {
        match self {
            SheetAction::Submit => "score_sheet.submitted",
            SheetAction::Recuse => "score_sheet.recused",
            SheetAction::Reopen => "score_sheet.reopened",
        }
    }
}

/// Where `action` takes the sheet, if the caller may: submit and recuse by
/// the reviewer on a draft (a recusal is a cross-reviewer's, with a
/// reason); reopen by the admin, with a reason.
fn next_status(
    caller: &Principal,
    sheet: &SheetRow,
    action: SheetAction,
    reason: Option<&str>,
) -> AppResult<SheetStatus> {
    match action {
        SheetAction::Submit | SheetAction::Recuse => {
            if !caller.is_admin() {
                caller.require_acting_for(sheet.reviewer_id)?;
            }
            require_draft(sheet.status)?;
            match action {
                SheetAction::Submit => Ok(SheetStatus::Submitted),
                _ if sheet.subject_id == sheet.reviewer_id || reason.is_none() => {
                    Err(AppError::new(ErrorCode::RecusalNeedsReason))
                }
                _ => Ok(SheetStatus::Recused),
            }
        }
        SheetAction::Reopen => {
            caller.require_admin()?;
            match reason {
                None => Err(AppError::new(ErrorCode::ReasonRequired)),
                Some(_) => Ok(SheetStatus::Draft),
            }
        }
    }
}

/// Submit (locks the sheet), recuse (a cross-reviewer, with a reason), or
/// reopen (the admin only, with a reason; audited).
pub async fn sheet_action(
    db: &Db,
    caller: &Principal,
    sheet_id: Uuid,
    action: SheetAction,
    reason: Option<String>,
) -> AppResult<Sheet> {
    db.transaction(async |tx| {
        let sheet = db::evaluation::lock_sheet_by_id(tx, sheet_id)
            .await?
            .ok_or(AppError::not_found("score_sheet"))?;
        let reason = reason.map(|r| nfc(&r)).filter(|r| !r.is_empty());
        let next = next_status(caller, &sheet, action, reason.as_deref())?;
        let recusal = (next == SheetStatus::Recused)
            .then_some(reason.as_deref())
            .flatten();
        let row = db::evaluation::set_sheet_status(tx, sheet.id, next, recusal).await?;
        let entries = db::evaluation::sheet_entries(tx, sheet.id).await?;
        let before = Sheet::of(sheet, entries.clone());
        let after = Sheet::of(row, entries);
        let change = Change::updated(action.audit_action(), &before, &after);
        record(tx, caller, Change { reason, ..change }).await?;
        Ok(after)
    })
    .await
}

pub async fn sheets(db: &Db, bloc_id: Uuid, year: i32) -> AppResult<Vec<Sheet>> {
    db.read(async |c| {
        let t = term(c, bloc_id, year).await?;
        let Some(scheme) = db::evaluation::scheme_of(c, t.id).await? else {
            return Ok(Vec::new());
        };
        let rows = db::evaluation::sheets(c, scheme.id).await?;
        let entries = db::evaluation::entries(c, scheme.id).await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let mine = entries
                    .iter()
                    .filter(|e| e.sheet_id == row.id)
                    .cloned()
                    .collect();
                Sheet::of(row, mine)
            })
            .collect())
    })
    .await
}
