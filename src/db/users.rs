//! Queries on `users`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::Result;
use super::schema::users as u;
use crate::domain::identity::Role;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = u)]
pub struct UserRow {
    pub id: Uuid,
    pub username: String,
    pub full_name: String,
    pub organization_id: Option<Uuid>,
    pub roles: Vec<Role>,
    pub active: bool,
    pub token_version: i32,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub email: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = u)]
pub struct NewUser<'a> {
    pub id: Uuid,
    pub username: &'a str,
    pub full_name: &'a str,
    pub organization_id: Option<Uuid>,
    pub roles: Vec<Role>,
    pub password_hash: &'a str,
    pub email: Option<&'a str>,
}

#[derive(AsChangeset, Default)]
#[diesel(table_name = u)]
pub struct UserChanges {
    pub full_name: Option<String>,
    pub organization_id: Option<Option<Uuid>>,
    pub roles: Option<Vec<Role>>,
    pub active: Option<bool>,
    pub password_hash: Option<String>,
    pub email: Option<Option<String>>,
}

pub async fn insert(c: &mut Conn, new: NewUser<'_>) -> Result<UserRow> {
    Ok(diesel::insert_into(u::table)
        .values(new)
        .returning(UserRow::as_returning())
        .get_result(c)
        .await?)
}

pub async fn get(c: &mut Conn, id: Uuid) -> Result<Option<UserRow>> {
    Ok(u::table
        .find(id)
        .select(UserRow::as_select())
        .first(c)
        .await
        .optional()?)
}

/// The row, locked for the rest of the transaction.
pub async fn lock(c: &mut Conn, id: Uuid) -> Result<Option<UserRow>> {
    Ok(u::table
        .find(id)
        .select(UserRow::as_select())
        .for_update()
        .first(c)
        .await
        .optional()?)
}

/// Apply changes, bump `version`, and bump `token_version` when the change
/// must revoke outstanding tokens.
pub async fn update(
    c: &mut Conn,
    id: Uuid,
    changes: UserChanges,
    revoke_tokens: bool,
) -> Result<UserRow> {
    let bump = if revoke_tokens { 1 } else { 0 };
    Ok(diesel::update(u::table.find(id))
        .set((
            changes,
            u::version.eq(u::version + 1),
            u::token_version.eq(u::token_version + bump),
            u::updated_at.eq(diesel::dsl::now),
        ))
        .returning(UserRow::as_returning())
        .get_result(c)
        .await?)
}

/// For login: the row and its password hash.
pub async fn by_username(c: &mut Conn, username: &str) -> Result<Option<(UserRow, String)>> {
    Ok(u::table
        .filter(u::username.eq(username))
        .select((UserRow::as_select(), u::password_hash))
        .first(c)
        .await
        .optional()?)
}

/// The query `list` runs (the service builds it from its `UserFilter`).
#[derive(Debug, Default)]
pub struct UserQuery {
    pub organization_id: Option<Uuid>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    pub after: Option<Uuid>,
    pub limit: i64,
}

/// Keyset page ordered by id (UUID v7: creation order).
pub async fn list(c: &mut Conn, f: &UserQuery) -> Result<Vec<UserRow>> {
    let mut q = u::table
        .select(UserRow::as_select())
        .order(u::id.asc())
        .limit(f.limit)
        .into_boxed();
    if let Some(o) = f.organization_id {
        q = q.filter(u::organization_id.eq(o));
    }
    if let Some(r) = &f.role {
        q = q.filter(u::roles.contains(vec![*r]));
    }
    if let Some(a) = f.active {
        q = q.filter(u::active.eq(a));
    }
    if let Some(after) = f.after {
        q = q.filter(u::id.gt(after));
    }
    Ok(q.load(c).await?)
}

pub async fn admin_exists(c: &mut Conn) -> Result<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        u::table
            .filter(u::active.eq(true))
            .filter(u::roles.contains(vec![Role::Admin])),
    ))
    .get_result(c)
    .await?)
}

/// The live check behind every authenticated request: one primary-key read.
pub async fn auth_state(c: &mut Conn, id: Uuid) -> Result<Option<UserRow>> {
    get(c, id).await
}
