//! Who the rules are about: organisation trees, their staff, the unit of a
//! subject, and a unit's bloc term with its leading units and flags (C9).

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::Result;
use crate::db::schema::{
    awards as aw, bloc_terms as bt, blocs as bl, leading_units as lu, organizations as o,
    term_members as tm,
};
use crate::domain::titles::AwardStatus;

/// Staff of these organisations on a day, from the staff history
/// (`NaiveDate::MAX`: those employed now), ordered by id.
pub async fn staff_of(
    c: &mut Conn,
    orgs: &[Uuid],
    on: NaiveDate,
) -> Result<Vec<(Uuid, Uuid, String)>> {
    crate::db::employments::staff_on(c, orgs, on).await
}

/// Staff of these organisations at any time in a year (each with their
/// latest place in it), ordered by id.
pub async fn staff_in_year(
    c: &mut Conn,
    orgs: &[Uuid],
    year: i32,
) -> Result<Vec<(Uuid, Uuid, String)>> {
    let from = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN);
    let to = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX);
    crate::db::employments::staff_during(c, orgs, from, to).await
}

/// An organisation and its sub-units: (id, parent, code, name).
pub async fn org_tree(
    c: &mut Conn,
    org: Uuid,
) -> Result<Vec<(Uuid, Option<Uuid>, String, String)>> {
    Ok(o::table
        .filter(o::id.eq(org).or(o::parent_id.eq(org)))
        .order(o::code.asc())
        .select((o::id, o::parent_id, o::code, o::name))
        .load(c)
        .await?)
}

/// Organisations and their sub-units: (id, parent, code, name).
pub async fn org_trees(
    c: &mut Conn,
    orgs: &[Uuid],
) -> Result<Vec<(Uuid, Option<Uuid>, String, String)>> {
    Ok(o::table
        .filter(o::id.eq_any(orgs).or(o::parent_id.eq_any(orgs)))
        .order(o::code.asc())
        .select((o::id, o::parent_id, o::code, o::name))
        .load(c)
        .await?)
}

/// The unit each subject belongs to (a unit for itself and its sub-units;
/// a person through their organisation): `(subject id, unit id)`. People
/// and organisations are looked up in one statement.
pub async fn units_of(c: &mut Conn, people: &[Uuid], orgs: &[Uuid]) -> Result<Vec<(Uuid, Uuid)>> {
    #[derive(QueryableByName)]
    struct R {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        subject: Uuid,
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        unit: Uuid,
    }
    let rows: Vec<R> = diesel::sql_query(
        "SELECT p.id AS subject, coalesce(o.parent_id, o.id) AS unit
           FROM people p JOIN organizations o ON o.id = p.organization_id
          WHERE p.id = ANY($1)
         UNION ALL
         SELECT o.id, coalesce(o.parent_id, o.id) FROM organizations o WHERE o.id = ANY($2)",
    )
    .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(people)
    .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(orgs)
    .load(c)
    .await?;
    Ok(rows.into_iter().map(|r| (r.subject, r.unit)).collect())
}

/// C9: the unit's term in a year: (term id, bloc code).
pub async fn term_of_member(
    c: &mut Conn,
    orgs: &[Uuid],
    year: i32,
) -> Result<Vec<(Uuid, Uuid, String)>> {
    Ok(tm::table
        .inner_join(bt::table.on(bt::id.eq(tm::term_id)))
        .inner_join(bl::table.on(bl::id.eq(bt::bloc_id)))
        .filter(tm::organization_id.eq_any(orgs))
        .filter(tm::year.eq(year))
        .select((tm::organization_id, bt::id, bl::code))
        .load(c)
        .await?)
}

/// C9: the elected leading units of these terms: (term, unit, rank).
pub async fn leading_of_terms(c: &mut Conn, terms: &[Uuid]) -> Result<Vec<(Uuid, Uuid, i32)>> {
    Ok(lu::table
        .filter(lu::term_id.eq_any(terms))
        .select((lu::term_id, lu::organization_id, lu::rank))
        .load(c)
        .await?)
}

/// C9: active provincial flags for the year held by members of these terms:
/// (term, unit).
pub async fn flags_in_terms(c: &mut Conn, terms: &[Uuid], year: i32) -> Result<Vec<(Uuid, Uuid)>> {
    Ok(aw::table
        .inner_join(
            tm::table.on(tm::organization_id
                .nullable()
                .eq(aw::organization_id)
                .and(tm::year.eq(aw::year))),
        )
        .filter(tm::term_id.eq_any(terms))
        .filter(aw::award_type.eq("co_thi_dua_tinh"))
        .filter(aw::status.eq(AwardStatus::Active))
        .filter(aw::year.eq(year))
        .select((tm::term_id, tm::organization_id))
        .load(c)
        .await?)
}
