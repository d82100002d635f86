//! Use cases: each opens one transaction, authorises the caller for the
//! resource, asks the domain, persists, and records an audit row and a
//! change event before committing.

pub mod audit;
pub mod benchdata;
pub mod demo;
pub mod evaluation;
pub mod events;
pub mod idempotency;
pub mod identity;
pub mod pledges;
pub mod registry;
pub mod titles;

use crate::auth::{Principal, PrincipalKind};
pub use crate::db::audit::Change;
use crate::db::audit::{Actor, ActorKind};
use crate::db::{self, Conn};
use crate::error::AppResult;

/// P2 and the year-end: the head unit's leader or officers (or a write
/// client bound to the head unit), or the admin.
pub fn require_head_or_admin(
    caller: &Principal,
    term: &crate::db::blocs::TermRow,
) -> AppResult<()> {
    caller.require_write()?;
    if caller.is_admin() || caller.require_acting_for(term.head_id).is_ok() {
        Ok(())
    } else {
        Err(crate::domain::RuleViolation::NotHeadUnit.into())
    }
}

/// `If-Match`: 412 when the caller read another version.
pub fn check_version(expected: Option<i32>, current: i32) -> AppResult<()> {
    match expected {
        Some(v) if v != current => Err(crate::error::AppError::version_conflict(current)),
        _ => Ok(()),
    }
}

/// Append the audit row and the change event inside the caller's
/// transaction (one statement). The commit-order lock it takes makes event
/// ids follow commit order.
pub async fn record(tx: &mut Conn, caller: &Principal, change: Change) -> AppResult<()> {
    Ok(db::audit::append(tx, &actor(caller), &change, crate::ctx::request_id()).await?)
}

/// The caller as the audit trail names it.
pub fn actor(caller: &Principal) -> Actor {
    let system = caller.is_system();
    Actor {
        kind: match caller.kind {
            _ if system => ActorKind::System,
            PrincipalKind::User => ActorKind::User,
            PrincipalKind::Client => ActorKind::Client,
        },
        id: (!system).then_some(caller.id),
        name: caller.name.clone(),
        organization_id: caller.organization_id,
    }
}
