//! E4: the secret ballot for the bloc's leading units: open, vote, close.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::minutes::compute;
use super::{member_ids, term};
use crate::auth::{Principal, Role};
use crate::db::evaluation::BallotRow;
use crate::db::{self, Conn, Db};
use crate::domain::RuleViolation;
use crate::domain::ballot::{self, BallotStatus};
use crate::error::{AppError, AppResult, ErrorCode, OnConstraint};
use crate::service::{Audited, Change, record, require_head_or_admin};

/// A ballot: who may vote, who has voted (never what).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ballot {
    pub id: Uuid,
    pub term_id: Uuid,
    pub seats: i32,
    pub threshold_percent: i32,
    pub candidate_ids: Vec<Uuid>,
    pub member_ids: Vec<Uuid>,
    /// Sorted by id (their order says nothing).
    pub voter_ids: Vec<Uuid>,
    pub status: BallotStatus,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i32,
}

impl From<BallotRow> for Ballot {
    fn from(b: BallotRow) -> Self {
        Ballot {
            id: b.id,
            term_id: b.term_id,
            seats: b.seats,
            threshold_percent: b.threshold_percent,
            candidate_ids: b.candidates,
            member_ids: b.members,
            voter_ids: b.voters,
            status: b.status,
            opened_at: b.opened_at,
            closed_at: b.closed_at,
            version: b.version,
        }
    }
}

impl Audited for Ballot {
    const ENTITY: &'static str = "ballot";
    fn entity_id(&self) -> String {
        self.id.to_string()
    }
    fn version(&self) -> i32 {
        self.version
    }
}

pub struct OpenBallot {
    pub seats: Option<i32>,
    pub threshold_percent: Option<i32>,
    pub candidate_ids: Option<Vec<Uuid>>,
}

/// The head (or the admin) opens a ballot: K seats (default 1), threshold
/// (default more than 50%), candidates (default every member).
pub async fn open_ballot(
    db: &Db,
    caller: &Principal,
    bloc_id: Uuid,
    year: i32,
    cmd: OpenBallot,
) -> AppResult<Ballot> {
    db.transaction(async |tx| {
        let t = term(tx, bloc_id, year).await?;
        require_head_or_admin(caller, &t)?;
        let members = member_ids(tx, &t).await?;
        let candidates = cmd.candidate_ids.unwrap_or_else(|| members.clone());
        if candidates.is_empty() || candidates.iter().any(|c| !members.contains(c)) {
            return Err(AppError::new(ErrorCode::InvalidCandidates));
        }
        let seats = cmd.seats.unwrap_or(1);
        if seats < 1 || seats as usize > candidates.len() {
            return Err(AppError::new(ErrorCode::InvalidSeats));
        }
        let threshold = cmd.threshold_percent.unwrap_or(50);
        let row = db::evaluation::insert_ballot(tx, t.id, seats, threshold, &candidates, &members)
            .await
            .on_constraint("ballots_one_open_per_term", || ErrorCode::BallotAlreadyOpen)?;
        let opened = Ballot::from(row);
        record(tx, caller, Change::created("ballot.opened", &opened)).await?;
        Ok(opened)
    })
    .await
}

pub async fn get_ballot(db: &Db, id: Uuid) -> AppResult<Ballot> {
    db.read(async |c| db::evaluation::ballot(c, id).await)
        .await?
        .map(Ballot::from)
        .ok_or(AppError::not_found("ballot"))
}

pub async fn ballots_of(db: &Db, bloc_id: Uuid, year: i32) -> AppResult<Vec<Ballot>> {
    let rows = db
        .read(async |c| -> AppResult<_> {
            let t = term(c, bloc_id, year).await?;
            Ok(db::evaluation::ballots_of(c, t.id).await?)
        })
        .await?;
    Ok(rows.into_iter().map(Ballot::from).collect())
}

/// Finish a ballot in the caller's transaction: close it and record the
/// elected units as the term's leading units.
async fn finish(tx: &mut Conn, caller: &Principal, b: &BallotRow) -> AppResult<Ballot> {
    let closed = db::evaluation::close_ballot(tx, b.id).await?;
    let result = compute(tx, &closed).await?;
    let elected: Vec<(Uuid, i32, i32)> = result
        .election
        .elected
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id, i as i32 + 1, c.votes as i32))
        .collect();
    db::evaluation::set_leading_units(tx, b.term_id, b.id, &elected).await?;
    let elected: Vec<Uuid> = result.election.elected.iter().map(|c| c.id).collect();
    record(
        tx,
        caller,
        Change {
            action: "ballot.closed",
            entity: "ballot",
            entity_id: b.id.to_string(),
            after: Some(
                json!({"voters": closed.voters.len(), "members": closed.members.len(),
                "elected": elected, "tiedSeats": result.election.tied_seats}),
            ),
            ..Default::default()
        },
    )
    .await?;
    Ok(closed.into())
}

/// Only the unit's own leader: not even the admin may vote for a unit.
fn voting_unit(caller: &Principal, org: Option<Uuid>) -> AppResult<Uuid> {
    org.or(caller.organization_id)
        .filter(|o| caller.has_role(Role::Leader) && caller.organization_id == Some(*o))
        .ok_or_else(|| AppError::new(ErrorCode::NotVotingLeader))
}

/// E4: a member unit's leader casts one ballot for up to K candidates. Who
/// voted is recorded; which paper is whose is not. The last member's vote
/// closes the ballot.
pub async fn vote(
    db: &Db,
    caller: &Principal,
    ballot_id: Uuid,
    org: Option<Uuid>,
    choices: Vec<Uuid>,
) -> AppResult<Ballot> {
    let org = voting_unit(caller, org)?;
    db.transaction(async |tx| {
        let b = db::evaluation::lock_ballot(tx, ballot_id)
            .await?
            .ok_or(AppError::not_found("ballot"))?;
        ballot::check_vote(
            b.status == BallotStatus::Open,
            &b.members,
            &b.voters,
            &b.candidates,
            b.seats as usize,
            org,
            &choices,
        )?;
        db::evaluation::cast(tx, b.id, org, &choices).await?;
        // The audit row and event say who voted, never what.
        record(
            tx,
            caller,
            Change {
                action: "ballot.voted",
                entity: "ballot",
                entity_id: b.id.to_string(),
                after: Some(json!({"organizationId": org})),
                organization_id: Some(org),
                ..Default::default()
            },
        )
        .await?;
        let after = db::evaluation::lock_ballot(tx, b.id)
            .await?
            .ok_or(AppError::not_found("ballot"))?;
        if ballot::results_visible(true, &after.members, &after.voters) {
            return finish(tx, caller, &after).await;
        }
        Ok(after.into())
    })
    .await
}

pub async fn close_ballot(db: &Db, caller: &Principal, ballot_id: Uuid) -> AppResult<Ballot> {
    db.transaction(async |tx| {
        let b = db::evaluation::lock_ballot(tx, ballot_id)
            .await?
            .ok_or(AppError::not_found("ballot"))?;
        let t = db::blocs::term_by_id(tx, b.term_id)
            .await?
            .ok_or(AppError::not_found("term"))?;
        require_head_or_admin(caller, &t)?;
        if b.status != BallotStatus::Open {
            return Err(RuleViolation::BallotClosed.into());
        }
        // With one ballot cast, the result would show how that unit voted.
        if b.voters.len() < 2 && b.voters.len() < b.members.len() {
            return Err(AppError::new(ErrorCode::TooFewBallots));
        }
        finish(tx, caller, &b).await
    })
    .await
}
