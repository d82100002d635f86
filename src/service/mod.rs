//! Use cases: each opens one transaction, authorises the caller for the
//! resource, asks the domain, persists, and records an audit row and a
//! change event before committing.

pub mod audit;
pub mod background;
pub mod benchdata;
pub mod deadlines;
pub mod demo;
pub mod documents;
pub mod evaluation;
pub mod events;
pub mod idempotency;
pub mod identity;
pub mod imports;
pub mod pledges;
pub mod reads;
pub mod registry;
pub mod titles;
pub mod webhooks;

mod change;

pub use change::{Audited, Change, actor, check_version, record, update};

use crate::auth::Principal;
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
