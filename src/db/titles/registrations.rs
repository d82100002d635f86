//! Registrations for titles at the start of a year.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::Value;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::Result;
use crate::db::schema::registrations as rg;
use crate::domain::titles::AwardType;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = rg)]
pub struct RegistrationRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub year: i32,
    pub titles: Vec<AwardType>,
    pub sub_units: Value,
    pub staff: Value,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub async fn insert_registration(c: &mut Conn, r: &RegistrationRow) -> Result<RegistrationRow> {
    Ok(diesel::insert_into(rg::table)
        .values(r.clone())
        .returning(RegistrationRow::as_returning())
        .get_result(c)
        .await?)
}

pub async fn registration(c: &mut Conn, id: Uuid) -> Result<Option<RegistrationRow>> {
    Ok(rg::table
        .find(id)
        .select(RegistrationRow::as_select())
        .first(c)
        .await
        .optional()?)
}

pub async fn lock_registration(c: &mut Conn, id: Uuid) -> Result<Option<RegistrationRow>> {
    Ok(rg::table
        .find(id)
        .select(RegistrationRow::as_select())
        .for_update()
        .first(c)
        .await
        .optional()?)
}

pub async fn update_registration(
    c: &mut Conn,
    id: Uuid,
    titles: Vec<AwardType>,
    sub_units: Value,
    staff: Value,
) -> Result<RegistrationRow> {
    Ok(diesel::update(rg::table.find(id))
        .set((
            rg::titles.eq(titles),
            rg::sub_units.eq(sub_units),
            rg::staff.eq(staff),
            rg::version.eq(rg::version + 1),
            rg::updated_at.eq(diesel::dsl::now),
        ))
        .returning(RegistrationRow::as_returning())
        .get_result(c)
        .await?)
}

pub async fn registrations(
    c: &mut Conn,
    year: Option<i32>,
    org: Option<Uuid>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<RegistrationRow>> {
    let mut q = rg::table
        .select(RegistrationRow::as_select())
        .order(rg::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(y) = year {
        q = q.filter(rg::year.eq(y));
    }
    if let Some(o) = org {
        q = q.filter(rg::organization_id.eq(o));
    }
    if let Some(a) = after {
        q = q.filter(rg::id.gt(a));
    }
    Ok(q.load(c).await?)
}
