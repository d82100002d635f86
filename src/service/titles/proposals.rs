//! Proposals: a unit proposes awards for its staff, sub-units and itself
//! (the board, as admin, for anyone); each item keeps the eligibility
//! answer it was made with. The state machine is `domain::titles`'s.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::eligibility::{Eligibility, evaluate_all};
use super::quotas::{failure, over_quota, quota_refusal};
use super::readers::redact;
use super::rule_sets::rule_set_for_year;
use crate::auth::Principal;
use crate::db::titles::{ProposalItemRow, ProposalRow};
use crate::db::{self, Conn, Db};
use crate::domain::RuleViolation;
use crate::domain::paging::{Cursor, Page, PageRequest};
use crate::domain::titles::decision::{Item, failures};
use crate::domain::titles::{AwardType, ProposalAction, ProposalStatus, StoredAnswer, SubjectRef};
use crate::error::{AppError, AppResult, ErrorCode, FieldError};
use crate::i18n::nfc;
use crate::service::{Audited, Change, check_version, record};

/// A proposal item with the answer it was made with. The audit trail
/// records it without the answer (C2 data).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProposalItem {
    #[serde(skip)]
    pub id: Uuid,
    pub award_type: AwardType,
    pub person_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub eligible: bool,
    #[serde(skip)]
    pub eligibility: StoredAnswer,
}

impl ProposalItem {
    pub fn subject(&self) -> Option<SubjectRef> {
        SubjectRef::of(self.person_id, self.organization_id)
    }
}

impl From<ProposalItemRow> for ProposalItem {
    fn from(i: ProposalItemRow) -> ProposalItem {
        ProposalItem {
            id: i.id,
            award_type: i.award_type,
            person_id: i.person_id,
            organization_id: i.organization_id,
            eligible: i.eligible,
            eligibility: StoredAnswer::from_json(i.eligibility),
        }
    }
}

/// A proposal with its items.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Proposal {
    pub id: Uuid,
    /// `None`: proposed by the provincial board.
    pub organization_id: Option<Uuid>,
    pub year: i32,
    pub title: String,
    pub status: ProposalStatus,
    pub return_reason: Option<String>,
    pub council_note: Option<String>,
    pub council_on: Option<NaiveDate>,
    pub version: i32,
    pub items: Vec<ProposalItem>,
    #[serde(skip)]
    pub created_at: DateTime<Utc>,
    #[serde(skip)]
    pub updated_at: DateTime<Utc>,
}

impl Proposal {
    fn of(row: ProposalRow, items: Vec<ProposalItemRow>) -> Proposal {
        Proposal {
            id: row.id,
            organization_id: row.organization_id,
            year: row.year,
            title: row.title,
            status: row.status,
            return_reason: row.return_reason,
            council_note: row.council_note,
            council_on: row.council_on,
            version: row.version,
            items: items.into_iter().map(ProposalItem::from).collect(),
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

impl Audited for Proposal {
    const ENTITY: &'static str = "proposal";
    fn entity_id(&self) -> String {
        self.id.to_string()
    }
    fn version(&self) -> i32 {
        self.version
    }
    fn organization_id(&self) -> Option<Uuid> {
        self.organization_id
    }
    fn event_data(&self) -> Option<serde_json::Value> {
        Some(json!({"id": self.id, "status": self.status}))
    }
}

/// An item asked for: a title or form for a subject.
pub struct ItemInput {
    pub award_type: AwardType,
    pub subject: SubjectRef,
}

pub struct NewProposal {
    pub organization_id: Option<Uuid>,
    pub year: i32,
    pub title: String,
    pub items: Vec<ItemInput>,
}

/// A move of the state machine other than an edit, with the board's note
/// (the return reason or the council's note) and the council's date.
pub struct ProposalMove {
    pub action: ProposalAction,
    pub note: Option<String>,
    pub council_on: Option<NaiveDate>,
}

/// The list's filter.
pub struct ProposalFilter {
    pub year: Option<i32>,
    pub organization_id: Option<Uuid>,
    pub status: Option<ProposalStatus>,
}

/// The unit proposes for its own staff, sub-units and itself; the board
/// (admin, no organisation) for anyone.
async fn check_items_belong(
    c: &mut Conn,
    proposer: Option<Uuid>,
    year: i32,
    items: &[ItemInput],
) -> AppResult<()> {
    let Some(org) = proposer else {
        return Ok(());
    };
    let tree = db::titles::org_tree(c, org).await?;
    let orgs: Vec<Uuid> = tree.iter().map(|t| t.0).collect();
    let staff: HashSet<Uuid> = db::titles::staff_in_year(c, &orgs, year)
        .await?
        .into_iter()
        .map(|s| s.0)
        .collect();
    let outside = items.iter().position(|item| match item.subject {
        SubjectRef::Person(p) => !staff.contains(&p),
        SubjectRef::Organization(o) => !orgs.contains(&o),
    });
    match outside {
        None => Ok(()),
        Some(i) => Err(invalid_item(
            i,
            "not_in_unit",
            "the subject is not the unit, one of its sub-units or its staff",
        )),
    }
}

fn invalid_item(i: usize, code: &str, message: &str) -> AppError {
    AppError::new(ErrorCode::InvalidItems).with_errors(vec![FieldError {
        field: format!("items[{i}]"),
        code: code.into(),
        message: message.into(),
    }])
}

/// The items as (subject, award), each listed once (C1).
pub(super) fn parse_items(items: &[ItemInput]) -> AppResult<Vec<Item>> {
    let mut seen = HashSet::new();
    items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            if !seen.insert((it.subject, it.award_type)) {
                let message = "the same subject and award are listed twice (C1)";
                return Err(invalid_item(i, "duplicate", message));
            }
            Ok((it.subject, it.award_type))
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
            award_type: e.award,
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

pub(super) async fn lock_proposal(c: &mut Conn, id: Uuid) -> AppResult<Proposal> {
    let row = db::titles::lock_proposal(c, id)
        .await?
        .ok_or(AppError::not_found(Proposal::ENTITY))?;
    let items = db::titles::items_of(c, &[id]).await?;
    Ok(Proposal::of(row, items))
}

/// The proposal's items as (subject, award), in order.
pub(super) fn items_of(p: &Proposal) -> Vec<Item> {
    p.items
        .iter()
        .filter_map(|i| Some((i.subject()?, i.award_type)))
        .collect()
}

pub async fn create_proposal(db: &Db, caller: &Principal, cmd: NewProposal) -> AppResult<Proposal> {
    let org = cmd.organization_id;
    proposer_may_write(caller, org)?;
    let pairs = parse_items(&cmd.items)?;
    db.transaction(async |tx| {
        if let Some(o) = org
            && db::organizations::get(tx, o.into()).await?.is_none()
        {
            return Err(RuleViolation::UnknownOrganization { id: o }.into());
        }
        check_items_belong(tx, org, cmd.year, &cmd.items).await?;
        let rs = rule_set_for_year(tx, cmd.year).await?;
        let answers = evaluate_all(tx, &pairs, cmd.year, &rs).await?;
        let now = Utc::now();
        let row = ProposalRow {
            id: Uuid::now_v7(),
            organization_id: org,
            year: cmd.year,
            title: nfc(&cmd.title),
            status: ProposalStatus::Draft,
            return_reason: None,
            council_note: None,
            council_on: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let row = db::titles::insert_proposal(tx, &row).await?;
        let items = item_rows(row.id, &answers);
        db::titles::replace_items(tx, row.id, &items).await?;
        let created = Proposal::of(row, items);
        let event = json!({"id": created.id, "year": created.year, "organizationId": org});
        let change = Change {
            event_data: Some(event),
            ..Change::created("proposal.created", &created)
        };
        record(tx, caller, change).await?;
        Ok(created)
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
        let status = before.status.after(ProposalAction::Edit)?;
        check_items_belong(tx, before.organization_id, before.year, &items).await?;
        let rs = rule_set_for_year(tx, before.year).await?;
        let answers = evaluate_all(tx, &pairs, before.year, &rs).await?;
        let item_rows = item_rows(id, &answers);
        db::titles::replace_items(tx, id, &item_rows).await?;
        let changes = db::titles::ProposalChanges {
            status,
            title: Some(nfc(&title)),
            return_reason: before.return_reason.clone(),
            council_note: None,
            council_on: None,
        };
        let row = db::titles::update_proposal(tx, id, changes).await?;
        let after = Proposal::of(row, item_rows);
        let change = Change {
            event_data: Some(json!({"id": id})),
            ..Change::updated(ProposalAction::Edit.audit_action(), &before, &after)
        };
        record(tx, caller, change).await?;
        Ok(after)
    })
    .await
}

async fn redact_proposals(
    c: &mut Conn,
    caller: &Principal,
    proposals: &mut [Proposal],
) -> AppResult<()> {
    let answers = proposals
        .iter_mut()
        .flat_map(|p| p.items.iter_mut())
        .map(|i| (i.subject(), &mut i.eligibility));
    redact(c, caller, answers).await
}

pub async fn proposal(db: &Db, caller: &Principal, id: Uuid) -> AppResult<Proposal> {
    db.read(async |c| {
        let row = db::titles::proposal(c, id)
            .await?
            .ok_or(AppError::not_found(Proposal::ENTITY))?;
        let items = db::titles::items_of(c, &[id]).await?;
        let mut out = [Proposal::of(row, items)];
        redact_proposals(c, caller, &mut out).await?;
        let [p] = out;
        Ok(p)
    })
    .await
}

pub async fn proposals(
    db: &Db,
    caller: &Principal,
    filter: ProposalFilter,
    page: PageRequest,
) -> AppResult<Page<Proposal>> {
    let after = page.cursor.as_ref().map(Cursor::uuid).transpose()?;
    let ProposalFilter {
        year,
        organization_id: org,
        status,
    } = filter;
    db.read(async |c| -> AppResult<_> {
        let rows = db::titles::proposals(c, year, org, status, after, page.limit + 1).await?;
        let page = page.page(rows, |r| Cursor::from_uuid(r.id));
        let ids: Vec<Uuid> = page.items.iter().map(|r| r.id).collect();
        let mut items = db::titles::items_of(c, &ids).await?;
        let mut out = page.map(|row| {
            let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut items)
                .into_iter()
                .partition(|i| i.proposal_id == row.id);
            items = rest;
            Proposal::of(row, mine)
        });
        redact_proposals(c, caller, &mut out.items).await?;
        Ok(out)
    })
    .await
}

/// Submission re-checks every item (the answer stored is the one it was
/// submitted with) and the caps over the proposer's list.
async fn resubmit(tx: &mut Conn, p: &Proposal) -> AppResult<Vec<ProposalItemRow>> {
    if p.items.is_empty() {
        return Err(AppError::new(ErrorCode::ProposalEmpty));
    }
    let pairs = items_of(p);
    let rs = rule_set_for_year(tx, p.year).await?;
    let answers = evaluate_all(tx, &pairs, p.year, &rs).await?;
    let answered: Vec<(Item, &_)> = answers
        .iter()
        .map(|e| ((e.subject, e.award), &e.answer))
        .collect();
    let failed = failures(&answered);
    if !failed.is_empty() {
        let errors = failed.into_iter().map(failure).collect();
        return Err(AppError::new(ErrorCode::NotEligible).with_failures(errors));
    }
    let over = over_quota(tx, p.organization_id, p.year, p.id, &pairs, &rs.params).await?;
    if !over.is_empty() {
        return Err(quota_refusal(&over));
    }
    let rows = item_rows(p.id, &answers);
    db::titles::replace_items(tx, p.id, &rows).await?;
    Ok(rows)
}

/// A proposal moves on: `submit` (the proposer), `return` with a reason,
/// `approve` or `reject` with the council's note (the board).
pub async fn proposal_action(
    db: &Db,
    caller: &Principal,
    id: Uuid,
    expected: Option<i32>,
    cmd: ProposalMove,
) -> AppResult<Proposal> {
    let action = cmd.action;
    db.transaction(async |tx| {
        let before = lock_proposal(tx, id).await?;
        if action.by_proposer() {
            proposer_may_write(caller, before.organization_id)?;
        } else {
            caller.require_admin()?;
        }
        check_version(expected, before.version)?;
        let to = before.status.after(action)?;
        let items = match action {
            ProposalAction::Submit => Some(resubmit(tx, &before).await?),
            _ => None,
        };
        let note = cmd.note.as_deref().map(nfc);
        let board_note = matches!(action, ProposalAction::Approve | ProposalAction::Reject);
        let changes = db::titles::ProposalChanges {
            status: to,
            title: None,
            return_reason: note.clone().filter(|_| action == ProposalAction::Return),
            council_note: note.clone().filter(|_| board_note),
            council_on: cmd.council_on,
        };
        let row = db::titles::update_proposal(tx, id, changes).await?;
        let after = match items {
            Some(items) => Proposal::of(row, items),
            None => Proposal {
                items: before.items.clone(),
                ..Proposal::of(row, Vec::new())
            },
        };
        let change = Change {
            reason: note,
            ..Change::updated(action.audit_action(), &before, &after)
        };
        record(tx, caller, change).await?;
        Ok(after)
    })
    .await
}
