//! E4: the tally and the elected, which the minutes show.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Ballot, Unit};
use crate::db::evaluation::BallotRow;
use crate::db::{self, Conn, Db};
use crate::domain::RuleViolation;
use crate::domain::ballot::{self, BallotStatus};
use crate::error::{AppError, AppResult};

/// A ballot's count and its outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct BallotResult {
    pub ballot: Ballot,
    pub bloc_id: Uuid,
    pub year: i32,
    /// The term's members, by code.
    pub members: Vec<Unit>,
    pub counts: Vec<ballot::Count>,
    pub election: ballot::Election,
    pub closed_at: Option<DateTime<Utc>>,
}

impl BallotResult {
    /// The member unit `id` (empty code and name if it is not one).
    pub fn unit(&self, id: Uuid) -> Unit {
        self.members
            .iter()
            .find(|m| m.organization_id == id)
            .cloned()
            .unwrap_or(Unit {
                organization_id: id,
                code: String::new(),
                name: String::new(),
            })
    }
}

pub(super) async fn compute(c: &mut Conn, b: &BallotRow) -> AppResult<BallotResult> {
    let t = db::blocs::term_by_id(c, b.term_id)
        .await?
        .ok_or(AppError::not_found("term"))?;
    let members = db::blocs::members(c, &[t.id]).await?;
    let papers = db::evaluation::papers(c, b.id).await?;
    let candidates: Vec<(Uuid, String)> = b
        .candidates
        .iter()
        .map(|id| {
            let code = members.iter().find(|m| m.id == *id).map(|m| m.code.clone());
            (*id, code.unwrap_or_default())
        })
        .collect();
    let counts = ballot::tally(&candidates, &papers);
    let election = ballot::elect(
        &counts,
        b.members.len(),
        b.threshold_percent as u32,
        b.seats as usize,
    );
    Ok(BallotResult {
        ballot: b.clone().into(),
        bloc_id: t.bloc_id,
        year: t.year,
        members: members.iter().map(Unit::from).collect(),
        counts,
        election,
        closed_at: b.closed_at,
    })
}

/// E4: the tally and the elected, once closed (or every member voted).
pub async fn result(db: &Db, ballot_id: Uuid) -> AppResult<BallotResult> {
    db.read(async |c| result_in(c, ballot_id).await).await
}

/// `result` inside the caller's transaction (the printable minutes).
pub async fn result_in(c: &mut Conn, ballot_id: Uuid) -> AppResult<BallotResult> {
    let b = db::evaluation::ballot(c, ballot_id)
        .await?
        .ok_or(AppError::not_found("ballot"))?;
    if !ballot::results_visible(b.status == BallotStatus::Open, &b.members, &b.voters) {
        return Err(RuleViolation::ResultsHidden.into());
    }
    compute(c, &b).await
}
