//! Pledges, signatures, progress reports and compliance: the service layer
//! that enforces P1–P6, T0–T8 (and B4 by freezing the term).

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use uuid::Uuid;

use super::{Change, check_version, record, require_head_or_admin};
use crate::auth::Principal;
use crate::db::blocs::{MemberRow, TermRow};
use crate::db::pledges::{
    ItemRow, PledgeChanges, PledgeRow, ReportFilter, ReportRow, SignatureRow, TargetRow,
};
use crate::db::{self, Conn, Db};
use crate::domain::RuleViolation;
use crate::domain::compliance::{self, Value};
use crate::domain::paging::{Cursor, PageRequest};
use crate::domain::pledge::{
    self as rules, Action, Comparator, Period, PledgeStatus, ReportValues, SignOutcome, TargetKind,
    TargetSpec,
};
use crate::error::{AppError, AppResult, ErrorCode, OnConstraint};
use crate::i18n::nfc;

pub fn kind_of(s: &str) -> TargetKind {
    match s {
        "percentage" => TargetKind::Percentage,
        "count" => TargetKind::Count,
        "boolean" => TargetKind::Boolean,
        _ => TargetKind::Qualitative,
    }
}

pub fn comparator_of(s: Option<&str>) -> Option<Comparator> {
    match s? {
        "gte" => Some(Comparator::Gte),
        "lte" => Some(Comparator::Lte),
        "eq" => Some(Comparator::Eq),
        _ => None,
    }
}

fn spec_of(t: &TargetRow) -> TargetSpec {
    TargetSpec {
        kind: kind_of(&t.kind),
        comparator: comparator_of(t.comparator.as_deref()),
        target: t.target_value,
    }
}

pub struct TargetInput {
    pub kind: String,
    pub subject: String,
    pub label: String,
    pub comparator: Option<String>,
    pub target: Option<i64>,
    pub weight: Option<i32>,
}

pub struct ItemInput {
    pub text: String,
    pub targets: Vec<TargetInput>,
}

pub struct CreatePledge {
    pub bloc_id: Uuid,
    pub year: i32,
    pub title: String,
    pub theme: Option<String>,
    pub conference_id: Option<Uuid>,
    pub items: Vec<ItemInput>,
}

/// A pledge with everything its view shows.
pub struct PledgeFull {
    pub row: PledgeRow,
    pub term: TermRow,
    pub members: Vec<MemberRow>,
    pub items: Vec<ItemRow>,
    pub targets: Vec<TargetRow>,
    pub signatures: Vec<SignatureRow>,
}

impl PledgeFull {
    pub fn status(&self) -> PledgeStatus {
        PledgeStatus::parse(&self.row.status)
    }
}

fn pledge_json(p: &PledgeRow) -> serde_json::Value {
    json!({"id": p.id, "termId": p.term_id, "title": p.title, "theme": p.theme, "status": p.status, "version": p.version})
}

/// Build item and target rows, checking every target (T1, T2).
fn build_items(
    pledge_id: Uuid,
    items: Vec<ItemInput>,
) -> AppResult<(Vec<ItemRow>, Vec<TargetRow>)> {
    let mut item_rows = Vec::with_capacity(items.len());
    let mut target_rows = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let item_id = Uuid::now_v7();
        item_rows.push(ItemRow {
            id: item_id,
            pledge_id,
            position: i as i32,
            text: nfc(&item.text),
        });
        for (j, t) in item.targets.into_iter().enumerate() {
            let row = TargetRow {
                id: Uuid::now_v7(),
                pledge_id,
                item_id,
                position: j as i32,
                kind: t.kind,
                subject: t.subject,
                label: nfc(&t.label),
                comparator: t.comparator,
                target_value: t.target,
                weight: t.weight,
            };
            rules::validate_target(&spec_of(&row))?;
            target_rows.push(row);
        }
    }
    Ok((item_rows, target_rows))
}

async fn load_full(c: &mut Conn, row: PledgeRow) -> AppResult<PledgeFull> {
    let term = db::blocs::term_by_id(c, row.term_id)
        .await?
        .ok_or(AppError::not_found("term"))?;
    let members = db::blocs::members(c, &[term.id]).await?;
    let items = db::pledges::items(c, row.id).await?;
    let targets = db::pledges::targets(c, row.id).await?;
    let signatures = db::pledges::signatures(c, row.id).await?;
    Ok(PledgeFull {
        row,
        term,
        members,
        items,
        targets,
        signatures,
    })
}

pub async fn create(db: &Db, caller: &Principal, cmd: CreatePledge) -> AppResult<PledgeFull> {
    let pledge_id = Uuid::now_v7();
    let (items, targets) = build_items(pledge_id, cmd.items)?;
    db.transaction(async |tx| {
        let term = db::blocs::term(tx, cmd.bloc_id, cmd.year)
            .await?
            .ok_or(AppError::not_found("term"))?;
        require_head_or_admin(caller, &term)?;
        if db::pledges::of_term(tx, term.id).await?.is_some() {
            return Err(RuleViolation::PledgeExists.into());
        }
        if let Some(conf) = cmd.conference_id {
            let found = db::conferences::get(tx, conf).await?;
            if found.is_none_or(|c| c.row.bloc_id != cmd.bloc_id) {
                return Err(AppError::new(ErrorCode::UnknownConference));
            }
        }
        let row = db::pledges::insert(
            tx,
            pledge_id,
            term.id,
            &nfc(&cmd.title),
            cmd.theme.as_deref().map(nfc).as_deref(),
            cmd.conference_id,
        )
        .await
        .on_constraint("pledges_one_per_term", || RuleViolation::PledgeExists)?;
        db::pledges::insert_items(tx, &items, &targets).await?;
        record(
            tx,
            caller,
            Change {
                action: "pledge.created",
                entity: "pledge",
                entity_id: row.id.to_string(),
                after: Some(pledge_json(&row)),
                organization_id: Some(term.head_id),
                ..Default::default()
            },
        )
        .await?;
        load_full(tx, row).await
    })
    .await
}

/// One statement (`db::pledges::full`).
pub async fn get(db: &Db, id: Uuid) -> AppResult<PledgeFull> {
    let full = db
        .read(async |c| db::pledges::full(c, id).await)
        .await?
        .ok_or(AppError::not_found("pledge"))?;
    Ok(PledgeFull {
        row: full.pledge,
        term: full.term,
        members: full.members,
        items: full.items,
        targets: full.targets,
        signatures: full.signatures,
    })
}

pub async fn list(
    db: &Db,
    bloc_id: Option<Uuid>,
    year: Option<i32>,
    status: Option<String>,
    page: PageRequest,
) -> AppResult<(Vec<PledgeRow>, Option<String>)> {
    let after = page.cursor.as_ref().map(Cursor::uuid).transpose()?;
    let mut rows = db
        .read(async |c| {
            let terms = match (bloc_id, year) {
                (None, None) => None,
                _ => Some(db::blocs::term_ids(c, bloc_id, year).await?),
            };
            db::pledges::list(
                c,
                terms.as_deref(),
                status.as_deref(),
                after,
                page.limit + 1,
            )
            .await
        })
        .await?;
    let next = page.next_cursor(&mut rows, |p| Cursor::from_uuid(p.id));
    Ok((rows, next))
}

/// Lock the pledge and its term, check the version and who may change it.
async fn lock_for_change(
    tx: &mut Conn,
    caller: &Principal,
    id: Uuid,
    expected: Option<i32>,
) -> AppResult<(PledgeRow, TermRow)> {
    let row = db::pledges::lock(tx, id)
        .await?
        .ok_or(AppError::not_found("pledge"))?;
    let term = db::blocs::term_by_id(tx, row.term_id)
        .await?
        .ok_or(AppError::not_found("term"))?;
    require_head_or_admin(caller, &term)?;
    check_version(expected, row.version)?;
    Ok((row, term))
}

pub struct EditPledge {
    pub title: Option<String>,
    pub theme: Option<Option<String>>,
    pub conference_id: Option<Option<Uuid>>,
}

/// P3: the pledge's text changes only in draft.
pub async fn edit(
    db: &Db,
    caller: &Principal,
    id: Uuid,
    expected: Option<i32>,
    cmd: EditPledge,
) -> AppResult<PledgeFull> {
    db.transaction(async |tx| {
        let (before, term) = lock_for_change(tx, caller, id, expected).await?;
        rules::require_editable(PledgeStatus::parse(&before.status))?;
        if let Some(Some(conf)) = cmd.conference_id {
            let found = db::conferences::get(tx, conf).await?;
            if found.is_none_or(|c| c.row.bloc_id != term.bloc_id) {
                return Err(AppError::new(ErrorCode::UnknownConference));
            }
        }
        let after = db::pledges::update(
            tx,
            id,
            PledgeChanges {
                title: cmd.title.as_deref().map(nfc),
                theme: cmd.theme.map(|t| t.map(|v| nfc(&v))),
                adopted_at_conference_id: cmd.conference_id,
                ..Default::default()
            },
        )
        .await?;
        record(
            tx,
            caller,
            Change {
                action: "pledge.updated",
                entity: "pledge",
                entity_id: id.to_string(),
                before: Some(pledge_json(&before)),
                after: Some(pledge_json(&after)),
                organization_id: Some(term.head_id),
                ..Default::default()
            },
        )
        .await?;
        load_full(tx, after).await
    })
    .await
}

/// P3: replace every item and target (draft only).
pub async fn replace_items(
    db: &Db,
    caller: &Principal,
    id: Uuid,
    expected: Option<i32>,
    items: Vec<ItemInput>,
) -> AppResult<PledgeFull> {
    let (item_rows, target_rows) = build_items(id, items)?;
    db.transaction(async |tx| {
        let (before, term) = lock_for_change(tx, caller, id, expected).await?;
        rules::require_editable(PledgeStatus::parse(&before.status))?;
        db::pledges::delete_items(tx, id).await?;
        db::pledges::insert_items(tx, &item_rows, &target_rows).await?;
        let after = db::pledges::update(tx, id, PledgeChanges::default()).await?;
        record(tx, caller, Change {
            action: "pledge.items_replaced",
            entity: "pledge",
            entity_id: id.to_string(),
            after: Some(json!({"items": item_rows.len(), "targets": target_rows.len(), "version": after.version})),
            organization_id: Some(term.head_id),
            ..Default::default()
        })
        .await?;
        load_full(tx, after).await
    })
    .await
}

/// P3: a new order of the same items (draft only).
pub async fn reorder_items(
    db: &Db,
    caller: &Principal,
    id: Uuid,
    expected: Option<i32>,
    ordered: Vec<Uuid>,
) -> AppResult<PledgeFull> {
    db.transaction(async |tx| {
        let (before, term) = lock_for_change(tx, caller, id, expected).await?;
        rules::require_editable(PledgeStatus::parse(&before.status))?;
        let mut current: Vec<Uuid> = db::pledges::items(tx, id)
            .await?
            .iter()
            .map(|i| i.id)
            .collect();
        let mut given = ordered.clone();
        current.sort();
        given.sort();
        if current != given {
            return Err(AppError::new(ErrorCode::NotAPermutation));
        }
        db::pledges::reorder(tx, id, &ordered).await?;
        let after = db::pledges::update(tx, id, PledgeChanges::default()).await?;
        record(
            tx,
            caller,
            Change {
                action: "pledge.items_reordered",
                entity: "pledge",
                entity_id: id.to_string(),
                after: Some(json!({"itemIds": ordered, "version": after.version})),
                organization_id: Some(term.head_id),
                ..Default::default()
            },
        )
        .await?;
        load_full(tx, after).await
    })
    .await
}

/// P2 actions: open (P3 checks; freezes the term, B4), close, withdraw.
pub async fn act(
    db: &Db,
    caller: &Principal,
    id: Uuid,
    expected: Option<i32>,
    action: Action,
    reason: Option<String>,
) -> AppResult<PledgeFull> {
    db.transaction(async |tx| {
        let (before, term) = lock_for_change(tx, caller, id, expected).await?;
        let to = rules::transition(PledgeStatus::parse(&before.status), action)?;
        let now = Utc::now();
        let mut changes = PledgeChanges {
            status: Some(to.as_str().into()),
            ..Default::default()
        };
        match action {
            Action::Open => {
                let items = db::pledges::items(tx, id).await?;
                let targets = db::pledges::targets(tx, id).await?;
                rules::check_openable(
                    items.len(),
                    &targets.iter().map(spec_of).collect::<Vec<_>>(),
                )?;
                db::blocs::freeze(tx, term.id).await?;
                changes.opened_at = Some(now);
            }
            Action::Close => changes.closed_at = Some(now),
            Action::Withdraw => changes.withdrawn_at = Some(now),
        }
        let after = db::pledges::update(tx, id, changes).await?;
        record(
            tx,
            caller,
            Change {
                action: match action {
                    Action::Open => "pledge.opened",
                    Action::Close => "pledge.closed",
                    Action::Withdraw => "pledge.withdrawn",
                },
                entity: "pledge",
                entity_id: id.to_string(),
                before: Some(pledge_json(&before)),
                after: Some(pledge_json(&after)),
                reason: reason.filter(|r| !r.trim().is_empty()),
                organization_id: Some(term.head_id),
                ..Default::default()
            },
        )
        .await?;
        load_full(tx, after).await
    })
    .await
}

pub struct SignCommand {
    /// The unit signing; defaults to the caller's organisation.
    pub organization_id: Option<Uuid>,
    pub signer_name: String,
    pub signer_position: String,
    /// When it was signed (a paper signing recorded later); default now.
    pub signed_at: Option<DateTime<Utc>>,
}

/// P4, P5: a member unit's leader (or the admin on its behalf) signs once
/// while open; the last signature puts the pledge in force in the same
/// transaction. The pledge row lock orders simultaneous signatures.
pub async fn sign(
    db: &Db,
    caller: &Principal,
    id: Uuid,
    cmd: SignCommand,
) -> AppResult<(SignatureRow, PledgeStatus)> {
    let org = cmd
        .organization_id
        .or(caller.organization_id)
        .ok_or(RuleViolation::NotAMember)?;
    caller.require_leader_of(org)?;
    let now = Utc::now();
    let signed_at = cmd.signed_at.unwrap_or(now);
    if signed_at > now + chrono::Duration::seconds(60) {
        return Err(RuleViolation::SignedInFuture.into());
    }
    db.transaction(async |tx| {
        let pledge = db::pledges::lock(tx, id).await?.ok_or(AppError::not_found("pledge"))?;
        let members: Vec<Uuid> = db::blocs::members(tx, &[pledge.term_id]).await?.iter().map(|m| m.id).collect();
        let signed: Vec<Uuid> = db::pledges::signatures(tx, id).await?.iter().map(|s| s.organization_id).collect();
        let outcome = rules::sign(PledgeStatus::parse(&pledge.status), &members, org, &signed)?;
        let on_behalf = caller.organization_id != Some(org);
        let sig = SignatureRow {
            id: Uuid::now_v7(),
            pledge_id: id,
            organization_id: org,
            signer_name: nfc(&cmd.signer_name),
            signer_position: nfc(&cmd.signer_position),
            signed_at,
            recorded_at: now,
            recorded_by: (!caller.is_system()).then_some(caller.id),
            on_behalf,
        };
        db::pledges::insert_signature(tx, &sig)
            .await
            .on_constraint("pledge_signatures_once", || RuleViolation::AlreadySigned)?;
        record(tx, caller, Change {
            action: "pledge.signed",
            entity: "pledge",
            entity_id: id.to_string(),
            after: Some(json!({"organizationId": org, "signerName": sig.signer_name, "signerPosition": sig.signer_position,
                               "signedAt": signed_at, "onBehalf": on_behalf})),
            on_behalf_of: on_behalf.then_some(org),
            organization_id: Some(org),
            ..Default::default()
        })
        .await?;
        let mut status = PledgeStatus::Open;
        if outcome == SignOutcome::LastSignature {
            // In force from the last signature's moment (a paper signing keeps its date).
            let latest = db::pledges::signatures(tx, id).await?.iter().map(|s| s.signed_at).max().unwrap_or(signed_at);
            let after = db::pledges::update(
                tx,
                id,
                PledgeChanges { status: Some("in_force".into()), in_force_at: Some(latest), ..Default::default() },
            )
            .await?;
            record(tx, caller, Change {
                action: "pledge.in_force",
                entity: "pledge",
                entity_id: id.to_string(),
                before: Some(pledge_json(&pledge)),
                after: Some(pledge_json(&after)),
                ..Default::default()
            })
            .await?;
            status = PledgeStatus::InForce;
        }
        Ok((sig, status))
    })
    .await
}

pub async fn signatures(db: &Db, id: Uuid) -> AppResult<PledgeFull> {
    get(db, id).await
}

pub struct ReportEntry {
    pub target_id: Uuid,
    pub values: ReportValues,
    pub note: Option<String>,
    pub evidence: Vec<String>,
}

pub struct ReportCommand {
    /// The unit reported on; defaults to the caller's organisation.
    pub organization_id: Option<Uuid>,
    pub period: String,
    pub entries: Vec<ReportEntry>,
}

/// T3, T4, T5, T8: a member unit reports for itself (or the admin or the
/// head unit for it, recorded as such) while in force, for a period of the
/// pledge year, before the cut-off. A batch is all-or-nothing.
/// Today in Vietnam (UTC+7, no daylight saving): the reporting cut-off is a Vietnamese date.
pub fn today_in_vietnam() -> NaiveDate {
    (Utc::now() + chrono::Duration::hours(7)).date_naive()
}

pub async fn report(
    db: &Db,
    caller: &Principal,
    id: Uuid,
    cmd: ReportCommand,
) -> AppResult<Vec<ReportRow>> {
    let today = today_in_vietnam();
    let org = cmd
        .organization_id
        .or(caller.organization_id)
        .ok_or(RuleViolation::NotAMember)?;
    caller.require_write()?;
    db.transaction(async |tx| {
        // A share lock: a concurrent close waits for the report, or the report sees it closed (P6).
        let pledge = db::pledges::lock_share(tx, id).await?.ok_or(AppError::not_found("pledge"))?;
        let term = db::blocs::term_by_id(tx, pledge.term_id).await?.ok_or(AppError::not_found("term"))?;
        let allowed = caller.is_admin() || caller.require_acting_for(org).is_ok() || caller.require_acting_for(term.head_id).is_ok();
        if !allowed {
            return Err(crate::auth::principal::not_your_organization());
        }
        let on_behalf = caller.organization_id != Some(org);
        rules::check_reportable(PledgeStatus::parse(&pledge.status))?;
        let members = db::blocs::members(tx, &[term.id]).await?;
        if !members.iter().any(|m| m.id == org) {
            return Err(RuleViolation::NotAMember.into());
        }
        let period = Period::parse(&cmd.period, term.year)?;
        rules::check_cutoff(today, term.reporting_cutoff)?;
        let targets = db::pledges::targets(tx, id).await?;
        let mut seen = Vec::new();
        let mut rows = Vec::with_capacity(cmd.entries.len());
        for e in &cmd.entries {
            let target = targets.iter().find(|t| t.id == e.target_id).ok_or(RuleViolation::UnknownTarget)?;
            if seen.contains(&e.target_id) {
                return Err(AppError::new(ErrorCode::DuplicateTarget));
            }
            seen.push(e.target_id);
            rules::check_values(kind_of(&target.kind), &e.values)?;
            rows.push(ReportRow {
                id: Uuid::now_v7(),
                pledge_id: id,
                target_id: e.target_id,
                organization_id: org,
                period: period.code(),
                numerator: e.values.numerator,
                denominator: e.values.denominator,
                count_value: e.values.count,
                done: e.values.done,
                note: e.note.as_deref().map(nfc).filter(|n| !n.is_empty()),
                evidence: e.evidence.clone(),
                reported_at: Utc::now(),
                reported_by: (!caller.is_system()).then_some(caller.id),
                on_behalf,
                superseded_at: None,
            });
        }
        db::pledges::insert_reports(tx, &rows).await?;
        record(tx, caller, Change {
            action: "progress.reported",
            entity: "pledge",
            entity_id: id.to_string(),
            after: Some(json!({"organizationId": org, "period": period.code(), "onBehalf": on_behalf,
                "reports": rows.iter().map(|r| json!({"id": r.id, "targetId": r.target_id, "numerator": r.numerator,
                    "denominator": r.denominator, "count": r.count_value, "done": r.done})).collect::<Vec<_>>()})),
            on_behalf_of: on_behalf.then_some(org),
            organization_id: Some(org),
            ..Default::default()
        })
        .await?;
        Ok(rows)
    })
    .await
}

pub async fn reports(
    db: &Db,
    id: Uuid,
    mut filter: ReportFilter,
    page: PageRequest,
) -> AppResult<(Vec<ReportRow>, Option<String>)> {
    filter.after = page.cursor.as_ref().map(Cursor::uuid).transpose()?;
    filter.limit = page.limit + 1;
    let mut rows = db
        .read(async |c| -> AppResult<_> {
            db::pledges::get(c, id)
                .await?
                .ok_or(AppError::not_found("pledge"))?;
            Ok(db::pledges::reports(c, id, &filter).await?)
        })
        .await?;
    let next = page.next_cursor(&mut rows, |r| Cursor::from_uuid(r.id));
    Ok((rows, next))
}

/// One cell of the compliance matrix.
#[derive(Debug, Clone)]
pub struct Cell {
    pub target_id: Uuid,
    pub report: Option<ReportRow>,
    /// Exact percentage with two decimals (percentage targets).
    pub percent: Option<String>,
    /// `None`: no report, or a qualitative target.
    pub achieved: Option<bool>,
}

pub struct UnitRow {
    pub organization_id: Uuid,
    pub code: String,
    pub name: String,
    pub cells: Vec<Cell>,
    pub summary: UnitSummary,
}

/// A unit's line in the matrix, summed up.
#[derive(Debug, Clone, Default)]
pub struct UnitSummary {
    pub achieved: usize,
    pub measurable: usize,
    pub reported: usize,
    pub items_met: usize,
}

/// The bloc's figure for a target (T7).
pub struct TargetFigure {
    pub target: TargetRow,
    pub members_achieving: usize,
    pub members: usize,
    pub share: String,
    pub met: Option<bool>,
}

pub struct Compliance {
    pub full: PledgeFull,
    pub as_of: Option<DateTime<Utc>>,
    pub units: Vec<UnitRow>,
    /// In item order.
    pub targets: Vec<TargetFigure>,
    /// Each item and whether it is met (T7).
    pub items: Vec<(ItemRow, Option<bool>)>,
}

/// T7 over the matrix: the bloc figure per target, `met` per item, and each
/// unit's summary.
fn summarise(
    units: &mut [UnitRow],
    items: &[ItemRow],
    ordered: &[TargetRow],
) -> (Vec<TargetFigure>, Vec<(ItemRow, Option<bool>)>) {
    let measurable = |t: &TargetRow| kind_of(&t.kind) != TargetKind::Qualitative;
    let figures: Vec<TargetFigure> = ordered
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let achieved: Vec<Option<bool>> = units.iter().map(|u| u.cells[i].achieved).collect();
            let (members_achieving, share, met) = compliance::bloc_figure(&achieved, measurable(t));
            TargetFigure {
                target: t.clone(),
                members_achieving,
                members: units.len(),
                share,
                met,
            }
        })
        .collect();
    let item_rows = items
        .iter()
        .map(|item| {
            let met: Vec<Option<bool>> = figures
                .iter()
                .filter(|f| f.target.item_id == item.id)
                .map(|f| f.met)
                .collect();
            (item.clone(), compliance::item_met(&met))
        })
        .collect();
    for u in units.iter_mut() {
        let items_met = items
            .iter()
            .filter(|item| {
                let mine: Vec<Option<bool>> = ordered
                    .iter()
                    .zip(&u.cells)
                    .filter(|(t, _)| t.item_id == item.id && measurable(t))
                    .map(|(_, c)| Some(c.achieved == Some(true)))
                    .collect();
                compliance::item_met(&mine) == Some(true)
            })
            .count();
        u.summary = UnitSummary {
            achieved: u.cells.iter().filter(|c| c.achieved == Some(true)).count(),
            measurable: ordered.iter().filter(|t| measurable(t)).count(),
            reported: u.cells.iter().filter(|c| c.report.is_some()).count(),
            items_met,
        };
    }
    (figures, item_rows)
}

/// T6, T7: the matrix units × targets from each unit's latest report of the
/// latest period. Six statements whatever the bloc's size.
pub async fn compliance(db: &Db, id: Uuid, as_of: Option<NaiveDate>) -> AppResult<Compliance> {
    let as_of = as_of
        .and_then(|d| d.succ_opt())
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc() - chrono::Duration::microseconds(1));
    db.read(async |c| {
        let full = db::pledges::full(c, id)
            .await?
            .ok_or(AppError::not_found("pledge"))?;
        let reports = db::pledges::effective_reports(c, id, as_of).await?;
        let (row, term, members, items, targets) = (
            full.pledge,
            full.term,
            full.members,
            full.items,
            full.targets,
        );
        let mut units: Vec<UnitRow> = members
            .iter()
            .map(|m| UnitRow {
                organization_id: m.id,
                code: m.code.clone(),
                name: m.name.clone(),
                summary: UnitSummary::default(),
                cells: ordered_targets(&items, &targets)
                    .map(|t| {
                        let mine: Vec<&ReportRow> = reports
                            .iter()
                            .filter(|r| r.target_id == t.id && r.organization_id == m.id)
                            .collect();
                        cell(t, &mine, term.year)
                    })
                    .collect(),
            })
            .collect();
        let ordered: Vec<TargetRow> = ordered_targets(&items, &targets).cloned().collect();
        let (figures, item_rows) = summarise(&mut units, &items, &ordered);
        Ok(Compliance {
            targets: figures,
            items: item_rows,
            full: PledgeFull {
                row,
                term,
                members,
                items,
                targets,
                signatures: Vec::new(),
            },
            as_of,
            units,
        })
    })
    .await
}

/// Targets in item order, then their own order.
pub fn ordered_targets<'a>(
    items: &'a [ItemRow],
    targets: &'a [TargetRow],
) -> impl Iterator<Item = &'a TargetRow> {
    items.iter().flat_map(move |i| {
        let mut ts: Vec<&TargetRow> = targets.iter().filter(|t| t.item_id == i.id).collect();
        ts.sort_by_key(|t| t.position);
        ts
    })
}

fn cell(t: &TargetRow, reports: &[&ReportRow], year: i32) -> Cell {
    let values: Vec<(Value, &ReportRow)> = reports
        .iter()
        .filter_map(|r| {
            let period = Period::parse(&r.period, year).ok()?;
            Some((
                Value {
                    period,
                    numerator: r.numerator,
                    denominator: r.denominator,
                    count: r.count_value,
                    done: r.done,
                },
                *r,
            ))
        })
        .collect();
    let latest = values
        .iter()
        .max_by_key(|(v, r)| (v.period.rank(), r.reported_at));
    match latest {
        None => Cell {
            target_id: t.id,
            report: None,
            percent: None,
            achieved: None,
        },
        Some((v, r)) => Cell {
            target_id: t.id,
            report: Some((*r).clone()),
            percent: match (v.numerator, v.denominator) {
                (Some(n), Some(d)) => compliance::percent_2dp(n, d),
                _ => None,
            },
            achieved: compliance::achieved(
                kind_of(&t.kind),
                comparator_of(t.comparator.as_deref()),
                t.target_value,
                v,
            ),
        },
    }
}

/// T8: the admin moves a term's reporting cut-off (audited, with a reason).
pub async fn set_cutoff(
    db: &Db,
    caller: &Principal,
    bloc_id: Uuid,
    year: i32,
    cutoff: NaiveDate,
    reason: String,
) -> AppResult<TermRow> {
    caller.require_admin()?;
    db.transaction(async |tx| {
        let term = db::blocs::lock_term(tx, bloc_id, year)
            .await?
            .ok_or(AppError::not_found("term"))?;
        let after = db::blocs::set_cutoff(tx, term.id, cutoff).await?;
        record(
            tx,
            caller,
            Change {
                action: "term.cutoff_moved",
                entity: "term",
                entity_id: term.id.to_string(),
                before: Some(json!({"reportingCutoff": term.reporting_cutoff})),
                after: Some(json!({"reportingCutoff": after.reporting_cutoff})),
                reason: Some(nfc(&reason)),
                ..Default::default()
            },
        )
        .await?;
        Ok(after)
    })
    .await
}
