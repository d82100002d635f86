//! The audit trail (append-only, hash-chained after commit by the settler)
//! and its events (docs/feed.md).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Jsonb, Nullable, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde::Serialize;
use uuid::Uuid;

use super::Conn;
use super::Result;
use super::schema::audit_checkpoints as ac;
use super::schema::audit_log as al;
use crate::domain::audit::Checkpoint;
pub use crate::domain::identity::ActorKind;

/// Who made a change, as the audit trail names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub kind: ActorKind,
    /// `None` for the system (the command line).
    pub id: Option<Uuid>,
    /// Username or client id.
    pub name: String,
    pub organization_id: Option<Uuid>,
}

/// One change as the audit trail and the change feed see it.
#[derive(Debug, Default)]
pub struct Change {
    /// Also the event type: `user.created`, `pledge.signed`, …
    pub action: &'static str,
    pub entity: &'static str,
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    /// Event payload; `after` when `None`. Must never carry secrets (or a
    /// ballot's choice).
    pub event_data: Option<serde_json::Value>,
    /// A written reason (overrides, revocations).
    pub reason: Option<String>,
    /// The organisation the admin acted for, when it did.
    pub on_behalf_of: Option<Uuid>,
    /// The organisation the change belongs to (for the feed's consumers).
    pub organization_id: Option<Uuid>,
}

/// Audit row and change event in one statement, both unchained and
/// unnumbered (stamped with this transaction's id by their triggers): no
/// lock is taken, `settle` gives them their positions after commit.
pub async fn append(
    tx: &mut Conn,
    actor: &Actor,
    change: &Change,
    request_id: Option<String>,
) -> Result<()> {
    let data = change
        .event_data
        .clone()
        .or_else(|| change.after.clone())
        .unwrap_or(serde_json::json!({}));
    diesel::sql_query(
        "WITH a AS (
            INSERT INTO audit_log (actor_kind, actor_id, actor_name, organization_id, on_behalf_of,
                                   action, entity, entity_id, before, after, reason, request_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
            RETURNING occurred_at)
         INSERT INTO events (type, entity, entity_id, occurred_at, actor_id, organization_id, data)
         SELECT $6, $7, $8, a.occurred_at, $2, $13, $14 FROM a",
    )
    .bind::<Text, _>(actor.kind.as_str())
    .bind::<Nullable<SqlUuid>, _>(actor.id)
    .bind::<Text, _>(&actor.name)
    .bind::<Nullable<SqlUuid>, _>(actor.organization_id)
    .bind::<Nullable<SqlUuid>, _>(change.on_behalf_of)
    .bind::<Text, _>(change.action)
    .bind::<Text, _>(change.entity)
    .bind::<Text, _>(&change.entity_id)
    .bind::<Nullable<Jsonb>, _>(change.before.as_ref())
    .bind::<Nullable<Jsonb>, _>(change.after.as_ref())
    .bind::<Nullable<Text>, _>(change.reason.as_deref())
    .bind::<Nullable<Text>, _>(request_id)
    .bind::<Nullable<SqlUuid>, _>(change.organization_id)
    .bind::<Jsonb, _>(data)
    .execute(tx)
    .await?;
    Ok(())
}

#[derive(Debug, Queryable, Selectable, Serialize)]
#[diesel(table_name = al)]
pub struct AuditRow {
    #[diesel(select_expression = al::id.assume_not_null())]
    #[diesel(select_expression_type = diesel::dsl::AssumeNotNull<al::id>)]
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_kind: ActorKind,
    pub actor_id: Option<Uuid>,
    pub actor_name: String,
    pub organization_id: Option<Uuid>,
    pub on_behalf_of: Option<Uuid>,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub reason: Option<String>,
    pub request_id: Option<String>,
    #[diesel(select_expression = al::hash.assume_not_null())]
    #[diesel(select_expression_type = diesel::dsl::AssumeNotNull<al::hash>)]
    pub hash: Vec<u8>,
}

#[derive(Debug, Default)]
pub struct AuditFilter {
    pub actor_id: Option<Uuid>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Keyset: rows with id below this (newest first).
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// Chained rows, newest first, keyset on the chain position.
pub async fn list(c: &mut Conn, f: &AuditFilter) -> Result<Vec<AuditRow>> {
    let mut q = al::table
        .select(AuditRow::as_select())
        .filter(al::id.is_not_null())
        .order(al::id.desc())
        .limit(f.limit)
        .into_boxed();
    if let Some(a) = f.actor_id {
        q = q.filter(al::actor_id.eq(a));
    }
    if let Some(e) = &f.entity {
        q = q.filter(al::entity.eq(e.clone()));
    }
    if let Some(e) = &f.entity_id {
        q = q.filter(al::entity_id.eq(e.clone()));
    }
    if let Some(t) = f.from {
        q = q.filter(al::occurred_at.ge(t));
    }
    if let Some(t) = f.to {
        q = q.filter(al::occurred_at.lt(t));
    }
    if let Some(b) = f.before_id {
        q = q.filter(al::id.lt(b));
    }
    Ok(q.load(c).await?)
}

#[derive(QueryableByName)]
struct Broken {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Int8>)]
    id: Option<i64>,
    #[diesel(sql_type = diesel::sql_types::Int8)]
    checked: i64,
    #[diesel(sql_type = diesel::sql_types::Int8)]
    unchained: i64,
    #[diesel(sql_type = diesel::sql_types::Int8)]
    unchained_broken: i64,
}

/// What walking the trail found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Walk {
    /// Chained rows walked.
    pub checked: i64,
    /// The first chained row that does not recompute or link, or whose
    /// position is not the next one.
    pub first_broken: Option<i64>,
    /// Rows committed but not chained yet (the settler's tail).
    pub unchained: i64,
    /// Tail rows that carry a hash or position anyway (a writer cannot set
    /// them; only tampering can).
    pub unchained_broken: i64,
}

/// Walk the chain in position order, and count the not-yet-chained tail.
/// A chained row is broken when its stored hash is not
/// sha256(prev_hash || row), its prev_hash is not the previous row's hash,
/// or its position is not one more than the previous one. Run in a
/// transaction: the walk lifts the request statement timeout for itself
/// (a million rows take seconds).
pub async fn verify(c: &mut Conn) -> Result<Walk> {
    diesel_async::SimpleAsyncConnection::batch_execute(c, "SET LOCAL statement_timeout = 0")
        .await?;
    let r: Broken = diesel::sql_query(
        "WITH chain AS (
             SELECT a.id, a.hash, a.prev_hash,
                    sha256(a.prev_hash || audit_canonical(a)) AS recomputed,
                    coalesce(lag(a.hash) OVER (ORDER BY a.id), '\\x'::bytea) AS expected_prev,
                    row_number() OVER (ORDER BY a.id) AS n
               FROM audit_log a WHERE a.id IS NOT NULL)
         SELECT (SELECT min(id) FROM chain
                  WHERE hash <> recomputed OR prev_hash <> expected_prev OR id <> n) AS id,
                (SELECT count(*) FROM chain) AS checked,
                (SELECT count(*) FROM audit_log WHERE id IS NULL) AS unchained,
                (SELECT count(*) FROM audit_log
                  WHERE id IS NULL AND (hash IS NOT NULL OR prev_hash IS NOT NULL)) AS unchained_broken",
    )
    .get_result(c)
    .await?;
    Ok(Walk {
        checked: r.checked,
        first_broken: r.id,
        unchained: r.unchained,
        unchained_broken: r.unchained_broken,
    })
}

#[derive(QueryableByName)]
struct Settled {
    #[diesel(sql_type = diesel::sql_types::Int4)]
    n: i32,
}

/// One settler round (`thidua_settle`): number up to `batch` committed
/// events and chain up to `batch` committed audit rows, in (xid, seq)
/// order, unless another session is settling. `None` when one was; else
/// how many rows this round settled. One statement, its own transaction.
pub async fn settle(c: &mut Conn, batch: i32) -> Result<Option<i32>> {
    let r: Settled = diesel::sql_query("SELECT thidua_settle($1) AS n")
        .bind::<diesel::sql_types::Int4, _>(batch)
        .get_result(c)
        .await?;
    Ok((r.n >= 0).then_some(r.n))
}

/// Serialises checkpoint creation across server instances (held to commit).
const CHECKPOINT_LOCK: i64 = 7474003;

/// The newest *chained* row and its hash (rows not yet settled have no
/// place in the chain).
pub async fn head(c: &mut Conn) -> Result<Option<(i64, Vec<u8>)>> {
    Ok(al::table
        .select((al::id.assume_not_null(), al::hash.assume_not_null()))
        .filter(al::id.is_not_null())
        .order(al::id.desc())
        .first(c)
        .await
        .optional()?)
}

/// The stored chain hash of each of `ids` that still exists.
pub async fn hashes_at(c: &mut Conn, ids: &[i64]) -> Result<Vec<(i64, Vec<u8>)>> {
    Ok(al::table
        .select((al::id.assume_not_null(), al::hash.assume_not_null()))
        .filter(al::id.eq_any(ids))
        .load(c)
        .await?)
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = ac)]
pub struct CheckpointRow {
    pub id: i64,
    pub audit_id: i64,
    pub hash: Vec<u8>,
    pub created_at: DateTime<Utc>,
    pub key_id: String,
    pub signature: Vec<u8>,
}

impl From<CheckpointRow> for Checkpoint {
    fn from(r: CheckpointRow) -> Self {
        Checkpoint {
            id: r.id,
            audit_id: r.audit_id,
            hash: r.hash,
            created_at: r.created_at,
            key_id: r.key_id,
            signature: r.signature,
        }
    }
}

/// Take the checkpoint lock: a second instance waits, then sees the first
/// one's checkpoint and has nothing to do.
pub async fn lock_checkpoints(tx: &mut Conn) -> Result<()> {
    diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
        .bind::<diesel::sql_types::Int8, _>(CHECKPOINT_LOCK)
        .execute(tx)
        .await?;
    Ok(())
}

pub async fn last_checkpoint(c: &mut Conn) -> Result<Option<Checkpoint>> {
    Ok(ac::table
        .select(CheckpointRow::as_select())
        .order(ac::id.desc())
        .first(c)
        .await
        .optional()?
        .map(Into::into))
}

/// Store a signed checkpoint (its id comes from the table).
pub async fn insert_checkpoint(
    tx: &mut Conn,
    audit_id: i64,
    hash: &[u8],
    created_at: DateTime<Utc>,
    key_id: &str,
    signature: &[u8],
) -> Result<Checkpoint> {
    let row: CheckpointRow = diesel::insert_into(ac::table)
        .values((
            ac::audit_id.eq(audit_id),
            ac::hash.eq(hash),
            ac::created_at.eq(created_at),
            ac::key_id.eq(key_id),
            ac::signature.eq(signature),
        ))
        .returning(CheckpointRow::as_returning())
        .get_result(tx)
        .await?;
    Ok(row.into())
}

/// Publish a checkpoint on the change feed (`audit.checkpoint`, data = the
/// checkpoint as the API shows it). No audit row: a checkpoint is a
/// statement about the trail, and an audit row for it would advance the
/// chain it just anchored.
pub async fn publish_checkpoint(
    tx: &mut Conn,
    checkpoint: &Checkpoint,
    actor_id: Option<Uuid>,
) -> Result<()> {
    let data = serde_json::to_value(checkpoint).map_err(super::Error::other)?;
    diesel::sql_query(
        "INSERT INTO events (type, entity, entity_id, occurred_at, actor_id, data)
         VALUES ($1, 'audit_checkpoint', $2, $3, $4, $5)",
    )
    .bind::<Text, _>(crate::domain::audit::EVENT_TYPE)
    .bind::<Text, _>(checkpoint.id.to_string())
    .bind::<diesel::sql_types::Timestamptz, _>(checkpoint.created_at)
    .bind::<Nullable<SqlUuid>, _>(actor_id)
    .bind::<Jsonb, _>(data)
    .execute(tx)
    .await?;
    Ok(())
}

/// Newest first, keyset on id.
pub async fn checkpoints(
    c: &mut Conn,
    before_id: Option<i64>,
    limit: i64,
) -> Result<Vec<Checkpoint>> {
    let mut q = ac::table
        .select(CheckpointRow::as_select())
        .order(ac::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(b) = before_id {
        q = q.filter(ac::id.lt(b));
    }
    Ok(q.load(c).await?.into_iter().map(Into::into).collect())
}

/// Every stored checkpoint, oldest first (for verify).
pub async fn all_checkpoints(c: &mut Conn) -> Result<Vec<Checkpoint>> {
    Ok(ac::table
        .select(CheckpointRow::as_select())
        .order(ac::id.asc())
        .load(c)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

pub async fn checkpoint(c: &mut Conn, id: i64) -> Result<Option<Checkpoint>> {
    Ok(ac::table
        .select(CheckpointRow::as_select())
        .filter(ac::id.eq(id))
        .first(c)
        .await
        .optional()?
        .map(Into::into))
}

/// Verify reads the chain, its head and the checkpoints in one snapshot.
pub async fn snapshot_for_verify(tx: &mut Conn) -> Result<()> {
    diesel_async::SimpleAsyncConnection::batch_execute(
        tx,
        "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY",
    )
    .await?;
    Ok(())
}
