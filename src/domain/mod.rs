//! Pure rules: no I/O, no async; plain functions over plain structs, each
//! module unit-tested without a database.

pub mod audit;
pub mod ballot;
pub mod compliance;
pub mod deadlines;
pub mod employment;
pub mod evaluation;
pub mod identity;
pub mod ids;
pub mod import;
pub mod paging;
pub mod pledge;
pub mod registry;
pub mod text;
pub mod titles;
pub mod webhooks;

use uuid::Uuid;

/// The rules the service enforces: the numbered ones of DOMAIN.md and
/// TITLES.md, and a few unnumbered invariants named for what they keep.
#[rustfmt::skip]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RuleId {
    B1, B2, B3, B4, B5,
    P1, P2, P3, P4, P5, P6,
    T1, T2, T3, T4, T5, T6, T7, T8,
    E1, E2, E3, E4,
    C0, C1, C2, C3, C4, C5, C6, C7, C8, C9, C10, C11, C12, C13, C14,
    /// An id in the request names something that exists.
    Reference,
    /// A list names each thing once.
    ListedOnce,
    /// A sub-unit's parent is a unit; units and sub-units are one level deep.
    UnitHierarchy,
    /// An award goes to the kind of subject (person or collective) it is for.
    SubjectKind,
    /// A proposal's state machine.
    ProposalFlow,
    /// Registrations close at the term's deadline.
    RegistrationDeadline,
}

impl RuleId {
    #[rustfmt::skip]
    pub fn as_str(self) -> &'static str {
        use RuleId::*;
        match self {
            B1 => "B1", B2 => "B2", B3 => "B3", B4 => "B4", B5 => "B5",
            P1 => "P1", P2 => "P2", P3 => "P3", P4 => "P4", P5 => "P5", P6 => "P6",
            T1 => "T1", T2 => "T2", T3 => "T3", T4 => "T4", T5 => "T5", T6 => "T6", T7 => "T7", T8 => "T8",
            E1 => "E1", E2 => "E2", E3 => "E3", E4 => "E4",
            C0 => "C0", C1 => "C1", C2 => "C2", C3 => "C3", C4 => "C4", C5 => "C5", C6 => "C6",
            C7 => "C7", C8 => "C8", C9 => "C9", C10 => "C10", C11 => "C11", C12 => "C12", C13 => "C13", C14 => "C14",
            Reference => "reference",
            ListedOnce => "listed_once",
            UnitHierarchy => "unit_hierarchy",
            SubjectKind => "subject_kind",
            ProposalFlow => "proposal_flow",
            RegistrationDeadline => "registration_deadline",
        }
    }

    /// A rule of the design documents (`B1`, `C14`), as opposed to a named invariant.
    pub fn is_numbered(self) -> bool {
        self.as_str().starts_with(|c: char| c.is_ascii_uppercase())
    }
}

impl std::fmt::Display for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// B2: what is wrong with a term's head and deputy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadDeputyProblem {
    HeadNotMember,
    DeputyNotMember,
    SameUnit,
}

/// A domain rule said no. Each variant names its rule (`rule()`);
/// `error/rules.rs` maps them to a problem with a stable code and
/// Vietnamese/English text from the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleViolation {
    /// B1
    #[error("B1: {unit} is already in bloc {bloc} that year")]
    AlreadyInBloc { unit: String, bloc: String },
    /// B2
    #[error("B2: {reason:?}")]
    HeadDeputyInvalid { reason: HeadDeputyProblem },
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
    ProposalTransition {
        from: titles::ProposalStatus,
        action: titles::ProposalAction,
    },
    /// Registrations: the term's deadline
    #[error("registration closed on {deadline}")]
    RegistrationClosed { deadline: chrono::NaiveDate },
    /// C14
    #[error("C14: the award is already revoked")]
    AwardRevoked,
}

impl RuleViolation {
    /// The rule this violation breaks.
    pub fn rule(&self) -> RuleId {
        use RuleViolation as V;
        match self {
            V::AlreadyInBloc { .. } => RuleId::B1,
            V::HeadDeputyInvalid { .. } => RuleId::B2,
            V::HeadTwoYearsRunning { .. } => RuleId::B3,
            V::TermFrozen => RuleId::B4,
            V::MemberNotAUnit { .. } => RuleId::B5,
            V::DuplicateMember => RuleId::ListedOnce,
            V::UnknownOrganization { .. } => RuleId::Reference,
            V::ParentNotAUnit { .. } => RuleId::UnitHierarchy,
            V::PledgeExists => RuleId::P1,
            V::InvalidTransition { .. } | V::NotHeadUnit => RuleId::P2,
            V::PledgeNotDraft { .. } | V::PledgeHasNoItems => RuleId::P3,
            V::PledgeNotOpen { .. } | V::NotAMember | V::AlreadySigned | V::SignedInFuture => {
                RuleId::P4
            }
            V::PledgeReadOnly { .. } => RuleId::P6,
            V::InvalidTarget { .. } => RuleId::T2,
            V::PledgeNotInForce { .. }
            | V::PeriodOutsideYear { .. }
            | V::InvalidPeriod
            | V::UnknownTarget => RuleId::T3,
            V::InvalidReportValues { .. } => RuleId::T4,
            V::SchemeFrozen | V::InvalidScheme { .. } => RuleId::E1,
            V::PointsOutOfBounds { .. } | V::SheetLocked { .. } | V::NotAReviewer => RuleId::E2,
            V::BallotClosed | V::AlreadyVoted | V::InvalidChoices { .. } | V::ResultsHidden => {
                RuleId::E4
            }
            V::ReportingClosed { .. } => RuleId::T8,
            V::InvalidRuleSet { .. } | V::RuleSetInUse | V::NoRuleSet { .. } => RuleId::C0,
            V::SubjectKindMismatch { .. } => RuleId::SubjectKind,
            V::ProposalTransition { .. } => RuleId::ProposalFlow,
            V::RegistrationClosed { .. } => RuleId::RegistrationDeadline,
            V::AwardRevoked => RuleId::C14,
        }
    }
}
