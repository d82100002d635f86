//! Queries on `people` (staff).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::Result;
use super::organizations::{like_patterns, thidua_fold};
use super::schema::people as p;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = p)]
pub struct PersonRow {
    pub id: Uuid,
    pub full_name: String,
    pub organization_id: Uuid,
    pub position: Option<String>,
    pub category: String,
    pub gender: Option<String>,
    pub employment_start: Option<NaiveDate>,
    pub active: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Insertable)]
#[diesel(table_name = p)]
pub struct NewPerson {
    pub id: Uuid,
    pub full_name: String,
    pub organization_id: Uuid,
    pub position: Option<String>,
    pub category: String,
    pub gender: Option<String>,
    pub employment_start: Option<NaiveDate>,
}

#[derive(AsChangeset, Default)]
#[diesel(table_name = p)]
pub struct PersonChanges {
    pub full_name: Option<String>,
    pub organization_id: Option<Uuid>,
    pub position: Option<Option<String>>,
    pub category: Option<String>,
    pub gender: Option<Option<String>>,
    pub employment_start: Option<Option<NaiveDate>>,
    pub active: Option<bool>,
}

pub async fn insert(c: &mut Conn, new: NewPerson) -> Result<PersonRow> {
    Ok(diesel::insert_into(p::table)
        .values(new)
        .returning(PersonRow::as_returning())
        .get_result(c)
        .await?)
}

pub async fn get(c: &mut Conn, id: Uuid) -> Result<Option<PersonRow>> {
    Ok(p::table
        .find(id)
        .select(PersonRow::as_select())
        .first(c)
        .await
        .optional()?)
}

pub async fn lock(c: &mut Conn, id: Uuid) -> Result<Option<PersonRow>> {
    Ok(p::table
        .find(id)
        .select(PersonRow::as_select())
        .for_update()
        .first(c)
        .await
        .optional()?)
}

pub async fn update(c: &mut Conn, id: Uuid, changes: PersonChanges) -> Result<PersonRow> {
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

#[derive(Debug, Default)]
pub struct PersonFilter {
    pub organization_id: Option<Uuid>,
    pub category: Option<String>,
    pub active: Option<bool>,
    pub q: Option<String>,
    pub after: Option<Uuid>,
    pub limit: i64,
}

/// Keyset page by id (UUID v7: creation order).
pub async fn list(c: &mut Conn, f: &PersonFilter) -> Result<Vec<PersonRow>> {
    let mut q = p::table
        .select(PersonRow::as_select())
        .order(p::id.asc())
        .limit(f.limit)
        .into_boxed();
    if let Some(o) = f.organization_id {
        q = q.filter(p::organization_id.eq(o));
    }
    if let Some(cat) = &f.category {
        q = q.filter(p::category.eq(cat.clone()));
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
