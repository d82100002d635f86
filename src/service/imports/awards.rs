//! `awards`: legacy award history with its paper decisions, recorded with
//! provenance `imported` (not re-decided: no rule is checked but the
//! subject's kind), read by every later rule like a decided award (C5's
//! chain, C6, C11, C12, C14). Natural key: (subject, year, title) among
//! active awards; a decision by its number.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, Utc};
use serde_json::json;
use uuid::Uuid;

use super::{Counts, Input, Plan, Write};
use crate::db::imports::NewEvent;
use crate::db::titles::{AwardRow, DecisionRow};
use crate::db::{self, Conn};
use crate::domain::import::{Problem, ProblemCode as P, Provenance, Row};
use crate::domain::titles::{AwardStatus, AwardType};
use crate::error::AppResult;
use crate::i18n::nfc;

type Key = (String, Option<Uuid>, Option<Uuid>, i32);
/// A person's or an organisation's id (exactly one).
type SubjectIds = (Option<Uuid>, Option<Uuid>);

pub(super) async fn check(
    c: &mut Conn,
    input: &Input<'_>,
    problems: &mut Vec<Problem>,
) -> AppResult<Plan> {
    let sheet = input.sheet;
    let rows = input.rows;
    let list = |f: &str| rows.iter().filter_map(|r| r.text(f)).collect::<Vec<_>>();
    let people: HashMap<String, Uuid> = db::imports::people_by_code(c, &list("personCode"))
        .await?
        .into_iter()
        .map(|(code, id, _)| (code, id))
        .collect();
    let orgs: HashMap<String, Uuid> = db::imports::orgs_by_code(c, &list("organizationCode"))
        .await?
        .into_iter()
        .map(|(code, id, _)| (code, id))
        .collect();
    let held: HashSet<Key> = db::imports::active_award_keys(
        c,
        &people.values().copied().collect::<Vec<_>>(),
        &orgs.values().copied().collect::<Vec<_>>(),
    )
    .await?
    .into_iter()
    .collect();
    let known = db::imports::decisions_by_number(c, &list("decisionNumber"))
        .await?
        .into_iter()
        .map(|d| (d.number.clone(), d))
        .collect();
    let mut decisions = Decisions {
        known,
        new: Vec::new(),
    };
    let mut rule_sets: HashMap<i32, Option<Uuid>> = HashMap::new();
    let mut seen: HashMap<Key, u32> = HashMap::new();
    let mut counts = Counts::default();
    let mut awards = Vec::new();
    for r in rows {
        let Some((award, subject)) = subject_of(r, sheet, &people, &orgs, problems) else {
            continue;
        };
        let Some(year) = r.int("year").map(|y| y as i32) else {
            continue;
        };
        let key: Key = (award.as_str().to_string(), subject.0, subject.1, year);
        if let Some(line) = seen.get(&key) {
            problems.push(r.problem(sheet, "awardType", P::DuplicateKey, &line.to_string()));
            continue;
        }
        seen.insert(key.clone(), r.line);
        if held.contains(&key) {
            counts.unchanged += 1;
            continue;
        }
        let rule_set = rule_set_of(c, &mut rule_sets, year).await?;
        let Some(rule_set) = rule_set else {
            problems.push(r.problem(sheet, "year", P::NoRuleSet, &year.to_string()));
            continue;
        };
        let Some(decision) = decisions.resolve(sheet, r, year, rule_set, problems) else {
            continue;
        };
        counts.created += 1;
        awards.push(legacy_award(award, subject, year, decision));
    }
    Ok(Plan {
        counts,
        write: Write::Awards(decisions.new, awards),
    })
}

/// The rule set in force on 31 December of `year` (cached per year): the
/// one an imported decision refers to.
async fn rule_set_of(
    c: &mut Conn,
    cache: &mut HashMap<i32, Option<Uuid>>,
    year: i32,
) -> AppResult<Option<Uuid>> {
    if let Some(rs) = cache.get(&year) {
        return Ok(*rs);
    }
    let day = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX);
    let rs = db::titles::rule_set_in_force(c, day).await?.map(|r| r.id);
    cache.insert(year, rs);
    Ok(rs)
}

/// The paper decisions: those recorded (by number) and those the file adds.
struct Decisions {
    known: HashMap<String, DecisionRow>,
    new: Vec<DecisionRow>,
}

impl Decisions {
    /// The row's decision: an imported one with the same number, date, body
    /// and signer, or a new one; a number decided in thidua is a problem.
    fn resolve(
        &mut self,
        sheet: &str,
        r: &Row,
        year: i32,
        rule_set: Uuid,
        problems: &mut Vec<Problem>,
    ) -> Option<Uuid> {
        let number = r.text("decisionNumber")?;
        let on = r.date("decidedOn")?;
        let body = nfc(&r.text("issuingBody")?);
        let signer = nfc(&r.text("signer")?);
        match self.known.get(&number) {
            Some(d) if d.provenance != Provenance::Imported => {
                problems.push(r.problem(sheet, "decisionNumber", P::DecisionNumberTaken, &number));
                None
            }
            Some(d) if d.decided_on != on || d.issuing_body != body || d.signer != signer => {
                problems.push(r.problem(sheet, "decisionNumber", P::DecisionMismatch, &number));
                None
            }
            Some(d) => Some(d.id),
            None => {
                let d = DecisionRow {
                    id: Uuid::now_v7(),
                    number: number.clone(),
                    decided_on: on,
                    signer,
                    issuing_body: body,
                    year,
                    proposal_id: None,
                    rule_set_id: rule_set,
                    override_reason: None,
                    created_at: Utc::now(),
                    provenance: Provenance::Imported,
                };
                let id = d.id;
                self.known.insert(number, d.clone());
                self.new.push(d);
                Some(id)
            }
        }
    }
}

/// A legacy award: active, not re-decided (its stored answer checks nothing).
fn legacy_award(award: AwardType, subject: SubjectIds, year: i32, decision: Uuid) -> AwardRow {
    AwardRow {
        id: Uuid::now_v7(),
        award_type: award,
        person_id: subject.0,
        organization_id: subject.1,
        year,
        decision_id: decision,
        status: AwardStatus::Active,
        eligibility: json!({"eligible": true, "ruleSet": null, "checks": []}),
        overridden: false,
        revoked_at: None,
        revoke_reason: None,
        created_at: Utc::now(),
        provenance: Provenance::Imported,
    }
}

/// The row's title and subject (a person's or an organisation's code,
/// exactly one, of the kind the title is for).
fn subject_of(
    r: &Row,
    sheet: &str,
    people: &HashMap<String, Uuid>,
    orgs: &HashMap<String, Uuid>,
    problems: &mut Vec<Problem>,
) -> Option<(AwardType, SubjectIds)> {
    let award = r.choice::<AwardType>("awardType")?;
    let subject = match (r.text("personCode"), r.text("organizationCode")) {
        (Some(_), None) if award.collective() => {
            problems.push(r.problem(sheet, "awardType", P::SubjectKindMismatch, award.as_str()));
            return None;
        }
        (None, Some(_)) if !award.collective() => {
            problems.push(r.problem(sheet, "awardType", P::SubjectKindMismatch, award.as_str()));
            return None;
        }
        (Some(pc), None) => match people.get(&pc) {
            Some(id) => (Some(*id), None),
            None => {
                problems.push(r.problem(sheet, "personCode", P::UnknownPerson, &pc));
                return None;
            }
        },
        (None, Some(oc)) => match orgs.get(&oc) {
            Some(id) => (None, Some(*id)),
            None => {
                problems.push(r.problem(sheet, "organizationCode", P::UnknownOrganization, &oc));
                return None;
            }
        },
        _ => {
            if !r.bad("personCode") && !r.bad("organizationCode") {
                problems.push(r.problem(sheet, "personCode", P::OneSubject, ""));
            }
            return None;
        }
    };
    Some((award, subject))
}

pub(super) async fn write(
    tx: &mut Conn,
    decisions: Vec<DecisionRow>,
    awards: Vec<AwardRow>,
) -> AppResult<Vec<NewEvent>> {
    db::imports::insert_decisions(tx, &decisions).await?;
    db::imports::insert_awards(tx, &awards).await?;
    let mut events: Vec<NewEvent> = decisions
        .iter()
        .map(|d| NewEvent {
            kind: "decision.imported",
            entity: "decision",
            entity_id: d.id.to_string(),
            organization_id: None,
            data: json!({"id": d.id, "number": d.number, "year": d.year, "imported": true}),
        })
        .collect();
    events.extend(awards.iter().map(|a| NewEvent {
        kind: "award.imported",
        entity: "award",
        entity_id: a.id.to_string(),
        organization_id: a.organization_id,
        data: json!({"id": a.id, "awardType": a.award_type, "year": a.year, "decisionId": a.decision_id,
                     "personId": a.person_id, "organizationId": a.organization_id, "imported": true}),
    }));
    Ok(events)
}
