//! The yearly facts of people (rating, discipline) and their initiatives.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::Result;
use crate::db::schema::{initiatives as ini, person_year_facts as pf};
use crate::domain::titles::{Discipline, Level, Rating};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = pf)]
pub struct FactsRow {
    pub person_id: Uuid,
    pub year: i32,
    pub rating: Rating,
    pub registered: bool,
    pub months_employed: Option<i32>,
    pub absent_days: i32,
    pub discipline: Discipline,
    pub discipline_until: Option<NaiveDate>,
    pub under_investigation: bool,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = pf)]
pub struct NewFacts {
    pub person_id: Uuid,
    pub year: i32,
    pub rating: Rating,
    pub registered: bool,
    pub months_employed: Option<i32>,
    pub absent_days: i32,
    pub discipline: Discipline,
    pub discipline_until: Option<NaiveDate>,
    pub under_investigation: bool,
}

/// Insert or replace a year's facts of many people in one statement.
pub async fn upsert_facts(c: &mut Conn, rows: &[NewFacts]) -> Result<()> {
    use diesel::upsert::excluded;
    if rows.is_empty() {
        return Ok(());
    }
    diesel::insert_into(pf::table)
        .values(rows)
        .on_conflict((pf::person_id, pf::year))
        .do_update()
        .set((
            pf::rating.eq(excluded(pf::rating)),
            pf::registered.eq(excluded(pf::registered)),
            pf::months_employed.eq(excluded(pf::months_employed)),
            pf::absent_days.eq(excluded(pf::absent_days)),
            pf::discipline.eq(excluded(pf::discipline)),
            pf::discipline_until.eq(excluded(pf::discipline_until)),
            pf::under_investigation.eq(excluded(pf::under_investigation)),
            pf::version.eq(pf::version + 1),
            pf::updated_at.eq(diesel::dsl::now),
        ))
        .execute(c)
        .await?;
    Ok(())
}

/// Every year's facts of these people.
pub async fn facts_of(c: &mut Conn, people: &[Uuid]) -> Result<Vec<FactsRow>> {
    Ok(pf::table
        .filter(pf::person_id.eq_any(people))
        .order((pf::person_id.asc(), pf::year.asc()))
        .select(FactsRow::as_select())
        .load(c)
        .await?)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = ini)]
pub struct InitiativeRow {
    pub id: Uuid,
    pub person_id: Uuid,
    pub year: i32,
    pub title: String,
    pub level: Level,
}

/// Replace the year's initiatives of these people.
pub async fn replace_initiatives(
    c: &mut Conn,
    people: &[Uuid],
    year: i32,
    rows: &[InitiativeRow],
) -> Result<()> {
    diesel::delete(
        ini::table
            .filter(ini::person_id.eq_any(people))
            .filter(ini::year.eq(year)),
    )
    .execute(c)
    .await?;
    if !rows.is_empty() {
        diesel::insert_into(ini::table)
            .values(rows)
            .execute(c)
            .await?;
    }
    Ok(())
}

pub async fn initiatives_of(c: &mut Conn, people: &[Uuid]) -> Result<Vec<InitiativeRow>> {
    Ok(ini::table
        .filter(ini::person_id.eq_any(people))
        .order((ini::person_id.asc(), ini::year.asc(), ini::id.asc()))
        .select(InitiativeRow::as_select())
        .load(c)
        .await?)
}
