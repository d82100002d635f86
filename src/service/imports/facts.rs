//! `facts`: a person's year (natural key: staff code and year), as
//! `PUT /organizations/{id}/facts/{year}` records it, initiatives aside.
//! Facts the same as those recorded are `unchanged`; different ones replace
//! them (`updated`).

use std::collections::{BTreeMap, HashMap};

use serde_json::json;
use uuid::Uuid;

use super::people::writable;
use super::{Counts, Input, Plan, Write};
use crate::db::imports::NewEvent;
use crate::db::titles::NewFacts;
use crate::db::{self, Conn};
use crate::domain::import::{Problem, ProblemCode as P, Row};
use crate::domain::titles::{Discipline, Rating};
use crate::error::AppResult;

pub(super) async fn check(
    c: &mut Conn,
    input: &Input<'_>,
    problems: &mut Vec<Problem>,
) -> AppResult<Plan> {
    let sheet = input.sheet;
    let codes: Vec<String> = input
        .rows
        .iter()
        .filter_map(|r| r.text("personCode"))
        .collect();
    let people: HashMap<String, (Uuid, Uuid)> = db::imports::people_by_code(c, &codes)
        .await?
        .into_iter()
        .map(|(code, id, org)| (code, (id, org)))
        .collect();
    let may = writable(c, input, people.values().map(|p| p.1)).await?;
    let ids: Vec<Uuid> = people.values().map(|p| p.0).collect();
    let stored: HashMap<(Uuid, i32), db::titles::FactsRow> = db::titles::facts_of(c, &ids)
        .await?
        .into_iter()
        .map(|f| ((f.person_id, f.year), f))
        .collect();
    let mut seen: HashMap<(String, i64), u32> = HashMap::new();
    let mut counts = Counts::default();
    let mut rows = Vec::new();
    let mut units = Vec::new();
    for r in input.rows {
        let (Some(code), Some(year)) = (r.text("personCode"), r.int("year")) else {
            continue;
        };
        if let Some(line) = seen.get(&(code.clone(), year)) {
            problems.push(r.problem(sheet, "personCode", P::DuplicateKey, &line.to_string()));
            continue;
        }
        seen.insert((code.clone(), year), r.line);
        let Some(&(person, org)) = people.get(&code) else {
            problems.push(r.problem(sheet, "personCode", P::UnknownPerson, &code));
            continue;
        };
        if !may.contains(&org) {
            problems.push(r.problem(sheet, "personCode", P::NotYourOrganization, &code));
            continue;
        }
        let year = year as i32;
        let Some(new) = facts_of_row(sheet, r, person, year, problems) else {
            continue;
        };
        match stored.get(&(person, year)) {
            Some(old) if same(old, &new) => {
                counts.unchanged += 1;
                continue;
            }
            Some(_) => counts.updated += 1,
            None => counts.created += 1,
        }
        units.push((org, year));
        rows.push(new);
    }
    Ok(Plan {
        counts,
        write: Write::Facts(rows, units),
    })
}

/// The row's facts, once its values are all readable.
fn facts_of_row(
    sheet: &str,
    r: &Row,
    person: Uuid,
    year: i32,
    problems: &mut Vec<Problem>,
) -> Option<NewFacts> {
    let discipline = r
        .choice::<Discipline>("discipline")
        .unwrap_or(Discipline::None);
    let until = r.date("disciplineUntil");
    if discipline != Discipline::None && until.is_none() && !r.bad("disciplineUntil") {
        problems.push(r.problem(sheet, "disciplineUntil", P::DisciplineUntilRequired, ""));
        return None;
    }
    let rating = r.choice::<Rating>("rating")?;
    let registered = r.bool("registered")?;
    let optional = [
        "monthsEmployed",
        "absentDays",
        "discipline",
        "underInvestigation",
    ];
    if optional.iter().any(|f| r.bad(f)) {
        return None;
    }
    Some(NewFacts {
        person_id: person,
        year,
        rating,
        registered,
        months_employed: r.int("monthsEmployed").map(|m| m as i32),
        absent_days: r.int("absentDays").unwrap_or(0) as i32,
        discipline,
        discipline_until: until,
        under_investigation: r.bool("underInvestigation").unwrap_or(false),
    })
}

fn same(old: &db::titles::FactsRow, new: &NewFacts) -> bool {
    old.rating == new.rating
        && old.registered == new.registered
        && old.months_employed == new.months_employed
        && old.absent_days == new.absent_days
        && old.discipline == new.discipline
        && old.discipline_until == new.discipline_until
        && old.under_investigation == new.under_investigation
}

/// One `facts.recorded` event per organisation and year, as the API's own
/// batch records it.
pub(super) async fn write(
    tx: &mut Conn,
    rows: Vec<NewFacts>,
    units: Vec<(Uuid, i32)>,
) -> AppResult<Vec<NewEvent>> {
    let mut per: BTreeMap<(Uuid, i32), usize> = BTreeMap::new();
    for u in units {
        *per.entry(u).or_default() += 1;
    }
    for chunk in rows.chunks(4000) {
        db::titles::upsert_facts(tx, chunk).await?;
    }
    Ok(per
        .into_iter()
        .map(|((org, year), n)| NewEvent {
            kind: "facts.recorded",
            entity: "organization",
            entity_id: org.to_string(),
            organization_id: Some(org),
            data: json!({"organizationId": org, "year": year, "people": n, "imported": true}),
        })
        .collect())
}
