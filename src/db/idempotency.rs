//! Queries on `idempotency_keys`. `key` holds the hex SHA-256 of the
//! Idempotency-Key and `body` the sealed response (service::idempotency).

use diesel::prelude::*;
use diesel::sql_types::{Bytea, Text};
use diesel_async::RunQueryDsl;

use super::Conn;
use super::Result;
use super::schema::idempotency_keys as ik;

pub struct Stored {
    pub status: i16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

pub enum Reservation {
    /// First use of the key: run the request.
    Reserved,
    /// Same key, same request, finished: send this again.
    Replay(Stored),
    /// Same key, another request body or target.
    Mismatch,
    /// Same key, first request still running.
    InProgress,
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    inserted: bool,
    #[diesel(sql_type = Bytea)]
    request_hash: Vec<u8>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Int2>)]
    status: Option<i16>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Jsonb>)]
    headers: Option<serde_json::Value>,
    #[diesel(sql_type = diesel::sql_types::Nullable<Bytea>)]
    body: Option<Vec<u8>>,
}

tokio::task_local! {
    /// The reservation (caller, key) of the request being run, if any.
    static RUNNING: (String, String);
}

/// Run `f` (a reserved request) with its reservation known, so that the
/// write transaction it commits marks the reservation committed
/// (`mark_committed`, called by `Db::transaction`).
pub async fn running<F: std::future::Future>(caller: &str, key: &str, f: F) -> F::Output {
    RUNNING
        .scope((caller.to_string(), key.to_string()), f)
        .await
}

/// Inside the transaction about to commit: when it is a reserved
/// request's, note on the reservation that its write committed (sets
/// `completed_at`; the answer, `status` and `body`, comes after the
/// commit). A reservation so marked is never taken over by a retry: its
/// write is there, running it again would store it twice.
pub async fn mark_committed(c: &mut Conn) -> Result<()> {
    let Ok((caller, key)) = RUNNING.try_with(|r| r.clone()) else {
        return Ok(());
    };
    diesel::update(ik::table.find((caller, key)))
        .filter(ik::status.is_null())
        .set(ik::completed_at.eq(diesel::dsl::now))
        .execute(c)
        .await?;
    Ok(())
}

/// Insert the key, or read what is there, in one round trip. A record
/// older than 24 hours is expired and taken over, and so is a reservation
/// still without an answer after `lease`: its request can no longer be
/// running (a request is cut at the request timeout), so it died with its
/// instance or lost its database before it could release the key — unless
/// its write committed (`mark_committed`): then the answer was lost, not
/// the write, and the retry keeps answering in progress.
pub async fn reserve(
    c: &mut Conn,
    caller: &str,
    key: &str,
    request_hash: &[u8],
    lease: std::time::Duration,
) -> Result<Reservation> {
    // A concurrent first use may commit after this statement's snapshot was
    // taken: then neither branch sees a row, and a fresh statement will.
    let mut attempt = 0;
    let row = loop {
        match reserve_once(c, caller, key, request_hash, lease).await {
            Err(diesel::result::Error::NotFound) if attempt < 3 => attempt += 1,
            other => break other?,
        }
    };
    if row.inserted {
        return Ok(Reservation::Reserved);
    }
    if row.request_hash != request_hash {
        return Ok(Reservation::Mismatch);
    }
    match (row.status, row.body) {
        (Some(status), Some(body)) => Ok(Reservation::Replay(Stored {
            status,
            headers: row
                .headers
                .and_then(|h| serde_json::from_value::<Vec<(String, String)>>(h).ok())
                .unwrap_or_default(),
            body,
        })),
        _ => Ok(Reservation::InProgress),
    }
}

async fn reserve_once(
    c: &mut Conn,
    caller: &str,
    key: &str,
    request_hash: &[u8],
    lease: std::time::Duration,
) -> QueryResult<Row> {
    diesel::sql_query(
        "WITH ins AS (
             INSERT INTO idempotency_keys (caller, key, request_hash) VALUES ($1, $2, $3)
             ON CONFLICT (caller, key) DO UPDATE
                 SET request_hash = EXCLUDED.request_hash, status = NULL, headers = NULL,
                     body = NULL, created_at = now(), completed_at = NULL
                 WHERE idempotency_keys.created_at < now() - interval '24 hours'
                    OR (idempotency_keys.status IS NULL
                        AND idempotency_keys.completed_at IS NULL
                        AND idempotency_keys.request_hash = EXCLUDED.request_hash
                        AND idempotency_keys.created_at < now() - make_interval(secs => $4))
             RETURNING request_hash, status, headers, body)
         SELECT true AS inserted, request_hash, status, headers, body FROM ins
         UNION ALL
         SELECT false, request_hash, status, headers, body FROM idempotency_keys
          WHERE caller = $1 AND key = $2 AND NOT EXISTS (SELECT 1 FROM ins)",
    )
    .bind::<Text, _>(caller)
    .bind::<Text, _>(key)
    .bind::<Bytea, _>(request_hash)
    .bind::<diesel::sql_types::Double, _>(lease.as_secs_f64())
    .get_result(c)
    .await
}

pub async fn complete(
    c: &mut Conn,
    caller: &str,
    key: &str,
    status: i16,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<()> {
    diesel::update(ik::table.find((caller, key)))
        .set((
            ik::status.eq(status),
            ik::headers.eq(serde_json::to_value(headers).unwrap_or_default()),
            ik::body.eq(body),
            ik::completed_at.eq(diesel::dsl::now),
        ))
        .execute(c)
        .await?;
    Ok(())
}

/// Forget a reservation whose request failed — unless its write committed
/// (`mark_committed`: a 5xx after COMMIT, such as a connection lost while
/// the commit was acknowledged), so that a retry does not store it twice.
pub async fn release(c: &mut Conn, caller: &str, key: &str) -> Result<()> {
    diesel::delete(
        ik::table
            .find((caller, key))
            .filter(ik::status.is_null())
            .filter(ik::completed_at.is_null()),
    )
    .execute(c)
    .await?;
    Ok(())
}

pub async fn purge_expired(c: &mut Conn) -> Result<usize> {
    Ok(diesel::sql_query(
        "DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours'",
    )
    .execute(c)
    .await?)
}
