//! Titles and commendations: the catalogue, rule sets (C0), yearly facts,
//! registrations, the eligibility engine's loading side, proposals,
//! decisions and the award history (C1–C14 live in `domain::titles`).

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use super::pledges::today_in_vietnam;
use super::registry::require_staff_writer;
use super::{Change, check_version, record};
use crate::auth::Principal;
use crate::db::titles::{
    AwardRow, DecisionRow, FactsRow, InitiativeRow, NewFacts, ProposalItemRow, ProposalRow,
    RegistrationRow, RuleSetRow,
};
use crate::db::{self, Conn, Db};
use crate::domain::RuleViolation;
use crate::domain::paging::{Cursor, PageRequest};
use crate::domain::titles::{
    self as rules, Answer, AwardType, Check, Collective, Discipline, Held, Initiative, Level,
    Person, PersonYear, Rating, RuleParams, Standing, Subject,
};
use crate::error::{AppError, AppResult, ErrorCode, FieldError, OnConstraint, RuleFailure};
use crate::i18n::nfc;

// ---------------------------------------------------------------- catalogue

pub async fn award_types(db: &Db) -> AppResult<Vec<db::titles::AwardTypeRow>> {
    Ok(db.read(async |c| db::titles::award_types(c).await).await?)
}

// ---------------------------------------------------------------- rule sets

pub fn params_of(row: &RuleSetRow) -> AppResult<RuleParams> {
    serde_json::from_value(row.params.clone()).map_err(AppError::internal)
}

pub async fn rule_sets(db: &Db) -> AppResult<Vec<RuleSetRow>> {
    Ok(db.read(async |c| db::titles::rule_sets(c).await).await?)
}

pub async fn rule_set(db: &Db, id: Uuid) -> AppResult<RuleSetRow> {
    db.read(async |c| db::titles::rule_set(c, id).await)
        .await?
        .ok_or(AppError::not_found("rule_set"))
}

/// C0: the rule set for emulation year `year` is the one in force on 31
/// December of that year.
pub async fn rule_set_for_year(c: &mut Conn, year: i32) -> AppResult<RuleSetRow> {
    let day = NaiveDate::from_ymd_opt(year, 12, 31).ok_or(RuleViolation::NoRuleSet { year })?;
    Ok(db::titles::rule_set_in_force(c, day)
        .await?
        .ok_or(RuleViolation::NoRuleSet { year })?)
}

pub struct RuleSetInput {
    pub name: String,
    pub legal_basis: String,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    pub params: RuleParams,
}

fn check_rule_set(input: &RuleSetInput) -> AppResult<()> {
    input.params.check()?;
    if input.effective_to.is_some_and(|t| t < input.effective_from) {
        return Err(RuleViolation::InvalidRuleSet {
            reason: "effectiveTo is before effectiveFrom",
        }
        .into());
    }
    Ok(())
}

fn rule_set_json(r: &RuleSetRow) -> Value {
    json!({"id": r.id, "code": r.code, "version": r.version, "scope": r.scope, "name": r.name,
           "legalBasis": r.legal_basis, "effectiveFrom": r.effective_from, "effectiveTo": r.effective_to,
           "params": r.params})
}

/// C0: a new rule set, or a new version of an existing code (admin).
pub async fn create_rule_set(
    db: &Db,
    caller: &Principal,
    code: String,
    scope: String,
    input: RuleSetInput,
) -> AppResult<RuleSetRow> {
    caller.require_admin()?;
    check_rule_set(&input)?;
    db.transaction(async |tx| {
        // Versions of one code are numbered one writer at a time.
        db::titles::lock_rule_set_code(tx, &code).await?;
        let version = db::titles::next_rule_set_version(tx, &code).await?;
        let now = Utc::now();
        let row = db::titles::insert_rule_set(
            tx,
            &RuleSetRow {
                id: Uuid::now_v7(),
                code,
                version,
                scope,
                name: nfc(&input.name),
                legal_basis: nfc(&input.legal_basis),
                effective_from: input.effective_from,
                effective_to: input.effective_to,
                params: serde_json::to_value(&input.params).map_err(AppError::internal)?,
                used_at: None,
                row_version: 1,
                created_at: now,
                updated_at: now,
            },
        )
        .await?;
        record(
            tx,
            caller,
            Change {
                action: "rule_set.created",
                entity: "rule_set",
                entity_id: row.id.to_string(),
                after: Some(rule_set_json(&row)),
                ..Default::default()
            },
        )
        .await?;
        Ok(row)
    })
    .await
}

/// C0: edit a rule set that no decision has used yet (admin).
pub async fn update_rule_set(
    db: &Db,
    caller: &Principal,
    id: Uuid,
    expected: Option<i32>,
    input: RuleSetInput,
) -> AppResult<RuleSetRow> {
    caller.require_admin()?;
    check_rule_set(&input)?;
    db.transaction(async |tx| {
        let before = db::titles::lock_rule_set(tx, id)
            .await?
            .ok_or(AppError::not_found("rule_set"))?;
        check_version(expected, before.row_version)?;
        if before.used_at.is_some() {
            return Err(RuleViolation::RuleSetInUse.into());
        }
        let after = db::titles::update_rule_set(
            tx,
            id,
            db::titles::RuleSetChanges {
                name: nfc(&input.name),
                legal_basis: nfc(&input.legal_basis),
                effective_from: input.effective_from,
                effective_to: input.effective_to,
                params: serde_json::to_value(&input.params).map_err(AppError::internal)?,
            },
        )
        .await?;
        record(
            tx,
            caller,
            Change {
                action: "rule_set.updated",
                entity: "rule_set",
                entity_id: id.to_string(),
                before: Some(rule_set_json(&before)),
                after: Some(rule_set_json(&after)),
                ..Default::default()
            },
        )
        .await?;
        Ok(after)
    })
    .await
}

// ---------------------------------------------------------------- yearly facts

pub struct InitiativeInput {
    pub title: String,
    pub level: String,
}

pub struct FactsInput {
    pub person_id: Uuid,
    pub rating: String,
    pub registered: bool,
    pub months_employed: i32,
    pub absent_days: i32,
    pub discipline: String,
    pub discipline_until: Option<NaiveDate>,
    pub under_investigation: bool,
    pub initiatives: Vec<InitiativeInput>,
}

pub struct PersonFacts {
    pub person_id: Uuid,
    pub full_name: String,
    pub organization_id: Uuid,
    pub facts: Option<FactsRow>,
    pub initiatives: Vec<InitiativeRow>,
}

fn row_error(errors: &mut Vec<FieldError>, i: usize, field: &str, code: &str, message: String) {
    errors.push(FieldError {
        field: format!("people[{i}].{field}"),
        code: code.into(),
        message,
    });
}

/// A unit's year for its own staff (and its sub-units'), all or nothing:
/// every row is checked first and every error listed.
pub async fn put_year_facts(
    db: &Db,
    caller: &Principal,
    org_id: Uuid,
    year: i32,
    rows: Vec<FactsInput>,
) -> AppResult<Vec<PersonFacts>> {
    db.transaction(async |tx| {
        require_staff_writer(tx, caller, org_id.into()).await?;
        let tree = db::titles::org_tree(tx, org_id).await?;
        let orgs: Vec<Uuid> = tree.iter().map(|t| t.0).collect();
        let staff = db::titles::staff_of(tx, &orgs, NaiveDate::MAX).await?;
        let staff_ids: HashSet<Uuid> = staff.iter().map(|s| s.0).collect();
        let mut errors = Vec::new();
        let mut seen = HashSet::new();
        for (i, r) in rows.iter().enumerate() {
            if !staff_ids.contains(&r.person_id) {
                row_error(
                    &mut errors,
                    i,
                    "personId",
                    "not_staff",
                    format!(
                        "{} is not active staff of the organisation or its sub-units",
                        r.person_id
                    ),
                );
            }
            if !seen.insert(r.person_id) {
                row_error(
                    &mut errors,
                    i,
                    "personId",
                    "duplicate",
                    "the person is listed twice".into(),
                );
            }
            if Rating::parse(&r.rating).is_none() {
                row_error(
                    &mut errors,
                    i,
                    "rating",
                    "one_of",
                    "one of htxs, htt, ht, kht".into(),
                );
            }
            match Discipline::parse(&r.discipline) {
                None => row_error(
                    &mut errors,
                    i,
                    "discipline",
                    "one_of",
                    "one of none, khien_trach, canh_cao, higher".into(),
                ),
                Some(Discipline::None) if r.discipline_until.is_some() => row_error(
                    &mut errors,
                    i,
                    "disciplineUntil",
                    "forbidden",
                    "only with a discipline".into(),
                ),
                Some(d) if d != Discipline::None && r.discipline_until.is_none() => row_error(
                    &mut errors,
                    i,
                    "disciplineUntil",
                    "required",
                    "the date the discipline ends is required".into(),
                ),
                _ => {}
            }
            for (k, ini) in r.initiatives.iter().enumerate() {
                if Level::parse(&ini.level).is_none() {
                    row_error(
                        &mut errors,
                        i,
                        &format!("initiatives[{k}].level"),
                        "one_of",
                        "one of grassroots, provincial, national".into(),
                    );
                }
            }
        }
        if !errors.is_empty() {
            return Err(AppError::new(ErrorCode::InvalidFacts).with_errors(errors));
        }
        let people: Vec<Uuid> = rows.iter().map(|r| r.person_id).collect();
        let facts: Vec<NewFacts> = rows
            .iter()
            .map(|r| NewFacts {
                person_id: r.person_id,
                year,
                rating: r.rating.clone(),
                registered: r.registered,
                months_employed: r.months_employed,
                absent_days: r.absent_days,
                discipline: r.discipline.clone(),
                discipline_until: r.discipline_until,
                under_investigation: r.under_investigation,
            })
            .collect();
        let initiatives: Vec<InitiativeRow> = rows
            .iter()
            .flat_map(|r| {
                r.initiatives.iter().map(|i| InitiativeRow {
                    id: Uuid::now_v7(),
                    person_id: r.person_id,
                    year,
                    title: nfc(&i.title),
                    level: i.level.clone(),
                })
            })
            .collect();
        db::titles::upsert_facts(tx, &facts).await?;
        db::titles::replace_initiatives(tx, &people, year, &initiatives).await?;
        record(
            tx,
            caller,
            Change {
                action: "facts.recorded",
                entity: "organization",
                entity_id: org_id.to_string(),
                after: Some(
                    json!({"year": year, "people": people, "initiatives": initiatives.len()}),
                ),
                event_data: Some(
                    json!({"organizationId": org_id, "year": year, "people": people.len()}),
                ),
                organization_id: Some(org_id),
                ..Default::default()
            },
        )
        .await?;
        year_facts_in(tx, org_id, year).await
    })
    .await
}

async fn year_facts_in(c: &mut Conn, org_id: Uuid, year: i32) -> AppResult<Vec<PersonFacts>> {
    let tree = db::titles::org_tree(c, org_id).await?;
    if tree.is_empty() {
        return Err(AppError::not_found("organization"));
    }
    let orgs: Vec<Uuid> = tree.iter().map(|t| t.0).collect();
    let staff = db::titles::staff_of(c, &orgs, NaiveDate::MAX).await?;
    let ids: Vec<Uuid> = staff.iter().map(|s| s.0).collect();
    let mut facts: HashMap<Uuid, FactsRow> = db::titles::facts_of(c, &ids)
        .await?
        .into_iter()
        .filter(|f| f.year == year)
        .map(|f| (f.person_id, f))
        .collect();
    let mut inis: HashMap<Uuid, Vec<InitiativeRow>> = HashMap::new();
    for i in db::titles::initiatives_of(c, &ids).await? {
        if i.year == year {
            inis.entry(i.person_id).or_default().push(i);
        }
    }
    Ok(staff
        .into_iter()
        .map(|(id, org, name)| PersonFacts {
            person_id: id,
            full_name: name,
            organization_id: org,
            facts: facts.remove(&id),
            initiatives: inis.remove(&id).unwrap_or_default(),
        })
        .collect())
}

pub async fn year_facts(
    db: &Db,
    caller: &Principal,
    org_id: Uuid,
    year: i32,
) -> AppResult<Vec<PersonFacts>> {
    db.read(async |c| {
        require_reader(c, caller, org_id).await?;
        year_facts_in(c, org_id, year).await
    })
    .await
}

// ---------------------------------------------------------------- registrations

pub struct SubUnitRegistration {
    pub organization_id: Uuid,
    pub titles: Vec<AwardType>,
}

pub struct RegistrationInput {
    pub titles: Vec<AwardType>,
    pub sub_units: Vec<SubUnitRegistration>,
    /// Person title → how many staff aim at it.
    pub staff: Vec<(AwardType, i32)>,
}

/// Award types as the database stores them (their codes).
fn codes_of(awards: &[AwardType]) -> Vec<String> {
    awards.iter().map(|a| a.code().to_string()).collect()
}

fn check_titles(codes: &[AwardType], collective: bool, field: &str) -> AppResult<()> {
    let mut seen = HashSet::new();
    for &a in codes {
        if a.collective() != collective {
            return Err(RuleViolation::SubjectKindMismatch {
                award: a.code(),
                expected: if a.collective() {
                    "collective"
                } else {
                    "person"
                },
            }
            .into());
        }
        if !seen.insert(a) {
            return Err(
                AppError::new(ErrorCode::InvalidRegistration).with_errors(vec![FieldError {
                    field: field.into(),
                    code: "duplicate".into(),
                    message: format!("{} is listed twice", a.code()),
                }]),
            );
        }
    }
    Ok(())
}

fn registration_values(
    tree: &[(Uuid, Option<Uuid>, String, String)],
    org_id: Uuid,
    input: &RegistrationInput,
) -> AppResult<(Value, Value)> {
    check_titles(&input.titles, true, "titles")?;
    let mut subs = Vec::new();
    let mut seen = HashSet::new();
    for (i, s) in input.sub_units.iter().enumerate() {
        if !tree
            .iter()
            .any(|t| t.0 == s.organization_id && t.1 == Some(org_id))
        {
            return Err(
                AppError::new(ErrorCode::InvalidRegistration).with_errors(vec![FieldError {
                    field: format!("subUnits[{i}].organizationId"),
                    code: "not_a_sub_unit".into(),
                    message: "not a sub-unit of the organisation".into(),
                }]),
            );
        }
        if !seen.insert(s.organization_id) {
            return Err(
                AppError::new(ErrorCode::InvalidRegistration).with_errors(vec![FieldError {
                    field: format!("subUnits[{i}].organizationId"),
                    code: "duplicate".into(),
                    message: "listed twice".into(),
                }]),
            );
        }
        check_titles(&s.titles, true, &format!("subUnits[{i}].titles"))?;
        subs.push(json!({"organizationId": s.organization_id, "titles": s.titles}));
    }
    let codes: Vec<AwardType> = input.staff.iter().map(|s| s.0).collect();
    check_titles(&codes, false, "staff")?;
    let staff: serde_json::Map<String, Value> = input
        .staff
        .iter()
        .map(|(k, v)| (k.code().to_string(), json!(v)))
        .collect();
    Ok((Value::Array(subs), Value::Object(staff)))
}

/// The deadline of the unit's term that year; the admin may still register
/// after it.
async fn check_deadline(c: &mut Conn, caller: &Principal, org: Uuid, year: i32) -> AppResult<()> {
    if caller.is_admin() {
        return Ok(());
    }
    for (_, term_id, _) in db::titles::term_of_member(c, &[org], year).await? {
        if let Some(t) = db::blocs::term_by_id(c, term_id).await?
            && let Some(deadline) = t.registration_deadline
            && today_in_vietnam() > deadline
        {
            return Err(RuleViolation::RegistrationClosed { deadline }.into());
        }
    }
    Ok(())
}

fn registration_json(r: &RegistrationRow) -> Value {
    json!({"id": r.id, "organizationId": r.organization_id, "year": r.year, "titles": r.titles,
           "subUnits": r.sub_units, "staff": r.staff, "version": r.version})
}

pub async fn create_registration(
    db: &Db,
    caller: &Principal,
    org_id: Uuid,
    year: i32,
    input: RegistrationInput,
) -> AppResult<RegistrationRow> {
    db.transaction(async |tx| {
        caller.require_acting_for(org_id)?;
        let tree = db::titles::org_tree(tx, org_id).await?;
        match tree.iter().find(|t| t.0 == org_id) {
            None => return Err(RuleViolation::UnknownOrganization { id: org_id }.into()),
            Some(t) if t.1.is_some() => {
                return Err(RuleViolation::MemberNotAUnit { what: t.2.clone() }.into());
            }
            _ => {}
        }
        let (subs, staff) = registration_values(&tree, org_id, &input)?;
        check_deadline(tx, caller, org_id, year).await?;
        let now = Utc::now();
        let row = db::titles::insert_registration(
            tx,
            &RegistrationRow {
                id: Uuid::now_v7(),
                organization_id: org_id,
                year,
                titles: codes_of(&input.titles),
                sub_units: subs,
                staff,
                version: 1,
                created_at: now,
                updated_at: now,
            },
        )
        .await
        .on_constraint("registrations_organization_id_year_key", || {
            ErrorCode::RegistrationExists
        })?;
        record(
            tx,
            caller,
            Change {
                action: "registration.created",
                entity: "registration",
                entity_id: row.id.to_string(),
                after: Some(registration_json(&row)),
                organization_id: Some(org_id),
                ..Default::default()
            },
        )
        .await?;
        Ok(row)
    })
    .await
}

pub async fn update_registration(
    db: &Db,
    caller: &Principal,
    id: Uuid,
    expected: Option<i32>,
    input: RegistrationInput,
) -> AppResult<RegistrationRow> {
    db.transaction(async |tx| {
        let before = db::titles::lock_registration(tx, id)
            .await?
            .ok_or(AppError::not_found("registration"))?;
        caller.require_acting_for(before.organization_id)?;
        check_version(expected, before.version)?;
        let tree = db::titles::org_tree(tx, before.organization_id).await?;
        let (subs, staff) = registration_values(&tree, before.organization_id, &input)?;
        check_deadline(tx, caller, before.organization_id, before.year).await?;
        let after =
            db::titles::update_registration(tx, id, codes_of(&input.titles), subs, staff).await?;
        record(
            tx,
            caller,
            Change {
                action: "registration.updated",
                entity: "registration",
                entity_id: id.to_string(),
                before: Some(registration_json(&before)),
                after: Some(registration_json(&after)),
                organization_id: Some(after.organization_id),
                ..Default::default()
            },
        )
        .await?;
        Ok(after)
    })
    .await
}

pub async fn registration(db: &Db, id: Uuid) -> AppResult<RegistrationRow> {
    db.read(async |c| db::titles::registration(c, id).await)
        .await?
        .ok_or(AppError::not_found("registration"))
}

pub async fn registrations(
    db: &Db,
    year: Option<i32>,
    org: Option<Uuid>,
    page: PageRequest,
) -> AppResult<(Vec<RegistrationRow>, Option<String>)> {
    let after = page.cursor.as_ref().map(Cursor::uuid).transpose()?;
    let mut rows = db
        .read(async |c| db::titles::registrations(c, year, org, after, page.limit + 1).await)
        .await?;
    let next = page.next_cursor(&mut rows, |r| Cursor::from_uuid(r.id));
    Ok((rows, next))
}

/// The head unit or the admin sets the term's registration deadline.
pub async fn set_registration_deadline(
    db: &Db,
    caller: &Principal,
    bloc_id: Uuid,
    year: i32,
    deadline: Option<NaiveDate>,
) -> AppResult<()> {
    db.transaction(async |tx| {
        let term = db::blocs::lock_term(tx, bloc_id, year)
            .await?
            .ok_or(AppError::not_found("term"))?;
        super::require_head_or_admin(caller, &term)?;
        let after = db::blocs::set_registration_deadline(tx, term.id, deadline).await?;
        record(
            tx,
            caller,
            Change {
                action: "term.registration_deadline_set",
                entity: "term",
                entity_id: term.id.to_string(),
                before: Some(json!({"registrationDeadline": term.registration_deadline})),
                after: Some(json!({"registrationDeadline": after.registration_deadline})),
                ..Default::default()
            },
        )
        .await?;
        Ok(())
    })
    .await
}

// ---------------------------------------------------------------- eligibility

/// The reader rule for C2 data (docs/titles.md, "Who reads C2 data"): yearly
/// facts and eligibility answers carry ratings, absences, discipline and
/// investigations. The admin and the subject's own unit (its users, its
/// sub-units' users, clients bound to it) read them in full. Any other caller
/// who may read the record itself (a proposal, a decision, an award history)
/// sees the outcome only — `eligible` and the rule set, no checks, no figures
/// (`redact`); the facts and the eligibility-check routes answer them 403.
async fn c2_readable(
    c: &mut Conn,
    caller: &Principal,
    subjects: &[SubjectRef],
) -> AppResult<HashSet<SubjectRef>> {
    if caller.is_admin() {
        return Ok(subjects.iter().copied().collect());
    }
    let Some(mine) = caller.organization_id else {
        return Ok(HashSet::new());
    };
    let people: Vec<Uuid> = subjects.iter().filter_map(|s| s.person()).collect();
    let mut orgs: Vec<Uuid> = subjects.iter().filter_map(|s| s.organization()).collect();
    orgs.push(mine);
    let units: HashMap<Uuid, Uuid> = db::titles::units_of(c, &people, &orgs)
        .await?
        .into_iter()
        .collect();
    let Some(my_unit) = units.get(&mine).copied() else {
        return Ok(HashSet::new());
    };
    Ok(subjects
        .iter()
        .copied()
        .filter(|s| units.get(&s.id()) == Some(&my_unit))
        .collect())
}

/// The facts and eligibility-check routes: 403 unless the caller reads the
/// organisation's C2 data (404 for an organisation that does not exist).
async fn require_reader(c: &mut Conn, caller: &Principal, org: Uuid) -> AppResult<()> {
    if caller.is_admin() {
        // The use case finds out soon enough whether the organisation exists.
        return Ok(());
    }
    let subject = SubjectRef::Organization(org);
    if c2_readable(c, caller, &[subject]).await?.contains(&subject) {
        return Ok(());
    }
    if db::organizations::get(c, org.into()).await?.is_none() {
        return Err(AppError::not_found("organization"));
    }
    Err(crate::auth::principal::not_your_organization())
}

/// The outcome of a stored answer without its C2 data: `eligible` and the
/// rule set stay, the checks (sentences and figures) go.
fn redact(answer: &mut Value) {
    *answer = json!({
        "eligible": answer.get("eligible").cloned().unwrap_or(Value::Bool(false)),
        "ruleSet": answer.get("ruleSet").cloned().unwrap_or(Value::Null),
        "checks": [],
        "redacted": true,
    });
}

/// Apply the reader rule to proposals before they leave the service.
async fn redact_proposals(
    c: &mut Conn,
    caller: &Principal,
    proposals: &mut [Proposal],
) -> AppResult<()> {
    let subjects: Vec<SubjectRef> = proposals
        .iter()
        .flat_map(|p| p.items.iter())
        .filter_map(|i| subject_of(i.person_id, i.organization_id))
        .collect();
    if caller.is_admin() || subjects.is_empty() {
        return Ok(());
    }
    let readable = c2_readable(c, caller, &subjects).await?;
    for item in proposals.iter_mut().flat_map(|p| p.items.iter_mut()) {
        if !subject_of(item.person_id, item.organization_id).is_some_and(|s| readable.contains(&s))
        {
            redact(&mut item.eligibility);
        }
    }
    Ok(())
}

/// Apply the reader rule to awards before they leave the service.
async fn redact_awards<'a>(
    c: &mut Conn,
    caller: &Principal,
    awards: impl Iterator<Item = &'a mut AwardRow>,
) -> AppResult<()> {
    if caller.is_admin() {
        return Ok(());
    }
    let awards: Vec<&mut AwardRow> = awards.collect();
    let subjects: Vec<SubjectRef> = awards
        .iter()
        .filter_map(|a| subject_of(a.person_id, a.organization_id))
        .collect();
    if subjects.is_empty() {
        return Ok(());
    }
    let readable = c2_readable(c, caller, &subjects).await?;
    for a in awards {
        if !subject_of(a.person_id, a.organization_id).is_some_and(|s| readable.contains(&s)) {
            redact(&mut a.eligibility);
        }
    }
    Ok(())
}

fn subject_of(person: Option<Uuid>, org: Option<Uuid>) -> Option<SubjectRef> {
    match (person, org) {
        (Some(p), _) => Some(SubjectRef::Person(p)),
        (None, Some(o)) => Some(SubjectRef::Organization(o)),
        (None, None) => None,
    }
}

async fn subject_org(c: &mut Conn, subject: SubjectRef) -> AppResult<Uuid> {
    match subject {
        SubjectRef::Organization(o) => Ok(o),
        SubjectRef::Person(p) => Ok(db::people::get(c, p.into())
            .await?
            .ok_or_else(|| AppError::new(ErrorCode::UnknownPerson).arg("id", p))?
            .organization_id
            .uuid()),
    }
}

/// Whom an award is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubjectRef {
    Person(Uuid),
    Organization(Uuid),
}

impl SubjectRef {
    pub fn id(self) -> Uuid {
        match self {
            SubjectRef::Person(p) | SubjectRef::Organization(p) => p,
        }
    }
    pub fn person(self) -> Option<Uuid> {
        match self {
            SubjectRef::Person(p) => Some(p),
            SubjectRef::Organization(_) => None,
        }
    }
    pub fn organization(self) -> Option<Uuid> {
        match self {
            SubjectRef::Organization(o) => Some(o),
            SubjectRef::Person(_) => None,
        }
    }
}

/// The engine's answer with the rule set it used.
#[derive(Debug, Clone)]
pub struct Eligibility {
    pub subject: SubjectRef,
    pub award: AwardType,
    pub year: i32,
    pub rule_set: RuleSetRow,
    pub answer: Answer,
}

impl Eligibility {
    /// The stored form (a proposal item keeps the answer it was made with).
    pub fn to_json(&self) -> Value {
        json!({
            "eligible": self.answer.eligible,
            "ruleSet": {"id": self.rule_set.id, "code": self.rule_set.code, "version": self.rule_set.version},
            "checks": self.answer.checks,
        })
    }
    pub fn failed(&self) -> impl Iterator<Item = &Check> {
        self.answer.checks.iter().filter(|c| !c.passed)
    }
}

fn held(a: &AwardRow) -> Option<Held> {
    AwardType::parse(&a.award_type).map(|award| Held {
        award,
        year: a.year,
        active: a.status == "active",
    })
}

/// Everything the rules read about these people, in three queries.
async fn load_people(
    c: &mut Conn,
    ids: &[Uuid],
    today: NaiveDate,
) -> AppResult<HashMap<Uuid, Person>> {
    let mut out: HashMap<Uuid, Person> = ids.iter().map(|&i| (i, Person::default())).collect();
    let mut latest: HashMap<Uuid, i32> = HashMap::new();
    for f in db::titles::facts_of(c, ids).await? {
        let Some(p) = out.get_mut(&f.person_id) else {
            continue;
        };
        // C2: a discipline counts until its end date; an investigation as
        // the latest year's facts say.
        if f.discipline_until.is_some_and(|u| u >= today) {
            p.discipline_in_force = true;
        }
        if latest.get(&f.person_id).is_none_or(|&y| f.year > y) {
            latest.insert(f.person_id, f.year);
            p.under_investigation = f.under_investigation;
        }
        if let (Some(rating), Some(discipline)) =
            (Rating::parse(&f.rating), Discipline::parse(&f.discipline))
        {
            p.years.push(PersonYear {
                year: f.year,
                rating,
                registered: f.registered,
                months_employed: f.months_employed,
                absent_days: f.absent_days,
                discipline,
            });
        }
    }
    for i in db::titles::initiatives_of(c, ids).await? {
        if let (Some(p), Some(level)) = (out.get_mut(&i.person_id), Level::parse(&i.level)) {
            p.initiatives.push(Initiative {
                year: i.year,
                level,
            });
        }
    }
    let awards = db::titles::awards_of_people(c, ids).await?;
    for a in &awards {
        if let Some(p) = a.person_id.and_then(|id| out.get_mut(&id)) {
            p.awards.extend(held(a));
        }
    }
    Ok(out)
}

/// Everything the rules read about these organisations as collectives for
/// `year`, in a fixed number of queries: their staff at the end of the year
/// (a unit's own and its sub-units'), the staff's facts, the awards and the
/// bloc standing.
async fn load_collectives(
    c: &mut Conn,
    tree: &[(Uuid, Option<Uuid>, String, String)],
    ids: &[Uuid],
    year: i32,
    today: NaiveDate,
    people: &mut HashMap<Uuid, Person>,
) -> AppResult<HashMap<Uuid, Collective>> {
    let end = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX);
    let staff = db::titles::staff_of(c, &tree.iter().map(|t| t.0).collect::<Vec<_>>(), end).await?;
    let people_ids: Vec<Uuid> = staff.iter().map(|s| s.0).collect();
    people.extend(load_people(c, &people_ids, today).await?);
    let awards = db::titles::awards_of_orgs(c, ids).await?;
    let terms = db::titles::term_of_member(c, ids, year).await?;
    let term_ids: Vec<Uuid> = terms.iter().map(|t| t.1).collect();
    let leading = db::titles::leading_of_terms(c, &term_ids).await?;
    let flags = db::titles::flags_in_terms(c, &term_ids, year).await?;
    let mut out = HashMap::new();
    for &id in ids {
        // Members: the organisation's own staff and, for a unit, its sub-units'.
        let member_orgs: HashSet<Uuid> = tree
            .iter()
            .filter(|t| t.0 == id || t.1 == Some(id))
            .map(|t| t.0)
            .collect();
        let members = staff
            .iter()
            .filter(|s| member_orgs.contains(&s.1))
            .filter_map(|s| people.get(&s.0).cloned())
            .collect();
        let own: Vec<AwardRow> = awards
            .iter()
            .filter(|a| a.organization_id == Some(id))
            .cloned()
            .collect();
        let standing = terms.iter().find(|t| t.0 == id).map(|(_, term, code)| {
            let mine = leading
                .iter()
                .find(|l| l.0 == *term && l.1 == id)
                .map(|l| l.2);
            Standing {
                bloc_code: code.clone(),
                elected_rank: mine,
                better_elected: mine.map_or(0, |r| {
                    leading.iter().filter(|l| l.0 == *term && l.2 < r).count() as i64
                }),
                flags_awarded: flags.iter().filter(|f| f.0 == *term && f.1 != id).count() as i64,
            }
        });
        out.insert(
            id,
            Collective {
                members,
                awards: own.iter().filter_map(held).collect(),
                standing,
            },
        );
    }
    Ok(out)
}

/// Load the subjects of many (subject, award) pairs at once and answer each.
async fn evaluate_all(
    c: &mut Conn,
    pairs: &[(SubjectRef, AwardType)],
    year: i32,
    rule_set: &RuleSetRow,
) -> AppResult<Vec<Eligibility>> {
    let params = params_of(rule_set)?;
    let today = today_in_vietnam();
    let people_ids: Vec<Uuid> = unique(pairs.iter().filter_map(|p| p.0.person()));
    let org_ids: Vec<Uuid> = unique(pairs.iter().filter_map(|p| p.0.organization()));
    // Collectives first: their staff's facts also answer the person pairs
    // of a whole-unit batch without reading them twice.
    let mut people = HashMap::new();
    let collectives = if org_ids.is_empty() {
        HashMap::new()
    } else {
        let tree = db::titles::org_trees(c, &org_ids).await?;
        if let Some(missing) = org_ids.iter().find(|o| !tree.iter().any(|t| t.0 == **o)) {
            return Err(RuleViolation::UnknownOrganization { id: *missing }.into());
        }
        load_collectives(c, &tree, &org_ids, year, today, &mut people).await?
    };
    let rest: Vec<Uuid> = people_ids
        .into_iter()
        .filter(|p| !people.contains_key(p))
        .collect();
    if !rest.is_empty() {
        let found: HashSet<Uuid> = db::people::existing(c, &rest).await?.into_iter().collect();
        if let Some(missing) = rest.iter().find(|p| !found.contains(p)) {
            return Err(AppError::new(ErrorCode::UnknownPerson).arg("id", missing));
        }
        people.extend(load_people(c, &rest, today).await?);
    }
    pairs
        .iter()
        .map(|&(subject, award)| {
            let answer = match subject {
                SubjectRef::Person(id) => {
                    rules::evaluate(award, year, &params, Subject::Person(&people[&id]))?
                }
                SubjectRef::Organization(id) => {
                    rules::evaluate(award, year, &params, Subject::Collective(&collectives[&id]))?
                }
            };
            Ok(Eligibility {
                subject,
                award,
                year,
                rule_set: rule_set.clone(),
                answer,
            })
        })
        .collect()
}

fn unique(it: impl Iterator<Item = Uuid>) -> Vec<Uuid> {
    let mut v: Vec<Uuid> = it.collect();
    v.sort_unstable();
    v.dedup();
    v
}

async fn pick_rule_set(c: &mut Conn, year: i32, id: Option<Uuid>) -> AppResult<RuleSetRow> {
    match id {
        Some(id) => db::titles::rule_set(c, id)
            .await?
            .ok_or_else(|| AppError::new(ErrorCode::UnknownRuleSet).arg("id", id)),
        None => rule_set_for_year(c, year).await,
    }
}

/// One subject, one title or form, one year.
pub async fn check(
    db: &Db,
    caller: &Principal,
    subject: SubjectRef,
    award: AwardType,
    year: i32,
    rule_set_id: Option<Uuid>,
) -> AppResult<Eligibility> {
    db.read(async |c| {
        let org = subject_org(c, subject).await?;
        require_reader(c, caller, org).await?;
        let rs = pick_rule_set(c, year, rule_set_id).await?;
        let mut all = evaluate_all(c, &[(subject, award)], year, &rs).await?;
        Ok(all.remove(0))
    })
    .await
}

/// A whole unit: every active staff member (its own and its sub-units')
/// for each requested person title, and the unit and its sub-units for
/// each requested collective title. A fixed number of queries.
pub async fn check_unit(
    db: &Db,
    caller: &Principal,
    org_id: Uuid,
    year: i32,
    awards: &[AwardType],
    rule_set_id: Option<Uuid>,
) -> AppResult<Vec<Eligibility>> {
    db.read(async |c| {
        require_reader(c, caller, org_id).await?;
        let rs = pick_rule_set(c, year, rule_set_id).await?;
        let tree = db::titles::org_tree(c, org_id).await?;
        if tree.is_empty() {
            return Err(AppError::not_found("organization"));
        }
        let end = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX);
        let staff =
            db::titles::staff_of(c, &tree.iter().map(|t| t.0).collect::<Vec<_>>(), end).await?;
        let mut pairs = Vec::new();
        for &a in awards {
            if a.collective() {
                pairs.extend(tree.iter().map(|t| (SubjectRef::Organization(t.0), a)));
            } else {
                pairs.extend(staff.iter().map(|s| (SubjectRef::Person(s.0), a)));
            }
        }
        evaluate_all(c, &pairs, year, &rs).await
    })
    .await
}

// ---------------------------------------------------------------- proposals

pub struct ItemInput {
    pub award_type: AwardType,
    pub subject: SubjectRef,
}

pub struct Proposal {
    pub row: ProposalRow,
    pub items: Vec<ProposalItemRow>,
}

fn proposal_json(p: &ProposalRow, items: &[ProposalItemRow]) -> Value {
    json!({"id": p.id, "organizationId": p.organization_id, "year": p.year, "title": p.title,
           "status": p.status, "returnReason": p.return_reason, "councilNote": p.council_note,
           "councilOn": p.council_on, "version": p.version,
           "items": items.iter().map(|i| json!({"awardType": i.award_type, "personId": i.person_id,
                "organizationId": i.organization_id, "eligible": i.eligible})).collect::<Vec<_>>()})
}

/// The unit proposes for its own staff, sub-units and itself; the board
/// (admin, no organisation) for anyone.
async fn check_items_belong(
    c: &mut Conn,
    proposer: Option<Uuid>,
    items: &[ItemInput],
) -> AppResult<()> {
    let Some(org) = proposer else {
        return Ok(());
    };
    let tree = db::titles::org_tree(c, org).await?;
    let orgs: Vec<Uuid> = tree.iter().map(|t| t.0).collect();
    let staff: HashSet<Uuid> = db::titles::staff_of(c, &orgs, NaiveDate::MAX)
        .await?
        .into_iter()
        .map(|s| s.0)
        .collect();
    for (i, item) in items.iter().enumerate() {
        let ok = match item.subject {
            SubjectRef::Person(p) => staff.contains(&p),
            SubjectRef::Organization(o) => orgs.contains(&o),
        };
        if !ok {
            return Err(
                AppError::new(ErrorCode::InvalidItems).with_errors(vec![FieldError {
                    field: format!("items[{i}]"),
                    code: "not_in_unit".into(),
                    message: "the subject is not the unit, one of its sub-units or its staff"
                        .into(),
                }]),
            );
        }
    }
    Ok(())
}

fn parse_items(items: &[ItemInput]) -> AppResult<Vec<(SubjectRef, AwardType)>> {
    let mut seen = HashSet::new();
    items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let a = it.award_type;
            if !seen.insert((it.subject, a)) {
                return Err(
                    AppError::new(ErrorCode::InvalidItems).with_errors(vec![FieldError {
                        field: format!("items[{i}]"),
                        code: "duplicate".into(),
                        message: "the same subject and award are listed twice (C1)".into(),
                    }]),
                );
            }
            Ok((it.subject, a))
        })
        .collect()
}

fn item_rows(proposal_id: Uuid, answers: &[Eligibility]) -> Vec<ProposalItemRow> {
    answers
        .iter()
        .enumerate()
        .map(|(i, e)| ProposalItemRow {
            id: Uuid::now_v7(),
            proposal_id,
            position: i as i32,
            award_type: e.award.code().to_string(),
            person_id: e.subject.person(),
            organization_id: e.subject.organization(),
            eligible: e.answer.eligible,
            eligibility: e.to_json(),
        })
        .collect()
}

fn proposer_may_write(caller: &Principal, org: Option<Uuid>) -> AppResult<()> {
    match org {
        Some(o) => caller.require_acting_for(o),
        None => caller.require_admin(),
    }
}

pub async fn create_proposal(
    db: &Db,
    caller: &Principal,
    org: Option<Uuid>,
    year: i32,
    title: String,
    items: Vec<ItemInput>,
) -> AppResult<Proposal> {
    proposer_may_write(caller, org)?;
    let pairs = parse_items(&items)?;
    db.transaction(async |tx| {
        if let Some(o) = org
            && db::organizations::get(tx, o.into()).await?.is_none()
        {
            return Err(RuleViolation::UnknownOrganization { id: o }.into());
        }
        check_items_belong(tx, org, &items).await?;
        let rs = rule_set_for_year(tx, year).await?;
        let answers = evaluate_all(tx, &pairs, year, &rs).await?;
        let now = Utc::now();
        let row = db::titles::insert_proposal(
            tx,
            &ProposalRow {
                id: Uuid::now_v7(),
                organization_id: org,
                year,
                title: nfc(&title),
                status: "draft".into(),
                return_reason: None,
                council_note: None,
                council_on: None,
                version: 1,
                created_at: now,
                updated_at: now,
            },
        )
        .await?;
        let item_rows = item_rows(row.id, &answers);
        db::titles::replace_items(tx, row.id, &item_rows).await?;
        record(
            tx,
            caller,
            Change {
                action: "proposal.created",
                entity: "proposal",
                entity_id: row.id.to_string(),
                after: Some(proposal_json(&row, &item_rows)),
                event_data: Some(json!({"id": row.id, "year": year, "organizationId": org})),
                organization_id: org,
                ..Default::default()
            },
        )
        .await?;
        Ok(Proposal {
            row,
            items: item_rows,
        })
    })
    .await
}

/// Replace the title and items while the proposal is a draft or returned.
pub async fn update_proposal(
    db: &Db,
    caller: &Principal,
    id: Uuid,
    expected: Option<i32>,
    title: String,
    items: Vec<ItemInput>,
) -> AppResult<Proposal> {
    let pairs = parse_items(&items)?;
    db.transaction(async |tx| {
        let before = lock_proposal(tx, id).await?;
        proposer_may_write(caller, before.organization_id)?;
        check_version(expected, before.version)?;
        if !matches!(before.status.as_str(), "draft" | "returned") {
            return Err(RuleViolation::ProposalTransition {
                from: before.status.clone(),
                action: "edit",
            }
            .into());
        }
        check_items_belong(tx, before.organization_id, &items).await?;
        let rs = rule_set_for_year(tx, before.year).await?;
        let answers = evaluate_all(tx, &pairs, before.year, &rs).await?;
        let item_rows = item_rows(id, &answers);
        db::titles::replace_items(tx, id, &item_rows).await?;
        let row = db::titles::update_proposal(
            tx,
            id,
            db::titles::ProposalChanges {
                status: &before.status,
                title: Some(nfc(&title)),
                return_reason: before.return_reason.clone(),
                council_note: None,
                council_on: None,
            },
        )
        .await?;
        record(
            tx,
            caller,
            Change {
                action: "proposal.updated",
                entity: "proposal",
                entity_id: id.to_string(),
                after: Some(proposal_json(&row, &item_rows)),
                event_data: Some(json!({"id": id})),
                organization_id: row.organization_id,
                ..Default::default()
            },
        )
        .await?;
        Ok(Proposal {
            row,
            items: item_rows,
        })
    })
    .await
}

async fn lock_proposal(c: &mut Conn, id: Uuid) -> AppResult<ProposalRow> {
    db::titles::lock_proposal(c, id)
        .await?
        .ok_or(AppError::not_found("proposal"))
}

pub async fn proposal(db: &Db, caller: &Principal, id: Uuid) -> AppResult<Proposal> {
    db.read(async |c| {
        let row = db::titles::proposal(c, id)
            .await?
            .ok_or(AppError::not_found("proposal"))?;
        let items = db::titles::items_of(c, &[id]).await?;
        let mut out = [Proposal { row, items }];
        redact_proposals(c, caller, &mut out).await?;
        let [p] = out;
        Ok(p)
    })
    .await
}

pub async fn proposals(
    db: &Db,
    caller: &Principal,
    year: Option<i32>,
    org: Option<Uuid>,
    status: Option<String>,
    page: PageRequest,
) -> AppResult<(Vec<Proposal>, Option<String>)> {
    let after = page.cursor.as_ref().map(Cursor::uuid).transpose()?;
    let (mut rows, mut items) = db
        .read(async |c| -> AppResult<_> {
            let rows =
                db::titles::proposals(c, year, org, status.as_deref(), after, page.limit + 1)
                    .await?;
            let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
            let items = db::titles::items_of(c, &ids).await?;
            Ok((rows, items))
        })
        .await?;
    let next = page.next_cursor(&mut rows, |r| Cursor::from_uuid(r.id));
    let mut out: Vec<Proposal> = rows
        .into_iter()
        .map(|row| {
            let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut items)
                .into_iter()
                .partition(|i| i.proposal_id == row.id);
            items = rest;
            Proposal { row, items: mine }
        })
        .collect();
    db.read(async |c| redact_proposals(c, caller, &mut out).await)
        .await?;
    Ok((out, next))
}

fn failures(answers: &[Eligibility]) -> Vec<RuleFailure> {
    answers
        .iter()
        .enumerate()
        .flat_map(|(i, e)| {
            e.failed().map(move |c| RuleFailure {
                field: format!("items[{i}]"),
                rule: c.rule.clone(),
                vi: format!("{}: {}", e.award.code(), c.vi),
                en: format!("{}: {}", e.award.code(), c.en),
            })
        })
        .collect()
}

fn not_eligible(errors: Vec<RuleFailure>) -> AppError {
    AppError::new(ErrorCode::NotEligible).with_failures(errors)
}

/// C4 and C8 caps over the proposer's whole list for the year: the items
/// being decided or submitted plus its other live proposals.
fn quota_checks(list: &[(SubjectRef, AwardType)], params: &RuleParams) -> Vec<Check> {
    let count = |a: AwardType| list.iter().filter(|p| p.1 == a).count() as i64;
    [
        (AwardType::Cstdcs, AwardType::Ldtt),
        (AwardType::Ttldxs, AwardType::Ttldtt),
    ]
    .into_iter()
    .filter(|(capped, _)| count(*capped) > 0)
    .filter_map(|(capped, base)| rules::quota(capped, count(capped), count(base), params))
    .collect()
}

/// C4 and C8 caps for a proposer and year: `list` plus its other live
/// proposals and the awards its unit already holds for the year, under the
/// proposer's lock so two submissions cannot both slip under the cap.
async fn check_quota(
    c: &mut Conn,
    proposer: Option<Uuid>,
    year: i32,
    this: Uuid,
    list: &[(SubjectRef, AwardType)],
    params: &RuleParams,
) -> AppResult<Vec<Check>> {
    db::titles::lock_quota(c, proposer, year).await?;
    let mut all = list.to_vec();
    all.extend(pairs_of(
        &db::titles::live_items_of_proposer(c, proposer, year, this).await?,
    ));
    if let Some(org) = proposer {
        let tree = db::titles::org_tree(c, org).await?;
        let orgs: Vec<Uuid> = tree.iter().map(|t| t.0).collect();
        let staff: Vec<Uuid> = db::titles::staff_of(c, &orgs, NaiveDate::MAX)
            .await?
            .into_iter()
            .map(|s| s.0)
            .collect();
        let held = db::titles::active_awards_for_year(c, &staff, &orgs, year).await?;
        for held_pair in pairs_of_awards(&held) {
            if !all.contains(&held_pair) {
                all.push(held_pair);
            }
        }
    }
    Ok(quota_checks(&all, params)
        .into_iter()
        .filter(|c| !c.passed)
        .collect())
}

fn quota_refusal(failed: Vec<Check>) -> AppError {
    AppError::new(ErrorCode::QuotaExceeded).with_failures(
        failed
            .into_iter()
            .map(|c| RuleFailure {
                field: "items".into(),
                rule: c.rule,
                vi: c.vi,
                en: c.en,
            })
            .collect(),
    )
}

fn pairs_of(items: &[ProposalItemRow]) -> Vec<(SubjectRef, AwardType)> {
    items
        .iter()
        .filter_map(|i| pair(i.person_id, i.organization_id, &i.award_type))
        .collect()
}

/// A stored (subject, award) from its two id columns and its code.
fn pair(person: Option<Uuid>, org: Option<Uuid>, code: &str) -> Option<(SubjectRef, AwardType)> {
    let subject = subject_of(person, org)?;
    AwardType::parse(code).map(|a| (subject, a))
}

/// A proposal moves on: `submit` (the proposer), `return` with a reason,
/// `approve` or `reject` with the council's note (the board).
pub async fn proposal_action(
    db: &Db,
    caller: &Principal,
    id: Uuid,
    expected: Option<i32>,
    action: &'static str,
    note: Option<String>,
    council_on: Option<NaiveDate>,
) -> AppResult<Proposal> {
    db.transaction(async |tx| {
        let before = lock_proposal(tx, id).await?;
        if action == "submit" {
            proposer_may_write(caller, before.organization_id)?;
        } else {
            caller.require_admin()?;
        }
        check_version(expected, before.version)?;
        let from = before.status.as_str();
        let to = match (action, from) {
            ("submit", "draft" | "returned") => "submitted",
            ("return", "submitted") => "returned",
            ("approve", "submitted") => "approved",
            ("reject", "submitted") => "rejected",
            _ => {
                return Err(RuleViolation::ProposalTransition {
                    from: before.status.clone(),
                    action,
                }
                .into());
            }
        };
        let mut items = db::titles::items_of(tx, &[id]).await?;
        if action == "submit" {
            if items.is_empty() {
                return Err(AppError::new(ErrorCode::ProposalEmpty));
            }
            // Re-check on submission: the answer stored is the one it was submitted with.
            let pairs = pairs_of(&items);
            let rs = rule_set_for_year(tx, before.year).await?;
            let answers = evaluate_all(tx, &pairs, before.year, &rs).await?;
            let failed = failures(&answers);
            if !failed.is_empty() {
                return Err(not_eligible(failed));
            }
            let over = check_quota(
                tx,
                before.organization_id,
                before.year,
                id,
                &pairs,
                &params_of(&rs)?,
            )
            .await?;
            if !over.is_empty() {
                return Err(quota_refusal(over));
            }
            items = item_rows(id, &answers);
            db::titles::replace_items(tx, id, &items).await?;
        }
        let note = note.map(|n| nfc(&n));
        let row = db::titles::update_proposal(
            tx,
            id,
            db::titles::ProposalChanges {
                status: to,
                title: None,
                return_reason: if action == "return" {
                    note.clone()
                } else {
                    None
                },
                council_note: if matches!(action, "approve" | "reject") {
                    note.clone()
                } else {
                    None
                },
                council_on,
            },
        )
        .await?;
        record(
            tx,
            caller,
            Change {
                action: match action {
                    "submit" => "proposal.submitted",
                    "return" => "proposal.returned",
                    "approve" => "proposal.approved",
                    _ => "proposal.rejected",
                },
                entity: "proposal",
                entity_id: id.to_string(),
                before: Some(json!({"status": before.status})),
                after: Some(json!({"status": to})),
                event_data: Some(json!({"id": id, "status": to})),
                reason: note,
                organization_id: row.organization_id,
                ..Default::default()
            },
        )
        .await?;
        Ok(Proposal { row, items })
    })
    .await
}

// ---------------------------------------------------------------- decisions

pub struct DecisionInput {
    pub number: String,
    pub decided_on: NaiveDate,
    pub signer: String,
    pub issuing_body: String,
    pub year: Option<i32>,
    pub proposal_id: Option<Uuid>,
    pub awards: Vec<ItemInput>,
    pub override_reason: Option<String>,
}

pub struct Decision {
    pub row: DecisionRow,
    pub awards: Vec<AwardRow>,
}

/// A decision awards a list, re-checking every rule; a failed rule refuses
/// it unless the admin overrides with a written reason (kept in the audit
/// trail). C1 is never overridden: the history keeps one award per
/// achievement.
pub async fn decide(db: &Db, caller: &Principal, cmd: DecisionInput) -> AppResult<Decision> {
    caller.require_admin()?;
    let listed = parse_items(&cmd.awards)?;
    db.transaction(async |tx| {
        let (year, pairs, proposal) = match cmd.proposal_id {
            Some(pid) => {
                let p = lock_proposal(tx, pid).await?;
                if p.status != "approved" {
                    return Err(RuleViolation::ProposalTransition {
                        from: p.status.clone(),
                        action: "decide",
                    }
                    .into());
                }
                let items = db::titles::items_of(tx, &[pid]).await?;
                let pairs = if listed.is_empty() {
                    pairs_of(&items)
                } else {
                    // A decision may award part of an approved proposal.
                    let proposed = pairs_of(&items);
                    if let Some(i) = listed.iter().position(|l| !proposed.contains(l)) {
                        return Err(AppError::new(ErrorCode::InvalidItems).with_errors(vec![FieldError {
                            field: format!("awards[{i}]"),
                            code: "not_proposed".into(),
                            message: "not an item of the proposal".into(),
                        }]));
                    }
                    listed.clone()
                };
                if cmd.year.is_some_and(|y| y != p.year) {
                    return Err(AppError::new(ErrorCode::InvalidDecision).with_errors(vec![FieldError {
                        field: "year".into(),
                        code: "mismatch".into(),
                        message: "the proposal is for another year".into(),
                    }]));
                }
                (p.year, pairs, Some(p))
            }
            None => {
                let Some(year) = cmd.year else {
                    return Err(AppError::new(ErrorCode::InvalidDecision).with_errors(vec![FieldError {
                        field: "year".into(),
                        code: "required".into(),
                        message: "year is required without a proposal".into(),
                    }]));
                };
                (year, listed.clone(), None)
            }
        };
        if pairs.is_empty() {
            return Err(AppError::new(ErrorCode::InvalidDecision).with_errors(vec![FieldError {
                field: "awards".into(),
                code: "length".into(),
                message: "a decision awards at least one subject".into(),
            }]));
        }
        // C0: lock the rule set before reading it, so no edit slips in
        // between the check and the decision that freezes it.
        let rs = rule_set_for_year(tx, year).await?;
        let rs = db::titles::lock_rule_set(tx, rs.id)
            .await?
            .ok_or(RuleViolation::NoRuleSet { year })?;
        let answers = evaluate_all(tx, &pairs, year, &rs).await?;
        let failed = failures(&answers);
        let duplicate: Vec<RuleFailure> = failed.iter().filter(|f| f.rule == "C1").cloned().collect();
        if !duplicate.is_empty() {
            return Err(not_eligible(duplicate));
        }
        let mut overridden = failed.clone();
        // The caps are on a proposer's list: a decision on a proposal counts
        // it with the proposer's other live proposals and awards of the year.
        let over = match &proposal {
            Some(p) => {
                check_quota(tx, p.organization_id, year, p.id, &pairs, &params_of(&rs)?).await?
            }
            None => Vec::new(),
        };
        let override_reason = cmd.override_reason.as_deref().map(nfc);
        if override_reason.is_none() {
            if !failed.is_empty() {
                return Err(not_eligible(failed));
            }
            if !over.is_empty() {
                return Err(quota_refusal(over));
            }
        }
        overridden.extend(over.iter().map(|c| RuleFailure {
            field: "awards".into(),
            rule: c.rule.clone(),
            vi: c.vi.clone(),
            en: c.en.clone(),
        }));
        let now = Utc::now();
        let decision = db::titles::insert_decision(
            tx,
            &DecisionRow {
                id: Uuid::now_v7(),
                number: cmd.number.trim().to_string(),
                decided_on: cmd.decided_on,
                signer: nfc(&cmd.signer),
                issuing_body: nfc(&cmd.issuing_body),
                year,
                proposal_id: proposal.as_ref().map(|p| p.id),
                rule_set_id: rs.id,
                override_reason: if overridden.is_empty() { None } else { override_reason.clone() },
                created_at: now,
            },
        )
        .await
        .on_constraint("decisions_number_key", || ErrorCode::DecisionNumberTaken)?;
        let rows: Vec<AwardRow> = answers
            .iter()
            .map(|e| AwardRow {
                id: Uuid::now_v7(),
                award_type: e.award.code().to_string(),
                person_id: e.subject.person(),
                organization_id: e.subject.organization(),
                year,
                decision_id: decision.id,
                status: "active".into(),
                eligibility: e.to_json(),
                overridden: !e.answer.eligible || !over.is_empty(),
                revoked_at: None,
                revoke_reason: None,
                created_at: now,
            })
            .collect();
        // C1 under a race: the partial unique index refuses a second award.
        let awards = db::titles::insert_awards(tx, &rows)
            .await
            .on_any_constraint(&["awards_c1_person", "awards_c1_org"], || {
                ErrorCode::AlreadyAwarded
            })?;
        db::titles::mark_rule_set_used(tx, rs.id).await?;
        // The proposal is decided once every item is awarded (a decision may
        // award part of it; the rest stays approved for a later decision).
        let covered: HashSet<(SubjectRef, AwardType)> = match &proposal {
            Some(p) => pairs_of_awards(&db::titles::awards_of_proposal(tx, p.id).await?),
            None => HashSet::new(),
        };
        if let Some(p) = &proposal
            && pairs_of(&db::titles::items_of(tx, &[p.id]).await?)
                .iter()
                .all(|i| covered.contains(i))
        {
            db::titles::update_proposal(
                tx,
                p.id,
                db::titles::ProposalChanges {
                    status: "decided",
                    title: None,
                    return_reason: None,
                    council_note: p.council_note.clone(),
                    council_on: p.council_on,
                },
            )
            .await?;
        }
        let overrides: Vec<Value> = overridden
            .iter()
            .map(|f| json!({"item": f.field, "rule": f.rule, "reason": f.en}))
            .collect();
        record(
            tx,
            caller,
            Change {
                action: "decision.made",
                entity: "decision",
                entity_id: decision.id.to_string(),
                after: Some(json!({
                    "number": decision.number, "decidedOn": decision.decided_on, "year": year,
                    "ruleSet": {"id": rs.id, "code": rs.code, "version": rs.version},
                    "proposalId": decision.proposal_id,
                    "awards": awards.iter().map(|a| json!({"id": a.id, "awardType": a.award_type,
                        "personId": a.person_id, "organizationId": a.organization_id})).collect::<Vec<_>>(),
                    "overriddenRules": overrides,
                })),
                event_data: Some(json!({"id": decision.id, "number": decision.number, "year": year, "awards": awards.len()})),
                reason: if overridden.is_empty() { None } else { override_reason },
                ..Default::default()
            },
        )
        .await?;
        Ok(Decision {
            row: decision,
            awards,
        })
    })
    .await
}

fn pairs_of_awards(rows: &[AwardRow]) -> HashSet<(SubjectRef, AwardType)> {
    rows.iter()
        .filter_map(|a| pair(a.person_id, a.organization_id, &a.award_type))
        .collect()
}

pub async fn decision(db: &Db, caller: &Principal, id: Uuid) -> AppResult<Decision> {
    db.read(async |c| {
        let row = db::titles::decision(c, id)
            .await?
            .ok_or(AppError::not_found("decision"))?;
        let mut awards = db::titles::awards_of_decision(c, id).await?;
        redact_awards(c, caller, awards.iter_mut()).await?;
        Ok(Decision { row, awards })
    })
    .await
}

pub async fn decisions(
    db: &Db,
    year: Option<i32>,
    page: PageRequest,
) -> AppResult<(Vec<DecisionRow>, Option<String>)> {
    let after = page.cursor.as_ref().map(Cursor::uuid).transpose()?;
    let mut rows = db
        .read(async |c| db::titles::decisions(c, year, after, page.limit + 1).await)
        .await?;
    let next = page.next_cursor(&mut rows, |r| Cursor::from_uuid(r.id));
    Ok((rows, next))
}

// ---------------------------------------------------------------- history

pub async fn history(
    db: &Db,
    caller: &Principal,
    subject: SubjectRef,
) -> AppResult<Vec<(AwardRow, DecisionRow)>> {
    db.read(async |c| {
        let exists = match subject {
            SubjectRef::Person(p) => db::people::get(c, p.into()).await?.is_some(),
            SubjectRef::Organization(o) => db::organizations::get(c, o.into()).await?.is_some(),
        };
        if !exists {
            return Err(AppError::not_found(if subject.person().is_some() {
                "person"
            } else {
                "organization"
            }));
        }
        let mut rows = db::titles::history(c, subject.person(), subject.organization()).await?;
        redact_awards(c, caller, rows.iter_mut().map(|(a, _)| a)).await?;
        Ok(rows)
    })
    .await
}

/// C14: revoke an award with a reason (admin); it no longer counts.
pub async fn revoke(db: &Db, caller: &Principal, id: Uuid, reason: String) -> AppResult<AwardRow> {
    caller.require_admin()?;
    db.transaction(async |tx| {
        let before = db::titles::lock_award(tx, id)
            .await?
            .ok_or(AppError::not_found("award"))?;
        if before.status == "revoked" {
            return Err(RuleViolation::AwardRevoked.into());
        }
        let reason = nfc(&reason);
        let after = db::titles::revoke_award(tx, id, &reason).await?;
        record(
            tx,
            caller,
            Change {
                action: "award.revoked",
                entity: "award",
                entity_id: id.to_string(),
                before: Some(json!({"status": before.status})),
                after: Some(json!({"status": after.status, "awardType": after.award_type, "year": after.year,
                                   "personId": after.person_id, "organizationId": after.organization_id})),
                reason: Some(reason),
                organization_id: after.organization_id,
                ..Default::default()
            },
        )
        .await?;
        Ok(after)
    })
    .await
}
