//! Pure rules: no I/O, no async; plain functions over plain structs, each
//! module unit-tested without a database.

pub mod audit;
pub mod ballot;
pub mod compliance;
pub mod evaluation;
pub mod paging;
pub mod pledge;
pub mod registry;
pub mod titles;

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
    /// P1
    #[error("P1: the term already has a pledge")]
    PledgeExists,
    /// P2
    #[error("P2: cannot {action} a pledge that is {from}")]
    InvalidTransition {
        from: &'static str,
        action: &'static str,
    },
    /// P2, P4: who moves the pledge / signs
    #[error("P2: only the head unit or the admin")]
    NotHeadUnit,
    /// P3
    #[error("P3: the pledge is {status}, not draft")]
    PledgeNotDraft { status: &'static str },
    /// P3
    #[error("P3: a pledge needs at least one item to open")]
    PledgeHasNoItems,
    /// P4
    #[error("P4: the pledge is {status}, not open")]
    PledgeNotOpen { status: &'static str },
    /// P4
    #[error("P4: not a member of the term")]
    NotAMember,
    /// P4
    #[error("P4: already signed")]
    AlreadySigned,
    /// P4
    #[error("P4: signed in the future")]
    SignedInFuture,
    /// P6
    #[error("P6: the pledge is {status} and read-only")]
    PledgeReadOnly { status: &'static str },
    /// T1, T2
    #[error("T2: {reason}")]
    InvalidTarget { reason: &'static str },
    /// T3
    #[error("T3: the pledge is {status}, not in force")]
    PledgeNotInForce { status: &'static str },
    /// T3
    #[error("T3: period {year} is outside the pledge year {pledge_year}")]
    PeriodOutsideYear { year: i32, pledge_year: i32 },
    /// T3
    #[error("T3: not a period")]
    InvalidPeriod,
    /// T3
    #[error("T3: unknown target")]
    UnknownTarget,
    /// T4
    #[error("T4: {reason}")]
    InvalidReportValues { reason: &'static str },
    /// E1
    #[error("E1: the scoring scheme is fixed once scores exist")]
    SchemeFrozen,
    /// E1
    #[error("E1: {reason}")]
    InvalidScheme { reason: String },
    /// E2
    #[error("E2: {reason}")]
    PointsOutOfBounds { reason: String },
    /// E2
    #[error("E2: the sheet is {status}")]
    SheetLocked { status: &'static str },
    /// E2
    #[error("E2: not an assigned reviewer")]
    NotAReviewer,
    /// E4
    #[error("E4: the ballot is closed")]
    BallotClosed,
    /// E4
    #[error("E4: already voted")]
    AlreadyVoted,
    /// E4
    #[error("E4: {reason}")]
    InvalidChoices { reason: &'static str },
    /// E4
    #[error("E4: results are hidden until the ballot closes")]
    ResultsHidden,
    /// T8
    #[error("T8: reporting closed on {cutoff}")]
    ReportingClosed { cutoff: chrono::NaiveDate },
    /// C0
    #[error("C0: {reason}")]
    InvalidRuleSet { reason: &'static str },
    /// C0
    #[error("C0: the rule set is used by a decision")]
    RuleSetInUse,
    /// C0
    #[error("C0: no rule set in force for {year}")]
    NoRuleSet { year: i32 },
    #[error("{award} is for a {expected}")]
    SubjectKindMismatch {
        award: &'static str,
        expected: &'static str,
    },
    /// Proposals: the state machine
    #[error("cannot {action} a proposal that is {from}")]
    ProposalTransition { from: String, action: &'static str },
    /// Registrations: the term's deadline
    #[error("registration closed on {deadline}")]
    RegistrationClosed { deadline: chrono::NaiveDate },
    /// C14
    #[error("C14: the award is already revoked")]
    AwardRevoked,
}
