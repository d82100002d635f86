//! A domain rule violation becomes its catalogue code, with the values its
//! text names.

use super::catalogue::phrase;
use super::{AppError, ErrorCode as C};
use crate::domain::{HeadDeputyProblem, RuleViolation};

/// The code a violation answers with (its rule is the code's rule).
pub fn code_of(v: &RuleViolation) -> C {
    use RuleViolation as R;
    match v {
        R::AlreadyInBloc { .. } => C::AlreadyInBloc,
        R::HeadDeputyInvalid { .. } => C::HeadDeputyInvalid,
        R::HeadTwoYearsRunning { .. } => C::HeadTwoYearsRunning,
        R::TermFrozen => C::TermFrozen,
        R::MemberNotAUnit { .. } => C::MemberNotAUnit,
        R::DuplicateMember => C::DuplicateMember,
        R::UnknownOrganization { .. } => C::UnknownOrganization,
        R::ParentNotAUnit { .. } => C::ParentNotAUnit,
        R::PledgeExists => C::PledgeExists,
        R::InvalidTransition { .. } => C::InvalidTransition,
        R::NotHeadUnit => C::NotHeadUnit,
        R::PledgeNotDraft { .. } => C::PledgeNotDraft,
        R::PledgeHasNoItems => C::PledgeHasNoItems,
        R::PledgeNotOpen { .. } => C::PledgeNotOpen,
        R::NotAMember => C::NotAMember,
        R::AlreadySigned => C::AlreadySigned,
        R::SignedInFuture => C::SignedInFuture,
        R::PledgeReadOnly { .. } => C::PledgeReadOnly,
        R::InvalidTarget { .. } => C::InvalidTarget,
        R::PledgeNotInForce { .. } => C::PledgeNotInForce,
        R::PeriodOutsideYear { .. } => C::PeriodOutsideYear,
        R::InvalidPeriod => C::InvalidPeriod,
        R::UnknownTarget => C::UnknownTarget,
        R::InvalidReportValues { .. } => C::InvalidReportValues,
        R::SchemeFrozen => C::SchemeFrozen,
        R::InvalidScheme { .. } => C::InvalidScheme,
        R::PointsOutOfBounds { .. } => C::PointsOutOfBounds,
        R::SheetLocked { .. } => C::SheetLocked,
        R::NotAReviewer => C::NotAReviewer,
        R::BallotClosed => C::BallotClosed,
        R::AlreadyVoted => C::AlreadyVoted,
        R::InvalidChoices { .. } => C::InvalidChoices,
        R::ResultsHidden => C::ResultsHidden,
        R::ReportingClosed { .. } => C::ReportingClosed,
        R::InvalidRuleSet { .. } => C::InvalidRuleSet,
        R::RuleSetInUse => C::RuleSetInUse,
        R::NoRuleSet { .. } => C::NoRuleSet,
        R::SubjectKindMismatch { .. } => C::SubjectKindMismatch,
        R::ProposalTransition { .. } => C::ProposalTransition,
        R::RegistrationClosed { .. } => C::RegistrationClosed,
        R::AwardRevoked => C::AwardRevoked,
    }
}

impl From<RuleViolation> for AppError {
    fn from(v: RuleViolation) -> Self {
        use RuleViolation as R;
        let e = AppError::new(code_of(&v));
        match v {
            // Decided by the database in a race: the unit is not known.
            R::AlreadyInBloc { unit, .. } if unit.is_empty() => e,
            R::AlreadyInBloc { unit, bloc } => e.arg("unit", unit).arg("bloc", bloc),
            R::HeadDeputyInvalid { reason } => e.arg_text(
                "reason",
                match reason {
                    HeadDeputyProblem::HeadNotMember => phrase::HEAD_NOT_MEMBER,
                    HeadDeputyProblem::DeputyNotMember => phrase::DEPUTY_NOT_MEMBER,
                    HeadDeputyProblem::SameUnit => phrase::HEAD_IS_DEPUTY,
                },
            ),
            R::HeadTwoYearsRunning { unit, year } => e.arg("unit", unit).arg("year", year),
            R::MemberNotAUnit { what } => e.arg("what", what),
            R::UnknownOrganization { id } => e.arg("id", id),
            R::ParentNotAUnit { parent } => e.arg("parent", parent),
            R::InvalidTransition { from, action } => e.arg("from", from).arg("action", action),
            R::ProposalTransition { from, action } => e.arg("from", from).arg("action", action),
            R::PledgeNotDraft { status }
            | R::PledgeNotOpen { status }
            | R::PledgeReadOnly { status }
            | R::PledgeNotInForce { status }
            | R::SheetLocked { status } => e.arg("status", status),
            R::InvalidTarget { reason }
            | R::InvalidReportValues { reason }
            | R::InvalidChoices { reason }
            | R::InvalidRuleSet { reason } => e.arg("reason", reason),
            R::InvalidScheme { reason } | R::PointsOutOfBounds { reason } => {
                e.arg("reason", reason)
            }
            R::PeriodOutsideYear { year, pledge_year } => {
                e.arg("year", year).arg("pledge_year", pledge_year)
            }
            R::ReportingClosed { cutoff } => e.arg("cutoff", cutoff),
            R::NoRuleSet { year } => e.arg("year", year),
            R::SubjectKindMismatch { award, expected } => e.arg("award", award).arg_text(
                "expected",
                if expected == "person" {
                    phrase::PERSON
                } else {
                    phrase::COLLECTIVE
                },
            ),
            R::RegistrationClosed { deadline } => e.arg("deadline", deadline),
            R::TermFrozen
            | R::DuplicateMember
            | R::PledgeExists
            | R::NotHeadUnit
            | R::PledgeHasNoItems
            | R::NotAMember
            | R::AlreadySigned
            | R::SignedInFuture
            | R::InvalidPeriod
            | R::UnknownTarget
            | R::SchemeFrozen
            | R::NotAReviewer
            | R::BallotClosed
            | R::AlreadyVoted
            | R::ResultsHidden
            | R::RuleSetInUse
            | R::AwardRevoked => e,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctx::Lang;
    use uuid::Uuid;

    /// One of each violation, with values in its fields.
    fn every_violation() -> Vec<RuleViolation> {
        use RuleViolation as R;
        let day = chrono::NaiveDate::from_ymd_opt(2021, 12, 15).unwrap();
        vec![
            R::AlreadyInBloc {
                unit: "SYT".into(),
                bloc: "VHXH".into(),
            },
            R::AlreadyInBloc {
                unit: String::new(),
                bloc: String::new(),
            },
            R::HeadDeputyInvalid {
                reason: HeadDeputyProblem::HeadNotMember,
            },
            R::HeadDeputyInvalid {
                reason: HeadDeputyProblem::DeputyNotMember,
            },
            R::HeadDeputyInvalid {
                reason: HeadDeputyProblem::SameUnit,
            },
            R::HeadTwoYearsRunning {
                unit: "SYT".into(),
                year: 2020,
            },
            R::TermFrozen,
            R::MemberNotAUnit {
                what: "SYT-P1".into(),
            },
            R::DuplicateMember,
            R::UnknownOrganization { id: Uuid::nil() },
            R::ParentNotAUnit {
                parent: "SYT-P1".into(),
            },
            R::PledgeExists,
            R::InvalidTransition {
                from: "closed",
                action: "open",
            },
            R::NotHeadUnit,
            R::PledgeNotDraft { status: "open" },
            R::PledgeHasNoItems,
            R::PledgeNotOpen { status: "draft" },
            R::NotAMember,
            R::AlreadySigned,
            R::SignedInFuture,
            R::PledgeReadOnly { status: "closed" },
            R::InvalidTarget {
                reason: "outside its kind's bounds",
            },
            R::PledgeNotInForce { status: "open" },
            R::PeriodOutsideYear {
                year: 2022,
                pledge_year: 2021,
            },
            R::InvalidPeriod,
            R::UnknownTarget,
            R::InvalidReportValues {
                reason: "numerator > denominator",
            },
            R::SchemeFrozen,
            R::InvalidScheme {
                reason: "cap".into(),
            },
            R::PointsOutOfBounds {
                reason: "too many".into(),
            },
            R::SheetLocked {
                status: "submitted",
            },
            R::NotAReviewer,
            R::BallotClosed,
            R::AlreadyVoted,
            R::InvalidChoices { reason: "too many" },
            R::ResultsHidden,
            R::ReportingClosed { cutoff: day },
            R::InvalidRuleSet { reason: "negative" },
            R::RuleSetInUse,
            R::NoRuleSet { year: 2021 },
            R::SubjectKindMismatch {
                award: "LDTT",
                expected: "person",
            },
            R::SubjectKindMismatch {
                award: "TTLDXS",
                expected: "collective",
            },
            R::ProposalTransition {
                from: crate::domain::titles::ProposalStatus::Decided,
                action: crate::domain::titles::ProposalAction::Submit,
            },
            R::RegistrationClosed { deadline: day },
            R::AwardRevoked,
        ]
    }

    #[test]
    fn a_violation_answers_with_the_code_of_its_rule() {
        for v in every_violation() {
            assert_eq!(code_of(&v).rule(), Some(v.rule()), "{v:?}");
        }
    }

    #[test]
    fn a_violation_fills_every_placeholder_of_its_text_in_both_languages() {
        for v in every_violation() {
            let e = AppError::from(v.clone());
            for lang in [Lang::Vi, Lang::En] {
                let detail = e.problem(lang).detail;
                assert!(!detail.contains('{'), "{v:?}: {detail}");
            }
        }
    }

    #[test]
    fn a_numbered_rule_is_named_in_the_detail() {
        let e = AppError::from(RuleViolation::HeadTwoYearsRunning {
            unit: "SYT".into(),
            year: 2020,
        });
        assert_eq!(e.code(), "head_two_years_running");
        assert_eq!(
            e.problem(Lang::Vi).detail,
            "B3: đơn vị SYT đã làm trưởng khối năm 2020; không làm trưởng khối hai năm liền."
        );
        assert_eq!(
            e.problem(Lang::En).detail,
            "B3: unit SYT was head in 2020; the same unit is not head two years running."
        );
    }

    #[test]
    fn words_that_differ_by_language_fill_a_placeholder_in_each() {
        let e = AppError::from(RuleViolation::HeadDeputyInvalid {
            reason: HeadDeputyProblem::SameUnit,
        });
        assert!(
            e.problem(Lang::Vi)
                .detail
                .contains("(trưởng và phó khối là cùng một đơn vị)")
        );
        assert!(
            e.problem(Lang::En)
                .detail
                .contains("(head and deputy are the same unit)")
        );
    }

    #[test]
    fn a_race_decided_by_the_database_answers_b1_without_naming_the_unit() {
        let e = AppError::from(RuleViolation::AlreadyInBloc {
            unit: String::new(),
            bloc: String::new(),
        });
        assert!(
            e.problem(Lang::En)
                .detail
                .starts_with("B1: a unit in the list was just added")
        );
    }
}
