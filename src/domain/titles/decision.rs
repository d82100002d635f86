//! The decision policy (TITLES.md C1, the override, the C4/C8 caps, the
//! proposal's last move): pure. The service loads the proposal, the
//! eligibility answers and the quota checks, asks `scope` what is decided
//! and `plan` whether and how, and persists the `Plan`.

use serde_json::{Value, json};

use super::{Answer, AwardType, Check, ProposalAction, ProposalStatus, SubjectRef};
use crate::domain::{RuleId, RuleViolation};

/// A subject and the title or form it is awarded.
pub type Item = (SubjectRef, AwardType);

/// The approved proposal a decision awards (all of it, or a part).
#[derive(Debug, Clone)]
pub struct ProposalToDecide {
    pub status: ProposalStatus,
    pub year: i32,
    /// Its items, in order.
    pub items: Vec<Item>,
    /// What earlier decisions on it already awarded (active awards).
    pub awarded: Vec<Item>,
}

/// What the decision is about: the year and the items to award.
#[derive(Debug, Clone, PartialEq)]
pub struct Scope {
    pub year: i32,
    pub items: Vec<Item>,
}

/// A failed rule, as the refusal (or the override) names it.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// `items[3]`, `items` (a cap on the list) or `awards` (an overridden cap).
    pub field: String,
    pub rule: String,
    pub vi: String,
    pub en: String,
}

/// Why a decision is refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// The proposal is not approved.
    Transition(RuleViolation),
    /// `awards[index]` is not an item of the proposal.
    NotProposed { index: usize },
    /// The decision's year is not the proposal's.
    YearMismatch,
    /// No proposal and no year.
    YearRequired,
    /// Nothing to award.
    NoAwards,
    /// Failed rules (C1 always; the others without an override reason).
    NotEligible(Vec<Failure>),
    /// The caps over the proposer's list (without an override reason).
    OverQuota(Vec<Failure>),
}

/// What the decision is about: a part of an approved proposal (or all of
/// it when `listed` is empty), or the `listed` items for `year`.
pub fn scope(
    year: Option<i32>,
    listed: &[Item],
    proposal: Option<&ProposalToDecide>,
) -> Result<Scope, Refusal> {
    let scope = match proposal {
        Some(p) => {
            p.status
                .after(ProposalAction::Decide)
                .map_err(Refusal::Transition)?;
            let items = if listed.is_empty() {
                p.items.clone()
            } else {
                // A decision may award part of an approved proposal.
                if let Some(index) = listed.iter().position(|l| !p.items.contains(l)) {
                    return Err(Refusal::NotProposed { index });
                }
                listed.to_vec()
            };
            if year.is_some_and(|y| y != p.year) {
                return Err(Refusal::YearMismatch);
            }
            Scope {
                year: p.year,
                items,
            }
        }
        None => Scope {
            year: year.ok_or(Refusal::YearRequired)?,
            items: listed.to_vec(),
        },
    };
    if scope.items.is_empty() {
        return Err(Refusal::NoAwards);
    }
    Ok(scope)
}

/// One award to make.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedAward {
    pub subject: SubjectRef,
    pub award: AwardType,
    /// Awarded although a rule (or a cap) failed, by the override.
    pub overridden: bool,
}

/// What to persist: the awards, the override reason the decision keeps,
/// the rules it overrode (the audit trail's `overriddenRules`) and the
/// proposal's new status.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub awards: Vec<PlannedAward>,
    /// Kept only when something was overridden.
    pub override_reason: Option<String>,
    pub overridden: Vec<Failure>,
    /// `Some(Decided)` once every item of the proposal is awarded; a part
    /// leaves it approved for a later decision.
    pub proposal_status: Option<ProposalStatus>,
}

impl Plan {
    /// The audit trail's `overriddenRules`.
    pub fn overridden_rules(&self) -> Value {
        Value::Array(
            self.overridden
                .iter()
                .map(|f| json!({"item": f.field, "rule": f.rule, "reason": f.en}))
                .collect(),
        )
    }
}

/// Every failed rule of the answers, each named by its item.
pub fn failures(answers: &[(Item, &Answer)]) -> Vec<Failure> {
    answers
        .iter()
        .enumerate()
        .flat_map(|(i, ((_, award), answer))| {
            answer
                .checks
                .iter()
                .filter(|c| !c.passed)
                .map(move |c| Failure {
                    field: format!("items[{i}]"),
                    rule: c.rule.clone(),
                    vi: format!("{}: {}", award.code(), c.vi),
                    en: format!("{}: {}", award.code(), c.en),
                })
        })
        .collect()
}

/// Failed caps as failures of the list named `field`.
pub fn cap_failures(over: &[Check], field: &str) -> Vec<Failure> {
    over.iter()
        .map(|c| Failure {
            field: field.into(),
            rule: c.rule.clone(),
            vi: c.vi.clone(),
            en: c.en.clone(),
        })
        .collect()
}

/// The policy: C1 (one award per achievement) is never overridden; any
/// other failed rule, and a cap over the proposer's list (`over`), refuses
/// the decision unless `override_reason` is given, and is then recorded as
/// overridden. `answers` are the scope's items in order.
pub fn plan(
    answers: &[(Item, &Answer)],
    over: &[Check],
    override_reason: Option<String>,
    proposal: Option<&ProposalToDecide>,
) -> Result<Plan, Refusal> {
    let failed = failures(answers);
    let duplicate: Vec<Failure> = failed
        .iter()
        .filter(|f| f.rule == RuleId::C1.as_str())
        .cloned()
        .collect();
    if !duplicate.is_empty() {
        return Err(Refusal::NotEligible(duplicate));
    }
    if override_reason.is_none() {
        if !failed.is_empty() {
            return Err(Refusal::NotEligible(failed));
        }
        if !over.is_empty() {
            return Err(Refusal::OverQuota(cap_failures(over, "items")));
        }
    }
    let mut overridden = failed;
    overridden.extend(cap_failures(over, "awards"));
    let awards = answers
        .iter()
        .map(|&((subject, award), answer)| PlannedAward {
            subject,
            award,
            overridden: !answer.eligible || !over.is_empty(),
        })
        .collect();
    let proposal_status = proposal
        .filter(|p| {
            p.items
                .iter()
                .all(|i| p.awarded.contains(i) || answers.iter().any(|(a, _)| a == i))
        })
        .map(|_| ProposalStatus::Decided);
    Ok(Plan {
        awards,
        override_reason: override_reason.filter(|_| !overridden.is_empty()),
        overridden,
        proposal_status,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn person(n: u128) -> SubjectRef {
        SubjectRef::Person(Uuid::from_u128(n))
    }

    fn check(rule: &str, passed: bool) -> Check {
        Check {
            rule: rule.into(),
            passed,
            vi: format!("{rule} vi"),
            en: format!("{rule} en"),
            figures: Value::Null,
        }
    }

    fn answer(checks: Vec<Check>) -> Answer {
        Answer {
            eligible: checks.iter().all(|c| c.passed),
            checks,
        }
    }

    fn approved(items: Vec<Item>) -> ProposalToDecide {
        ProposalToDecide {
            status: ProposalStatus::Approved,
            year: 2021,
            items,
            awarded: Vec::new(),
        }
    }

    const LDTT: AwardType = AwardType::Ldtt;

    #[test]
    fn proposal_flow_a_decision_needs_an_approved_proposal() {
        let mut p = approved(vec![(person(1), LDTT)]);
        p.status = ProposalStatus::Submitted;
        assert_eq!(
            scope(None, &[], Some(&p)),
            Err(Refusal::Transition(RuleViolation::ProposalTransition {
                from: ProposalStatus::Submitted,
                action: ProposalAction::Decide,
            }))
        );
    }

    #[test]
    fn a_decision_awards_the_whole_proposal_or_a_part_of_its_items_only() {
        let items = vec![(person(1), LDTT), (person(2), LDTT)];
        let p = approved(items.clone());
        assert_eq!(
            scope(None, &[], Some(&p)),
            Ok(Scope {
                year: 2021,
                items: items.clone()
            })
        );
        assert_eq!(
            scope(Some(2021), &items[1..], Some(&p)).unwrap().items,
            &items[1..]
        );
        assert_eq!(
            scope(None, &[(person(3), LDTT)], Some(&p)),
            Err(Refusal::NotProposed { index: 0 })
        );
        assert_eq!(scope(Some(2022), &[], Some(&p)), Err(Refusal::YearMismatch));
    }

    #[test]
    fn a_decision_without_a_proposal_needs_a_year_and_an_award() {
        assert_eq!(
            scope(None, &[(person(1), LDTT)], None),
            Err(Refusal::YearRequired)
        );
        assert_eq!(scope(Some(2021), &[], None), Err(Refusal::NoAwards));
        assert_eq!(
            scope(None, &[], Some(&approved(vec![]))),
            Err(Refusal::NoAwards)
        );
    }

    #[test]
    fn c1_a_second_award_is_refused_even_with_an_override_reason() {
        let a = answer(vec![check("C1", false), check("C3", false)]);
        let refused = plan(&[((person(1), LDTT), &a)], &[], Some("lý do".into()), None);
        let Err(Refusal::NotEligible(failed)) = refused else {
            panic!("{refused:?}");
        };
        assert_eq!(failed.len(), 1);
        assert_eq!(
            (
                failed[0].field.as_str(),
                failed[0].rule.as_str(),
                failed[0].en.as_str()
            ),
            ("items[0]", "C1", "ldtt: C1 en")
        );
    }

    #[test]
    fn a_failed_rule_refuses_without_an_override_and_is_recorded_with_one() {
        let ok = answer(vec![check("C1", true), check("C3", true)]);
        let bad = answer(vec![check("C1", true), check("C3", false)]);
        let answers = [((person(1), LDTT), &ok), ((person(2), LDTT), &bad)];
        let Err(Refusal::NotEligible(failed)) = plan(&answers, &[], None, None) else {
            panic!("refused");
        };
        assert_eq!(failed[0].field, "items[1]");
        let p = plan(&answers, &[], Some("lý do".into()), None).unwrap();
        assert_eq!(p.override_reason.as_deref(), Some("lý do"));
        assert_eq!(
            p.awards.iter().map(|a| a.overridden).collect::<Vec<_>>(),
            [false, true]
        );
        assert_eq!(
            p.overridden_rules(),
            json!([{"item": "items[1]", "rule": "C3", "reason": "ldtt: C3 en"}])
        );
    }

    #[test]
    fn c4_a_cap_over_the_list_refuses_without_an_override_and_marks_every_award_with_one() {
        let ok = answer(vec![check("C1", true)]);
        let answers = [((person(1), AwardType::Cstdcs), &ok)];
        let over = [check("C4", false)];
        let Err(Refusal::OverQuota(failed)) = plan(&answers, &over, None, None) else {
            panic!("refused");
        };
        assert_eq!(
            (failed[0].field.as_str(), failed[0].rule.as_str()),
            ("items", "C4")
        );
        let p = plan(&answers, &over, Some("lý do".into()), None).unwrap();
        assert!(p.awards[0].overridden);
        assert_eq!(p.overridden_rules()[0]["item"], "awards");
    }

    #[test]
    fn an_override_reason_nothing_needed_is_not_kept() {
        let ok = answer(vec![check("C1", true)]);
        let p = plan(&[((person(1), LDTT), &ok)], &[], Some("lý do".into()), None).unwrap();
        assert_eq!(p.override_reason, None);
        assert!(p.overridden.is_empty() && !p.awards[0].overridden);
    }

    #[test]
    fn proposal_flow_the_proposal_is_decided_once_every_item_is_awarded() {
        let ok = answer(vec![check("C1", true)]);
        let mut p = approved(vec![(person(1), LDTT), (person(2), LDTT)]);
        let part = [((person(1), LDTT), &ok)];
        assert_eq!(
            plan(&part, &[], None, Some(&p)).unwrap().proposal_status,
            None
        );
        p.awarded = vec![(person(2), LDTT)];
        assert_eq!(
            plan(&part, &[], None, Some(&p)).unwrap().proposal_status,
            Some(ProposalStatus::Decided)
        );
        assert_eq!(plan(&part, &[], None, None).unwrap().proposal_status, None);
    }
}
