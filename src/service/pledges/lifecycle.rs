//! P2: open (P3 checks; freezes the term, B4), close, withdraw.

use chrono::Utc;

use super::{Pledge, PledgeDetail, Target, load_detail, lock_for_change};
use crate::auth::Principal;
use crate::db::pledges::PledgeChanges;
use crate::db::{self, Db};
use crate::domain::ids::PledgeId;
use crate::domain::pledge::{self as rules, Action};
use crate::error::AppResult;
use crate::service::{Change, record};

fn audit_action(action: Action) -> &'static str {
    match action {
        Action::Open => "pledge.opened",
        Action::Close => "pledge.closed",
        Action::Withdraw => "pledge.withdrawn",
    }
}

/// P2 actions: open (P3 checks; freezes the term, B4), close, withdraw.
pub async fn act(
    db: &Db,
    caller: &Principal,
    id: PledgeId,
    expected: Option<i32>,
    action: Action,
    reason: Option<String>,
) -> AppResult<PledgeDetail> {
    db.transaction(async |tx| {
        let (before, term) = lock_for_change(tx, caller, id, expected).await?;
        let to = rules::transition(before.status, action)?;
        let now = Utc::now();
        let mut changes = PledgeChanges {
            status: Some(to),
            ..Default::default()
        };
        match action {
            Action::Open => {
                let items = db::pledges::items(tx, id).await?;
                let targets = db::pledges::targets(tx, id).await?;
                let specs: Vec<_> = targets.iter().map(|t| Target::from(t).spec()).collect();
                rules::check_openable(items.len(), &specs)?;
                db::blocs::freeze(tx, term.id).await?;
                changes.opened_at = Some(now);
            }
            Action::Close => changes.closed_at = Some(now),
            Action::Withdraw => changes.withdrawn_at = Some(now),
        }
        let after = db::pledges::update(tx, id, changes).await?;
        let change = Change::updated(
            audit_action(action),
            &Pledge::from(before),
            &Pledge::from(after.clone()),
        );
        record(
            tx,
            caller,
            Change {
                reason: reason.filter(|r| !r.trim().is_empty()),
                organization_id: Some(term.head_id),
                ..change
            },
        )
        .await?;
        load_detail(tx, after).await
    })
    .await
}
