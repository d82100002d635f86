//! `people` with their employments: one row per employment, rows of the
//! same staff code (the natural key) are one person's history, in date
//! order, only the last one open. A code already registered is left as it
//! is (`unchanged`; transfers go through the API).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use serde_json::json;
use uuid::Uuid;

use super::{Counts, Input, Plan, Write};
use crate::db::employments::NewEmployment;
use crate::db::imports::NewEvent;
use crate::db::people::NewPerson;
use crate::db::{self, Conn};
use crate::domain::ids::{OrganizationId, PersonId};
use crate::domain::import::{Problem, ProblemCode as P, Row};
use crate::domain::registry::{Gender, StaffCategory};
use crate::error::AppResult;
use crate::i18n::nfc;
use crate::service::registry::require_staff_writer;

/// One employment row: first and last day, row number, organisation, position.
type Span = (
    Option<NaiveDate>,
    Option<NaiveDate>,
    u32,
    Uuid,
    Option<String>,
);

/// The organisations the caller may write staff for, among `ids`.
pub(super) async fn writable(
    c: &mut Conn,
    input: &Input<'_>,
    ids: impl IntoIterator<Item = Uuid>,
) -> AppResult<HashSet<Uuid>> {
    let mut ok = HashSet::new();
    for id in ids.into_iter().collect::<HashSet<_>>() {
        if input.caller.is_admin()
            || require_staff_writer(c, input.caller, id.into())
                .await
                .is_ok()
        {
            ok.insert(id);
        }
    }
    Ok(ok)
}

/// What a person's rows may refer to: organisations by code, and those the
/// caller may write staff for.
struct Refs {
    orgs: HashMap<String, Uuid>,
    may: HashSet<Uuid>,
}

pub(super) async fn check(
    c: &mut Conn,
    input: &Input<'_>,
    problems: &mut Vec<Problem>,
) -> AppResult<Plan> {
    let codes: Vec<String> = input.rows.iter().filter_map(|r| r.text("code")).collect();
    let org_codes: Vec<String> = input
        .rows
        .iter()
        .filter_map(|r| r.text("organizationCode"))
        .collect();
    let orgs: HashMap<String, Uuid> = db::imports::orgs_by_code(c, &org_codes)
        .await?
        .into_iter()
        .map(|(code, id, _)| (code, id))
        .collect();
    let may = writable(c, input, orgs.values().copied()).await?;
    let refs = Refs { orgs, may };
    let existing: HashSet<String> = db::imports::people_by_code(c, &codes)
        .await?
        .into_iter()
        .map(|(code, _, _)| code)
        .collect();
    // The rows of each person, in file order.
    let mut groups: BTreeMap<String, Vec<&Row>> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for r in input.rows {
        let Some(code) = r.text("code") else { continue };
        if !groups.contains_key(&code) {
            order.push(code.clone());
        }
        groups.entry(code).or_default().push(r);
    }
    let mut counts = Counts::default();
    let mut people = Vec::new();
    let mut history = Vec::new();
    for code in order {
        if existing.contains(&code) {
            counts.unchanged += 1;
            continue;
        }
        if let Some((p, h)) = person(input.sheet, &code, &groups[&code], &refs, problems) {
            counts.created += 1;
            people.push(p);
            history.extend(h);
        }
    }
    Ok(Plan {
        counts,
        write: Write::People(people, history),
    })
}

/// One person from their rows: the same name, category and gender on
/// each; employments in date order, not overlapping, only the last open.
fn person(
    sheet: &str,
    code: &str,
    rows: &[&Row],
    refs: &Refs,
    problems: &mut Vec<Problem>,
) -> Option<(NewPerson, Vec<NewEmployment>)> {
    let first = rows[0];
    let mut ok = true;
    for r in &rows[1..] {
        let same = r.text("fullName") == first.text("fullName")
            && r.text("category") == first.text("category")
            && r.text("gender") == first.text("gender");
        if !same {
            let line = first.line.to_string();
            problems.push(r.problem(sheet, "fullName", P::InconsistentPerson, &line));
            ok = false;
        }
    }
    let mut spans: Vec<Span> = Vec::new();
    for r in rows {
        let (from, to) = (r.date("from"), r.date("to"));
        if let (Some(f), Some(t)) = (from, to)
            && t < f
        {
            problems.push(r.problem(sheet, "to", P::InvalidDates, ""));
            ok = false;
        }
        match org_of(sheet, r, refs, problems) {
            Some(o) => spans.push((from, to, r.line, o, r.text("position"))),
            None => ok = false,
        }
    }
    spans.sort_by_key(|s| s.0);
    for w in spans.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        let overlaps = match (a.1, b.0) {
            (Some(end), Some(start)) => end >= start,
            _ => true,
        };
        if overlaps {
            let r = rows.iter().find(|r| r.line == b.2).unwrap_or(&first);
            problems.push(r.problem(sheet, "from", P::OverlappingEmployment, &a.2.to_string()));
            ok = false;
        }
    }
    let name = first.text("fullName")?;
    let category = first.choice::<StaffCategory>("category")?;
    let last = spans.last()?;
    if !ok || first.bad("gender") {
        return None;
    }
    let id = PersonId::generate();
    let person = NewPerson {
        id,
        full_name: nfc(&name),
        organization_id: OrganizationId(last.3),
        position: last.4.as_deref().map(nfc),
        category,
        gender: first.choice::<Gender>("gender"),
        employment_start: spans[0].0,
        code: Some(code.to_string()),
    };
    let history = spans
        .iter()
        .map(|s| NewEmployment {
            id: Uuid::now_v7(),
            person_id: id,
            organization_id: OrganizationId(s.3),
            position: s.4.as_deref().map(nfc),
            valid_from: s.0,
            valid_to: s.1,
        })
        .collect();
    Some((person, history))
}

/// The row's organisation, when it exists and the caller may write for it.
fn org_of(sheet: &str, r: &Row, refs: &Refs, problems: &mut Vec<Problem>) -> Option<Uuid> {
    let oc = r.text("organizationCode")?;
    match refs.orgs.get(&oc) {
        Some(id) if refs.may.contains(id) => Some(*id),
        Some(_) => {
            problems.push(r.problem(sheet, "organizationCode", P::NotYourOrganization, &oc));
            None
        }
        None => {
            problems.push(r.problem(sheet, "organizationCode", P::UnknownOrganization, &oc));
            None
        }
    }
}

pub(super) async fn write(
    tx: &mut Conn,
    people: Vec<NewPerson>,
    history: Vec<NewEmployment>,
) -> AppResult<Vec<NewEvent>> {
    let open: HashSet<PersonId> = history
        .iter()
        .filter(|e| e.valid_to.is_none())
        .map(|e| e.person_id)
        .collect();
    let left: Vec<Uuid> = people
        .iter()
        .filter(|p| !open.contains(&p.id))
        .map(|p| p.id.uuid())
        .collect();
    let events = people
        .iter()
        .map(|p| NewEvent {
            kind: "person.created",
            entity: "person",
            entity_id: p.id.to_string(),
            organization_id: Some(p.organization_id.uuid()),
            data: json!({"id": p.id, "organizationId": p.organization_id, "imported": true}),
        })
        .collect();
    db::imports::insert_people(tx, people, history).await?;
    db::imports::mark_left(tx, &left).await?;
    Ok(events)
}
