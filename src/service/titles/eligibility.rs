//! Eligibility (C1–C14): one subject, or a whole unit at once, under the
//! rule set in force for the year (or one chosen).

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::loading::{load_collectives, load_people};
use super::readers::require_reader;
use super::rule_sets::{RuleSet, known_rule_set, rule_set_for_year};
use crate::auth::Principal;
use crate::db::{self, Conn, Db};
use crate::domain::RuleViolation;
use crate::domain::titles::{self as rules, Answer, AwardType, Check, Subject, SubjectRef};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::service::pledges::today_in_vietnam;

/// The rule set an answer was given under.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleSetRef {
    pub id: Uuid,
    pub code: String,
    pub version: i32,
}

impl From<&RuleSet> for RuleSetRef {
    fn from(r: &RuleSet) -> RuleSetRef {
        RuleSetRef {
            id: r.id,
            code: r.code.clone(),
            version: r.version,
        }
    }
}

/// The engine's answer with the rule set it used.
#[derive(Debug, Clone)]
pub struct Eligibility {
    pub subject: SubjectRef,
    pub award: AwardType,
    pub year: i32,
    pub rule_set: RuleSetRef,
    pub answer: Answer,
}

impl Eligibility {
    /// The stored form (a proposal item keeps the answer it was made with).
    pub fn to_json(&self) -> Value {
        json!({
            "eligible": self.answer.eligible,
            "ruleSet": self.rule_set,
            "checks": self.answer.checks,
        })
    }
    pub fn failed(&self) -> impl Iterator<Item = &Check> {
        self.answer.checks.iter().filter(|c| !c.passed)
    }
}

/// How many of a unit's subjects were checked for a title, and how many
/// are eligible.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchCount {
    pub award: AwardType,
    pub checked: i64,
    pub eligible: i64,
}

/// A whole unit's answers, with the counts per title in the order asked.
#[derive(Debug, Clone)]
pub struct Batch {
    pub organization_id: Uuid,
    pub year: i32,
    pub summary: Vec<BatchCount>,
    pub results: Vec<Eligibility>,
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

fn unique(it: impl Iterator<Item = Uuid>) -> Vec<Uuid> {
    let mut v: Vec<Uuid> = it.collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Load the subjects of many (subject, award) pairs at once and answer each.
pub(super) async fn evaluate_all(
    c: &mut Conn,
    pairs: &[(SubjectRef, AwardType)],
    year: i32,
    rule_set: &RuleSet,
) -> AppResult<Vec<Eligibility>> {
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
    let params = &rule_set.params;
    let rule_set = RuleSetRef::from(rule_set);
    pairs
        .iter()
        .map(|&(subject, award)| {
            let of = match subject {
                SubjectRef::Person(id) => Subject::Person(&people[&id]),
                SubjectRef::Organization(id) => Subject::Collective(&collectives[&id]),
            };
            Ok(Eligibility {
                subject,
                award,
                year,
                rule_set: rule_set.clone(),
                answer: rules::evaluate(award, year, params, of)?,
            })
        })
        .collect()
}

async fn pick_rule_set(c: &mut Conn, year: i32, id: Option<Uuid>) -> AppResult<RuleSet> {
    match id {
        Some(id) => known_rule_set(c, id)
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

/// Counts per title, each title once, in the order asked.
fn summary(awards: &[AwardType], results: &[Eligibility]) -> Vec<BatchCount> {
    let mut out: Vec<BatchCount> = Vec::new();
    for &a in awards {
        if out.iter().any(|s| s.award == a) {
            continue;
        }
        let of: Vec<&Eligibility> = results.iter().filter(|e| e.award == a).collect();
        out.push(BatchCount {
            award: a,
            checked: of.len() as i64,
            eligible: of.iter().filter(|e| e.answer.eligible).count() as i64,
        });
    }
    out
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
) -> AppResult<Batch> {
    let results = db
        .read(async |c| {
            require_reader(c, caller, org_id).await?;
            let rs = pick_rule_set(c, year, rule_set_id).await?;
            let tree = db::titles::org_tree(c, org_id).await?;
            if tree.is_empty() {
                return Err(AppError::not_found("organization"));
            }
            let end = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX);
            let orgs: Vec<Uuid> = tree.iter().map(|t| t.0).collect();
            let staff = db::titles::staff_of(c, &orgs, end).await?;
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
        .await?;
    Ok(Batch {
        organization_id: org_id,
        year,
        summary: summary(awards, &results),
        results,
    })
}
