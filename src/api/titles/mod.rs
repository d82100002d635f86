//! Titles and commendations (TITLES.md C0–C14): `/api/v1/award-types`,
//! `/rule-sets`, yearly facts, `/registrations`, `/eligibility-checks`,
//! `/proposals`, `/decisions` and the award history. One file per group of
//! actions, each with the DTOs its handlers use.

use uuid::Uuid;

use crate::domain::titles::SubjectRef;
use crate::error::{AppError, ErrorCode, FieldError};

pub mod awards;
pub mod decisions;
pub mod eligibility;
pub mod facts;
pub mod proposals;
pub mod registrations;
pub mod rule_sets;

pub use awards::*;
pub use decisions::*;
pub use eligibility::*;
pub use facts::*;
pub use proposals::*;
pub use registrations::*;
pub use rule_sets::*;

/// Exactly one of `personId` and `organizationId`: `invalid_subject` naming
/// `field` otherwise.
fn subject_of(
    person: Option<Uuid>,
    org: Option<Uuid>,
    field: &str,
) -> Result<SubjectRef, AppError> {
    match (person, org) {
        (Some(p), None) => Ok(SubjectRef::Person(p)),
        (None, Some(o)) => Ok(SubjectRef::Organization(o)),
        _ => Err(
            AppError::new(ErrorCode::InvalidSubject).with_errors(vec![FieldError {
                field: field.into(),
                code: "one_subject".into(),
                message: "exactly one of personId and organizationId".into(),
            }]),
        ),
    }
}
