//! Queries on `people` (staff).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::Result;
use super::organizations::{like_patterns, thidua_fold};
use super::schema::employments as e;
use super::schema::people as p;
use crate::domain::ids::{OrganizationId, PersonId};
use crate::domain::registry::{Gender, StaffCategory};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = p)]
pub struct PersonRow {
    pub id: PersonId,
    pub full_name: String,
    pub organization_id: OrganizationId,
    pub position: Option<String>,
    pub category: StaffCategory,
    pub gender: Option<Gender>,
    pub employment_start: Option<NaiveDate>,
    pub active: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub code: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = p)]
pub struct NewPerson {
    pub id: PersonId,
    pub full_name: String,
    pub organization_id: OrganizationId,
    pub position: Option<String>,
    pub category: StaffCategory,
    pub gender: Option<Gender>,
    pub employment_start: Option<NaiveDate>,
    pub code: Option<String>,
}

#[derive(AsChangeset, Default)]
#[diesel(table_name = p)]
pub struct PersonChanges {
    pub full_name: Option<String>,
    pub organization_id: Option<OrganizationId>,
    pub position: Option<Option<String>>,
    pub category: Option<StaffCategory>,
    pub gender: Option<Option<Gender>>,
    pub employment_start: Option<Option<NaiveDate>>,
    pub active: Option<bool>,
    pub code: Option<Option<String>>,
}

pub async fn insert(c: &mut Conn, new: NewPerson) -> Result<PersonRow> {
    Ok(diesel::insert_into(p::table)
        .values(new)
        .returning(PersonRow::as_returning())
        .get_result(c)
        .await?)
}

pub async fn get(c: &mut Conn, id: PersonId) -> Result<Option<PersonRow>> {
    Ok(p::table
        .find(id)
        .select(PersonRow::as_select())
        .first(c)
        .await
        .optional()?)
}

pub async fn lock(c: &mut Conn, id: PersonId) -> Result<Option<PersonRow>> {
    Ok(p::table
        .find(id)
        .select(PersonRow::as_select())
        .for_update()
        .first(c)
        .await
        .optional()?)
}

pub async fn update(c: &mut Conn, id: PersonId, changes: PersonChanges) -> Result<PersonRow> {
    Ok(diesel::update(p::table.find(id))
        .set((
            changes,
            p::version.eq(p::version + 1),
            p::updated_at.eq(diesel::dsl::now),
        ))
        .returning(PersonRow::as_returning())
        .get_result(c)
        .await?)
}

pub async fn existing(c: &mut Conn, ids: &[Uuid]) -> Result<Vec<Uuid>> {
    Ok(p::table
        .filter(p::id.eq_any(ids))
        .select(p::id)
        .load(c)
        .await?)
}

/// The query `list` runs (the service builds it from its `PersonFilter`).
#[derive(Debug, Default)]
pub struct PersonQuery {
    pub organization_id: Option<OrganizationId>,
    pub category: Option<StaffCategory>,
    pub active: Option<bool>,
    pub q: Option<String>,
    /// Employed on this day (in `organization_id` then, when given).
    pub as_of: Option<NaiveDate>,
    pub after: Option<PersonId>,
    pub limit: i64,
}

/// Keyset page by id (UUID v7: creation order).
pub async fn list(c: &mut Conn, f: &PersonQuery) -> Result<Vec<PersonRow>> {
    let mut q = p::table
        .select(PersonRow::as_select())
        .order(p::id.asc())
        .limit(f.limit)
        .into_boxed();
    match (f.as_of, f.organization_id) {
        (Some(day), org) => {
            let mut on = e::table
                .filter(e::valid_from.is_null().or(e::valid_from.le(day)))
                .filter(e::valid_to.is_null().or(e::valid_to.ge(day)))
                .select(e::person_id)
                .into_boxed();
            if let Some(o) = org {
                on = on.filter(e::organization_id.eq(o));
            }
            q = q.filter(p::id.eq_any(on));
        }
        (None, Some(o)) => q = q.filter(p::organization_id.eq(o)),
        (None, None) => {}
    }
    if let Some(cat) = &f.category {
        q = q.filter(p::category.eq(*cat));
    }
    if let Some(a) = f.active {
        q = q.filter(p::active.eq(a));
    }
    if let Some(text) = &f.q {
        for pat in like_patterns(text) {
            q = q.filter(p::search_text.like(thidua_fold(pat)));
        }
    }
    if let Some(a) = f.after {
        q = q.filter(p::id.gt(a));
    }
    Ok(q.load(c).await?)
}
