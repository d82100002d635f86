//! P4, P5: signing the pledge, and who has signed.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Pledge, Signature, Signatures};
use crate::auth::Principal;
use crate::db::pledges::{PledgeChanges, SignatureRow};
use crate::db::{self, Conn, Db};
use crate::domain::RuleViolation;
use crate::domain::ids::PledgeId;
use crate::domain::pledge::{self as rules, PledgeStatus, SignOutcome};
use crate::error::{AppError, AppResult, OnConstraint};
use crate::i18n::nfc;
use crate::service::{Change, record};

pub struct SignCommand {
    /// The unit signing; defaults to the caller's organisation.
    pub organization_id: Option<Uuid>,
    pub signer_name: String,
    pub signer_position: String,
    /// When it was signed (a paper signing recorded later); default now.
    pub signed_at: Option<DateTime<Utc>>,
}

/// The signature recorded, and the pledge's status after it.
#[derive(Debug, Clone, PartialEq)]
pub struct Signed {
    pub signature: Signature,
    /// `in_force` when this was the last member's signature (P5).
    pub pledge_status: PledgeStatus,
}

/// P4, P5: a member unit's leader (or the admin on its behalf) signs once
/// while open; the last signature puts the pledge in force in the same
/// transaction. The pledge row lock orders simultaneous signatures.
pub async fn sign(
    db: &Db,
    caller: &Principal,
    id: PledgeId,
    cmd: SignCommand,
) -> AppResult<Signed> {
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
        let pledge = db::pledges::lock(tx, id)
            .await?
            .ok_or(AppError::not_found("pledge"))?;
        let members = db::blocs::members(tx, &[pledge.term_id]).await?;
        let member_ids: Vec<Uuid> = members.iter().map(|m| m.id).collect();
        let signed: Vec<Uuid> = db::pledges::signatures(tx, id)
            .await?
            .iter()
            .map(|s| s.organization_id)
            .collect();
        let outcome = rules::sign(pledge.status, &member_ids, org, &signed)?;
        let on_behalf = caller.organization_id != Some(org);
        let row = SignatureRow {
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
        db::pledges::insert_signature(tx, &row)
            .await
            .on_constraint("pledge_signatures_once", || RuleViolation::AlreadySigned)?;
        let signature = Signature::of(&row, &members);
        record(
            tx,
            caller,
            Change {
                action: "pledge.signed",
                entity: "pledge",
                entity_id: id.to_string(),
                after: serde_json::to_value(&signature).ok(),
                on_behalf_of: on_behalf.then_some(org),
                organization_id: Some(org),
                ..Default::default()
            },
        )
        .await?;
        let pledge_status = match outcome {
            SignOutcome::LastSignature => put_in_force(tx, caller, pledge, signed_at).await?,
            SignOutcome::Signed => PledgeStatus::Open,
        };
        Ok(Signed {
            signature,
            pledge_status,
        })
    })
    .await
}

/// P5: the last signature puts the pledge in force, from the latest
/// signature's moment (a paper signing keeps its date).
async fn put_in_force(
    tx: &mut Conn,
    caller: &Principal,
    before: crate::db::pledges::PledgeRow,
    signed_at: DateTime<Utc>,
) -> AppResult<PledgeStatus> {
    let latest = db::pledges::signatures(tx, before.id)
        .await?
        .iter()
        .map(|s| s.signed_at)
        .max()
        .unwrap_or(signed_at);
    let after = db::pledges::update(
        tx,
        before.id,
        PledgeChanges {
            status: Some(PledgeStatus::InForce),
            in_force_at: Some(latest),
            ..Default::default()
        },
    )
    .await?;
    let status = after.status;
    record(
        tx,
        caller,
        Change::updated(
            "pledge.in_force",
            &Pledge::from(before),
            &Pledge::from(after),
        ),
    )
    .await?;
    Ok(status)
}

/// Who signed when, and who has not (one statement).
pub async fn signatures(db: &Db, id: PledgeId) -> AppResult<Signatures> {
    Ok(super::get(db, id).await?.signatures)
}
