//! Queries on scoring schemes, score sheets, ballots and leading units.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::Result;
use super::schema::{
    ballot_papers as bp, ballots as b, leading_units as lu, review_assignments as ra,
    score_entries as se, score_sheets as ss, scoring_criteria as sc, scoring_schemes as sch,
    scoring_sections as sec,
};
use crate::domain::ballot::BallotStatus;
use crate::domain::evaluation::{CriterionKind, SheetStatus};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sch)]
pub struct SchemeRow {
    pub id: Uuid,
    pub term_id: Uuid,
    pub total_cap: i32,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sec)]
pub struct SectionRow {
    pub id: Uuid,
    pub scheme_id: Uuid,
    pub position: i32,
    pub title: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sc)]
pub struct CriterionRow {
    pub id: Uuid,
    pub scheme_id: Uuid,
    pub section_id: Uuid,
    pub position: i32,
    pub code: String,
    pub text: String,
    pub kind: CriterionKind,
    pub min_points: i32,
    pub max_points: i32,
    pub pledge_item_id: Option<Uuid>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ss)]
pub struct SheetRow {
    pub id: Uuid,
    pub scheme_id: Uuid,
    pub subject_id: Uuid,
    pub reviewer_id: Uuid,
    pub status: SheetStatus,
    pub recusal_reason: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = se)]
pub struct EntryRow {
    pub sheet_id: Uuid,
    pub criterion_id: Uuid,
    pub points: i32,
    pub note: Option<String>,
    pub evidence_url: Option<String>,
}

pub async fn scheme_of(c: &mut Conn, term_id: Uuid) -> Result<Option<SchemeRow>> {
    Ok(sch::table
        .filter(sch::term_id.eq(term_id))
        .select(SchemeRow::as_select())
        .first(c)
        .await
        .optional()?)
}

pub async fn lock_scheme_of(c: &mut Conn, term_id: Uuid) -> Result<Option<SchemeRow>> {
    Ok(sch::table
        .filter(sch::term_id.eq(term_id))
        .select(SchemeRow::as_select())
        .for_update()
        .first(c)
        .await
        .optional()?)
}

/// Create or replace the scheme's content (sections and criteria).
pub async fn put_scheme(
    c: &mut Conn,
    existing: Option<&SchemeRow>,
    term_id: Uuid,
    cap: i32,
    sections: &[SectionRow],
    criteria: &[CriterionRow],
) -> Result<SchemeRow> {
    let scheme_id = sections
        .first()
        .map(|s| s.scheme_id)
        .unwrap_or_else(Uuid::now_v7);
    let row = match existing {
        Some(e) => {
            diesel::delete(sec::table.filter(sec::scheme_id.eq(e.id)))
                .execute(c)
                .await?;
            diesel::update(sch::table.find(e.id))
                .set((
                    sch::total_cap.eq(cap),
                    sch::version.eq(sch::version + 1),
                    sch::updated_at.eq(diesel::dsl::now),
                ))
                .returning(SchemeRow::as_returning())
                .get_result(c)
                .await?
        }
        None => {
            diesel::insert_into(sch::table)
                .values((
                    sch::id.eq(scheme_id),
                    sch::term_id.eq(term_id),
                    sch::total_cap.eq(cap),
                ))
                .returning(SchemeRow::as_returning())
                .get_result(c)
                .await?
        }
    };
    let fix_sections: Vec<SectionRow> = sections
        .iter()
        .cloned()
        .map(|mut s| {
            s.scheme_id = row.id;
            s
        })
        .collect();
    let fix_criteria: Vec<CriterionRow> = criteria
        .iter()
        .cloned()
        .map(|mut k| {
            k.scheme_id = row.id;
            k
        })
        .collect();
    diesel::insert_into(sec::table)
        .values(&fix_sections)
        .execute(c)
        .await?;
    diesel::insert_into(sc::table)
        .values(&fix_criteria)
        .execute(c)
        .await?;
    Ok(row)
}

pub async fn sections(c: &mut Conn, scheme_id: Uuid) -> Result<Vec<SectionRow>> {
    Ok(sec::table
        .filter(sec::scheme_id.eq(scheme_id))
        .order(sec::position.asc())
        .select(SectionRow::as_select())
        .load(c)
        .await?)
}

pub async fn criteria(c: &mut Conn, scheme_id: Uuid) -> Result<Vec<CriterionRow>> {
    Ok(sc::table
        .filter(sc::scheme_id.eq(scheme_id))
        .order(sc::position.asc())
        .select(CriterionRow::as_select())
        .load(c)
        .await?)
}

/// E1: has any score been entered under this scheme?
pub async fn scores_exist(c: &mut Conn, scheme_id: Uuid) -> Result<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        se::table
            .inner_join(ss::table.on(ss::id.eq(se::sheet_id)))
            .filter(ss::scheme_id.eq(scheme_id)),
    ))
    .get_result(c)
    .await?)
}

pub async fn set_assignments(c: &mut Conn, term_id: Uuid, pairs: &[(Uuid, Uuid)]) -> Result<()> {
    diesel::delete(ra::table.filter(ra::term_id.eq(term_id)))
        .execute(c)
        .await?;
    let rows: Vec<_> = pairs
        .iter()
        .map(|(r, s)| {
            (
                ra::term_id.eq(term_id),
                ra::reviewer_id.eq(*r),
                ra::subject_id.eq(*s),
            )
        })
        .collect();
    if !rows.is_empty() {
        diesel::insert_into(ra::table)
            .values(rows)
            .execute(c)
            .await?;
    }
    Ok(())
}

pub async fn assignments(c: &mut Conn, term_id: Uuid) -> Result<Vec<(Uuid, Uuid)>> {
    Ok(ra::table
        .filter(ra::term_id.eq(term_id))
        .select((ra::reviewer_id, ra::subject_id))
        .order((ra::reviewer_id, ra::subject_id))
        .load(c)
        .await?)
}

pub async fn lock_sheet(
    c: &mut Conn,
    scheme_id: Uuid,
    subject: Uuid,
    reviewer: Uuid,
) -> Result<Option<SheetRow>> {
    Ok(ss::table
        .filter(ss::scheme_id.eq(scheme_id))
        .filter(ss::subject_id.eq(subject))
        .filter(ss::reviewer_id.eq(reviewer))
        .select(SheetRow::as_select())
        .for_update()
        .first(c)
        .await
        .optional()?)
}

pub async fn sheet_by_id(c: &mut Conn, id: Uuid) -> Result<Option<SheetRow>> {
    Ok(ss::table
        .find(id)
        .select(SheetRow::as_select())
        .first(c)
        .await
        .optional()?)
}

pub async fn lock_sheet_by_id(c: &mut Conn, id: Uuid) -> Result<Option<SheetRow>> {
    Ok(ss::table
        .find(id)
        .select(SheetRow::as_select())
        .for_update()
        .first(c)
        .await
        .optional()?)
}

pub async fn insert_sheet(
    c: &mut Conn,
    scheme_id: Uuid,
    subject: Uuid,
    reviewer: Uuid,
) -> Result<SheetRow> {
    Ok(diesel::insert_into(ss::table)
        .values((
            ss::id.eq(Uuid::now_v7()),
            ss::scheme_id.eq(scheme_id),
            ss::subject_id.eq(subject),
            ss::reviewer_id.eq(reviewer),
        ))
        .on_conflict((ss::scheme_id, ss::subject_id, ss::reviewer_id))
        .do_update()
        .set(ss::updated_at.eq(diesel::dsl::now))
        .returning(SheetRow::as_returning())
        .get_result(c)
        .await?)
}

pub async fn set_sheet_status(
    c: &mut Conn,
    id: Uuid,
    status: SheetStatus,
    reason: Option<&str>,
) -> Result<SheetRow> {
    let submitted = (status == SheetStatus::Submitted).then(Utc::now);
    Ok(diesel::update(ss::table.find(id))
        .set((
            ss::status.eq(status),
            ss::recusal_reason.eq(reason),
            ss::submitted_at.eq(submitted),
            ss::version.eq(ss::version + 1),
            ss::updated_at.eq(diesel::dsl::now),
        ))
        .returning(SheetRow::as_returning())
        .get_result(c)
        .await?)
}

/// Replace a sheet's entries (two statements).
pub async fn set_entries(c: &mut Conn, sheet_id: Uuid, entries: &[EntryRow]) -> Result<()> {
    diesel::delete(se::table.filter(se::sheet_id.eq(sheet_id)))
        .execute(c)
        .await?;
    if !entries.is_empty() {
        diesel::insert_into(se::table)
            .values(entries)
            .execute(c)
            .await?;
    }
    diesel::update(ss::table.find(sheet_id))
        .set((
            ss::version.eq(ss::version + 1),
            ss::updated_at.eq(diesel::dsl::now),
        ))
        .execute(c)
        .await?;
    Ok(())
}

pub async fn sheets(c: &mut Conn, scheme_id: Uuid) -> Result<Vec<SheetRow>> {
    Ok(ss::table
        .filter(ss::scheme_id.eq(scheme_id))
        .order(ss::id.asc())
        .select(SheetRow::as_select())
        .load(c)
        .await?)
}

pub async fn entries(c: &mut Conn, scheme_id: Uuid) -> Result<Vec<EntryRow>> {
    Ok(se::table
        .inner_join(ss::table.on(ss::id.eq(se::sheet_id)))
        .filter(ss::scheme_id.eq(scheme_id))
        .select(EntryRow::as_select())
        .load(c)
        .await?)
}

pub async fn sheet_entries(c: &mut Conn, sheet_id: Uuid) -> Result<Vec<EntryRow>> {
    Ok(se::table
        .filter(se::sheet_id.eq(sheet_id))
        .select(EntryRow::as_select())
        .load(c)
        .await?)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = b)]
pub struct BallotRow {
    pub id: Uuid,
    pub term_id: Uuid,
    pub seats: i32,
    pub threshold_percent: i32,
    pub candidates: Vec<Uuid>,
    pub members: Vec<Uuid>,
    pub voters: Vec<Uuid>,
    pub status: BallotStatus,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i32,
}

pub async fn insert_ballot(
    c: &mut Conn,
    term_id: Uuid,
    seats: i32,
    threshold: i32,
    candidates: &[Uuid],
    members: &[Uuid],
) -> Result<BallotRow> {
    Ok(diesel::insert_into(b::table)
        .values((
            b::id.eq(Uuid::now_v7()),
            b::term_id.eq(term_id),
            b::seats.eq(seats),
            b::threshold_percent.eq(threshold),
            b::candidates.eq(candidates),
            b::members.eq(members),
        ))
        .returning(BallotRow::as_returning())
        .get_result(c)
        .await?)
}

pub async fn ballot(c: &mut Conn, id: Uuid) -> Result<Option<BallotRow>> {
    Ok(b::table
        .find(id)
        .select(BallotRow::as_select())
        .first(c)
        .await
        .optional()?)
}

pub async fn lock_ballot(c: &mut Conn, id: Uuid) -> Result<Option<BallotRow>> {
    Ok(b::table
        .find(id)
        .select(BallotRow::as_select())
        .for_update()
        .first(c)
        .await
        .optional()?)
}

pub async fn ballots_of(c: &mut Conn, term_id: Uuid) -> Result<Vec<BallotRow>> {
    Ok(b::table
        .filter(b::term_id.eq(term_id))
        .order(b::id.asc())
        .select(BallotRow::as_select())
        .load(c)
        .await?)
}

/// E4: the voter mark (kept sorted, so its order says nothing) and the paper
/// (random id, no time) in one statement.
pub async fn cast(c: &mut Conn, ballot_id: Uuid, voter: Uuid, choices: &[Uuid]) -> Result<()> {
    diesel::sql_query(
        "WITH mark AS (
             UPDATE ballots SET voters = (SELECT array_agg(v ORDER BY v) FROM unnest(array_append(voters, $2)) v)
              WHERE id = $1 RETURNING id)
         INSERT INTO ballot_papers (id, ballot_id, choices) SELECT $3, id, $4 FROM mark",
    )
    .bind::<diesel::sql_types::Uuid, _>(ballot_id)
    .bind::<diesel::sql_types::Uuid, _>(voter)
    .bind::<diesel::sql_types::Uuid, _>(Uuid::new_v4())
    .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(choices)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn papers(c: &mut Conn, ballot_id: Uuid) -> Result<Vec<Vec<Uuid>>> {
    Ok(bp::table
        .filter(bp::ballot_id.eq(ballot_id))
        .select(bp::choices)
        .load(c)
        .await?)
}

pub async fn close_ballot(c: &mut Conn, id: Uuid) -> Result<BallotRow> {
    Ok(diesel::update(b::table.find(id))
        .set((
            b::status.eq(BallotStatus::Closed),
            b::closed_at.eq(diesel::dsl::now),
            b::version.eq(b::version + 1),
        ))
        .returning(BallotRow::as_returning())
        .get_result(c)
        .await?)
}

/// Record the elected units as the term's leading units (replacing any earlier result).
pub async fn set_leading_units(
    c: &mut Conn,
    term_id: Uuid,
    ballot_id: Uuid,
    elected: &[(Uuid, i32, i32)],
) -> Result<()> {
    diesel::delete(lu::table.filter(lu::term_id.eq(term_id)))
        .execute(c)
        .await?;
    let rows: Vec<_> = elected
        .iter()
        .map(|(org, rank, votes)| {
            (
                lu::term_id.eq(term_id),
                lu::organization_id.eq(*org),
                lu::ballot_id.eq(ballot_id),
                lu::rank.eq(*rank),
                lu::votes.eq(*votes),
            )
        })
        .collect();
    if !rows.is_empty() {
        diesel::insert_into(lu::table)
            .values(rows)
            .execute(c)
            .await?;
    }
    Ok(())
}

pub async fn leading_units(c: &mut Conn, term_id: Uuid) -> Result<Vec<(Uuid, i32, i32)>> {
    Ok(lu::table
        .filter(lu::term_id.eq(term_id))
        .order(lu::rank.asc())
        .select((lu::organization_id, lu::rank, lu::votes))
        .load(c)
        .await?)
}
