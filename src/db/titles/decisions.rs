//! Decisions and the awards each made.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::AwardRow;
use crate::db::Conn;
use crate::db::Result;
use crate::db::schema::{awards as aw, decisions as de};
use crate::domain::import::Provenance;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = de)]
pub struct DecisionRow {
    pub id: Uuid,
    pub number: String,
    pub decided_on: NaiveDate,
    pub signer: String,
    pub issuing_body: String,
    pub year: i32,
    pub proposal_id: Option<Uuid>,
    pub rule_set_id: Uuid,
    pub override_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    /// `decided` here, or `imported` (a paper decision entered by an import).
    pub provenance: Provenance,
}

pub async fn insert_decision(c: &mut Conn, d: &DecisionRow) -> Result<DecisionRow> {
    Ok(diesel::insert_into(de::table)
        .values(d.clone())
        .returning(DecisionRow::as_returning())
        .get_result(c)
        .await?)
}

pub async fn decision(c: &mut Conn, id: Uuid) -> Result<Option<DecisionRow>> {
    Ok(de::table
        .find(id)
        .select(DecisionRow::as_select())
        .first(c)
        .await
        .optional()?)
}

pub async fn decisions(
    c: &mut Conn,
    year: Option<i32>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<DecisionRow>> {
    let mut q = de::table
        .select(DecisionRow::as_select())
        .order(de::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(y) = year {
        q = q.filter(de::year.eq(y));
    }
    if let Some(a) = after {
        q = q.filter(de::id.gt(a));
    }
    Ok(q.load(c).await?)
}

pub async fn awards_of_decision(c: &mut Conn, decision: Uuid) -> Result<Vec<AwardRow>> {
    Ok(aw::table
        .filter(aw::decision_id.eq(decision))
        .order(aw::id.asc())
        .select(AwardRow::as_select())
        .load(c)
        .await?)
}
