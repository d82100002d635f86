//! Failed-login counters, for brute-force protection across instances: one
//! row per (account, source address) and one per account (source `*`).
//!
//! An attempt is reserved (`pending + 1`) by the statement that checks the
//! limit on `failures + pending`: an upsert whose `WHERE` PostgreSQL
//! evaluates on the locked, latest row, so N parallel guesses cannot all
//! read "9" and all go ahead (issue 12, item 3). `settle` then turns the
//! reservation into a failure, or drops it. A new window starts both
//! counts afresh, so a reservation lost to a crash lasts one window at most.

use diesel::OptionalExtension;
use diesel::sql_types::{Bool, Int4, Int8, Text};
use diesel_async::RunQueryDsl;

use super::Conn;
use super::Result;

/// The `source` of the row that counts an account across all sources.
pub const ACCOUNT: &str = "*";

/// The limits one reservation applies.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Failures allowed per (account, source) in the window.
    pub per_source: i32,
    /// Failures per account (all sources) after which attempts are paced.
    pub per_account: i32,
    pub window_secs: i64,
    /// Interval between paced attempts on one account.
    pub pace_ms: i64,
    /// A paced attempt whose slot is further away than this is refused.
    pub max_wait_ms: i64,
}

/// The outcome of `reserve`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// Reserved; run the check after `wait_ms` (its turn when paced).
    Go { wait_ms: u64 },
    /// This source has used its failures for the account.
    SourceLocked { retry_after_secs: u64 },
    /// This source has as many attempts on the account in flight as it has
    /// failures left: one of them must finish first.
    Crowded,
    /// The account is paced and its queue is full.
    Paced { retry_after_secs: u64 },
}

#[derive(diesel::QueryableByName)]
struct Reserved {
    #[diesel(sql_type = Int4)]
    #[allow(dead_code)]
    pending: i32,
}

#[derive(diesel::QueryableByName)]
struct Slot {
    #[diesel(sql_type = Int8)]
    wait_ms: i64,
}

#[derive(diesel::QueryableByName)]
struct Refusal {
    #[diesel(sql_type = Bool)]
    locked: bool,
    #[diesel(sql_type = Int8)]
    secs: i64,
}

#[derive(diesel::QueryableByName)]
struct Wait {
    #[diesel(sql_type = Int8)]
    secs: i64,
}

/// Reserve an attempt of `source` on `principal`: two statements, to be run
/// in one transaction, which the caller rolls back unless the answer is
/// `Go` (a refusal reserves nothing).
pub async fn reserve(
    c: &mut Conn,
    principal: &str,
    source: &str,
    l: Limits,
) -> Result<Reservation> {
    if let Some(refused) = reserve_source(c, principal, source, l).await? {
        return Ok(refused);
    }
    reserve_account(c, principal, l).await
}

/// The (account, source) row: its failures and attempts in flight stay
/// under `per_source` in its window; `Some` refusal when they would not.
async fn reserve_source(
    c: &mut Conn,
    principal: &str,
    source: &str,
    l: Limits,
) -> Result<Option<Reservation>> {
    let pair: Option<Reserved> = diesel::sql_query(
        "INSERT INTO login_failures AS f (principal, source, failures, pending, window_start)
         VALUES ($1, $2, 0, 1, now())
         ON CONFLICT (principal, source) DO UPDATE SET
             failures = CASE WHEN f.window_start <= now() - make_interval(secs => $4)
                             THEN 0 ELSE f.failures END,
             pending = CASE WHEN f.window_start <= now() - make_interval(secs => $4)
                            THEN 1 ELSE f.pending + 1 END,
             window_start = CASE WHEN f.window_start <= now() - make_interval(secs => $4)
                                 THEN now() ELSE f.window_start END
         WHERE f.failures + f.pending < $3 OR f.window_start <= now() - make_interval(secs => $4)
         RETURNING pending",
    )
    .bind::<Text, _>(principal)
    .bind::<Text, _>(source)
    .bind::<Int4, _>(l.per_source)
    .bind::<Int8, _>(l.window_secs)
    .get_result(c)
    .await
    .optional()?;
    if pair.is_none() {
        let r: Refusal = diesel::sql_query(
            "SELECT failures >= $3 AS locked,
                    ceil(extract(epoch FROM window_start + make_interval(secs => $4) - clock_timestamp()))::int8 AS secs
               FROM login_failures WHERE principal = $1 AND source = $2",
        )
        .bind::<Text, _>(principal)
        .bind::<Text, _>(source)
        .bind::<Int4, _>(l.per_source)
        .bind::<Int8, _>(l.window_secs)
        .get_result(c)
        .await?;
        return Ok(Some(if r.locked {
            Reservation::SourceLocked {
                retry_after_secs: r.secs.max(1) as u64,
            }
        } else {
            Reservation::Crowded
        }));
    }
    Ok(None)
}

/// The account row: once failures and attempts in flight reach
/// `per_account` in its window, each attempt takes the next slot, `pace_ms`
/// after the one before; `Paced` when that slot is too far off.
async fn reserve_account(c: &mut Conn, principal: &str, l: Limits) -> Result<Reservation> {
    let slot: Option<Slot> = diesel::sql_query(
        "INSERT INTO login_failures AS f (principal, source, failures, pending, window_start)
         VALUES ($1, '*', 0, 1, now())
         ON CONFLICT (principal, source) DO UPDATE SET
             failures = CASE WHEN f.window_start <= now() - make_interval(secs => $3)
                             THEN 0 ELSE f.failures END,
             pending = CASE WHEN f.window_start <= now() - make_interval(secs => $3)
                            THEN 1 ELSE f.pending + 1 END,
             window_start = CASE WHEN f.window_start <= now() - make_interval(secs => $3)
                                 THEN now() ELSE f.window_start END,
             next_slot = CASE WHEN f.window_start > now() - make_interval(secs => $3)
                                   AND f.failures + f.pending >= $2
                              THEN greatest(f.next_slot, clock_timestamp())
                                   + make_interval(secs => ($4 / 1000.0)::float8)
                              END
         WHERE f.window_start <= now() - make_interval(secs => $3)
            OR f.failures + f.pending < $2
            OR greatest(f.next_slot, clock_timestamp())
               <= clock_timestamp() + make_interval(secs => ($5 / 1000.0)::float8)
         RETURNING coalesce(ceil(1000 * extract(epoch FROM next_slot
                       - make_interval(secs => ($4 / 1000.0)::float8) - clock_timestamp())), 0)::int8 AS wait_ms",
    )
    .bind::<Text, _>(principal)
    .bind::<Int4, _>(l.per_account)
    .bind::<Int8, _>(l.window_secs)
    .bind::<Int8, _>(l.pace_ms)
    .bind::<Int8, _>(l.max_wait_ms)
    .get_result(c)
    .await
    .optional()?;
    match slot {
        Some(s) => Ok(Reservation::Go {
            wait_ms: s.wait_ms.max(0) as u64,
        }),
        None => {
            let w: Wait = diesel::sql_query(
                "SELECT ceil(extract(epoch FROM next_slot - make_interval(secs => ($2 / 1000.0)::float8)
                                                - clock_timestamp()))::int8 AS secs
                   FROM login_failures WHERE principal = $1 AND source = '*'",
            )
            .bind::<Text, _>(principal)
            .bind::<Int8, _>(l.max_wait_ms)
            .get_result(c)
            .await?;
            Ok(Reservation::Paced {
                retry_after_secs: w.secs.max(1) as u64,
            })
        }
    }
}

/// How a reserved attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A wrong answer: a failure for the source and the account.
    Failed,
    /// The right answer: the source's failures are forgiven; the account's
    /// stay (the owner logging in does not lift pacing an attacker caused).
    Succeeded,
    /// Never checked (no hashing slot): as if it had not been tried.
    NotRun,
}

/// Settle a reservation. One row per statement, so no two locks are ever
/// held at once.
pub async fn settle(c: &mut Conn, principal: &str, source: &str, outcome: Outcome) -> Result<()> {
    let (source_sql, account_sql) = match outcome {
        Outcome::Failed => (
            "failures = failures + 1, pending = greatest(pending - 1, 0)",
            "failures = failures + 1, pending = greatest(pending - 1, 0)",
        ),
        Outcome::Succeeded => (
            "failures = 0, pending = greatest(pending - 1, 0)",
            "pending = greatest(pending - 1, 0)",
        ),
        Outcome::NotRun => (
            "pending = greatest(pending - 1, 0)",
            "pending = greatest(pending - 1, 0)",
        ),
    };
    for (s, set) in [(source, source_sql), (ACCOUNT, account_sql)] {
        diesel::sql_query(format!(
            "UPDATE login_failures SET {set} WHERE principal = $1 AND source = $2"
        ))
        .bind::<Text, _>(principal)
        .bind::<Text, _>(s)
        .execute(c)
        .await?;
    }
    Ok(())
}

/// Delete the counters whose window has ended: the next attempt would
/// start them afresh (pacing included) anyway. Rows a login holds are
/// skipped, not waited for.
pub async fn purge_expired(c: &mut Conn, window_secs: i64) -> Result<usize> {
    Ok(diesel::sql_query(
        "DELETE FROM login_failures WHERE (principal, source) IN (
             SELECT principal, source FROM login_failures
              WHERE window_start <= now() - make_interval(secs => $1)
              FOR UPDATE SKIP LOCKED)",
    )
    .bind::<Int8, _>(window_secs)
    .execute(c)
    .await?)
}
