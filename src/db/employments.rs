//! Queries on `employments` (staff history): both ends inclusive, `NULL`
//! open; one place at a time (an exclusion constraint).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::Result;
use super::schema::employments as e;
use super::schema::people as p;
use crate::domain::ids::{OrganizationId, PersonId};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = e)]
pub struct EmploymentRow {
    pub id: Uuid,
    pub person_id: PersonId,
    pub organization_id: OrganizationId,
    pub position: Option<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

#[derive(Insertable)]
#[diesel(table_name = e)]
pub struct NewEmployment {
    pub id: Uuid,
    pub person_id: PersonId,
    pub organization_id: OrganizationId,
    pub position: Option<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

pub async fn insert(c: &mut Conn, new: &[NewEmployment]) -> Result<Vec<EmploymentRow>> {
    if new.is_empty() {
        return Ok(Vec::new());
    }
    Ok(diesel::insert_into(e::table)
        .values(new)
        .returning(EmploymentRow::as_returning())
        .get_results(c)
        .await?)
}

/// The person's open employment, locked.
pub async fn lock_open(c: &mut Conn, person: PersonId) -> Result<Option<EmploymentRow>> {
    Ok(e::table
        .filter(e::person_id.eq(person))
        .filter(e::valid_to.is_null())
        .select(EmploymentRow::as_select())
        .for_update()
        .first(c)
        .await
        .optional()?)
}

/// Close an employment on its last day.
pub async fn close(c: &mut Conn, id: Uuid, last_day: NaiveDate) -> Result<()> {
    diesel::update(e::table.find(id))
        .set(e::valid_to.eq(Some(last_day)))
        .execute(c)
        .await?;
    Ok(())
}

/// A correction of the open employment's position (not a history step).
pub async fn set_position(c: &mut Conn, id: Uuid, position: Option<String>) -> Result<()> {
    diesel::update(e::table.find(id))
        .set(e::position.eq(position))
        .execute(c)
        .await?;
    Ok(())
}

/// A person's employments, oldest first (keyset by start date then id).
pub async fn of_person(
    c: &mut Conn,
    person: PersonId,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<EmploymentRow>> {
    let mut q = e::table
        .filter(e::person_id.eq(person))
        .select(EmploymentRow::as_select())
        .order(e::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(e::id.gt(a));
    }
    Ok(q.load(c).await?)
}

/// Every employment of these people (for months employed and imports).
pub async fn of_people(c: &mut Conn, people: &[Uuid]) -> Result<Vec<EmploymentRow>> {
    Ok(e::table
        .filter(e::person_id.eq_any(people))
        .order((e::person_id.asc(), e::valid_from.asc().nulls_first()))
        .select(EmploymentRow::as_select())
        .load(c)
        .await?)
}

/// Staff of these organisations on a day: `(person, organisation, name)`,
/// ordered by person id.
pub async fn staff_on(
    c: &mut Conn,
    orgs: &[Uuid],
    day: NaiveDate,
) -> Result<Vec<(Uuid, Uuid, String)>> {
    Ok(e::table
        .inner_join(p::table)
        .filter(e::organization_id.eq_any(orgs))
        .filter(e::valid_from.is_null().or(e::valid_from.le(day)))
        .filter(e::valid_to.is_null().or(e::valid_to.ge(day)))
        .order(p::id.asc())
        .select((p::id, e::organization_id, p::full_name))
        .load(c)
        .await?)
}

/// Staff of these organisations at any time between two days (inclusive):
/// `(person, organisation, name)`, one row per person (their latest place
/// in the span), ordered by person id.
pub async fn staff_during(
    c: &mut Conn,
    orgs: &[Uuid],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(Uuid, Uuid, String)>> {
    let rows: Vec<(Uuid, Uuid, String, Option<NaiveDate>)> = e::table
        .inner_join(p::table)
        .filter(e::organization_id.eq_any(orgs))
        .filter(e::valid_from.is_null().or(e::valid_from.le(to)))
        .filter(e::valid_to.is_null().or(e::valid_to.ge(from)))
        .order((p::id.asc(), e::valid_from.desc().nulls_last()))
        .select((p::id, e::organization_id, p::full_name, e::valid_from))
        .load(c)
        .await?;
    let mut out: Vec<(Uuid, Uuid, String)> = Vec::with_capacity(rows.len());
    for (id, org, name, _) in rows {
        if out.last().is_none_or(|l| l.0 != id) {
            out.push((id, org, name));
        }
    }
    Ok(out)
}

/// Correct the open employment in place (a same-day change of place or
/// position is a correction, not a history step).
pub async fn amend(
    c: &mut Conn,
    id: Uuid,
    org: OrganizationId,
    position: Option<String>,
) -> Result<()> {
    diesel::update(e::table.find(id))
        .set((e::organization_id.eq(org), e::position.eq(position)))
        .execute(c)
        .await?;
    Ok(())
}

/// The last day of the person's latest closed employment.
pub async fn last_end(c: &mut Conn, person: PersonId) -> Result<Option<NaiveDate>> {
    Ok(e::table
        .filter(e::person_id.eq(person))
        .select(diesel::dsl::max(e::valid_to))
        .first::<Option<NaiveDate>>(c)
        .await?)
}
