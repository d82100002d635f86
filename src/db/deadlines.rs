//! Queries of deadlines and reminders (issue 17, item 5): a term's
//! deadline settings, the facts the rules read (signatures, reports per
//! period, registrations, finished score sheets), the scan claims
//! (`FOR UPDATE SKIP LOCKED`), the notices (unique per unit, deadline and
//! lead time) and their mail.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::Result;
use super::schema::deadline_notices as dn;
use super::schema::term_deadline_settings as tds;
use crate::domain::deadlines::{DeadlineKind, NoticeKind};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = tds)]
pub struct SettingsRow {
    pub term_id: Uuid,
    pub reporting_periods: Vec<String>,
    pub due_dates: serde_json::Value,
    pub lead_days: Vec<i32>,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

pub async fn settings(c: &mut Conn, term_id: Uuid) -> Result<Option<SettingsRow>> {
    Ok(tds::table
        .find(term_id)
        .select(SettingsRow::as_select())
        .first(c)
        .await
        .optional()?)
}

/// Insert or replace a term's settings (the version counts the writes).
pub async fn put_settings(
    c: &mut Conn,
    term_id: Uuid,
    periods: &[String],
    due_dates: &serde_json::Value,
    lead_days: &[i32],
) -> Result<SettingsRow> {
    Ok(diesel::insert_into(tds::table)
        .values((
            tds::term_id.eq(term_id),
            tds::reporting_periods.eq(periods),
            tds::due_dates.eq(due_dates),
            tds::lead_days.eq(lead_days),
        ))
        .on_conflict(tds::term_id)
        .do_update()
        .set((
            tds::reporting_periods.eq(periods),
            tds::due_dates.eq(due_dates),
            tds::lead_days.eq(lead_days),
            tds::version.eq(tds::version + 1),
            tds::updated_at.eq(diesel::dsl::now),
        ))
        .returning(SettingsRow::as_returning())
        .get_result(c)
        .await?)
}

// ------------------------------------------------------------------ facts

/// Units that signed the pledge.
pub async fn signers(c: &mut Conn, pledge_id: Uuid) -> Result<Vec<Uuid>> {
    use super::schema::pledge_signatures as s;
    Ok(s::table
        .filter(s::pledge_id.eq(pledge_id))
        .select(s::organization_id)
        .load(c)
        .await?)
}

/// How many of the pledge's targets take a report (all but qualitative).
pub async fn reportable_targets(c: &mut Conn, pledge_id: Uuid) -> Result<i64> {
    use super::schema::pledge_targets as t;
    Ok(t::table
        .filter(t::pledge_id.eq(pledge_id))
        .filter(t::kind.ne("qualitative"))
        .count()
        .get_result(c)
        .await?)
}

#[derive(diesel::QueryableByName)]
pub struct ReportedRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub organization_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub period: String,
    #[diesel(sql_type = diesel::sql_types::Int8)]
    pub targets: i64,
}

/// Per (unit, period): how many reportable targets it reported.
pub async fn reported(c: &mut Conn, pledge_id: Uuid) -> Result<Vec<ReportedRow>> {
    Ok(diesel::sql_query(
        "SELECT r.organization_id, r.period, count(DISTINCT r.target_id) AS targets
           FROM progress_reports r
           JOIN pledge_targets t ON t.id = r.target_id AND t.kind <> 'qualitative'
          WHERE r.pledge_id = $1
          GROUP BY r.organization_id, r.period",
    )
    .bind::<diesel::sql_types::Uuid, _>(pledge_id)
    .load(c)
    .await?)
}

/// Units among `units` registered for `year`.
pub async fn registered(c: &mut Conn, year: i32, units: &[Uuid]) -> Result<Vec<Uuid>> {
    use super::schema::registrations as r;
    Ok(r::table
        .filter(r::year.eq(year))
        .filter(r::organization_id.eq_any(units))
        .select(r::organization_id)
        .load(c)
        .await?)
}

/// (reviewer, subject) of the scheme's sheets submitted or recused.
pub async fn finished_sheets(c: &mut Conn, scheme_id: Uuid) -> Result<Vec<(Uuid, Uuid)>> {
    use super::schema::score_sheets as s;
    Ok(s::table
        .filter(s::scheme_id.eq(scheme_id))
        .filter(s::status.eq_any(["submitted", "recused"]))
        .select((s::reviewer_id, s::subject_id))
        .load(c)
        .await?)
}

/// The terms a caller's list may cover: those `unit` is a member of, or
/// every term (`None`).
pub async fn term_ids_of(c: &mut Conn, unit: Option<Uuid>) -> Result<Vec<Uuid>> {
    use super::schema::bloc_terms as t;
    use super::schema::term_members as m;
    Ok(match unit {
        Some(u) => {
            m::table
                .filter(m::organization_id.eq(u))
                .select(m::term_id)
                .order(m::term_id)
                .load(c)
                .await?
        }
        None => t::table.select(t::id).order(t::id).load(c).await?,
    })
}

// ------------------------------------------------------------------ scans

#[derive(diesel::QueryableByName)]
struct TermId {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    term_id: Uuid,
}

/// Claim up to `limit` terms whose deadlines are due a look, and put their
/// next look `every_ms` ahead; the rows stay locked (`FOR UPDATE SKIP
/// LOCKED`) until the caller's transaction ends, so another instance takes
/// other terms meanwhile. Terms without a scan row get one first (in id
/// order, so two instances adding the same new terms cannot deadlock).
pub async fn claim_scans(c: &mut Conn, limit: i64, every_ms: i64) -> Result<Vec<Uuid>> {
    diesel::sql_query(
        "INSERT INTO deadline_scans (term_id)
         SELECT t.id FROM bloc_terms t
          WHERE NOT EXISTS (SELECT 1 FROM deadline_scans s WHERE s.term_id = t.id)
          ORDER BY t.id
         ON CONFLICT (term_id) DO NOTHING",
    )
    .execute(c)
    .await?;
    let rows: Vec<TermId> = diesel::sql_query(
        "WITH due AS (
             SELECT term_id FROM deadline_scans WHERE next_at <= now()
             ORDER BY next_at LIMIT $1 FOR UPDATE SKIP LOCKED)
         UPDATE deadline_scans s SET next_at = now() + make_interval(secs => $2 / 1000.0)
           FROM due WHERE s.term_id = due.term_id
         RETURNING s.term_id",
    )
    .bind::<diesel::sql_types::Int8, _>(limit)
    .bind::<diesel::sql_types::Int8, _>(every_ms)
    .load(c)
    .await?;
    Ok(rows.into_iter().map(|r| r.term_id).collect())
}

/// Look at a term again at once (its settings changed).
pub async fn rescan_now(c: &mut Conn, term_id: Uuid) -> Result<()> {
    use super::schema::deadline_scans as s;
    diesel::insert_into(s::table)
        .values((s::term_id.eq(term_id), s::next_at.eq(diesel::dsl::now)))
        .on_conflict(s::term_id)
        .do_update()
        .set(s::next_at.eq(diesel::dsl::now))
        .execute(c)
        .await?;
    Ok(())
}

// ------------------------------------------------------------------ notices

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = dn)]
pub struct NewNotice {
    pub id: Uuid,
    pub term_id: Uuid,
    pub organization_id: Uuid,
    pub kind: DeadlineKind,
    pub period: String,
    pub due_on: NaiveDate,
    pub notice: NoticeKind,
    pub lead_days: i32,
    /// `pending` where mail is configured, else `none`.
    pub mail_status: String,
}

/// Insert the notice unless one with the same (term, unit, kind, period,
/// due date, notice, lead time) exists: `true` when this call inserted it.
pub async fn insert_notice(c: &mut Conn, n: &NewNotice) -> Result<bool> {
    let inserted = diesel::insert_into(dn::table)
        .values(n)
        .on_conflict_do_nothing()
        .execute(c)
        .await?;
    Ok(inserted == 1)
}

pub async fn set_notice_event(c: &mut Conn, id: Uuid, event_id: i64) -> Result<()> {
    diesel::update(dn::table.find(id))
        .set(dn::event_id.eq(event_id))
        .execute(c)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = dn)]
pub struct NoticeRow {
    pub id: Uuid,
    pub term_id: Uuid,
    pub organization_id: Uuid,
    pub kind: DeadlineKind,
    pub period: String,
    pub due_on: NaiveDate,
    pub notice: NoticeKind,
    pub lead_days: i32,
    pub event_id: Option<i64>,
    pub mail_attempts: i32,
}

#[derive(diesel::QueryableByName)]
struct NoticeId {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
}

/// Claim up to `limit` notices whose mail is pending, for `lease_ms`.
pub async fn claim_mail(c: &mut Conn, limit: i64, lease_ms: i64) -> Result<Vec<NoticeRow>> {
    let ids: Vec<NoticeId> = diesel::sql_query(
        "WITH due AS (
             SELECT id FROM deadline_notices
              WHERE mail_status = 'pending'
                AND (mail_claimed_until IS NULL OR mail_claimed_until < now())
              ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED)
         UPDATE deadline_notices n
            SET mail_claimed_until = now() + make_interval(secs => $2 / 1000.0)
           FROM due WHERE n.id = due.id
         RETURNING n.id",
    )
    .bind::<diesel::sql_types::Int8, _>(limit)
    .bind::<diesel::sql_types::Int8, _>(lease_ms)
    .load(c)
    .await?;
    let ids: Vec<Uuid> = ids.into_iter().map(|r| r.id).collect();
    Ok(dn::table
        .filter(dn::id.eq_any(ids))
        .select(NoticeRow::as_select())
        .load(c)
        .await?)
}

/// Record what came of a mail: `sent`, or `failed` after `max_attempts`,
/// else pending again (retried when the claim lapses).
pub async fn finish_mail(
    c: &mut Conn,
    id: Uuid,
    error: Option<&str>,
    max_attempts: i32,
) -> Result<()> {
    match error {
        None => {
            diesel::update(dn::table.find(id))
                .set((
                    dn::mail_status.eq("sent"),
                    dn::mail_attempts.eq(dn::mail_attempts + 1),
                    dn::mail_error.eq(None::<String>),
                ))
                .execute(c)
                .await?;
        }
        Some(e) => {
            diesel::sql_query(
                "UPDATE deadline_notices
                    SET mail_attempts = mail_attempts + 1, mail_error = $2,
                        mail_status = CASE WHEN mail_attempts + 1 >= $3 THEN 'failed' ELSE 'pending' END
                  WHERE id = $1",
            )
            .bind::<diesel::sql_types::Uuid, _>(id)
            .bind::<diesel::sql_types::Text, _>(e)
            .bind::<diesel::sql_types::Int4, _>(max_attempts)
            .execute(c)
            .await?;
        }
    }
    Ok(())
}

/// Where a unit's reminder mail goes: its active leaders' and officers'
/// addresses (D8).
pub async fn officer_addresses(c: &mut Conn, unit: Uuid) -> Result<Vec<(String, String)>> {
    use super::schema::users as u;
    Ok(u::table
        .filter(u::organization_id.eq(unit))
        .filter(u::active.eq(true))
        .filter(u::email.is_not_null())
        .filter(
            u::roles
                .contains(vec!["officer".to_string()])
                .or(u::roles.contains(vec!["leader".to_string()])),
        )
        .select((u::full_name, u::email.assume_not_null()))
        .order(u::username)
        .load(c)
        .await?)
}
