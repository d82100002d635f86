//! The shapes every write shares: the audit row and change event a use case
//! records (`record`), built from the read model's own serialisation
//! (`Audited`, `Change::created` / `Change::updated`), and the update
//! skeleton (`update`: lock → 404 → 412 → write → audit before/after).

use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::auth::{Principal, PrincipalKind};
pub use crate::db::audit::Change;
use crate::db::audit::{Actor, ActorKind};
use crate::db::{self, Conn};
use crate::error::{AppError, AppResult};

/// A read model the audit trail records: its JSON serialisation is the audit
/// row's `before` / `after`, so no entity has a hand-written audit shape.
pub trait Audited: Serialize {
    /// The audit row's `entity` (`organization`, `person`, …), also the
    /// entity of the 404 when it is not there.
    const ENTITY: &'static str;
    fn entity_id(&self) -> String;
    fn version(&self) -> i32;
    /// The organisation the change belongs to (for the feed's consumers).
    fn organization_id(&self) -> Option<Uuid> {
        None
    }
    /// The feed's payload when it must carry less than the read model
    /// (every caller reads the feed); `None`: the read model itself.
    fn event_data(&self) -> Option<Value> {
        None
    }
}

fn json_of<T: Serialize>(value: &T) -> Option<Value> {
    // A read model is plain data: serialising it cannot fail.
    serde_json::to_value(value).ok()
}

impl Change {
    /// `after` was created by `action` (`organization.created`).
    pub fn created<T: Audited>(action: &'static str, after: &T) -> Change {
        Change {
            action,
            entity: T::ENTITY,
            entity_id: after.entity_id(),
            after: json_of(after),
            event_data: after.event_data(),
            organization_id: after.organization_id(),
            ..Default::default()
        }
    }

    /// `before` became `after` by `action` (`organization.updated`).
    pub fn updated<T: Audited>(action: &'static str, before: &T, after: &T) -> Change {
        Change {
            before: json_of(before),
            ..Change::created(action, after)
        }
    }
}

/// `If-Match`: 412 when the caller read another version.
pub fn check_version(expected: Option<i32>, current: i32) -> AppResult<()> {
    match expected {
        Some(v) if v != current => Err(AppError::version_conflict(current)),
        _ => Ok(()),
    }
}

/// The update skeleton, inside the use case's transaction: `lock` reads the
/// row `FOR UPDATE` as its read model (and may refuse the caller for it,
/// before the version is compared); none is a 404, a stale `If-Match` a
/// 412; `apply` checks the rules and writes; the audit row records the read
/// model before and after, with the change event.
///
/// ```ignore
/// update(tx, caller, "organization.updated", expected,
///     async |tx| Ok(db::organizations::lock(tx, id).await?.map(Organization::from)),
///     async |tx, before| { /* rules */ Ok(db::organizations::update(tx, id, changes).await?.into()) },
/// ).await
/// ```
pub async fn update<T: Audited>(
    tx: &mut Conn,
    caller: &Principal,
    action: &'static str,
    expected: Option<i32>,
    lock: impl AsyncFnOnce(&mut Conn) -> AppResult<Option<T>>,
    apply: impl AsyncFnOnce(&mut Conn, &T) -> AppResult<T>,
) -> AppResult<T> {
    let before = lock(tx).await?.ok_or(AppError::not_found(T::ENTITY))?;
    check_version(expected, before.version())?;
    let after = apply(tx, &before).await?;
    record(tx, caller, Change::updated(action, &before, &after)).await?;
    Ok(after)
}

/// Append the audit row and the change event inside the caller's
/// transaction (one statement, no lock): both get their positions after
/// commit, from the settler (docs/feed.md).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Thing {
        id: Uuid,
        full_name: &'static str,
        version: i32,
    }

    impl Audited for Thing {
        const ENTITY: &'static str = "thing";
        fn entity_id(&self) -> String {
            self.id.to_string()
        }
        fn version(&self) -> i32 {
            self.version
        }
        fn event_data(&self) -> Option<Value> {
            Some(serde_json::json!({"id": self.id}))
        }
    }

    #[test]
    fn an_update_records_the_read_model_before_and_after_and_the_feed_payload() {
        let id = Uuid::nil();
        let before = Thing {
            id,
            full_name: "A",
            version: 1,
        };
        let after = Thing {
            id,
            full_name: "B",
            version: 2,
        };
        let change = Change::updated("thing.updated", &before, &after);
        assert_eq!((change.action, change.entity), ("thing.updated", "thing"));
        assert_eq!(change.entity_id, id.to_string());
        assert_eq!(change.before.unwrap()["fullName"], "A");
        assert_eq!(
            change.after.unwrap(),
            serde_json::json!({"id": id, "fullName": "B", "version": 2})
        );
        assert_eq!(change.event_data, Some(serde_json::json!({"id": id})));
    }

    #[test]
    fn a_stale_version_is_a_412_and_no_if_match_is_none() {
        assert_eq!(
            check_version(Some(1), 2).unwrap_err().code(),
            "version_conflict"
        );
        assert!(check_version(None, 2).is_ok());
        assert!(check_version(Some(2), 2).is_ok());
    }
}
