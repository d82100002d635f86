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

use serde_json::Value;
use uuid::Uuid;

use crate::auth::Principal;
use crate::db::{self, Conn};
use crate::error::AppResult;

/// One change as the audit trail and the change feed see it.
#[derive(Debug, Default)]
pub struct Change {
    /// Also the event type: `user.created`, `pledge.signed`, …
    pub action: &'static str,
    pub entity: &'static str,
    pub entity_id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    /// Event payload; `after` when `None`. Must never carry secrets (or a
    /// ballot's choice).
    pub event_data: Option<Value>,
    /// A written reason (overrides, revocations).
    pub reason: Option<String>,
    /// The organisation the admin acted for, when it did.
    pub on_behalf_of: Option<Uuid>,
    /// The organisation the change belongs to (for the feed's consumers).
    pub organization_id: Option<Uuid>,
}

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
        Some(v) if v != current => Err(crate::error::AppError::VersionConflict { current }),
        _ => Ok(()),
    }
}

/// Append the audit row and the change event inside the caller's
/// transaction (one statement). The commit-order lock it takes makes event
/// ids follow commit order.
pub async fn record(tx: &mut Conn, caller: &Principal, change: Change) -> AppResult<()> {
    db::audit::append(tx, caller, &change, crate::telemetry::current_request_id()).await
}
