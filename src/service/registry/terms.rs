//! A bloc's yearly terms (B1–B5), its reporting cut-off (T8) and the head
//! suggestion.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::auth::Principal;
use crate::db::blocs::{MemberRow, TermRow, TermValues};
use crate::db::{self, Conn, Db};
use crate::domain::RuleViolation;
use crate::domain::registry::{self as rules, HeadCandidate, TermContext, TermPlan};
use crate::error::{AppError, AppResult, ErrorCode, OnConstraint};
use crate::i18n::nfc;
use crate::service::{Change, check_version, record};

pub struct PutTerm {
    pub member_ids: Vec<Uuid>,
    pub head_id: Uuid,
    pub deputy_id: Option<Uuid>,
    pub reporting_cutoff: Option<NaiveDate>,
    /// Required to change a frozen term (B4), kept in the audit trail.
    pub reason: Option<String>,
}

/// A member unit as listed in a term.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TermMember {
    pub id: Uuid,
    pub code: String,
    pub name: String,
}

/// A bloc's membership, head and deputy for one year, as the use cases
/// return it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Term {
    pub id: Uuid,
    pub bloc_id: Uuid,
    pub year: i32,
    /// Ordered by code.
    pub members: Vec<TermMember>,
    pub head_id: Uuid,
    pub deputy_id: Option<Uuid>,
    pub reporting_cutoff: NaiveDate,
    pub registration_deadline: Option<NaiveDate>,
    /// B4: the pledge is open.
    pub frozen: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Term {
    /// The term `row` with those of `members` that are its own.
    pub(crate) fn of(row: TermRow, members: &[MemberRow]) -> Term {
        Term {
            id: row.id,
            bloc_id: row.bloc_id,
            year: row.year,
            members: members
                .iter()
                .filter(|m| m.term_id == row.id)
                .map(|m| TermMember {
                    id: m.id,
                    code: m.code.clone(),
                    name: m.name.clone(),
                })
                .collect(),
            head_id: row.head_id,
            deputy_id: row.deputy_id,
            reporting_cutoff: row.reporting_cutoff,
            registration_deadline: row.registration_deadline,
            frozen: row.frozen_at.is_some(),
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }

    /// The term's row read with its members (two queries).
    async fn load(c: &mut Conn, row: TermRow) -> AppResult<Term> {
        let members = db::blocs::members(c, &[row.id]).await?;
        Ok(Term::of(row, &members))
    }
}

/// What the audit trail records of a term.
fn term_json(t: &Term) -> serde_json::Value {
    json!({"id": t.id, "blocId": t.bloc_id, "year": t.year, "headId": t.head_id,
           "deputyId": t.deputy_id, "reportingCutoff": t.reporting_cutoff,
           "memberIds": t.members.iter().map(|m| m.id).collect::<Vec<_>>(), "version": t.version})
}

/// Default reporting cut-off: 15 December of the year (T8).
pub fn default_cutoff(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 12, 15).unwrap_or(NaiveDate::MIN)
}

/// B4: a term is frozen once its pledge has opened for signing. The pledge
/// use cases set `frozen_at`; this is the one place that reads it.
fn check_frozen(term: &TermRow, caller: &Principal, reason: Option<&str>) -> AppResult<()> {
    if term.frozen_at.is_none() {
        return Ok(());
    }
    if caller.is_admin() && reason.is_some_and(|r| !r.trim().is_empty()) {
        return Ok(());
    }
    Err(RuleViolation::TermFrozen.into())
}

/// Create or replace the term of `bloc_id` for `year` (admin), enforcing
/// B1, B2, B3, B5, and B4 once frozen.
pub async fn put_term(
    db: &Db,
    caller: &Principal,
    bloc_id: Uuid,
    year: i32,
    expected: Option<i32>,
    cmd: PutTerm,
) -> AppResult<(Term, bool)> {
    caller.require_admin()?;
    if !(2000..=2100).contains(&year) {
        return Err(AppError::new(ErrorCode::InvalidYear));
    }
    let cutoff = cmd.reporting_cutoff.unwrap_or_else(|| default_cutoff(year));
    if cutoff.year() < year {
        return Err(AppError::new(ErrorCode::InvalidCutoff));
    }
    db.transaction(async |tx| {
        // The bloc row serialises writes to its terms (B3 reads the neighbours).
        let bloc = db::blocs::lock(tx, bloc_id)
            .await?
            .ok_or(AppError::not_found("bloc"))?;
        let existing = db::blocs::lock_term(tx, bloc_id, year).await?;
        let mut before = None;
        if let Some(t) = &existing {
            check_version(expected, t.version)?;
            check_frozen(t, caller, cmd.reason.as_deref())?;
            before = Some(term_json(&Term::load(tx, t.clone()).await?));
        }
        let plan = TermPlan {
            members: cmd.member_ids.clone(),
            head: cmd.head_id,
            deputy: cmd.deputy_id,
        };
        let ctx = term_context(tx, &plan, bloc_id, year, bloc.rotate_head).await?;
        rules::check_term(&plan, &ctx)?;
        let values = TermValues {
            head_id: cmd.head_id,
            deputy_id: cmd.deputy_id,
            reporting_cutoff: cutoff,
        };
        let row = save_term(
            tx,
            existing.as_ref(),
            bloc_id,
            year,
            &values,
            &cmd.member_ids,
        )
        .await?;
        let term = Term::load(tx, row).await?;
        record(
            tx,
            caller,
            Change {
                action: if existing.is_some() {
                    "term.replaced"
                } else {
                    "term.created"
                },
                entity: "term",
                entity_id: term.id.to_string(),
                before,
                after: Some(term_json(&term)),
                reason: cmd.reason.clone().filter(|r| !r.trim().is_empty()),
                ..Default::default()
            },
        )
        .await?;
        Ok((term, existing.is_none()))
    })
    .await
}

/// What B1, B3 and B5 read for `plan`: the organisations it names (and
/// which of the unknown ids are people), the units already in another bloc
/// that year, and the bloc's heads the years around.
async fn term_context(
    tx: &mut Conn,
    plan: &TermPlan,
    bloc_id: Uuid,
    year: i32,
    rotate_head: bool,
) -> AppResult<TermContext> {
    let mut ids = plan.members.clone();
    ids.push(plan.head);
    ids.extend(plan.deputy);
    let orgs = db::organizations::facts(tx, &ids).await?;
    let unknown: Vec<Uuid> = ids
        .iter()
        .copied()
        .filter(|id| !orgs.iter().any(|o| o.id == *id))
        .collect();
    let people = if unknown.is_empty() {
        Vec::new()
    } else {
        db::people::existing(tx, &unknown).await?
    };
    Ok(TermContext {
        taken: db::blocs::taken(tx, &plan.members, year, bloc_id).await?,
        neighbour_heads: db::blocs::neighbour_heads(tx, bloc_id, year).await?,
        rotate_head,
        orgs,
        people,
    })
}

/// Write the term and its members; a race the database decides is a 412
/// (the same term created twice) or B1 (a unit put in two blocs).
async fn save_term(
    tx: &mut Conn,
    existing: Option<&TermRow>,
    bloc_id: Uuid,
    year: i32,
    values: &TermValues,
    member_ids: &[Uuid],
) -> AppResult<TermRow> {
    let row = match existing {
        Some(t) => db::blocs::update_term(tx, t.id, values).await?,
        None => db::blocs::insert_term(tx, bloc_id, year, values)
            .await
            // Another request created the same term at the same moment.
            .on_constraint("bloc_terms_bloc_id_year_key", || {
                AppError::version_conflict(1)
            })?,
    };
    db::blocs::set_members(tx, row.id, year, member_ids)
        .await
        // B1 decided by the database when two requests race.
        .on_constraint("term_members_one_bloc_per_year", || {
            RuleViolation::AlreadyInBloc {
                unit: String::new(),
                bloc: String::new(),
            }
        })?;
    Ok(row)
}

pub async fn get_term(db: &Db, bloc_id: Uuid, year: i32) -> AppResult<Term> {
    db.read(async |c| {
        let row = db::blocs::term(c, bloc_id, year)
            .await?
            .ok_or(AppError::not_found("term"))?;
        Term::load(c, row).await
    })
    .await
}

/// Every term of a bloc, newest first (two queries).
pub async fn term_history(db: &Db, bloc_id: Uuid) -> AppResult<Vec<Term>> {
    db.read(async |c| {
        db::blocs::get(c, bloc_id)
            .await?
            .ok_or(AppError::not_found("bloc"))?;
        let rows = db::blocs::terms_of(c, bloc_id).await?;
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let members = db::blocs::members(c, &ids).await?;
        Ok(rows
            .into_iter()
            .map(|row| Term::of(row, &members))
            .collect())
    })
    .await
}

/// The suggested head for a year, with the reason in the request's language.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HeadSuggestion {
    pub organization_id: Uuid,
    pub code: String,
    pub last_head_year: Option<i32>,
    pub reason: String,
}

/// The member that has gone longest without heading the bloc (ties by code),
/// among the year's members, or last year's when the year has no term yet.
pub async fn head_suggestion(db: &Db, bloc_id: Uuid, year: i32) -> AppResult<HeadSuggestion> {
    // No term exists outside the years a term may have (2000–2100, as the
    // path documents): nothing to suggest for.
    if !(2000..=2100).contains(&year) {
        return Err(AppError::not_found("term"));
    }
    db.read(async |c| {
        db::blocs::get(c, bloc_id)
            .await?
            .ok_or(AppError::not_found("bloc"))?;
        let term = match db::blocs::term(c, bloc_id, year).await? {
            Some(t) => Some(t),
            None => db::blocs::term(c, bloc_id, year.saturating_sub(1)).await?,
        };
        let term = term.ok_or_else(|| AppError::new(ErrorCode::NoMembersToSuggest))?;
        let members = db::blocs::members(c, &[term.id]).await?;
        let ids: Vec<Uuid> = members.iter().map(|m| m.id).collect();
        let last = db::blocs::last_head_years(c, bloc_id, year, &ids).await?;
        let candidates: Vec<HeadCandidate> = members
            .iter()
            .map(|m| HeadCandidate {
                id: m.id,
                code: m.code.clone(),
                last_head_year: last
                    .iter()
                    .find(|(id, _)| *id == m.id)
                    .and_then(|(_, y)| *y),
            })
            .collect();
        let best = rules::suggest_head(&candidates).ok_or(AppError::not_found("member"))?;
        let (vi, en) = match best.last_head_year {
            None => (
                format!(
                    "{} chưa từng làm trưởng khối; các đơn vị cùng điều kiện được xếp theo mã.",
                    best.code
                ),
                format!(
                    "{} has never been head; units in the same position are ordered by code.",
                    best.code
                ),
            ),
            Some(y) => (
                format!(
                    "{} làm trưởng khối lần gần nhất năm {y}, lâu nhất trong các thành viên.",
                    best.code
                ),
                format!(
                    "{} was last head in {y}, longer ago than any other member.",
                    best.code
                ),
            ),
        };
        Ok(HeadSuggestion {
            organization_id: best.id,
            code: best.code.clone(),
            last_head_year: best.last_head_year,
            reason: crate::ctx::lang().pick(&vi, &en).to_string(),
        })
    })
    .await
}

/// T8: the admin moves a term's reporting cut-off (audited, with the
/// reason); allowed on a frozen term, it changes no member, head or deputy.
pub async fn move_cutoff(
    db: &Db,
    caller: &Principal,
    bloc_id: Uuid,
    year: i32,
    cutoff: NaiveDate,
    reason: String,
) -> AppResult<Term> {
    caller.require_admin()?;
    db.transaction(async |tx| {
        let term = db::blocs::lock_term(tx, bloc_id, year)
            .await?
            .ok_or(AppError::not_found("term"))?;
        let after = db::blocs::set_cutoff(tx, term.id, cutoff).await?;
        record(
            tx,
            caller,
            Change {
                action: "term.cutoff_moved",
                entity: "term",
                entity_id: term.id.to_string(),
                before: Some(json!({"reportingCutoff": term.reporting_cutoff})),
                after: Some(json!({"reportingCutoff": after.reporting_cutoff})),
                reason: Some(nfc(&reason)),
                ..Default::default()
            },
        )
        .await?;
        Term::load(tx, after).await
    })
    .await
}

/// The term of `bloc_id` for `year`, if there is one.
pub async fn find_term(db: &Db, bloc_id: Uuid, year: i32) -> AppResult<Option<Term>> {
    db.read(async |c| match db::blocs::term(c, bloc_id, year).await? {
        Some(row) => Ok(Some(Term::load(c, row).await?)),
        None => Ok(None),
    })
    .await
}
