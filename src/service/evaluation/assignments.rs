//! Who cross-scores whom in a term.

use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::{member_ids, term};
use crate::auth::Principal;
use crate::db::{self, Db};
use crate::domain::RuleViolation;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::service::{Change, record, require_head_or_admin};

/// One unit scores another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Assignment {
    pub reviewer_id: Uuid,
    pub subject_id: Uuid,
}

impl From<(Uuid, Uuid)> for Assignment {
    fn from((reviewer_id, subject_id): (Uuid, Uuid)) -> Self {
        Assignment {
            reviewer_id,
            subject_id,
        }
    }
}

/// The head sets who cross-scores whom; never a unit itself; members only.
pub async fn set_assignments(
    db: &Db,
    caller: &Principal,
    bloc_id: Uuid,
    year: i32,
    mut given: Vec<Assignment>,
) -> AppResult<Vec<Assignment>> {
    db.transaction(async |tx| {
        let t = term(tx, bloc_id, year).await?;
        require_head_or_admin(caller, &t)?;
        let members = member_ids(tx, &t).await?;
        for a in &given {
            if a.reviewer_id == a.subject_id {
                return Err(AppError::new(ErrorCode::SelfAssignment));
            }
            if !members.contains(&a.reviewer_id) || !members.contains(&a.subject_id) {
                return Err(RuleViolation::NotAMember.into());
            }
        }
        given.sort();
        given.dedup();
        let pairs: Vec<(Uuid, Uuid)> = given
            .iter()
            .map(|a| (a.reviewer_id, a.subject_id))
            .collect();
        db::evaluation::set_assignments(tx, t.id, &pairs).await?;
        record(
            tx,
            caller,
            Change {
                action: "review_assignments.set",
                entity: "term",
                entity_id: t.id.to_string(),
                after: Some(json!({ "assignments": given })),
                ..Default::default()
            },
        )
        .await?;
        Ok(given)
    })
    .await
}

pub async fn assignments(db: &Db, bloc_id: Uuid, year: i32) -> AppResult<Vec<Assignment>> {
    let pairs = db
        .read(async |c| -> AppResult<_> {
            let t = term(c, bloc_id, year).await?;
            Ok(db::evaluation::assignments(c, t.id).await?)
        })
        .await?;
    Ok(pairs.into_iter().map(Assignment::from).collect())
}
