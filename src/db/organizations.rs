//! Queries on `organizations`.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::Result;
use super::schema::organizations as o;
use crate::domain::ids::OrganizationId;
use crate::domain::registry::{OrgFacts, OrgKind};

diesel::define_sql_function! {
    /// Case- and diacritic-insensitive folding (the same function the
    /// generated `search_text` columns use).
    fn thidua_fold(t: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// `%word%` with LIKE's wildcards escaped, for each word of a search.
pub fn like_patterns(q: &str) -> Vec<String> {
    crate::i18n::nfc(q)
        .split_whitespace()
        .take(8)
        .map(|w| {
            format!(
                "%{}%",
                w.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            )
        })
        .collect()
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = o)]
pub struct OrgRow {
    pub id: OrganizationId,
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: OrgKind,
    pub parent_id: Option<OrganizationId>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub superseded_by_id: Option<OrganizationId>,
    pub superseded_on: Option<NaiveDate>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Insertable)]
#[diesel(table_name = o)]
pub struct NewOrg {
    pub id: OrganizationId,
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: OrgKind,
    pub parent_id: Option<OrganizationId>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

#[derive(AsChangeset, Default)]
#[diesel(table_name = o)]
pub struct OrgChanges {
    pub name: Option<String>,
    pub short_name: Option<Option<String>>,
    pub kind: Option<OrgKind>,
    pub parent_id: Option<Option<OrganizationId>>,
    pub valid_from: Option<Option<NaiveDate>>,
    pub valid_to: Option<Option<NaiveDate>>,
    pub superseded_by_id: Option<Option<OrganizationId>>,
    pub superseded_on: Option<Option<NaiveDate>>,
}

pub async fn insert(c: &mut Conn, new: NewOrg) -> Result<OrgRow> {
    Ok(diesel::insert_into(o::table)
        .values(new)
        .returning(OrgRow::as_returning())
        .get_result(c)
        .await?)
}

pub async fn get(c: &mut Conn, id: OrganizationId) -> Result<Option<OrgRow>> {
    Ok(o::table
        .find(id)
        .select(OrgRow::as_select())
        .first(c)
        .await
        .optional()?)
}

pub async fn by_code(c: &mut Conn, code: &str) -> Result<Option<OrgRow>> {
    Ok(o::table
        .filter(o::code.eq(code))
        .select(OrgRow::as_select())
        .first(c)
        .await
        .optional()?)
}

pub async fn lock(c: &mut Conn, id: OrganizationId) -> Result<Option<OrgRow>> {
    Ok(o::table
        .find(id)
        .select(OrgRow::as_select())
        .for_update()
        .first(c)
        .await
        .optional()?)
}

pub async fn update(c: &mut Conn, id: OrganizationId, changes: OrgChanges) -> Result<OrgRow> {
    Ok(diesel::update(o::table.find(id))
        .set((
            changes,
            o::version.eq(o::version + 1),
            o::updated_at.eq(diesel::dsl::now),
        ))
        .returning(OrgRow::as_returning())
        .get_result(c)
        .await?)
}

/// Unit/sub-unit facts for the given ids (unknown ids are simply absent).
pub async fn facts(c: &mut Conn, ids: &[Uuid]) -> Result<Vec<OrgFacts>> {
    let rows: Vec<(Uuid, String, Option<Uuid>)> = o::table
        .filter(o::id.eq_any(ids))
        .select((o::id, o::code, o::parent_id))
        .load(c)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, code, parent)| OrgFacts {
            id,
            code,
            is_unit: parent.is_none(),
        })
        .collect())
}

pub async fn has_children(c: &mut Conn, id: OrganizationId) -> Result<bool> {
    Ok(
        diesel::select(diesel::dsl::exists(o::table.filter(o::parent_id.eq(id))))
            .get_result(c)
            .await?,
    )
}

/// The query `list` runs (the service builds it from its `OrgFilter`).
#[derive(Debug, Default)]
pub struct OrgQuery {
    pub kind: Option<OrgKind>,
    pub parent_id: Option<OrganizationId>,
    /// Only units (no parent) when `Some(true)`, only sub-units when `Some(false)`.
    pub units: Option<bool>,
    /// Valid on this date (`validFrom ≤ d ≤ validTo`).
    pub valid_on: Option<NaiveDate>,
    /// Not valid on this date (retired or not yet valid).
    pub invalid_on: Option<NaiveDate>,
    pub q: Option<String>,
    pub code: Option<String>,
    /// Keyset: codes after this one.
    pub after_code: Option<String>,
    pub limit: i64,
}

/// Ordered by code (unique and stable).
pub async fn list(c: &mut Conn, f: &OrgQuery) -> Result<Vec<OrgRow>> {
    let mut q = o::table
        .select(OrgRow::as_select())
        .order(o::code.asc())
        .limit(f.limit)
        .into_boxed();
    if let Some(k) = &f.kind {
        q = q.filter(o::kind.eq(*k));
    }
    if let Some(p) = f.parent_id {
        q = q.filter(o::parent_id.eq(p));
    }
    match f.units {
        Some(true) => q = q.filter(o::parent_id.is_null()),
        Some(false) => q = q.filter(o::parent_id.is_not_null()),
        None => {}
    }
    if let Some(d) = f.valid_on {
        q = q
            .filter(o::valid_from.is_null().or(o::valid_from.le(d)))
            .filter(o::valid_to.is_null().or(o::valid_to.ge(d)));
    }
    if let Some(d) = f.invalid_on {
        q = q.filter(o::valid_from.gt(d).or(o::valid_to.lt(d)));
    }
    if let Some(text) = &f.q {
        for p in like_patterns(text) {
            q = q.filter(o::search_text.like(thidua_fold(p)));
        }
    }
    if let Some(code) = &f.code {
        q = q.filter(o::code.eq(code.clone()));
    }
    if let Some(a) = &f.after_code {
        q = q.filter(o::code.gt(a.clone()));
    }
    Ok(q.load(c).await?)
}

/// Is the organisation referenced by anything (so it may only be retired)?
pub async fn is_referenced(c: &mut Conn, id: Uuid) -> Result<bool> {
    use super::schema::{people, term_members, users};
    Ok(diesel::select(
        diesel::dsl::exists(people::table.filter(people::organization_id.eq(id)))
            .or(diesel::dsl::exists(
                term_members::table.filter(term_members::organization_id.eq(id)),
            ))
            .or(diesel::dsl::exists(
                users::table.filter(users::organization_id.eq(id)),
            ))
            .or(diesel::dsl::exists(o::table.filter(o::parent_id.eq(id)))),
    )
    .get_result(c)
    .await?)
}

/// Is the organisation a member of any bloc term (B5 keeps it a unit)?
pub async fn is_term_member(c: &mut Conn, id: OrganizationId) -> Result<bool> {
    use super::schema::term_members as tm;
    Ok(diesel::select(diesel::dsl::exists(
        tm::table.filter(tm::organization_id.eq(id)),
    ))
    .get_result(c)
    .await?)
}
