//! Queries on `service_clients`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::Result;
use super::schema::service_clients as sc;
use crate::domain::identity::Scope;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sc)]
pub struct ClientRow {
    pub id: Uuid,
    pub client_id: String,
    pub name: String,
    pub scopes: Vec<Scope>,
    pub organization_id: Option<Uuid>,
    pub active: bool,
    pub token_version: i32,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Insertable)]
#[diesel(table_name = sc)]
pub struct NewClient<'a> {
    pub id: Uuid,
    pub client_id: &'a str,
    pub name: &'a str,
    pub scopes: Vec<Scope>,
    pub organization_id: Option<Uuid>,
    pub secret_hash: &'a str,
}

pub async fn insert(c: &mut Conn, new: NewClient<'_>) -> Result<ClientRow> {
    Ok(diesel::insert_into(sc::table)
        .values(new)
        .returning(ClientRow::as_returning())
        .get_result(c)
        .await?)
}

pub async fn get(c: &mut Conn, id: Uuid) -> Result<Option<ClientRow>> {
    Ok(sc::table
        .find(id)
        .select(ClientRow::as_select())
        .first(c)
        .await
        .optional()?)
}

pub async fn lock(c: &mut Conn, id: Uuid) -> Result<Option<ClientRow>> {
    Ok(sc::table
        .find(id)
        .select(ClientRow::as_select())
        .for_update()
        .first(c)
        .await
        .optional()?)
}

pub async fn by_client_id(c: &mut Conn, client_id: &str) -> Result<Option<(ClientRow, String)>> {
    Ok(sc::table
        .filter(sc::client_id.eq(client_id))
        .select((ClientRow::as_select(), sc::secret_hash))
        .first(c)
        .await
        .optional()?)
}

pub async fn list(c: &mut Conn, after: Option<Uuid>, limit: i64) -> Result<Vec<ClientRow>> {
    let mut q = sc::table
        .select(ClientRow::as_select())
        .order(sc::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(sc::id.gt(a));
    }
    Ok(q.load(c).await?)
}

/// New secret hash (revokes tokens).
pub async fn set_secret(c: &mut Conn, id: Uuid, secret_hash: &str) -> Result<ClientRow> {
    Ok(diesel::update(sc::table.find(id))
        .set((
            sc::secret_hash.eq(secret_hash),
            sc::token_version.eq(sc::token_version + 1),
            sc::version.eq(sc::version + 1),
            sc::updated_at.eq(diesel::dsl::now),
        ))
        .returning(ClientRow::as_returning())
        .get_result(c)
        .await?)
}

pub async fn disable(c: &mut Conn, id: Uuid) -> Result<ClientRow> {
    Ok(diesel::update(sc::table.find(id))
        .set((
            sc::active.eq(false),
            sc::token_version.eq(sc::token_version + 1),
            sc::version.eq(sc::version + 1),
            sc::updated_at.eq(diesel::dsl::now),
        ))
        .returning(ClientRow::as_returning())
        .get_result(c)
        .await?)
}
