//! The award catalogue and the award history: the awards decisions made,
//! the quotas' count of a year's awards, and revocation (C14).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::Value;
use uuid::Uuid;

use super::DecisionRow;
use crate::db::Conn;
use crate::db::Result;
use crate::db::schema::{award_types as at, awards as aw, decisions as de};
use crate::domain::import::Provenance;
use crate::domain::titles::{AwardStatus, AwardType};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = at)]
pub struct AwardTypeRow {
    pub code: String,
    pub kind: String,
    pub subject_kind: String,
    pub level: String,
    pub name_vi: String,
    pub name_en: String,
    pub legal_basis: String,
    pub position: i32,
}

pub async fn award_types(c: &mut Conn) -> Result<Vec<AwardTypeRow>> {
    Ok(at::table
        .order(at::position.asc())
        .select(AwardTypeRow::as_select())
        .load(c)
        .await?)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = aw)]
pub struct AwardRow {
    pub id: Uuid,
    pub award_type: AwardType,
    pub person_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub year: i32,
    pub decision_id: Uuid,
    pub status: AwardStatus,
    pub eligibility: Value,
    pub overridden: bool,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoke_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    /// `decided` here, or `imported` (legacy history, docs/imports.md).
    pub provenance: Provenance,
}

/// The award history of these people, revoked ones included (C14 is the
/// domain's to apply).
pub async fn awards_of_people(c: &mut Conn, people: &[Uuid]) -> Result<Vec<AwardRow>> {
    Ok(aw::table
        .filter(aw::person_id.eq_any(people))
        .order((aw::year.asc(), aw::id.asc()))
        .select(AwardRow::as_select())
        .load(c)
        .await?)
}

pub async fn awards_of_orgs(c: &mut Conn, orgs: &[Uuid]) -> Result<Vec<AwardRow>> {
    Ok(aw::table
        .filter(aw::organization_id.eq_any(orgs))
        .order((aw::year.asc(), aw::id.asc()))
        .select(AwardRow::as_select())
        .load(c)
        .await?)
}

/// An award with its decision, as the history shows it: newest year first,
/// then by id; `after` is the (year, id) of the previous page's last row.
pub async fn history(
    c: &mut Conn,
    person: Option<Uuid>,
    org: Option<Uuid>,
    after: Option<(i32, Uuid)>,
    limit: i64,
) -> Result<Vec<(AwardRow, DecisionRow)>> {
    let mut q = aw::table
        .inner_join(de::table)
        .select((AwardRow::as_select(), DecisionRow::as_select()))
        .order((aw::year.desc(), aw::id.asc()))
        .limit(limit)
        .into_boxed();
    if let Some((year, id)) = after {
        q = q.filter(aw::year.lt(year).or(aw::year.eq(year).and(aw::id.gt(id))));
    }
    if let Some(p) = person {
        q = q.filter(aw::person_id.eq(p));
    }
    if let Some(o) = org {
        q = q.filter(aw::organization_id.eq(o));
    }
    Ok(q.load(c).await?)
}

pub async fn insert_awards(c: &mut Conn, rows: &[AwardRow]) -> Result<Vec<AwardRow>> {
    Ok(diesel::insert_into(aw::table)
        .values(rows.to_vec())
        .returning(AwardRow::as_returning())
        .get_results(c)
        .await?)
}

pub async fn lock_award(c: &mut Conn, id: Uuid) -> Result<Option<AwardRow>> {
    Ok(aw::table
        .find(id)
        .select(AwardRow::as_select())
        .for_update()
        .first(c)
        .await
        .optional()?)
}

pub async fn revoke_award(c: &mut Conn, id: Uuid, reason: &str) -> Result<AwardRow> {
    Ok(diesel::update(aw::table.find(id))
        .set((
            aw::status.eq(AwardStatus::Revoked),
            aw::revoked_at.eq(diesel::dsl::now),
            aw::revoke_reason.eq(reason),
        ))
        .returning(AwardRow::as_returning())
        .get_result(c)
        .await?)
}

/// Quotas: active awards of the year for these people or organisations.
pub async fn active_awards_for_year(
    c: &mut Conn,
    people: &[Uuid],
    orgs: &[Uuid],
    year: i32,
) -> Result<Vec<AwardRow>> {
    Ok(aw::table
        .filter(aw::year.eq(year))
        .filter(aw::status.eq(AwardStatus::Active))
        .filter(
            aw::person_id
                .eq_any(people)
                .or(aw::organization_id.eq_any(orgs)),
        )
        .select(AwardRow::as_select())
        .load(c)
        .await?)
}

/// The active awards made by decisions on a proposal.
pub async fn awards_of_proposal(c: &mut Conn, proposal: Uuid) -> Result<Vec<AwardRow>> {
    Ok(aw::table
        .inner_join(de::table)
        .filter(de::proposal_id.eq(proposal))
        .filter(aw::status.eq(AwardStatus::Active))
        .select(AwardRow::as_select())
        .load(c)
        .await?)
}
