//! Rule sets (C0): the versions, the set in force on a day, and the
//! freeze once a decision used one.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::Value;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::Result;
use crate::db::schema::rule_sets as rs;
use crate::domain::titles::RuleSetScope;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = rs)]
pub struct RuleSetRow {
    pub id: Uuid,
    pub code: String,
    pub version: i32,
    pub scope: RuleSetScope,
    pub name: String,
    pub legal_basis: String,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    pub params: Value,
    pub used_at: Option<DateTime<Utc>>,
    pub row_version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub async fn rule_sets(c: &mut Conn) -> Result<Vec<RuleSetRow>> {
    Ok(rs::table
        .order((rs::effective_from.asc(), rs::code.asc(), rs::version.asc()))
        .select(RuleSetRow::as_select())
        .load(c)
        .await?)
}

pub async fn rule_set(c: &mut Conn, id: Uuid) -> Result<Option<RuleSetRow>> {
    Ok(rs::table
        .find(id)
        .select(RuleSetRow::as_select())
        .first(c)
        .await
        .optional()?)
}

pub async fn lock_rule_set(c: &mut Conn, id: Uuid) -> Result<Option<RuleSetRow>> {
    Ok(rs::table
        .find(id)
        .select(RuleSetRow::as_select())
        .for_update()
        .first(c)
        .await
        .optional()?)
}

/// C0: the set in force on `day`: a provincial override before a national
/// set, then the latest start, then the highest version.
pub async fn rule_set_in_force(c: &mut Conn, day: NaiveDate) -> Result<Option<RuleSetRow>> {
    Ok(rs::table
        .filter(rs::effective_from.le(day))
        .filter(rs::effective_to.is_null().or(rs::effective_to.ge(day)))
        .order((
            rs::scope.desc(), // 'province' > 'national'
            rs::effective_from.desc(),
            rs::version.desc(),
        ))
        .select(RuleSetRow::as_select())
        .first(c)
        .await
        .optional()?)
}

pub async fn next_rule_set_version(c: &mut Conn, code: &str) -> Result<i32> {
    let max: Option<i32> = rs::table
        .filter(rs::code.eq(code))
        .select(diesel::dsl::max(rs::version))
        .first(c)
        .await?;
    Ok(max.unwrap_or(0) + 1)
}

pub async fn insert_rule_set(c: &mut Conn, row: &RuleSetRow) -> Result<RuleSetRow> {
    Ok(diesel::insert_into(rs::table)
        .values(row.clone())
        .returning(RuleSetRow::as_returning())
        .get_result(c)
        .await?)
}

pub struct RuleSetChanges {
    pub name: String,
    pub legal_basis: String,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    pub params: Value,
}

pub async fn update_rule_set(c: &mut Conn, id: Uuid, ch: RuleSetChanges) -> Result<RuleSetRow> {
    Ok(diesel::update(rs::table.find(id))
        .set((
            rs::name.eq(ch.name),
            rs::legal_basis.eq(ch.legal_basis),
            rs::effective_from.eq(ch.effective_from),
            rs::effective_to.eq(ch.effective_to),
            rs::params.eq(ch.params),
            rs::row_version.eq(rs::row_version + 1),
            rs::updated_at.eq(diesel::dsl::now),
        ))
        .returning(RuleSetRow::as_returning())
        .get_result(c)
        .await?)
}

/// C0: the first decision made under a set freezes it.
pub async fn mark_rule_set_used(c: &mut Conn, id: Uuid) -> Result<()> {
    diesel::update(rs::table.find(id).filter(rs::used_at.is_null()))
        .set(rs::used_at.eq(diesel::dsl::now))
        .execute(c)
        .await?;
    Ok(())
}

/// C0: versions of one rule-set code are numbered by one writer at a time.
pub async fn lock_rule_set_code(c: &mut Conn, code: &str) -> Result<()> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(7474101, hashtext($1))")
        .bind::<diesel::sql_types::Text, _>(code)
        .execute(c)
        .await?;
    Ok(())
}
