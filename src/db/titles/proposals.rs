//! Proposals, their items, and the quota lock and counts of a proposer's
//! live list (C4, C8 caps).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::Value;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::Result;
use crate::db::schema::{proposal_items as pi, proposals as pr};
use crate::domain::titles::{AwardType, ProposalStatus};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = pr)]
pub struct ProposalRow {
    pub id: Uuid,
    pub organization_id: Option<Uuid>,
    pub year: i32,
    pub title: String,
    pub status: ProposalStatus,
    pub return_reason: Option<String>,
    pub council_note: Option<String>,
    pub council_on: Option<NaiveDate>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = pi)]
pub struct ProposalItemRow {
    pub id: Uuid,
    pub proposal_id: Uuid,
    pub position: i32,
    pub award_type: AwardType,
    pub person_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub eligible: bool,
    pub eligibility: Value,
}

pub async fn insert_proposal(c: &mut Conn, p: &ProposalRow) -> Result<ProposalRow> {
    Ok(diesel::insert_into(pr::table)
        .values(p.clone())
        .returning(ProposalRow::as_returning())
        .get_result(c)
        .await?)
}

pub async fn proposal(c: &mut Conn, id: Uuid) -> Result<Option<ProposalRow>> {
    Ok(pr::table
        .find(id)
        .select(ProposalRow::as_select())
        .first(c)
        .await
        .optional()?)
}

pub async fn lock_proposal(c: &mut Conn, id: Uuid) -> Result<Option<ProposalRow>> {
    Ok(pr::table
        .find(id)
        .select(ProposalRow::as_select())
        .for_update()
        .first(c)
        .await
        .optional()?)
}

pub struct ProposalChanges {
    pub status: ProposalStatus,
    pub title: Option<String>,
    pub return_reason: Option<String>,
    pub council_note: Option<String>,
    pub council_on: Option<NaiveDate>,
}

pub async fn update_proposal(c: &mut Conn, id: Uuid, ch: ProposalChanges) -> Result<ProposalRow> {
    Ok(diesel::update(pr::table.find(id))
        .set((
            pr::status.eq(ch.status),
            ch.title.map(|t| pr::title.eq(t)),
            pr::return_reason.eq(ch.return_reason),
            pr::council_note.eq(ch.council_note),
            pr::council_on.eq(ch.council_on),
            pr::version.eq(pr::version + 1),
            pr::updated_at.eq(diesel::dsl::now),
        ))
        .returning(ProposalRow::as_returning())
        .get_result(c)
        .await?)
}

pub async fn proposals(
    c: &mut Conn,
    year: Option<i32>,
    org: Option<Uuid>,
    status: Option<ProposalStatus>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<ProposalRow>> {
    let mut q = pr::table
        .select(ProposalRow::as_select())
        .order(pr::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(y) = year {
        q = q.filter(pr::year.eq(y));
    }
    if let Some(o) = org {
        q = q.filter(pr::organization_id.eq(o));
    }
    if let Some(s) = status {
        q = q.filter(pr::status.eq(s));
    }
    if let Some(a) = after {
        q = q.filter(pr::id.gt(a));
    }
    Ok(q.load(c).await?)
}

pub async fn replace_items(c: &mut Conn, proposal: Uuid, items: &[ProposalItemRow]) -> Result<()> {
    diesel::delete(pi::table.filter(pi::proposal_id.eq(proposal)))
        .execute(c)
        .await?;
    if !items.is_empty() {
        diesel::insert_into(pi::table)
            .values(items.to_vec())
            .execute(c)
            .await?;
    }
    Ok(())
}

pub async fn items_of(c: &mut Conn, proposals: &[Uuid]) -> Result<Vec<ProposalItemRow>> {
    Ok(pi::table
        .filter(pi::proposal_id.eq_any(proposals))
        .order((pi::proposal_id.asc(), pi::position.asc()))
        .select(ProposalItemRow::as_select())
        .load(c)
        .await?)
}

/// Quotas (C4, C8 caps): the items of the proposer's live proposals for the
/// year (not rejected, not decided), other than `except`.
pub async fn live_items_of_proposer(
    c: &mut Conn,
    org: Option<Uuid>,
    year: i32,
    except: Uuid,
) -> Result<Vec<ProposalItemRow>> {
    let mut q = pi::table
        .inner_join(pr::table)
        .filter(pr::year.eq(year))
        .filter(pr::id.ne(except))
        .filter(pr::status.eq_any(live_statuses()))
        .select(ProposalItemRow::as_select())
        .into_boxed();
    q = match org {
        Some(o) => q.filter(pr::organization_id.eq(o)),
        None => q.filter(pr::organization_id.is_null()),
    };
    Ok(q.load(c).await?)
}

/// Quotas: one proposer's list for a year is counted and changed by one
/// transaction at a time.
pub async fn lock_quota(c: &mut Conn, proposer: Option<Uuid>, year: i32) -> Result<()> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(7474100, hashtext($1))")
        .bind::<diesel::sql_types::Text, _>(format!(
            "{}:{year}",
            proposer.map(|p| p.to_string()).unwrap_or_default()
        ))
        .execute(c)
        .await?;
    Ok(())
}

/// The statuses counted against a proposer's quotas.
fn live_statuses() -> Vec<ProposalStatus> {
    ProposalStatus::ALL
        .iter()
        .copied()
        .filter(|s| s.live())
        .collect()
}
