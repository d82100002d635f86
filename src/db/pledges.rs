//! Queries on pledges, their items, targets, signatures and progress reports.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::Result;
use super::blocs::{MemberRow, TermRow};
use super::schema::{
    pledge_items as pi, pledge_signatures as ps, pledge_targets as pt, pledges as p,
    progress_reports as pr,
};
use crate::domain::ids::PledgeId;
use crate::domain::pledge::{Comparator, PledgeStatus, Subject, TargetKind};

#[derive(Debug, Clone, Queryable, Selectable, serde::Deserialize)]
#[diesel(table_name = p)]
pub struct PledgeRow {
    pub id: PledgeId,
    pub term_id: Uuid,
    pub title: String,
    pub theme: Option<String>,
    pub adopted_at_conference_id: Option<Uuid>,
    pub status: PledgeStatus,
    pub opened_at: Option<DateTime<Utc>>,
    pub in_force_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Deserialize)]
#[diesel(table_name = pi)]
pub struct ItemRow {
    pub id: Uuid,
    pub pledge_id: PledgeId,
    pub position: i32,
    pub text: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Deserialize)]
#[diesel(table_name = pt)]
pub struct TargetRow {
    pub id: Uuid,
    pub pledge_id: PledgeId,
    pub item_id: Uuid,
    pub position: i32,
    pub kind: TargetKind,
    pub subject: Subject,
    pub label: String,
    pub comparator: Option<Comparator>,
    pub target_value: Option<i64>,
    pub weight: Option<i32>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Deserialize)]
#[diesel(table_name = ps)]
pub struct SignatureRow {
    pub id: Uuid,
    pub pledge_id: PledgeId,
    pub organization_id: Uuid,
    pub signer_name: String,
    pub signer_position: String,
    pub signed_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: Option<Uuid>,
    pub on_behalf: bool,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Deserialize)]
#[diesel(table_name = pr)]
pub struct ReportRow {
    pub id: Uuid,
    pub pledge_id: PledgeId,
    pub target_id: Uuid,
    pub organization_id: Uuid,
    pub period: String,
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
    pub count_value: Option<i64>,
    pub done: Option<bool>,
    pub note: Option<String>,
    pub evidence: Vec<String>,
    pub reported_at: DateTime<Utc>,
    pub reported_by: Option<Uuid>,
    pub on_behalf: bool,
    pub superseded_at: Option<DateTime<Utc>>,
}

pub async fn insert(
    c: &mut Conn,
    id: PledgeId,
    term_id: Uuid,
    title: &str,
    theme: Option<&str>,
    conference: Option<Uuid>,
) -> Result<PledgeRow> {
    Ok(diesel::insert_into(p::table)
        .values((
            p::id.eq(id),
            p::term_id.eq(term_id),
            p::title.eq(title),
            p::theme.eq(theme),
            p::adopted_at_conference_id.eq(conference),
        ))
        .returning(PledgeRow::as_returning())
        .get_result(c)
        .await?)
}

/// A pledge with its term, members, items, targets and signatures, as one
/// statement reads them.
#[derive(Debug, serde::Deserialize)]
pub struct Full {
    pub pledge: PledgeRow,
    pub term: TermRow,
    pub members: Vec<MemberRow>,
    pub items: Vec<ItemRow>,
    pub targets: Vec<TargetRow>,
    pub signatures: Vec<SignatureRow>,
}

/// `Full` in ONE statement (one round trip, one plan): PostgreSQL builds the
/// nested document, serde reads it into the same rows the separate queries
/// return, in the same orders (members by code, items by position, targets
/// by item and position, signatures by time). Reports stay a typed query:
/// hundreds of them as JSON made the compliance matrix slower, not faster.
pub async fn full(c: &mut Conn, id: PledgeId) -> Result<Option<Full>> {
    let doc: Option<String> = FullQuery { id }.get_result(c).await.optional()?;
    doc.map(|d| serde_json::from_str(&d).map_err(super::Error::other))
        .transpose()
}

/// The statement of `full`. Diesel never caches `sql_query` text (it is
/// re-parsed and re-planned on every call, which the benchmark's profile
/// showed as PostgreSQL's parser on top); a type of its own with a static
/// query id is prepared once per connection and reused.
/// Its only parameter is the id, so PostgreSQL settles on one generic plan
/// (a boolean switch made it plan every call, a custom plan being cheaper).
struct FullQuery {
    id: PledgeId,
}

impl diesel::query_builder::QueryId for FullQuery {
    type QueryId = FullQuery;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl diesel::query_builder::Query for FullQuery {
    type SqlType = diesel::sql_types::Text;
}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for FullQuery {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        out.push_sql(
            "SELECT json_build_object(
                 'pledge', row_to_json(p),
                 'term', row_to_json(t),
                 'members', coalesce((
                     SELECT json_agg(json_build_object('term_id', m.term_id, 'id', o.id, 'code', o.code, 'name', o.name)
                                     ORDER BY o.code)
                       FROM term_members m JOIN organizations o ON o.id = m.organization_id
                      WHERE m.term_id = t.id), '[]'),
                 'items', coalesce((SELECT json_agg(i ORDER BY i.position) FROM pledge_items i
                                     WHERE i.pledge_id = p.id), '[]'),
                 'targets', coalesce((SELECT json_agg(x ORDER BY x.item_id, x.position) FROM pledge_targets x
                                       WHERE x.pledge_id = p.id), '[]'),
                 'signatures', coalesce((SELECT json_agg(s ORDER BY s.signed_at) FROM pledge_signatures s
                                          WHERE s.pledge_id = p.id), '[]')
             )::text
               FROM pledges p JOIN bloc_terms t ON t.id = p.term_id
              WHERE p.id = ",
        );
        out.push_bind_param::<diesel::sql_types::Uuid, _>(&self.id)?;
        Ok(())
    }
}

pub async fn get(c: &mut Conn, id: PledgeId) -> Result<Option<PledgeRow>> {
    Ok(p::table
        .find(id)
        .select(PledgeRow::as_select())
        .first(c)
        .await
        .optional()?)
}

pub async fn lock(c: &mut Conn, id: PledgeId) -> Result<Option<PledgeRow>> {
    Ok(p::table
        .find(id)
        .select(PledgeRow::as_select())
        .for_update()
        .first(c)
        .await
        .optional()?)
}

pub async fn lock_share(c: &mut Conn, id: PledgeId) -> Result<Option<PledgeRow>> {
    Ok(p::table
        .find(id)
        .select(PledgeRow::as_select())
        .for_share()
        .first(c)
        .await
        .optional()?)
}

/// The pledge of a term that is not withdrawn (P1).
pub async fn of_term(c: &mut Conn, term_id: Uuid) -> Result<Option<PledgeRow>> {
    Ok(p::table
        .filter(p::term_id.eq(term_id))
        .filter(p::status.ne(PledgeStatus::Withdrawn))
        .select(PledgeRow::as_select())
        .first(c)
        .await
        .optional()?)
}

pub async fn list(
    c: &mut Conn,
    term_ids: Option<&[Uuid]>,
    status: Option<PledgeStatus>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<PledgeRow>> {
    let mut q = p::table
        .select(PledgeRow::as_select())
        .order(p::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(t) = term_ids {
        q = q.filter(p::term_id.eq_any(t.to_vec()));
    }
    if let Some(s) = status {
        q = q.filter(p::status.eq(s));
    }
    if let Some(a) = after {
        q = q.filter(p::id.gt(a));
    }
    Ok(q.load(c).await?)
}

#[derive(AsChangeset, Default)]
#[diesel(table_name = p)]
pub struct PledgeChanges {
    pub title: Option<String>,
    pub theme: Option<Option<String>>,
    pub adopted_at_conference_id: Option<Option<Uuid>>,
    pub status: Option<PledgeStatus>,
    pub opened_at: Option<DateTime<Utc>>,
    pub in_force_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub withdrawn_at: Option<DateTime<Utc>>,
}

pub async fn update(c: &mut Conn, id: PledgeId, changes: PledgeChanges) -> Result<PledgeRow> {
    Ok(diesel::update(p::table.find(id))
        .set((
            changes,
            p::version.eq(p::version + 1),
            p::updated_at.eq(diesel::dsl::now),
        ))
        .returning(PledgeRow::as_returning())
        .get_result(c)
        .await?)
}

/// Insert items and their targets: two statements whatever the count.
pub async fn insert_items(c: &mut Conn, items: &[ItemRow], targets: &[TargetRow]) -> Result<()> {
    if !items.is_empty() {
        diesel::insert_into(pi::table)
            .values(items)
            .execute(c)
            .await?;
    }
    if !targets.is_empty() {
        diesel::insert_into(pt::table)
            .values(targets)
            .execute(c)
            .await?;
    }
    Ok(())
}

pub async fn delete_items(c: &mut Conn, pledge_id: PledgeId) -> Result<()> {
    diesel::delete(pi::table.filter(pi::pledge_id.eq(pledge_id)))
        .execute(c)
        .await?;
    Ok(())
}

pub async fn items(c: &mut Conn, pledge_id: PledgeId) -> Result<Vec<ItemRow>> {
    Ok(pi::table
        .filter(pi::pledge_id.eq(pledge_id))
        .order(pi::position.asc())
        .select(ItemRow::as_select())
        .load(c)
        .await?)
}

pub async fn targets(c: &mut Conn, pledge_id: PledgeId) -> Result<Vec<TargetRow>> {
    Ok(pt::table
        .filter(pt::pledge_id.eq(pledge_id))
        .order((pt::item_id.asc(), pt::position.asc()))
        .select(TargetRow::as_select())
        .load(c)
        .await?)
}

/// New item order in one statement (the position constraint is deferred).
pub async fn reorder(c: &mut Conn, pledge_id: PledgeId, ordered: &[Uuid]) -> Result<()> {
    let positions: Vec<i32> = (0..ordered.len() as i32).collect();
    diesel::sql_query(
        "UPDATE pledge_items i SET position = o.pos
           FROM unnest($2::uuid[], $3::int4[]) AS o(id, pos)
          WHERE i.id = o.id AND i.pledge_id = $1",
    )
    .bind::<diesel::sql_types::Uuid, _>(pledge_id)
    .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(ordered)
    .bind::<diesel::sql_types::Array<diesel::sql_types::Int4>, _>(positions)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn insert_signature(c: &mut Conn, s: &SignatureRow) -> Result<()> {
    diesel::insert_into(ps::table).values(s).execute(c).await?;
    Ok(())
}

pub async fn signatures(c: &mut Conn, pledge_id: PledgeId) -> Result<Vec<SignatureRow>> {
    Ok(ps::table
        .filter(ps::pledge_id.eq(pledge_id))
        .order(ps::signed_at.asc())
        .select(SignatureRow::as_select())
        .load(c)
        .await?)
}

/// Mark the current reports of these (target, unit, period) superseded and
/// insert the new ones: three statements for a whole batch (T5). First each
/// cell's transaction lock, taken in key order (two batches sharing cells
/// cannot deadlock): a concurrent report on the same cell waits here until
/// this one commits, and its UPDATE (a later statement, a fresh snapshot)
/// then finds this report current and supersedes it — never a second
/// current report (a unique violation, 409). Cells of other units, targets
/// or periods do not wait.
pub async fn insert_reports(c: &mut Conn, reports: &[ReportRow]) -> Result<()> {
    let targets: Vec<Uuid> = reports.iter().map(|r| r.target_id).collect();
    let orgs: Vec<Uuid> = reports.iter().map(|r| r.organization_id).collect();
    let periods: Vec<String> = reports.iter().map(|r| r.period.clone()).collect();
    diesel::sql_query(
        "SELECT pg_advisory_xact_lock(k.key) FROM (
             SELECT DISTINCT hashtextextended('progress_report:' || t::text || ':' || o::text || ':' || p, 0) AS key
               FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS u(t, o, p)
              ORDER BY 1) k",
    )
    .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(&targets)
    .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(&orgs)
    .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(&periods)
    .execute(c)
    .await?;
    diesel::sql_query(
        "UPDATE progress_reports r SET superseded_at = now()
           FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS k(target_id, organization_id, period)
          WHERE r.target_id = k.target_id AND r.organization_id = k.organization_id
            AND r.period = k.period AND r.superseded_at IS NULL",
    )
    .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(targets)
    .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(orgs)
    .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(periods)
    .execute(c)
    .await?;
    diesel::insert_into(pr::table)
        .values(reports)
        .execute(c)
        .await?;
    Ok(())
}

#[derive(Debug, Default)]
pub struct ReportFilter {
    pub organization_id: Option<Uuid>,
    pub target_id: Option<Uuid>,
    pub period: Option<String>,
    /// Include superseded reports.
    pub history: bool,
    pub after: Option<Uuid>,
    pub limit: i64,
}

pub async fn reports(
    c: &mut Conn,
    pledge_id: PledgeId,
    f: &ReportFilter,
) -> Result<Vec<ReportRow>> {
    let mut q = pr::table
        .filter(pr::pledge_id.eq(pledge_id))
        .select(ReportRow::as_select())
        .order(pr::id.asc())
        .limit(f.limit)
        .into_boxed();
    if let Some(o) = f.organization_id {
        q = q.filter(pr::organization_id.eq(o));
    }
    if let Some(t) = f.target_id {
        q = q.filter(pr::target_id.eq(t));
    }
    if let Some(p) = &f.period {
        q = q.filter(pr::period.eq(p.clone()));
    }
    if !f.history {
        q = q.filter(pr::superseded_at.is_null());
    }
    if let Some(a) = f.after {
        q = q.filter(pr::id.gt(a));
    }
    Ok(q.load(c).await?)
}

/// The reports in effect: current ones, or, as of a time, the last one
/// made by then for each (target, unit, period). One statement.
pub async fn effective_reports(
    c: &mut Conn,
    pledge_id: PledgeId,
    as_of: Option<DateTime<Utc>>,
) -> Result<Vec<ReportRow>> {
    match as_of {
        None => Ok(pr::table
            .filter(pr::pledge_id.eq(pledge_id))
            .filter(pr::superseded_at.is_null())
            .select(ReportRow::as_select())
            .load(c)
            .await?),
        Some(t) => Ok(pr::table
            .filter(pr::pledge_id.eq(pledge_id))
            .filter(pr::reported_at.le(t))
            .distinct_on((pr::target_id, pr::organization_id, pr::period))
            .order((
                pr::target_id,
                pr::organization_id,
                pr::period,
                pr::reported_at.desc(),
                pr::id.desc(),
            ))
            .select(ReportRow::as_select())
            .load(c)
            .await?),
    }
}
