//! Queries on `blocs`, `bloc_terms` and `term_members`.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::Result;
use super::schema::{bloc_terms as t, blocs as b, organizations as o, term_members as m};
use crate::domain::registry::BlocKind;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = b)]
pub struct BlocRow {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub kind: BlocKind,
    pub description: Option<String>,
    pub rotate_head: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Insertable)]
#[diesel(table_name = b)]
pub struct NewBloc {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub kind: BlocKind,
    pub description: Option<String>,
    pub rotate_head: bool,
}

#[derive(AsChangeset, Default)]
#[diesel(table_name = b)]
pub struct BlocChanges {
    pub name: Option<String>,
    pub kind: Option<BlocKind>,
    pub description: Option<Option<String>>,
    pub rotate_head: Option<bool>,
}

pub async fn insert(c: &mut Conn, new: NewBloc) -> Result<BlocRow> {
    Ok(diesel::insert_into(b::table)
        .values(new)
        .returning(BlocRow::as_returning())
        .get_result(c)
        .await?)
}

pub async fn get(c: &mut Conn, id: Uuid) -> Result<Option<BlocRow>> {
    Ok(b::table
        .find(id)
        .select(BlocRow::as_select())
        .first(c)
        .await
        .optional()?)
}

pub async fn by_code(c: &mut Conn, code: &str) -> Result<Option<BlocRow>> {
    Ok(b::table
        .filter(b::code.eq(code))
        .select(BlocRow::as_select())
        .first(c)
        .await
        .optional()?)
}

pub async fn lock(c: &mut Conn, id: Uuid) -> Result<Option<BlocRow>> {
    Ok(b::table
        .find(id)
        .select(BlocRow::as_select())
        .for_update()
        .first(c)
        .await
        .optional()?)
}

pub async fn update(c: &mut Conn, id: Uuid, changes: BlocChanges) -> Result<BlocRow> {
    Ok(diesel::update(b::table.find(id))
        .set((
            changes,
            b::version.eq(b::version + 1),
            b::updated_at.eq(diesel::dsl::now),
        ))
        .returning(BlocRow::as_returning())
        .get_result(c)
        .await?)
}

pub async fn list(
    c: &mut Conn,
    kind: Option<BlocKind>,
    code: Option<&str>,
    after_code: Option<&str>,
    limit: i64,
) -> Result<Vec<BlocRow>> {
    let mut q = b::table
        .select(BlocRow::as_select())
        .order(b::code.asc())
        .limit(limit)
        .into_boxed();
    if let Some(k) = kind {
        q = q.filter(b::kind.eq(k));
    }
    if let Some(code) = code {
        q = q.filter(b::code.eq(code.to_string()));
    }
    if let Some(a) = after_code {
        q = q.filter(b::code.gt(a.to_string()));
    }
    Ok(q.load(c).await?)
}

#[derive(Debug, Clone, Queryable, Selectable, serde::Deserialize)]
#[diesel(table_name = t)]
pub struct TermRow {
    pub id: Uuid,
    pub bloc_id: Uuid,
    pub year: i32,
    pub head_id: Uuid,
    pub deputy_id: Option<Uuid>,
    pub reporting_cutoff: NaiveDate,
    pub frozen_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub registration_deadline: Option<NaiveDate>,
}

/// A member as shown with its term.
#[derive(Debug, Clone, Queryable, serde::Deserialize)]
pub struct MemberRow {
    pub term_id: Uuid,
    pub id: Uuid,
    pub code: String,
    pub name: String,
}

pub async fn term(c: &mut Conn, bloc_id: Uuid, year: i32) -> Result<Option<TermRow>> {
    Ok(t::table
        .filter(t::bloc_id.eq(bloc_id))
        .filter(t::year.eq(year))
        .select(TermRow::as_select())
        .first(c)
        .await
        .optional()?)
}

pub async fn lock_term(c: &mut Conn, bloc_id: Uuid, year: i32) -> Result<Option<TermRow>> {
    Ok(t::table
        .filter(t::bloc_id.eq(bloc_id))
        .filter(t::year.eq(year))
        .select(TermRow::as_select())
        .for_update()
        .first(c)
        .await
        .optional()?)
}

/// Members of several terms at once, ordered by code.
pub async fn members(c: &mut Conn, term_ids: &[Uuid]) -> Result<Vec<MemberRow>> {
    Ok(m::table
        .inner_join(o::table)
        .filter(m::term_id.eq_any(term_ids))
        .select((m::term_id, o::id, o::code, o::name))
        .order(o::code.asc())
        .load(c)
        .await?)
}

/// Terms of a bloc, newest first.
pub async fn terms_of(c: &mut Conn, bloc_id: Uuid) -> Result<Vec<TermRow>> {
    Ok(t::table
        .filter(t::bloc_id.eq(bloc_id))
        .order(t::year.desc())
        .select(TermRow::as_select())
        .load(c)
        .await?)
}

pub struct TermValues {
    pub head_id: Uuid,
    pub deputy_id: Option<Uuid>,
    pub reporting_cutoff: NaiveDate,
}

pub async fn insert_term(
    c: &mut Conn,
    bloc_id: Uuid,
    year: i32,
    v: &TermValues,
) -> Result<TermRow> {
    Ok(diesel::insert_into(t::table)
        .values((
            t::id.eq(Uuid::now_v7()),
            t::bloc_id.eq(bloc_id),
            t::year.eq(year),
            t::head_id.eq(v.head_id),
            t::deputy_id.eq(v.deputy_id),
            t::reporting_cutoff.eq(v.reporting_cutoff),
        ))
        .returning(TermRow::as_returning())
        .get_result(c)
        .await?)
}

pub async fn update_term(c: &mut Conn, id: Uuid, v: &TermValues) -> Result<TermRow> {
    Ok(diesel::update(t::table.find(id))
        .set((
            t::head_id.eq(v.head_id),
            t::deputy_id.eq(v.deputy_id),
            t::reporting_cutoff.eq(v.reporting_cutoff),
            t::version.eq(t::version + 1),
            t::updated_at.eq(diesel::dsl::now),
        ))
        .returning(TermRow::as_returning())
        .get_result(c)
        .await?)
}

/// Replace the member list in two statements.
pub async fn set_members(c: &mut Conn, term_id: Uuid, year: i32, orgs: &[Uuid]) -> Result<()> {
    diesel::delete(m::table.filter(m::term_id.eq(term_id)))
        .execute(c)
        .await?;
    let rows: Vec<_> = orgs
        .iter()
        .map(|org| {
            (
                m::term_id.eq(term_id),
                m::year.eq(year),
                m::organization_id.eq(*org),
            )
        })
        .collect();
    diesel::insert_into(m::table)
        .values(rows)
        .execute(c)
        .await?;
    Ok(())
}

/// Members of `orgs` in another bloc's term that year: (unit code, bloc code).
pub async fn taken(
    c: &mut Conn,
    orgs: &[Uuid],
    year: i32,
    bloc_id: Uuid,
) -> Result<Vec<(String, String)>> {
    Ok(m::table
        .inner_join(o::table)
        .inner_join(t::table.on(t::id.eq(m::term_id)))
        .inner_join(b::table.on(b::id.eq(t::bloc_id)))
        .filter(m::year.eq(year))
        .filter(m::organization_id.eq_any(orgs))
        .filter(t::bloc_id.ne(bloc_id))
        .select((o::code, b::code))
        .order(o::code.asc())
        .load(c)
        .await?)
}

/// Heads of the bloc in the years around `year`.
pub async fn neighbour_heads(c: &mut Conn, bloc_id: Uuid, year: i32) -> Result<Vec<(i32, Uuid)>> {
    Ok(t::table
        .filter(t::bloc_id.eq(bloc_id))
        .filter(t::year.eq_any([year.saturating_sub(1), year.saturating_add(1)]))
        .select((t::year, t::head_id))
        .load(c)
        .await?)
}

/// For each organisation, the last year before `year` it headed this bloc.
pub async fn last_head_years(
    c: &mut Conn,
    bloc_id: Uuid,
    year: i32,
    orgs: &[Uuid],
) -> Result<Vec<(Uuid, Option<i32>)>> {
    Ok(t::table
        .filter(t::bloc_id.eq(bloc_id))
        .filter(t::year.lt(year))
        .filter(t::head_id.eq_any(orgs))
        .group_by(t::head_id)
        .select((t::head_id, diesel::dsl::max(t::year)))
        .load(c)
        .await?)
}

pub async fn term_by_id(c: &mut Conn, id: Uuid) -> Result<Option<TermRow>> {
    Ok(t::table
        .find(id)
        .select(TermRow::as_select())
        .first(c)
        .await
        .optional()?)
}

pub async fn lock_term_by_id(c: &mut Conn, id: Uuid) -> Result<Option<TermRow>> {
    Ok(t::table
        .find(id)
        .select(TermRow::as_select())
        .for_update()
        .first(c)
        .await
        .optional()?)
}

/// B4: the term freezes when its pledge opens.
pub async fn freeze(c: &mut Conn, id: Uuid) -> Result<()> {
    diesel::update(t::table.find(id))
        .set(t::frozen_at.eq(diesel::dsl::now))
        .execute(c)
        .await?;
    Ok(())
}

/// T8: the admin moves the reporting cut-off.
pub async fn set_cutoff(c: &mut Conn, id: Uuid, cutoff: NaiveDate) -> Result<TermRow> {
    Ok(diesel::update(t::table.find(id))
        .set((
            t::reporting_cutoff.eq(cutoff),
            t::version.eq(t::version + 1),
            t::updated_at.eq(diesel::dsl::now),
        ))
        .returning(TermRow::as_returning())
        .get_result(c)
        .await?)
}

/// The term's deadline for registrations (đăng ký thi đua).
pub async fn set_registration_deadline(
    c: &mut Conn,
    id: Uuid,
    deadline: Option<NaiveDate>,
) -> Result<TermRow> {
    Ok(diesel::update(t::table.find(id))
        .set((
            t::registration_deadline.eq(deadline),
            t::version.eq(t::version + 1),
            t::updated_at.eq(diesel::dsl::now),
        ))
        .returning(TermRow::as_returning())
        .get_result(c)
        .await?)
}

/// Term ids of a bloc (optionally one year), for filtering pledges.
pub async fn term_ids(c: &mut Conn, bloc_id: Option<Uuid>, year: Option<i32>) -> Result<Vec<Uuid>> {
    let mut q = t::table.select(t::id).into_boxed();
    if let Some(b) = bloc_id {
        q = q.filter(t::bloc_id.eq(b));
    }
    if let Some(y) = year {
        q = q.filter(t::year.eq(y));
    }
    Ok(q.load(c).await?)
}
