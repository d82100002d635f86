//! What an import looks up by natural key and writes in bulk (chunks under
//! PostgreSQL's bind-parameter limit).

use diesel::prelude::*;
use diesel::sql_types::{Array, Jsonb, Nullable, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::Result;
use super::employments::NewEmployment;
use super::organizations::NewOrg;
use super::people::NewPerson;
use super::schema::{
    awards as aw, decisions as de, employments as e, organizations as o, people as p,
};
use super::titles::{AwardRow, DecisionRow};
use crate::domain::titles::AwardStatus;

/// Rows per insert statement (at most ~10 columns each: under 65,535 binds).
const CHUNK: usize = 4000;

/// Organisations by code: `(code, id, parent id)`.
pub async fn orgs_by_code(
    c: &mut Conn,
    codes: &[String],
) -> Result<Vec<(String, Uuid, Option<Uuid>)>> {
    Ok(o::table
        .filter(o::code.eq_any(codes))
        .select((o::code, o::id, o::parent_id))
        .load(c)
        .await?)
}

/// People by staff code: `(code, id, organisation)`.
pub async fn people_by_code(c: &mut Conn, codes: &[String]) -> Result<Vec<(String, Uuid, Uuid)>> {
    let rows: Vec<(Option<String>, Uuid, Uuid)> = p::table
        .filter(p::code.eq_any(codes))
        .select((p::code, p::id, p::organization_id))
        .load(c)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(code, id, org)| Some((code?, id, org)))
        .collect())
}

/// Insert organisations in file order (a sub-unit's parent may be a row
/// above it, so one statement per chunk keeps that order).
pub async fn insert_orgs(c: &mut Conn, rows: Vec<NewOrg>) -> Result<()> {
    let mut rows = rows;
    while !rows.is_empty() {
        let rest = rows.split_off(rows.len().min(CHUNK));
        diesel::insert_into(o::table)
            .values(rows)
            .execute(c)
            .await?;
        rows = rest;
    }
    Ok(())
}

/// Insert people, then replace the first employment the insert trigger
/// opened with the history the file gives.
pub async fn insert_people(
    c: &mut Conn,
    people: Vec<NewPerson>,
    history: Vec<NewEmployment>,
) -> Result<()> {
    let ids: Vec<Uuid> = people.iter().map(|p| p.id.uuid()).collect();
    let mut people = people;
    while !people.is_empty() {
        let rest = people.split_off(people.len().min(CHUNK));
        diesel::insert_into(p::table)
            .values(people)
            .execute(c)
            .await?;
        people = rest;
    }
    for chunk in ids.chunks(CHUNK * 4) {
        diesel::delete(e::table.filter(e::person_id.eq_any(chunk)))
            .execute(c)
            .await?;
    }
    let mut history = history;
    while !history.is_empty() {
        let rest = history.split_off(history.len().min(CHUNK));
        diesel::insert_into(e::table)
            .values(history)
            .execute(c)
            .await?;
        history = rest;
    }
    Ok(())
}

/// Decisions by number: the row when there is one.
pub async fn decisions_by_number(c: &mut Conn, numbers: &[String]) -> Result<Vec<DecisionRow>> {
    Ok(de::table
        .filter(de::number.eq_any(numbers))
        .select(DecisionRow::as_select())
        .load(c)
        .await?)
}

pub async fn insert_decisions(c: &mut Conn, rows: &[DecisionRow]) -> Result<()> {
    for chunk in rows.chunks(CHUNK) {
        diesel::insert_into(de::table)
            .values(chunk.to_vec())
            .execute(c)
            .await?;
    }
    Ok(())
}

/// Active awards of these people or organisations: `(award type, person,
/// organisation, year)` (C1's natural key).
pub async fn active_award_keys(
    c: &mut Conn,
    people: &[Uuid],
    orgs: &[Uuid],
) -> Result<Vec<(String, Option<Uuid>, Option<Uuid>, i32)>> {
    Ok(aw::table
        .filter(aw::status.eq(AwardStatus::Active))
        .filter(
            aw::person_id
                .eq_any(people)
                .or(aw::organization_id.eq_any(orgs)),
        )
        .select((aw::award_type, aw::person_id, aw::organization_id, aw::year))
        .load(c)
        .await?)
}

pub async fn insert_awards(c: &mut Conn, rows: &[AwardRow]) -> Result<()> {
    for chunk in rows.chunks(CHUNK) {
        diesel::insert_into(aw::table)
            .values(chunk.to_vec())
            .execute(c)
            .await?;
    }
    Ok(())
}

/// One change event per created entity, in one statement per chunk: the
/// import's audit row is its single audit record (docs/imports.md).
pub struct NewEvent {
    pub kind: &'static str,
    pub entity: &'static str,
    pub entity_id: String,
    pub organization_id: Option<Uuid>,
    pub data: serde_json::Value,
}

pub async fn append_events(c: &mut Conn, actor: Option<Uuid>, events: &[NewEvent]) -> Result<()> {
    for chunk in events.chunks(CHUNK) {
        let types: Vec<&str> = chunk.iter().map(|e| e.kind).collect();
        let entities: Vec<&str> = chunk.iter().map(|e| e.entity).collect();
        let ids: Vec<&str> = chunk.iter().map(|e| e.entity_id.as_str()).collect();
        let orgs: Vec<Option<Uuid>> = chunk.iter().map(|e| e.organization_id).collect();
        let data: Vec<&serde_json::Value> = chunk.iter().map(|e| &e.data).collect();
        diesel::sql_query(
            "INSERT INTO events (type, entity, entity_id, actor_id, organization_id, data)
             SELECT t, en, id, $5, o, d
               FROM unnest($1::text[], $2::text[], $3::text[], $4::uuid[], $6::jsonb[])
                    WITH ORDINALITY AS x(t, en, id, o, d, n)
              ORDER BY n",
        )
        .bind::<Array<Text>, _>(types)
        .bind::<Array<Text>, _>(entities)
        .bind::<Array<Text>, _>(ids)
        .bind::<Array<Nullable<SqlUuid>>, _>(orgs)
        .bind::<Nullable<SqlUuid>, _>(actor)
        .bind::<Array<Jsonb>, _>(data)
        .execute(c)
        .await?;
    }
    Ok(())
}

/// People whose imported history is closed: inactive.
pub async fn mark_left(c: &mut Conn, ids: &[Uuid]) -> Result<()> {
    for chunk in ids.chunks(CHUNK * 4) {
        diesel::update(p::table.filter(p::id.eq_any(chunk)))
            .set(p::active.eq(false))
            .execute(c)
            .await?;
    }
    Ok(())
}

/// Bloc terms by bloc code: `(bloc code, year, term id)`.
pub async fn terms_by_bloc(c: &mut Conn, codes: &[String]) -> Result<Vec<(String, i32, Uuid)>> {
    use super::schema::{bloc_terms as bt, blocs as bl};
    Ok(bt::table
        .inner_join(bl::table.on(bl::id.eq(bt::bloc_id)))
        .filter(bl::code.eq_any(codes))
        .select((bl::code, bt::year, bt::id))
        .load(c)
        .await?)
}

/// Blocs by code.
pub async fn blocs_by_code(c: &mut Conn, codes: &[String]) -> Result<Vec<String>> {
    use super::schema::blocs as bl;
    Ok(bl::table
        .filter(bl::code.eq_any(codes))
        .select(bl::code)
        .load(c)
        .await?)
}

/// The leading units recorded for these terms: `(term, unit, rank, votes,
/// from a ballot in thidua)`.
pub async fn leading_rows(
    c: &mut Conn,
    terms: &[Uuid],
) -> Result<Vec<(Uuid, Uuid, i32, i32, bool)>> {
    use super::schema::leading_units as lu;
    let rows: Vec<(Uuid, Uuid, i32, i32, Option<Uuid>)> = lu::table
        .filter(lu::term_id.eq_any(terms))
        .select((
            lu::term_id,
            lu::organization_id,
            lu::rank,
            lu::votes,
            lu::ballot_id,
        ))
        .load(c)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(t, o, r, v, b)| (t, o, r, v, b.is_some()))
        .collect())
}

/// A past ballot's leading units (no ballot in thidua: the minutes' reference).
pub struct NewLeading {
    pub term_id: Uuid,
    pub organization_id: Uuid,
    pub rank: i32,
    pub votes: i32,
    pub minutes_ref: String,
}

pub async fn insert_leading(c: &mut Conn, rows: &[NewLeading]) -> Result<()> {
    use super::schema::leading_units as lu;
    for chunk in rows.chunks(CHUNK) {
        let values: Vec<_> = chunk
            .iter()
            .map(|r| {
                (
                    lu::term_id.eq(r.term_id),
                    lu::organization_id.eq(r.organization_id),
                    lu::rank.eq(r.rank),
                    lu::votes.eq(r.votes),
                    lu::minutes_ref.eq(Some(r.minutes_ref.clone())),
                )
            })
            .collect();
        diesel::insert_into(lu::table)
            .values(values)
            .execute(c)
            .await?;
    }
    Ok(())
}
