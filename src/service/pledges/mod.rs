//! Pledges, signatures, progress reports and compliance: the use cases that
//! enforce P1–P6, T0–T8 (and B4 by freezing the term). One file per action
//! or small group; the read models every one of them returns live here.

mod compliance;
mod crud;
mod items;
mod lifecycle;
mod reports;
mod signatures;

pub use compliance::{
    Cell, Compliance, ItemFigure, TargetFigure, UnitLine, UnitSummary, compliance,
};
pub use crud::{CreatePledge, EditPledge, PledgeFilter, create, edit, get, list};
pub use items::{ItemInput, TargetInput, reorder_items, replace_items};
pub use lifecycle::act;
pub use reports::{
    Report, ReportCommand, ReportEntry, ReportFilter, report, reports, today_in_vietnam,
};
pub use signatures::{SignCommand, Signed, sign, signatures};

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::{Audited, check_version, require_head_or_admin};
use crate::auth::Principal;
use crate::db::blocs::{MemberRow, TermRow};
use crate::db::pledges::{ItemRow, PledgeRow, SignatureRow, TargetRow};
use crate::db::{self, Conn};
use crate::domain::ids::PledgeId;
use crate::domain::pledge::{Comparator, PledgeStatus, Subject, TargetKind, TargetSpec};
use crate::error::{AppError, AppResult};

/// A pledge itself, without its items: what a list shows and what the
/// audit trail records before and after a change.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Pledge {
    pub id: PledgeId,
    pub term_id: Uuid,
    pub title: String,
    pub theme: Option<String>,
    pub adopted_at_conference_id: Option<Uuid>,
    pub status: PledgeStatus,
    pub opened_at: Option<DateTime<Utc>>,
    pub in_force_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<PledgeRow> for Pledge {
    fn from(p: PledgeRow) -> Self {
        Pledge {
            id: p.id,
            term_id: p.term_id,
            title: p.title,
            theme: p.theme,
            adopted_at_conference_id: p.adopted_at_conference_id,
            status: p.status,
            opened_at: p.opened_at,
            in_force_at: p.in_force_at,
            closed_at: p.closed_at,
            withdrawn_at: p.withdrawn_at,
            version: p.version,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

impl Audited for Pledge {
    const ENTITY: &'static str = "pledge";
    fn entity_id(&self) -> String {
        self.id.to_string()
    }
    fn version(&self) -> i32 {
        self.version
    }
}

/// A measurable indicator of an item (chỉ tiêu).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    pub id: Uuid,
    pub item_id: Uuid,
    pub position: i32,
    pub kind: TargetKind,
    pub subject: Subject,
    pub label: String,
    pub comparator: Option<Comparator>,
    pub target: Option<i64>,
    pub weight: Option<i32>,
}

impl Target {
    /// The target as the rules see it.
    pub fn spec(&self) -> TargetSpec {
        TargetSpec {
            kind: self.kind,
            comparator: self.comparator,
            target: self.target,
        }
    }
}

impl From<&TargetRow> for Target {
    fn from(t: &TargetRow) -> Self {
        Target {
            id: t.id,
            item_id: t.item_id,
            position: t.position,
            kind: t.kind,
            subject: t.subject,
            label: t.label.clone(),
            comparator: t.comparator,
            target: t.target_value,
            weight: t.weight,
        }
    }
}

/// A commitment of the pledge (nội dung), with its targets in order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    pub id: Uuid,
    pub position: i32,
    pub text: String,
    pub targets: Vec<Target>,
}

/// A member unit of the pledge's term.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Unit {
    pub organization_id: Uuid,
    pub code: String,
    pub name: String,
}

impl From<&MemberRow> for Unit {
    fn from(m: &MemberRow) -> Self {
        Unit {
            organization_id: m.id,
            code: m.code.clone(),
            name: m.name.clone(),
        }
    }
}

/// A member's signature.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Signature {
    pub organization_id: Uuid,
    pub code: String,
    pub name: String,
    pub signer_name: String,
    pub signer_position: String,
    pub signed_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    /// Recorded by the admin on the unit's behalf.
    pub on_behalf: bool,
}

impl Signature {
    fn of(s: &SignatureRow, members: &[MemberRow]) -> Signature {
        let m = members.iter().find(|m| m.id == s.organization_id);
        Signature {
            organization_id: s.organization_id,
            code: m.map(|m| m.code.clone()).unwrap_or_default(),
            name: m.map(|m| m.name.clone()).unwrap_or_default(),
            signer_name: s.signer_name.clone(),
            signer_position: s.signer_position.clone(),
            signed_at: s.signed_at,
            recorded_at: s.recorded_at,
            on_behalf: s.on_behalf,
        }
    }
}

/// A pledge with everything its view shows: its term, its items and
/// targets, who signed when and who has not.
#[derive(Debug, Clone, PartialEq)]
pub struct PledgeDetail {
    pub pledge: Pledge,
    pub bloc_id: Uuid,
    pub year: i32,
    pub head_id: Uuid,
    pub items: Vec<Item>,
    pub signatures: Signatures,
}

/// Who signed when, and who has not.
#[derive(Debug, Clone, PartialEq)]
pub struct Signatures {
    pub signed: Vec<Signature>,
    pub pending: Vec<Unit>,
}

/// The rows of a pledge, as the db reads them.
struct Rows {
    pledge: PledgeRow,
    term: TermRow,
    members: Vec<MemberRow>,
    items: Vec<ItemRow>,
    targets: Vec<TargetRow>,
    signatures: Vec<SignatureRow>,
}

impl From<db::pledges::Full> for Rows {
    fn from(f: db::pledges::Full) -> Self {
        Rows {
            pledge: f.pledge,
            term: f.term,
            members: f.members,
            items: f.items,
            targets: f.targets,
            signatures: f.signatures,
        }
    }
}

/// Items with their targets, in the db's order (targets by item and position).
fn items_of(items: &[ItemRow], targets: &[TargetRow]) -> Vec<Item> {
    items
        .iter()
        .map(|i| Item {
            id: i.id,
            position: i.position,
            text: i.text.clone(),
            targets: targets
                .iter()
                .filter(|t| t.item_id == i.id)
                .map(Target::from)
                .collect(),
        })
        .collect()
}

impl From<Rows> for PledgeDetail {
    fn from(r: Rows) -> Self {
        let signed = r
            .signatures
            .iter()
            .map(|s| Signature::of(s, &r.members))
            .collect();
        let pending = r
            .members
            .iter()
            .filter(|m| !r.signatures.iter().any(|s| s.organization_id == m.id))
            .map(Unit::from)
            .collect();
        PledgeDetail {
            items: items_of(&r.items, &r.targets),
            bloc_id: r.term.bloc_id,
            year: r.term.year,
            head_id: r.term.head_id,
            pledge: r.pledge.into(),
            signatures: Signatures { signed, pending },
        }
    }
}

/// The pledge's detail inside the caller's transaction (one statement, as
/// `get`): for a use case that reads more beside it (the printable pledge).
pub async fn detail_in(c: &mut Conn, id: PledgeId) -> AppResult<PledgeDetail> {
    let full = db::pledges::full(c, id)
        .await?
        .ok_or(AppError::not_found("pledge"))?;
    Ok(Rows::from(full).into())
}

async fn term_of(c: &mut Conn, term_id: Uuid) -> AppResult<TermRow> {
    db::blocs::term_by_id(c, term_id)
        .await?
        .ok_or(AppError::not_found("term"))
}

/// The pledge's detail inside the caller's transaction.
async fn load_detail(c: &mut Conn, row: PledgeRow) -> AppResult<PledgeDetail> {
    let term = term_of(c, row.term_id).await?;
    let members = db::blocs::members(c, &[term.id]).await?;
    let items = db::pledges::items(c, row.id).await?;
    let targets = db::pledges::targets(c, row.id).await?;
    let signatures = db::pledges::signatures(c, row.id).await?;
    Ok(Rows {
        pledge: row,
        term,
        members,
        items,
        targets,
        signatures,
    }
    .into())
}

/// Lock the pledge and its term, check who may change it and the version.
async fn lock_for_change(
    tx: &mut Conn,
    caller: &Principal,
    id: PledgeId,
    expected: Option<i32>,
) -> AppResult<(PledgeRow, TermRow)> {
    let row = db::pledges::lock(tx, id)
        .await?
        .ok_or(AppError::not_found("pledge"))?;
    let term = term_of(tx, row.term_id).await?;
    require_head_or_admin(caller, &term)?;
    check_version(expected, row.version)?;
    Ok((row, term))
}
