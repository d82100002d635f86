//! Pure rules: no I/O, no async; plain functions over plain structs, each
//! module unit-tested without a database.

pub mod paging;
pub mod registry;

use uuid::Uuid;

/// A domain rule said no. Each variant names its rule id; `error.rs` maps
/// them to a problem with a stable code and Vietnamese/English text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleViolation {
    /// B1
    #[error("B1: {unit} is already in bloc {bloc} that year")]
    AlreadyInBloc { unit: String, bloc: String },
    /// B2
    #[error("B2: {reason}")]
    HeadDeputyInvalid { reason: &'static str },
    /// B3
    #[error("B3: {unit} was head in {year}")]
    HeadTwoYearsRunning { unit: String, year: i32 },
    /// B4
    #[error("B4: the term is frozen")]
    TermFrozen,
    /// B5
    #[error("B5: {what} is not a unit")]
    MemberNotAUnit { what: String },
    #[error("a member is listed twice")]
    DuplicateMember,
    #[error("unknown organisation {id}")]
    UnknownOrganization { id: Uuid },
    #[error("parent {parent} is not a unit")]
    ParentNotAUnit { parent: String },
}
