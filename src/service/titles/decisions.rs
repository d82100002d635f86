//! Decisions: the admin awards an approved proposal (or a part of it) or a
//! list. The policy is `domain::titles::decision`'s; this loads what it
//! reads and persists its `Plan`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::awards::{Award, redact_awards};
use super::eligibility::{Eligibility, evaluate_all};
use super::proposals::{ItemInput, Proposal, items_of, lock_proposal, parse_items};
use super::quotas::{failure, items_of_awards, over_quota};
use super::rule_sets::{RuleSet, lock_rule_set, rule_set_for_year};
use crate::auth::Principal;
use crate::db::titles::{AwardRow, DecisionRow};
use crate::db::{self, Conn, Db};
use crate::domain::RuleViolation;
use crate::domain::import::Provenance;
use crate::domain::paging::{Cursor, Page, PageRequest};
use crate::domain::titles::AwardStatus;
use crate::domain::titles::decision::{self, Item, Plan, ProposalToDecide, Refusal};
use crate::error::{AppError, AppResult, ErrorCode, FieldError, OnConstraint};
use crate::i18n::nfc;
use crate::service::{Audited, Change, record};

/// A decision with its awards (none in a list of decisions).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    pub id: Uuid,
    pub number: String,
    pub decided_on: NaiveDate,
    pub signer: String,
    pub issuing_body: String,
    pub year: i32,
    pub proposal_id: Option<Uuid>,
    pub rule_set_id: Uuid,
    /// Set when the admin awarded despite failed rules.
    pub override_reason: Option<String>,
    pub awards: Vec<Award>,
    pub created_at: DateTime<Utc>,
}

impl Decision {
    fn of(d: DecisionRow, awards: Vec<Award>) -> Decision {
        Decision {
            id: d.id,
            number: d.number,
            decided_on: d.decided_on,
            signer: d.signer,
            issuing_body: d.issuing_body,
            year: d.year,
            proposal_id: d.proposal_id,
            rule_set_id: d.rule_set_id,
            override_reason: d.override_reason,
            awards,
            created_at: d.created_at,
        }
    }
}

impl Audited for Decision {
    const ENTITY: &'static str = "decision";
    fn entity_id(&self) -> String {
        self.id.to_string()
    }
    /// Decisions are not versioned: they are made once.
    fn version(&self) -> i32 {
        1
    }
    fn event_data(&self) -> Option<serde_json::Value> {
        Some(
            json!({"id": self.id, "number": self.number, "year": self.year,
                    "awards": self.awards.len()}),
        )
    }
}

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

fn invalid(code: ErrorCode, field: &str, rule: &str, message: &str) -> AppError {
    AppError::new(code).with_errors(vec![FieldError {
        field: field.into(),
        code: rule.into(),
        message: message.into(),
    }])
}

/// The policy's refusal as the API answers it.
fn refused(r: Refusal) -> AppError {
    use ErrorCode::{InvalidDecision, InvalidItems};
    match r {
        Refusal::Transition(v) => v.into(),
        Refusal::NotProposed { index } => invalid(
            InvalidItems,
            &format!("awards[{index}]"),
            "not_proposed",
            "not an item of the proposal",
        ),
        Refusal::YearMismatch => invalid(
            InvalidDecision,
            "year",
            "mismatch",
            "the proposal is for another year",
        ),
        Refusal::YearRequired => invalid(
            InvalidDecision,
            "year",
            "required",
            "year is required without a proposal",
        ),
        Refusal::NoAwards => invalid(
            InvalidDecision,
            "awards",
            "length",
            "a decision awards at least one subject",
        ),
        Refusal::NotEligible(f) => AppError::new(ErrorCode::NotEligible)
            .with_failures(f.into_iter().map(failure).collect()),
        Refusal::OverQuota(f) => AppError::new(ErrorCode::QuotaExceeded)
            .with_failures(f.into_iter().map(failure).collect()),
    }
}

/// The proposal as the policy reads it: its status, year, items and what
/// earlier decisions on it awarded.
async fn to_decide(tx: &mut Conn, id: Uuid) -> AppResult<(Proposal, ProposalToDecide)> {
    let p = lock_proposal(tx, id).await?;
    let awarded = items_of_awards(&db::titles::awards_of_proposal(tx, id).await?);
    let facts = ProposalToDecide {
        status: p.status,
        year: p.year,
        items: items_of(&p),
        awarded: awarded.into_iter().collect(),
    };
    Ok((p, facts))
}

/// C0: lock the rule set before reading it, so no edit slips in between
/// the check and the decision that freezes it.
async fn frozen_rule_set(tx: &mut Conn, year: i32) -> AppResult<RuleSet> {
    let rs = rule_set_for_year(tx, year).await?;
    lock_rule_set(tx, rs.id)
        .await?
        .ok_or(RuleViolation::NoRuleSet { year }.into())
}

/// Write the plan: the decision, its awards (C1 under a race: the partial
/// unique index refuses a second award), the rule set frozen, the proposal
/// decided once every item is awarded.
async fn persist(
    tx: &mut Conn,
    cmd: &DecisionInput,
    year: i32,
    proposal: Option<&Proposal>,
    rs: &RuleSet,
    answers: &[Eligibility],
    plan: &Plan,
) -> AppResult<Decision> {
    let now = Utc::now();
    let row = DecisionRow {
        id: Uuid::now_v7(),
        number: cmd.number.trim().to_string(),
        decided_on: cmd.decided_on,
        signer: nfc(&cmd.signer),
        issuing_body: nfc(&cmd.issuing_body),
        year,
        proposal_id: proposal.map(|p| p.id),
        rule_set_id: rs.id,
        override_reason: plan.override_reason.clone(),
        created_at: now,
        provenance: Provenance::Decided,
    };
    let decision = db::titles::insert_decision(tx, &row)
        .await
        .on_constraint("decisions_number_key", || ErrorCode::DecisionNumberTaken)?;
    let rows: Vec<AwardRow> = plan
        .awards
        .iter()
        .zip(answers)
        .map(|(a, e)| AwardRow {
            id: Uuid::now_v7(),
            award_type: a.award,
            person_id: a.subject.person(),
            organization_id: a.subject.organization(),
            year,
            decision_id: decision.id,
            status: AwardStatus::Active,
            eligibility: e.to_json(),
            overridden: a.overridden,
            revoked_at: None,
            revoke_reason: None,
            created_at: now,
            provenance: Provenance::Decided,
        })
        .collect();
    let awards = db::titles::insert_awards(tx, &rows)
        .await
        .on_any_constraint(&["awards_c1_person", "awards_c1_org"], || {
            ErrorCode::AlreadyAwarded
        })?;
    db::titles::mark_rule_set_used(tx, rs.id).await?;
    if let (Some(p), Some(status)) = (proposal, plan.proposal_status) {
        let changes = db::titles::ProposalChanges {
            status,
            title: None,
            return_reason: None,
            council_note: p.council_note.clone(),
            council_on: p.council_on,
        };
        db::titles::update_proposal(tx, p.id, changes).await?;
    }
    Ok(Decision::of(
        decision,
        awards.into_iter().map(Award::from).collect(),
    ))
}

/// A decision awards a list, re-checking every rule; a failed rule refuses
/// it unless the admin overrides with a written reason (kept in the audit
/// trail). C1 is never overridden: the history keeps one award per
/// achievement.
pub async fn decide(db: &Db, caller: &Principal, cmd: DecisionInput) -> AppResult<Decision> {
    caller.require_admin()?;
    let listed = parse_items(&cmd.awards)?;
    db.transaction(async |tx| {
        let proposal = match cmd.proposal_id {
            Some(pid) => Some(to_decide(tx, pid).await?),
            None => None,
        };
        let facts = proposal.as_ref().map(|p| &p.1);
        let scope = decision::scope(cmd.year, &listed, facts).map_err(refused)?;
        let rs = frozen_rule_set(tx, scope.year).await?;
        let answers = evaluate_all(tx, &scope.items, scope.year, &rs).await?;
        // The caps are on a proposer's list: a decision on a proposal counts
        // it with the proposer's other live proposals and awards of the year.
        let over = match &proposal {
            Some((p, _)) => {
                let (org, year) = (p.organization_id, scope.year);
                over_quota(tx, org, year, p.id, &scope.items, &rs.params).await?
            }
            None => Vec::new(),
        };
        let answered: Vec<(Item, &_)> = answers
            .iter()
            .map(|e| ((e.subject, e.award), &e.answer))
            .collect();
        let reason = cmd.override_reason.as_deref().map(nfc);
        let plan = decision::plan(&answered, &over, reason, facts).map_err(refused)?;
        let proposal = proposal.as_ref().map(|p| &p.0);
        let made = persist(tx, &cmd, scope.year, proposal, &rs, &answers, &plan).await?;
        let mut change = Change {
            reason: plan.override_reason.clone(),
            ..Change::created("decision.made", &made)
        };
        if let Some(after) = change.after.as_mut() {
            after["ruleSet"] = json!({"id": rs.id, "code": rs.code, "version": rs.version});
            after["overriddenRules"] = plan.overridden_rules();
        }
        record(tx, caller, change).await?;
        Ok(made)
    })
    .await
}

pub async fn decision(db: &Db, caller: &Principal, id: Uuid) -> AppResult<Decision> {
    db.read(async |c| decision_in(c, caller, id).await).await
}

/// `decision` inside the caller's transaction (the printable decision).
pub async fn decision_in(c: &mut Conn, caller: &Principal, id: Uuid) -> AppResult<Decision> {
    let row = db::titles::decision(c, id)
        .await?
        .ok_or(AppError::not_found(Decision::ENTITY))?;
    let awards = db::titles::awards_of_decision(c, id).await?;
    let mut awards: Vec<Award> = awards.into_iter().map(Award::from).collect();
    redact_awards(c, caller, awards.iter_mut()).await?;
    Ok(Decision::of(row, awards))
}

/// Decisions, keyset-paginated, without their awards.
pub async fn decisions(db: &Db, year: Option<i32>, page: PageRequest) -> AppResult<Page<Decision>> {
    let after = page.cursor.as_ref().map(Cursor::uuid).transpose()?;
    let rows = db
        .read(async |c| db::titles::decisions(c, year, after, page.limit + 1).await)
        .await?;
    Ok(page
        .page(rows, |r| Cursor::from_uuid(r.id))
        .map(|d| Decision::of(d, Vec::new())))
}
