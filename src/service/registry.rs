//! Registry use cases: organisations, staff, blocs, yearly terms (B1–B5),
//! conferences.

use chrono::{Datelike, NaiveDate, Utc};
use serde_json::json;
use uuid::Uuid;

use super::{Change, check_version, record};
use crate::auth::Principal;
use crate::auth::principal::not_your_organization;
use crate::db::blocs::{BlocChanges, BlocRow, MemberRow, NewBloc, TermRow, TermValues};
use crate::db::conferences::Conference;
use crate::db::organizations::{NewOrg, OrgChanges, OrgFilter, OrgRow};
use crate::db::people::{NewPerson, PersonChanges, PersonFilter, PersonRow};
use crate::db::{self, Conn, Db};
use crate::domain::RuleViolation;
use crate::domain::paging::{Cursor, PageRequest};
use crate::domain::registry::{self as rules, HeadCandidate, TermContext, TermPlan};
use crate::error::{AppError, AppResult, ErrorCode, OnConstraint};
use crate::i18n::nfc;

fn opt_nfc(s: Option<String>) -> Option<String> {
    s.map(|v| nfc(&v)).filter(|v| !v.is_empty())
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

// ---------------------------------------------------------------- organisations

pub struct CreateOrg {
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: String,
    pub parent_id: Option<Uuid>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

#[derive(Default)]
pub struct UpdateOrg {
    pub name: Option<String>,
    pub short_name: Option<Option<String>>,
    pub kind: Option<String>,
    pub parent_id: Option<Option<Uuid>>,
    pub valid_from: Option<Option<NaiveDate>>,
}

pub struct RetireOrg {
    /// Last day the organisation is valid (default: yesterday).
    pub valid_to: Option<NaiveDate>,
    /// The organisation it was renamed to or merged into.
    pub superseded_by_id: Option<Uuid>,
}

fn org_json(o: &OrgRow) -> serde_json::Value {
    json!({"id": o.id, "code": o.code, "name": o.name, "shortName": o.short_name, "kind": o.kind,
           "parentId": o.parent_id, "validFrom": o.valid_from, "validTo": o.valid_to,
           "supersededById": o.superseded_by_id, "supersededOn": o.superseded_on, "version": o.version})
}

fn code_taken(what: &'static str) -> impl FnOnce() -> AppError {
    move || AppError::new(ErrorCode::CodeTaken).arg("what", what)
}

/// An organisation's validity ends on or after the day it starts.
fn check_dates(from: Option<NaiveDate>, to: Option<NaiveDate>) -> AppResult<()> {
    match (from, to) {
        (Some(f), Some(t)) if t < f => Err(AppError::new(ErrorCode::InvalidDates)),
        _ => Ok(()),
    }
}

async fn check_parent(tx: &mut Conn, parent: Option<Uuid>, child: Option<Uuid>) -> AppResult<()> {
    let Some(pid) = parent else { return Ok(()) };
    if child == Some(pid) {
        return Err(AppError::new(ErrorCode::InvalidParent));
    }
    let facts = db::organizations::facts(tx, &[pid]).await?;
    let parent = facts
        .first()
        .ok_or(RuleViolation::UnknownOrganization { id: pid })?;
    let has_children = match child {
        Some(id) => db::organizations::has_children(tx, id).await?,
        None => false,
    };
    Ok(rules::check_parent(Some(parent), has_children)?)
}

pub async fn create_org(db: &Db, caller: &Principal, cmd: CreateOrg) -> AppResult<OrgRow> {
    caller.require_admin()?;
    check_dates(cmd.valid_from, cmd.valid_to)?;
    db.transaction(async |tx| {
        check_parent(tx, cmd.parent_id, None).await?;
        let org = db::organizations::insert(
            tx,
            NewOrg {
                id: Uuid::now_v7(),
                code: cmd.code.trim().to_uppercase(),
                name: nfc(&cmd.name),
                short_name: opt_nfc(cmd.short_name),
                kind: cmd.kind,
                parent_id: cmd.parent_id,
                valid_from: cmd.valid_from,
                valid_to: cmd.valid_to,
            },
        )
        .await
        .on_constraint(
            "organizations_code_key",
            code_taken("đơn vị / organisation"),
        )?;
        record(
            tx,
            caller,
            Change {
                action: "organization.created",
                entity: "organization",
                entity_id: org.id.to_string(),
                after: Some(org_json(&org)),
                organization_id: Some(org.id),
                ..Default::default()
            },
        )
        .await?;
        Ok(org)
    })
    .await
}

pub async fn get_org(db: &Db, id: Uuid) -> AppResult<OrgRow> {
    db.read(async |c| db::organizations::get(c, id).await)
        .await?
        .ok_or(AppError::not_found("organization"))
}

pub async fn list_orgs(
    db: &Db,
    mut filter: OrgFilter,
    page: PageRequest,
) -> AppResult<(Vec<OrgRow>, Option<String>)> {
    filter.after_code = page.cursor.as_ref().map(Cursor::code).transpose()?;
    filter.limit = page.limit + 1;
    let mut rows = db
        .read(async |c| db::organizations::list(c, &filter).await)
        .await?;
    let next = page.next_cursor(&mut rows, |o| Cursor::from_code(&o.code));
    Ok((rows, next))
}

pub async fn update_org(
    db: &Db,
    caller: &Principal,
    id: Uuid,
    expected: Option<i32>,
    cmd: UpdateOrg,
) -> AppResult<OrgRow> {
    caller.require_admin()?;
    db.transaction(async |tx| {
        let before = db::organizations::lock(tx, id)
            .await?
            .ok_or(AppError::not_found("organization"))?;
        check_version(expected, before.version)?;
        if let Some(from) = cmd.valid_from {
            check_dates(from, before.valid_to)?;
        }
        if let Some(parent) = cmd.parent_id {
            check_parent(tx, parent, Some(id)).await?;
            // B5: a bloc member cannot become a sub-unit.
            if parent.is_some() && db::organizations::is_term_member(tx, id).await? {
                return Err(RuleViolation::MemberNotAUnit {
                    what: before.code.clone(),
                }
                .into());
            }
        }
        let after = db::organizations::update(
            tx,
            id,
            OrgChanges {
                name: cmd.name.as_deref().map(nfc),
                short_name: cmd.short_name.map(opt_nfc),
                kind: cmd.kind,
                parent_id: cmd.parent_id,
                valid_from: cmd.valid_from,
                ..Default::default()
            },
        )
        .await?;
        record(
            tx,
            caller,
            Change {
                action: "organization.updated",
                entity: "organization",
                entity_id: id.to_string(),
                before: Some(org_json(&before)),
                after: Some(org_json(&after)),
                organization_id: Some(id),
                ..Default::default()
            },
        )
        .await?;
        Ok(after)
    })
    .await
}

/// Retire (never delete): the organisation stays readable for the years it
/// existed; a rename or merge names its successor.
pub async fn retire_org(
    db: &Db,
    caller: &Principal,
    id: Uuid,
    expected: Option<i32>,
    cmd: RetireOrg,
) -> AppResult<OrgRow> {
    caller.require_admin()?;
    db.transaction(async |tx| {
        let before = db::organizations::lock(tx, id)
            .await?
            .ok_or(AppError::not_found("organization"))?;
        check_version(expected, before.version)?;
        if before.valid_to.is_some() {
            return Err(AppError::new(ErrorCode::AlreadyRetired));
        }
        let valid_to = cmd
            .valid_to
            .unwrap_or_else(|| today().pred_opt().unwrap_or_else(today));
        check_dates(before.valid_from, Some(valid_to))?;
        if let Some(s) = cmd.superseded_by_id {
            if s == id {
                return Err(AppError::new(ErrorCode::InvalidSuccessor));
            }
            db::organizations::get(tx, s)
                .await?
                .ok_or(RuleViolation::UnknownOrganization { id: s })?;
        }
        let after = db::organizations::update(
            tx,
            id,
            OrgChanges {
                valid_to: Some(Some(valid_to)),
                superseded_by_id: Some(cmd.superseded_by_id),
                superseded_on: Some(cmd.superseded_by_id.and_then(|_| valid_to.succ_opt())),
                ..Default::default()
            },
        )
        .await?;
        record(
            tx,
            caller,
            Change {
                action: "organization.retired",
                entity: "organization",
                entity_id: id.to_string(),
                before: Some(org_json(&before)),
                after: Some(org_json(&after)),
                organization_id: Some(id),
                ..Default::default()
            },
        )
        .await?;
        Ok(after)
    })
    .await
}

// ---------------------------------------------------------------- people

pub struct CreatePerson {
    pub full_name: String,
    pub organization_id: Uuid,
    pub position: Option<String>,
    pub category: String,
    pub gender: Option<String>,
    pub employment_start: Option<NaiveDate>,
}

#[derive(Default)]
pub struct UpdatePerson {
    pub full_name: Option<String>,
    pub organization_id: Option<Uuid>,
    pub position: Option<Option<String>>,
    pub category: Option<String>,
    pub gender: Option<Option<String>>,
    pub employment_start: Option<Option<NaiveDate>>,
    pub active: Option<bool>,
}

fn person_json(p: &PersonRow) -> serde_json::Value {
    json!({"id": p.id, "fullName": p.full_name, "organizationId": p.organization_id, "position": p.position,
           "category": p.category, "gender": p.gender, "employmentStart": p.employment_start,
           "active": p.active, "version": p.version})
}

/// A unit's officers keep their own staff list, including their sub-units'.
pub(crate) async fn require_staff_writer(
    tx: &mut Conn,
    caller: &Principal,
    org_id: Uuid,
) -> AppResult<()> {
    caller.require_write()?;
    if caller.is_admin() {
        // The admin may write for any organisation, but it must exist.
        db::organizations::get(tx, org_id)
            .await?
            .ok_or(RuleViolation::UnknownOrganization { id: org_id })?;
        return Ok(());
    }
    let org = db::organizations::get(tx, org_id)
        .await?
        .ok_or_else(not_your_organization)?;
    let unit = org.parent_id.unwrap_or(org.id);
    caller
        .require_acting_for(unit)
        .or_else(|_| caller.require_acting_for(org.id))
}

pub async fn create_person(db: &Db, caller: &Principal, cmd: CreatePerson) -> AppResult<PersonRow> {
    db.transaction(async |tx| {
        require_staff_writer(tx, caller, cmd.organization_id).await?;
        let person = db::people::insert(
            tx,
            NewPerson {
                id: Uuid::now_v7(),
                full_name: nfc(&cmd.full_name),
                organization_id: cmd.organization_id,
                position: opt_nfc(cmd.position),
                category: cmd.category,
                gender: cmd.gender,
                employment_start: cmd.employment_start,
            },
        )
        .await?;
        record(
            tx,
            caller,
            Change {
                action: "person.created",
                entity: "person",
                entity_id: person.id.to_string(),
                after: Some(person_json(&person)),
                event_data: Some(
                    json!({"id": person.id, "organizationId": person.organization_id}),
                ),
                organization_id: Some(person.organization_id),
                ..Default::default()
            },
        )
        .await?;
        Ok(person)
    })
    .await
}

pub async fn get_person(db: &Db, id: Uuid) -> AppResult<PersonRow> {
    db.read(async |c| db::people::get(c, id).await)
        .await?
        .ok_or(AppError::not_found("person"))
}

pub async fn list_people(
    db: &Db,
    mut filter: PersonFilter,
    page: PageRequest,
) -> AppResult<(Vec<PersonRow>, Option<String>)> {
    filter.after = page.cursor.as_ref().map(Cursor::uuid).transpose()?;
    filter.limit = page.limit + 1;
    let mut rows = db
        .read(async |c| db::people::list(c, &filter).await)
        .await?;
    let next = page.next_cursor(&mut rows, |p| Cursor::from_uuid(p.id));
    Ok((rows, next))
}

pub async fn update_person(
    db: &Db,
    caller: &Principal,
    id: Uuid,
    expected: Option<i32>,
    cmd: UpdatePerson,
) -> AppResult<PersonRow> {
    db.transaction(async |tx| {
        let before = db::people::lock(tx, id)
            .await?
            .ok_or(AppError::not_found("person"))?;
        require_staff_writer(tx, caller, before.organization_id).await?;
        if let Some(to) = cmd.organization_id
            && to != before.organization_id
        {
            require_staff_writer(tx, caller, to).await?;
        }
        check_version(expected, before.version)?;
        let after = db::people::update(
            tx,
            id,
            PersonChanges {
                full_name: cmd.full_name.as_deref().map(nfc),
                organization_id: cmd.organization_id,
                position: cmd.position.map(opt_nfc),
                category: cmd.category,
                gender: cmd.gender,
                employment_start: cmd.employment_start,
                active: cmd.active,
            },
        )
        .await?;
        record(
            tx,
            caller,
            Change {
                action: "person.updated",
                entity: "person",
                entity_id: id.to_string(),
                before: Some(person_json(&before)),
                after: Some(person_json(&after)),
                event_data: Some(json!({"id": id, "organizationId": after.organization_id})),
                organization_id: Some(after.organization_id),
                ..Default::default()
            },
        )
        .await?;
        Ok(after)
    })
    .await
}

// ---------------------------------------------------------------- blocs

pub struct CreateBloc {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub description: Option<String>,
    pub rotate_head: bool,
}

fn bloc_json(b: &BlocRow) -> serde_json::Value {
    json!({"id": b.id, "code": b.code, "name": b.name, "kind": b.kind, "description": b.description,
           "rotateHead": b.rotate_head, "version": b.version})
}

pub async fn create_bloc(db: &Db, caller: &Principal, cmd: CreateBloc) -> AppResult<BlocRow> {
    caller.require_admin()?;
    db.transaction(async |tx| {
        let bloc = db::blocs::insert(
            tx,
            NewBloc {
                id: Uuid::now_v7(),
                code: cmd.code.trim().to_uppercase(),
                name: nfc(&cmd.name),
                kind: cmd.kind,
                description: opt_nfc(cmd.description),
                rotate_head: cmd.rotate_head,
            },
        )
        .await
        .on_constraint("blocs_code_key", code_taken("khối / bloc"))?;
        record(
            tx,
            caller,
            Change {
                action: "bloc.created",
                entity: "bloc",
                entity_id: bloc.id.to_string(),
                after: Some(bloc_json(&bloc)),
                ..Default::default()
            },
        )
        .await?;
        Ok(bloc)
    })
    .await
}

pub async fn get_bloc(db: &Db, id: Uuid) -> AppResult<BlocRow> {
    db.read(async |c| db::blocs::get(c, id).await)
        .await?
        .ok_or(AppError::not_found("bloc"))
}

pub async fn list_blocs(
    db: &Db,
    kind: Option<String>,
    page: PageRequest,
) -> AppResult<(Vec<BlocRow>, Option<String>)> {
    let after = page.cursor.as_ref().map(Cursor::code).transpose()?;
    let mut rows = db
        .read(async |c| db::blocs::list(c, kind.as_deref(), after.as_deref(), page.limit + 1).await)
        .await?;
    let next = page.next_cursor(&mut rows, |b| Cursor::from_code(&b.code));
    Ok((rows, next))
}

pub async fn update_bloc(
    db: &Db,
    caller: &Principal,
    id: Uuid,
    expected: Option<i32>,
    changes: BlocChanges,
) -> AppResult<BlocRow> {
    caller.require_admin()?;
    let changes = BlocChanges {
        name: changes.name.as_deref().map(nfc),
        description: changes.description.map(opt_nfc),
        ..changes
    };
    db.transaction(async |tx| {
        let before = db::blocs::lock(tx, id)
            .await?
            .ok_or(AppError::not_found("bloc"))?;
        check_version(expected, before.version)?;
        let after = db::blocs::update(tx, id, changes).await?;
        record(
            tx,
            caller,
            Change {
                action: "bloc.updated",
                entity: "bloc",
                entity_id: id.to_string(),
                before: Some(bloc_json(&before)),
                after: Some(bloc_json(&after)),
                ..Default::default()
            },
        )
        .await?;
        Ok(after)
    })
    .await
}

// ---------------------------------------------------------------- terms

pub struct PutTerm {
    pub member_ids: Vec<Uuid>,
    pub head_id: Uuid,
    pub deputy_id: Option<Uuid>,
    pub reporting_cutoff: Option<NaiveDate>,
    /// Required to change a frozen term (B4), kept in the audit trail.
    pub reason: Option<String>,
}

/// A term with its members (ordered by code).
pub struct Term {
    pub row: TermRow,
    pub members: Vec<MemberRow>,
}

fn term_json(t: &Term) -> serde_json::Value {
    json!({"id": t.row.id, "blocId": t.row.bloc_id, "year": t.row.year, "headId": t.row.head_id,
           "deputyId": t.row.deputy_id, "reportingCutoff": t.row.reporting_cutoff,
           "memberIds": t.members.iter().map(|m| m.id).collect::<Vec<_>>(), "version": t.row.version})
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
            let members = db::blocs::members(tx, &[t.id]).await?;
            before = Some(term_json(&Term {
                row: t.clone(),
                members,
            }));
        }
        let plan = TermPlan {
            members: cmd.member_ids.clone(),
            head: cmd.head_id,
            deputy: cmd.deputy_id,
        };
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
        let ctx = TermContext {
            taken: db::blocs::taken(tx, &plan.members, year, bloc_id).await?,
            neighbour_heads: db::blocs::neighbour_heads(tx, bloc_id, year).await?,
            rotate_head: bloc.rotate_head,
            orgs,
            people,
        };
        rules::check_term(&plan, &ctx)?;
        let values = TermValues {
            head_id: cmd.head_id,
            deputy_id: cmd.deputy_id,
            reporting_cutoff: cutoff,
        };
        let row = match &existing {
            Some(t) => db::blocs::update_term(tx, t.id, &values).await?,
            None => db::blocs::insert_term(tx, bloc_id, year, &values)
                .await
                // Another request created the same term at the same moment.
                .on_constraint("bloc_terms_bloc_id_year_key", || {
                    AppError::version_conflict(1)
                })?,
        };
        db::blocs::set_members(tx, row.id, year, &cmd.member_ids)
            .await
            // B1 decided by the database when two requests race.
            .on_constraint("term_members_one_bloc_per_year", || {
                RuleViolation::AlreadyInBloc {
                    unit: String::new(),
                    bloc: String::new(),
                }
            })?;
        let members = db::blocs::members(tx, &[row.id]).await?;
        let term = Term { row, members };
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
                entity_id: term.row.id.to_string(),
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

pub async fn get_term(db: &Db, bloc_id: Uuid, year: i32) -> AppResult<Term> {
    db.read(async |c| {
        let row = db::blocs::term(c, bloc_id, year)
            .await?
            .ok_or(AppError::not_found("term"))?;
        let members = db::blocs::members(c, &[row.id]).await?;
        Ok(Term { row, members })
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
            .map(|row| {
                let m = members
                    .iter()
                    .filter(|m| m.term_id == row.id)
                    .cloned()
                    .collect();
                Term { row, members: m }
            })
            .collect())
    })
    .await
}

pub struct HeadSuggestion {
    pub organization_id: Uuid,
    pub code: String,
    pub last_head_year: Option<i32>,
    pub reason_vi: String,
    pub reason_en: String,
}

/// The member that has gone longest without heading the bloc (ties by code),
/// among the year's members, or last year's when the year has no term yet.
pub async fn head_suggestion(db: &Db, bloc_id: Uuid, year: i32) -> AppResult<HeadSuggestion> {
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
            reason_vi: vi,
            reason_en: en,
        })
    })
    .await
}

// ---------------------------------------------------------------- conferences

fn conference_json(c: &Conference) -> serde_json::Value {
    json!({"id": c.row.id, "blocId": c.row.bloc_id, "year": c.row.year, "kind": c.row.kind,
           "date": c.row.held_on, "location": c.row.location, "hostOrganizationId": c.row.host_organization_id,
           "title": c.row.title, "attendeeIds": c.attendees,
           "representatives": c.representatives.iter().map(|r| json!({"fullName": r.full_name, "position": r.position, "organizationId": r.organization_id})).collect::<Vec<_>>(),
           "documents": c.documents.iter().map(|d| json!({"title": d.title, "number": d.number, "date": d.issued_on, "url": d.url, "sha256": d.sha256})).collect::<Vec<_>>()})
}

/// Every organisation the conference names must exist.
async fn check_conference_refs(tx: &mut Conn, conf: &Conference) -> AppResult<()> {
    db::blocs::get(tx, conf.row.bloc_id)
        .await?
        .ok_or(RuleViolation::UnknownOrganization {
            id: conf.row.bloc_id,
        })
        .map_err(|_| AppError::new(ErrorCode::UnknownBloc))?;
    let mut ids: Vec<Uuid> = conf.attendees.clone();
    ids.extend(conf.row.host_organization_id);
    ids.extend(
        conf.representatives
            .iter()
            .filter_map(|r| r.organization_id),
    );
    ids.sort();
    ids.dedup();
    let found = db::organizations::facts(tx, &ids).await?;
    if let Some(missing) = ids.iter().find(|id| !found.iter().any(|f| f.id == **id)) {
        return Err(RuleViolation::UnknownOrganization { id: *missing }.into());
    }
    Ok(())
}

pub async fn create_conference(
    db: &Db,
    caller: &Principal,
    mut conf: Conference,
) -> AppResult<Conference> {
    caller.require_admin()?;
    normalise_conference(&mut conf);
    db.transaction(async |tx| {
        check_conference_refs(tx, &conf).await?;
        db::conferences::insert(tx, &conf).await?;
        let saved = db::conferences::get(tx, conf.row.id)
            .await?
            .ok_or(AppError::not_found("conference"))?;
        record(
            tx,
            caller,
            Change {
                action: "conference.created",
                entity: "conference",
                entity_id: saved.row.id.to_string(),
                after: Some(conference_json(&saved)),
                ..Default::default()
            },
        )
        .await?;
        Ok(saved)
    })
    .await
}

pub async fn replace_conference(
    db: &Db,
    caller: &Principal,
    id: Uuid,
    expected: Option<i32>,
    mut conf: Conference,
) -> AppResult<Conference> {
    caller.require_admin()?;
    normalise_conference(&mut conf);
    db.transaction(async |tx| {
        let before_row = db::conferences::lock(tx, id)
            .await?
            .ok_or(AppError::not_found("conference"))?;
        check_version(expected, before_row.version)?;
        if before_row.bloc_id != conf.row.bloc_id {
            return Err(AppError::new(ErrorCode::BlocImmutable));
        }
        let before = db::conferences::get(tx, id)
            .await?
            .ok_or(AppError::not_found("conference"))?;
        conf.row.id = id;
        for r in &mut conf.representatives {
            r.conference_id = id;
        }
        for d in &mut conf.documents {
            d.conference_id = id;
        }
        check_conference_refs(tx, &conf).await?;
        db::conferences::replace(tx, &conf).await?;
        let saved = db::conferences::get(tx, id)
            .await?
            .ok_or(AppError::not_found("conference"))?;
        record(
            tx,
            caller,
            Change {
                action: "conference.replaced",
                entity: "conference",
                entity_id: id.to_string(),
                before: Some(conference_json(&before)),
                after: Some(conference_json(&saved)),
                ..Default::default()
            },
        )
        .await?;
        Ok(saved)
    })
    .await
}

fn normalise_conference(conf: &mut Conference) {
    conf.row.title = nfc(&conf.row.title);
    conf.row.location = opt_nfc(conf.row.location.take());
    conf.attendees.sort();
    conf.attendees.dedup();
    for r in &mut conf.representatives {
        r.full_name = nfc(&r.full_name);
        r.position = opt_nfc(r.position.take());
    }
    for d in &mut conf.documents {
        d.title = nfc(&d.title);
        d.sha256 = d.sha256.take().map(|s| s.to_ascii_lowercase());
    }
}

pub async fn get_conference(db: &Db, id: Uuid) -> AppResult<Conference> {
    db.read(async |c| db::conferences::get(c, id).await)
        .await?
        .ok_or(AppError::not_found("conference"))
}

pub async fn list_conferences(
    db: &Db,
    bloc_id: Option<Uuid>,
    year: Option<i32>,
    page: PageRequest,
) -> AppResult<(Vec<Conference>, Option<String>)> {
    let after = page.cursor.as_ref().map(Cursor::uuid).transpose()?;
    let mut rows = db
        .read(async |c| db::conferences::list(c, bloc_id, year, after, page.limit + 1).await)
        .await?;
    let next = page.next_cursor(&mut rows, |c| Cursor::from_uuid(c.row.id));
    Ok((rows, next))
}
