//! Queries on the award catalogue, rule sets, yearly facts, registrations,
//! proposals, decisions and the award history.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::Value;
use uuid::Uuid;

use super::Conn;
use super::Result;
use super::schema::{
    award_types as at, awards as aw, bloc_terms as bt, blocs as bl, decisions as de,
    initiatives as ini, leading_units as lu, organizations as o, people as pe,
    person_year_facts as pf, proposal_items as pi, proposals as pr, registrations as rg,
    rule_sets as rs, term_members as tm,
};
use crate::domain::titles::{
    AwardStatus, AwardType, Discipline, Level, ProposalStatus, Rating, RuleSetScope,
};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = at)]
pub struct AwardTypeRow {
    pub code: String,
    pub kind: String,
    pub subject_kind: String,
    pub level: String,
    pub name_vi: String,
    pub name_en: String,
    pub legal_basis: String,
    pub position: i32,
}

pub async fn award_types(c: &mut Conn) -> Result<Vec<AwardTypeRow>> {
    Ok(at::table
        .order(at::position.asc())
        .select(AwardTypeRow::as_select())
        .load(c)
        .await?)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = rs)]
pub struct RuleSetRow {
    pub id: Uuid,
    pub code: String,
    pub version: i32,
    pub scope: RuleSetScope,
    pub name: String,
    pub legal_basis: String,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    pub params: Value,
    pub used_at: Option<DateTime<Utc>>,
    pub row_version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub async fn rule_sets(c: &mut Conn) -> Result<Vec<RuleSetRow>> {
    Ok(rs::table
        .order((rs::effective_from.asc(), rs::code.asc(), rs::version.asc()))
        .select(RuleSetRow::as_select())
        .load(c)
        .await?)
}

pub async fn rule_set(c: &mut Conn, id: Uuid) -> Result<Option<RuleSetRow>> {
    Ok(rs::table
        .find(id)
        .select(RuleSetRow::as_select())
        .first(c)
        .await
        .optional()?)
}

pub async fn lock_rule_set(c: &mut Conn, id: Uuid) -> Result<Option<RuleSetRow>> {
    Ok(rs::table
        .find(id)
        .select(RuleSetRow::as_select())
        .for_update()
        .first(c)
        .await
        .optional()?)
}

/// C0: the set in force on `day`: a provincial override before a national
/// set, then the latest start, then the highest version.
pub async fn rule_set_in_force(c: &mut Conn, day: NaiveDate) -> Result<Option<RuleSetRow>> {
    Ok(rs::table
        .filter(rs::effective_from.le(day))
        .filter(rs::effective_to.is_null().or(rs::effective_to.ge(day)))
        .order((
            rs::scope.desc(), // 'province' > 'national'
            rs::effective_from.desc(),
            rs::version.desc(),
        ))
        .select(RuleSetRow::as_select())
        .first(c)
        .await
        .optional()?)
}

pub async fn next_rule_set_version(c: &mut Conn, code: &str) -> Result<i32> {
    let max: Option<i32> = rs::table
        .filter(rs::code.eq(code))
        .select(diesel::dsl::max(rs::version))
        .first(c)
        .await?;
    Ok(max.unwrap_or(0) + 1)
}

pub async fn insert_rule_set(c: &mut Conn, row: &RuleSetRow) -> Result<RuleSetRow> {
    Ok(diesel::insert_into(rs::table)
        .values(row.clone())
        .returning(RuleSetRow::as_returning())
        .get_result(c)
        .await?)
}

pub struct RuleSetChanges {
    pub name: String,
    pub legal_basis: String,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    pub params: Value,
}

pub async fn update_rule_set(c: &mut Conn, id: Uuid, ch: RuleSetChanges) -> Result<RuleSetRow> {
    Ok(diesel::update(rs::table.find(id))
        .set((
            rs::name.eq(ch.name),
            rs::legal_basis.eq(ch.legal_basis),
            rs::effective_from.eq(ch.effective_from),
            rs::effective_to.eq(ch.effective_to),
            rs::params.eq(ch.params),
            rs::row_version.eq(rs::row_version + 1),
            rs::updated_at.eq(diesel::dsl::now),
        ))
        .returning(RuleSetRow::as_returning())
        .get_result(c)
        .await?)
}

/// C0: the first decision made under a set freezes it.
pub async fn mark_rule_set_used(c: &mut Conn, id: Uuid) -> Result<()> {
    diesel::update(rs::table.find(id).filter(rs::used_at.is_null()))
        .set(rs::used_at.eq(diesel::dsl::now))
        .execute(c)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = pf)]
pub struct FactsRow {
    pub person_id: Uuid,
    pub year: i32,
    pub rating: Rating,
    pub registered: bool,
    pub months_employed: i32,
    pub absent_days: i32,
    pub discipline: Discipline,
    pub discipline_until: Option<NaiveDate>,
    pub under_investigation: bool,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = pf)]
pub struct NewFacts {
    pub person_id: Uuid,
    pub year: i32,
    pub rating: Rating,
    pub registered: bool,
    pub months_employed: i32,
    pub absent_days: i32,
    pub discipline: Discipline,
    pub discipline_until: Option<NaiveDate>,
    pub under_investigation: bool,
}

/// Insert or replace a year's facts of many people in one statement.
pub async fn upsert_facts(c: &mut Conn, rows: &[NewFacts]) -> Result<()> {
    use diesel::upsert::excluded;
    if rows.is_empty() {
        return Ok(());
    }
    diesel::insert_into(pf::table)
        .values(rows)
        .on_conflict((pf::person_id, pf::year))
        .do_update()
        .set((
            pf::rating.eq(excluded(pf::rating)),
            pf::registered.eq(excluded(pf::registered)),
            pf::months_employed.eq(excluded(pf::months_employed)),
            pf::absent_days.eq(excluded(pf::absent_days)),
            pf::discipline.eq(excluded(pf::discipline)),
            pf::discipline_until.eq(excluded(pf::discipline_until)),
            pf::under_investigation.eq(excluded(pf::under_investigation)),
            pf::version.eq(pf::version + 1),
            pf::updated_at.eq(diesel::dsl::now),
        ))
        .execute(c)
        .await?;
    Ok(())
}

/// Every year's facts of these people.
pub async fn facts_of(c: &mut Conn, people: &[Uuid]) -> Result<Vec<FactsRow>> {
    Ok(pf::table
        .filter(pf::person_id.eq_any(people))
        .order((pf::person_id.asc(), pf::year.asc()))
        .select(FactsRow::as_select())
        .load(c)
        .await?)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = ini)]
pub struct InitiativeRow {
    pub id: Uuid,
    pub person_id: Uuid,
    pub year: i32,
    pub title: String,
    pub level: Level,
}

/// Replace the year's initiatives of these people.
pub async fn replace_initiatives(
    c: &mut Conn,
    people: &[Uuid],
    year: i32,
    rows: &[InitiativeRow],
) -> Result<()> {
    diesel::delete(
        ini::table
            .filter(ini::person_id.eq_any(people))
            .filter(ini::year.eq(year)),
    )
    .execute(c)
    .await?;
    if !rows.is_empty() {
        diesel::insert_into(ini::table)
            .values(rows)
            .execute(c)
            .await?;
    }
    Ok(())
}

pub async fn initiatives_of(c: &mut Conn, people: &[Uuid]) -> Result<Vec<InitiativeRow>> {
    Ok(ini::table
        .filter(ini::person_id.eq_any(people))
        .order((ini::person_id.asc(), ini::year.asc(), ini::id.asc()))
        .select(InitiativeRow::as_select())
        .load(c)
        .await?)
}

/// Staff of these organisations (active, started by `by`), ordered by id.
pub async fn staff_of(
    c: &mut Conn,
    orgs: &[Uuid],
    by: NaiveDate,
) -> Result<Vec<(Uuid, Uuid, String)>> {
    Ok(pe::table
        .filter(pe::organization_id.eq_any(orgs))
        .filter(pe::active.eq(true))
        .filter(
            pe::employment_start
                .is_null()
                .or(pe::employment_start.le(by)),
        )
        .order(pe::id.asc())
        .select((pe::id, pe::organization_id, pe::full_name))
        .load(c)
        .await?)
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

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = aw)]
pub struct AwardRow {
    pub id: Uuid,
    pub award_type: AwardType,
    pub person_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub year: i32,
    pub decision_id: Uuid,
    pub status: AwardStatus,
    pub eligibility: Value,
    pub overridden: bool,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoke_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The award history of these people, revoked ones included (C14 is the
/// domain's to apply).
pub async fn awards_of_people(c: &mut Conn, people: &[Uuid]) -> Result<Vec<AwardRow>> {
    Ok(aw::table
        .filter(aw::person_id.eq_any(people))
        .order((aw::year.asc(), aw::id.asc()))
        .select(AwardRow::as_select())
        .load(c)
        .await?)
}

pub async fn awards_of_orgs(c: &mut Conn, orgs: &[Uuid]) -> Result<Vec<AwardRow>> {
    Ok(aw::table
        .filter(aw::organization_id.eq_any(orgs))
        .order((aw::year.asc(), aw::id.asc()))
        .select(AwardRow::as_select())
        .load(c)
        .await?)
}

/// An award with its decision, as the history shows it: newest year first,
/// then by id; `after` is the (year, id) of the previous page's last row.
pub async fn history(
    c: &mut Conn,
    person: Option<Uuid>,
    org: Option<Uuid>,
    after: Option<(i32, Uuid)>,
    limit: i64,
) -> Result<Vec<(AwardRow, DecisionRow)>> {
    let mut q = aw::table
        .inner_join(de::table)
        .select((AwardRow::as_select(), DecisionRow::as_select()))
        .order((aw::year.desc(), aw::id.asc()))
        .limit(limit)
        .into_boxed();
    if let Some((year, id)) = after {
        q = q.filter(aw::year.lt(year).or(aw::year.eq(year).and(aw::id.gt(id))));
    }
    if let Some(p) = person {
        q = q.filter(aw::person_id.eq(p));
    }
    if let Some(o) = org {
        q = q.filter(aw::organization_id.eq(o));
    }
    Ok(q.load(c).await?)
}

pub async fn insert_awards(c: &mut Conn, rows: &[AwardRow]) -> Result<Vec<AwardRow>> {
    Ok(diesel::insert_into(aw::table)
        .values(rows.to_vec())
        .returning(AwardRow::as_returning())
        .get_results(c)
        .await?)
}

pub async fn lock_award(c: &mut Conn, id: Uuid) -> Result<Option<AwardRow>> {
    Ok(aw::table
        .find(id)
        .select(AwardRow::as_select())
        .for_update()
        .first(c)
        .await
        .optional()?)
}

pub async fn revoke_award(c: &mut Conn, id: Uuid, reason: &str) -> Result<AwardRow> {
    Ok(diesel::update(aw::table.find(id))
        .set((
            aw::status.eq(AwardStatus::Revoked),
            aw::revoked_at.eq(diesel::dsl::now),
            aw::revoke_reason.eq(reason),
        ))
        .returning(AwardRow::as_returning())
        .get_result(c)
        .await?)
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

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = pr)]
pub struct ProposalRow {
    pub id: Uuid,
    pub organization_id: Option<Uuid>,
    pub year: i32,
    pub title: String,
    pub status: ProposalStatus,
    pub return_reason: Option<String>,
    pub council_note: Option<String>,
    pub council_on: Option<NaiveDate>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = pi)]
pub struct ProposalItemRow {
    pub id: Uuid,
    pub proposal_id: Uuid,
    pub position: i32,
    pub award_type: AwardType,
    pub person_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub eligible: bool,
    pub eligibility: Value,
}

pub async fn insert_proposal(c: &mut Conn, p: &ProposalRow) -> Result<ProposalRow> {
    Ok(diesel::insert_into(pr::table)
        .values(p.clone())
        .returning(ProposalRow::as_returning())
        .get_result(c)
        .await?)
}

pub async fn proposal(c: &mut Conn, id: Uuid) -> Result<Option<ProposalRow>> {
    Ok(pr::table
        .find(id)
        .select(ProposalRow::as_select())
        .first(c)
        .await
        .optional()?)
}

pub async fn lock_proposal(c: &mut Conn, id: Uuid) -> Result<Option<ProposalRow>> {
    Ok(pr::table
        .find(id)
        .select(ProposalRow::as_select())
        .for_update()
        .first(c)
        .await
        .optional()?)
}

pub struct ProposalChanges {
    pub status: ProposalStatus,
    pub title: Option<String>,
    pub return_reason: Option<String>,
    pub council_note: Option<String>,
    pub council_on: Option<NaiveDate>,
}

pub async fn update_proposal(c: &mut Conn, id: Uuid, ch: ProposalChanges) -> Result<ProposalRow> {
    Ok(diesel::update(pr::table.find(id))
        .set((
            pr::status.eq(ch.status),
            ch.title.map(|t| pr::title.eq(t)),
            pr::return_reason.eq(ch.return_reason),
            pr::council_note.eq(ch.council_note),
            pr::council_on.eq(ch.council_on),
            pr::version.eq(pr::version + 1),
            pr::updated_at.eq(diesel::dsl::now),
        ))
        .returning(ProposalRow::as_returning())
        .get_result(c)
        .await?)
}

pub async fn proposals(
    c: &mut Conn,
    year: Option<i32>,
    org: Option<Uuid>,
    status: Option<ProposalStatus>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<ProposalRow>> {
    let mut q = pr::table
        .select(ProposalRow::as_select())
        .order(pr::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(y) = year {
        q = q.filter(pr::year.eq(y));
    }
    if let Some(o) = org {
        q = q.filter(pr::organization_id.eq(o));
    }
    if let Some(s) = status {
        q = q.filter(pr::status.eq(s));
    }
    if let Some(a) = after {
        q = q.filter(pr::id.gt(a));
    }
    Ok(q.load(c).await?)
}

pub async fn replace_items(c: &mut Conn, proposal: Uuid, items: &[ProposalItemRow]) -> Result<()> {
    diesel::delete(pi::table.filter(pi::proposal_id.eq(proposal)))
        .execute(c)
        .await?;
    if !items.is_empty() {
        diesel::insert_into(pi::table)
            .values(items.to_vec())
            .execute(c)
            .await?;
    }
    Ok(())
}

pub async fn items_of(c: &mut Conn, proposals: &[Uuid]) -> Result<Vec<ProposalItemRow>> {
    Ok(pi::table
        .filter(pi::proposal_id.eq_any(proposals))
        .order((pi::proposal_id.asc(), pi::position.asc()))
        .select(ProposalItemRow::as_select())
        .load(c)
        .await?)
}

/// Quotas (C4, C8 caps): the items of the proposer's live proposals for the
/// year (not rejected, not decided), other than `except`.
pub async fn live_items_of_proposer(
    c: &mut Conn,
    org: Option<Uuid>,
    year: i32,
    except: Uuid,
) -> Result<Vec<ProposalItemRow>> {
    let mut q = pi::table
        .inner_join(pr::table)
        .filter(pr::year.eq(year))
        .filter(pr::id.ne(except))
        .filter(pr::status.eq_any(live_statuses()))
        .select(ProposalItemRow::as_select())
        .into_boxed();
    q = match org {
        Some(o) => q.filter(pr::organization_id.eq(o)),
        None => q.filter(pr::organization_id.is_null()),
    };
    Ok(q.load(c).await?)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = de)]
pub struct DecisionRow {
    pub id: Uuid,
    pub number: String,
    pub decided_on: NaiveDate,
    pub signer: String,
    pub issuing_body: String,
    pub year: i32,
    pub proposal_id: Option<Uuid>,
    pub rule_set_id: Uuid,
    pub override_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub async fn insert_decision(c: &mut Conn, d: &DecisionRow) -> Result<DecisionRow> {
    Ok(diesel::insert_into(de::table)
        .values(d.clone())
        .returning(DecisionRow::as_returning())
        .get_result(c)
        .await?)
}

pub async fn decision(c: &mut Conn, id: Uuid) -> Result<Option<DecisionRow>> {
    Ok(de::table
        .find(id)
        .select(DecisionRow::as_select())
        .first(c)
        .await
        .optional()?)
}

pub async fn decisions(
    c: &mut Conn,
    year: Option<i32>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<DecisionRow>> {
    let mut q = de::table
        .select(DecisionRow::as_select())
        .order(de::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(y) = year {
        q = q.filter(de::year.eq(y));
    }
    if let Some(a) = after {
        q = q.filter(de::id.gt(a));
    }
    Ok(q.load(c).await?)
}

pub async fn awards_of_decision(c: &mut Conn, decision: Uuid) -> Result<Vec<AwardRow>> {
    Ok(aw::table
        .filter(aw::decision_id.eq(decision))
        .order(aw::id.asc())
        .select(AwardRow::as_select())
        .load(c)
        .await?)
}

/// Quotas: one proposer's list for a year is counted and changed by one
/// transaction at a time.
pub async fn lock_quota(c: &mut Conn, proposer: Option<Uuid>, year: i32) -> Result<()> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(7474100, hashtext($1))")
        .bind::<diesel::sql_types::Text, _>(format!(
            "{}:{year}",
            proposer.map(|p| p.to_string()).unwrap_or_default()
        ))
        .execute(c)
        .await?;
    Ok(())
}

/// C0: versions of one rule-set code are numbered by one writer at a time.
pub async fn lock_rule_set_code(c: &mut Conn, code: &str) -> Result<()> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(7474101, hashtext($1))")
        .bind::<diesel::sql_types::Text, _>(code)
        .execute(c)
        .await?;
    Ok(())
}

/// Quotas: active awards of the year for these people or organisations.
pub async fn active_awards_for_year(
    c: &mut Conn,
    people: &[Uuid],
    orgs: &[Uuid],
    year: i32,
) -> Result<Vec<AwardRow>> {
    Ok(aw::table
        .filter(aw::year.eq(year))
        .filter(aw::status.eq(AwardStatus::Active))
        .filter(
            aw::person_id
                .eq_any(people)
                .or(aw::organization_id.eq_any(orgs)),
        )
        .select(AwardRow::as_select())
        .load(c)
        .await?)
}

/// The active awards made by decisions on a proposal.
pub async fn awards_of_proposal(c: &mut Conn, proposal: Uuid) -> Result<Vec<AwardRow>> {
    Ok(aw::table
        .inner_join(de::table)
        .filter(de::proposal_id.eq(proposal))
        .filter(aw::status.eq(AwardStatus::Active))
        .select(AwardRow::as_select())
        .load(c)
        .await?)
}

/// The statuses counted against a proposer's quotas.
fn live_statuses() -> Vec<ProposalStatus> {
    ProposalStatus::ALL
        .iter()
        .copied()
        .filter(|s| s.live())
        .collect()
}
