//! Reading and verifying the audit trail, and anchoring it with signed
//! checkpoints (docs/security.md, "The audit trail: what verify proves").

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::auth::{Principal, PrincipalKind, Scope};
use crate::db::audit::AuditRow;
use crate::db::{self, Db};
use crate::domain::audit::{self as rules, ChainState, Checkpoint, PublicKey, SigningKey, Verdict};
use crate::domain::identity::ActorKind;
use crate::domain::paging::{Cursor, Page, PageRequest};
use crate::error::{AppError, AppResult, ErrorCode};

/// One audit record: who changed what, before and after.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_kind: ActorKind,
    pub actor_id: Option<Uuid>,
    pub actor_name: String,
    pub organization_id: Option<Uuid>,
    /// The organisation the admin acted for, when it did.
    pub on_behalf_of: Option<Uuid>,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub reason: Option<String>,
    pub request_id: Option<String>,
    /// SHA-256 chaining this row to the previous one.
    pub hash: Vec<u8>,
}

impl From<AuditRow> for AuditRecord {
    fn from(r: AuditRow) -> Self {
        AuditRecord {
            id: r.id,
            occurred_at: r.occurred_at,
            actor_kind: r.actor_kind,
            actor_id: r.actor_id,
            actor_name: r.actor_name,
            organization_id: r.organization_id,
            on_behalf_of: r.on_behalf_of,
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            before: r.before,
            after: r.after,
            reason: r.reason,
            request_id: r.request_id,
            hash: r.hash,
        }
    }
}

/// Which audit records a list shows.
#[derive(Debug, Default)]
pub struct AuditFilter {
    pub actor_id: Option<Uuid>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    /// From this time (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Until this time (exclusive).
    pub to: Option<DateTime<Utc>>,
}

/// The trail, newest first, keyset-paged (admin only).
pub async fn list(
    db: &Db,
    caller: &Principal,
    filter: AuditFilter,
    page: PageRequest,
) -> AppResult<Page<AuditRecord>> {
    caller.require_admin()?;
    super::events::settle(db).await?;
    let query = db::audit::AuditFilter {
        actor_id: filter.actor_id,
        entity: filter.entity,
        entity_id: filter.entity_id,
        from: filter.from,
        to: filter.to,
        before_id: page.cursor.as_ref().map(Cursor::i64).transpose()?,
        limit: page.fetch(),
    };
    let rows = db.read(async |c| db::audit::list(c, &query).await).await?;
    Ok(page
        .page(rows, |r| Cursor::from_i64(r.id))
        .map(AuditRecord::from))
}

/// `(rows checked, first broken row id)`: internal consistency only, of the
/// chained rows (the unchained tail is `db::audit::Walk::unchained`).
pub async fn verify(db: &Db) -> AppResult<(i64, Option<i64>)> {
    let walk = db.transaction(async |c| db::audit::verify(c).await).await?;
    Ok((walk.checked, walk.first_broken))
}

/// What a checkpoint request did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checkpointed {
    /// A new checkpoint at the chain's head.
    Created(Checkpoint),
    /// The chain has not advanced since this one: nothing new to sign.
    Unchanged(Checkpoint),
    /// The trail has no rows yet.
    Empty,
}

/// Sign the chain's head unless the newest checkpoint already names it, and
/// publish it on the change feed. Safe to call from several instances at
/// once: the checkpoint lock serialises them, the later one finds the head
/// already signed, and a unique index backs that up. Used by the periodic
/// task and `thidua audit checkpoint` (actor: the system).
pub async fn checkpoint(db: &Db, key: &SigningKey) -> AppResult<Checkpointed> {
    make_checkpoint(db, key, None).await
}

/// `POST /api/v1/audit/checkpoints`: the admin asks for one now.
pub async fn create_checkpoint(
    db: &Db,
    caller: &Principal,
    key: &SigningKey,
) -> AppResult<Checkpointed> {
    caller.require_admin()?;
    make_checkpoint(db, key, Some(caller.id)).await
}

async fn make_checkpoint(
    db: &Db,
    key: &SigningKey,
    actor: Option<uuid::Uuid>,
) -> AppResult<Checkpointed> {
    // Sign what is committed: chain it first.
    super::events::settle(db).await?;
    db.transaction(async |tx| {
        db::audit::lock_checkpoints(tx).await?;
        let Some((audit_id, hash)) = db::audit::head(tx).await? else {
            return Ok(Checkpointed::Empty);
        };
        if let Some(last) = db::audit::last_checkpoint(tx).await?
            && last.audit_id >= audit_id
        {
            return Ok(Checkpointed::Unchanged(last));
        }
        let created_at = rules::now_for_checkpoint();
        let signature = key.sign(audit_id, &hash, created_at);
        let checkpoint = db::audit::insert_checkpoint(
            tx,
            audit_id,
            &hash,
            created_at,
            &key.public().key_id(),
            &signature,
        )
        .await?;
        db::audit::publish_checkpoint(tx, &checkpoint, actor).await?;
        Ok(Checkpointed::Created(checkpoint))
    })
    .await
}

/// Who may list the checkpoints: the admin, as for the audit trail, and the
/// read clients of other systems (the outside parties that keep copies).
fn require_checkpoint_reader(caller: &Principal) -> AppResult<()> {
    let client_reader =
        caller.kind == PrincipalKind::Client && caller.scopes.contains(&Scope::Read);
    if caller.is_admin() || client_reader {
        Ok(())
    } else {
        Err(AppError::new(ErrorCode::AuditReaderRequired))
    }
}

/// Checkpoints, newest first, keyset-paged.
pub async fn checkpoints(
    db: &Db,
    caller: &Principal,
    page: PageRequest,
) -> AppResult<Page<Checkpoint>> {
    require_checkpoint_reader(caller)?;
    let before = page.cursor.as_ref().map(Cursor::i64).transpose()?;
    let rows = db
        .read(async |c| db::audit::checkpoints(c, before, page.fetch()).await)
        .await?;
    Ok(page.page(rows, |r| Cursor::from_i64(r.id)))
}

pub async fn get_checkpoint(db: &Db, caller: &Principal, id: i64) -> AppResult<Checkpoint> {
    require_checkpoint_reader(caller)?;
    db.read(async |c| db::audit::checkpoint(c, id).await)
        .await?
        .ok_or(AppError::not_found("audit_checkpoint"))
}

/// Walk the chain and judge it against the server's own checkpoints and
/// those an outside party kept (`kept`; empty for none), with signatures
/// checked against `trusted` keys only (never a key read from the
/// database). Everything is read in one snapshot. `thidua audit verify`
/// prints the verdict's lines.
pub async fn verify_anchored(
    db: &Db,
    kept: &[Checkpoint],
    trusted: &[PublicKey],
) -> AppResult<Verdict> {
    let (chain, server) = db
        .transaction(async |tx| -> AppResult<_> {
            db::audit::snapshot_for_verify(tx).await?;
            let walk = db::audit::verify(tx).await?;
            let newest = db::audit::head(tx).await?.map(|(id, _)| id);
            let server = db::audit::all_checkpoints(tx).await?;
            let mut ids: Vec<i64> = server.iter().chain(kept).map(|c| c.audit_id).collect();
            ids.sort_unstable();
            ids.dedup();
            let hashes = db::audit::hashes_at(tx, &ids).await?.into_iter().collect();
            let chain = ChainState {
                rows: walk.checked,
                newest,
                first_broken: walk.first_broken,
                hashes,
                unchained: walk.unchained,
                unchained_broken: walk.unchained_broken,
            };
            Ok((chain, server))
        })
        .await?;
    Ok(rules::judge(&chain, kept, &server, trusted))
}
