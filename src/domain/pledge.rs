//! Giao ước thi đua: a bloc's signed pledge for one year. Its state machine
//! (P2–P6), the target rules (T0–T2) and report rules (T3–T5, T8).

use chrono::NaiveDate;
use uuid::Uuid;

use super::RuleViolation;
use super::text::text_enum;

// Where a pledge is in its life, P2 (no description in the document).
text_enum! {
    pub enum PledgeStatus {
        Draft = "draft",
        Open = "open",
        InForce = "in_force",
        Closed = "closed",
        Withdrawn = "withdrawn",
    }
}

/// The actions that move a pledge (P2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Open,
    Close,
    Withdraw,
}

/// P2: only forward — draft → open → in_force → closed; draft|open → withdrawn.
/// (open → in_force happens only through the last signature, P5.) P6: closed
/// and withdrawn pledges never move again.
pub fn transition(from: PledgeStatus, action: Action) -> Result<PledgeStatus, RuleViolation> {
    use PledgeStatus as S;
    match (from, action) {
        (S::Draft, Action::Open) => Ok(S::Open),
        (S::InForce, Action::Close) => Ok(S::Closed),
        (S::Draft | S::Open, Action::Withdraw) => Ok(S::Withdrawn),
        (S::Closed | S::Withdrawn, _) => Err(RuleViolation::PledgeReadOnly {
            status: from.as_str(),
        }),
        _ => Err(RuleViolation::InvalidTransition {
            from: from.as_str(),
            action: action_name(action),
        }),
    }
}

fn action_name(a: Action) -> &'static str {
    match a {
        Action::Open => "open",
        Action::Close => "close",
        Action::Withdraw => "withdraw",
    }
}

/// P3 (and P6): items, targets and the pledge's own text change only in draft.
pub fn require_editable(status: PledgeStatus) -> Result<(), RuleViolation> {
    match status {
        PledgeStatus::Draft => Ok(()),
        PledgeStatus::Closed | PledgeStatus::Withdrawn => Err(RuleViolation::PledgeReadOnly {
            status: status.as_str(),
        }),
        _ => Err(RuleViolation::PledgeNotDraft {
            status: status.as_str(),
        }),
    }
}

text_enum! {
    /// T1: what a target measures.
    pub enum TargetKind {
        Percentage = "percentage",
        Count = "count",
        Boolean = "boolean",
        Qualitative = "qualitative",
    }
}

text_enum! {
    /// T0: who or what the target counts.
    pub enum Subject {
        MemberUnits = "member_units",
        SubUnits = "sub_units",
        Staff = "staff",
        Organisations = "organisations",
        Unit = "unit",
    }
}

// How a measured value compares with the target (no description in the document).
text_enum! {
    pub enum Comparator {
        Gte = "gte",
        Lte = "lte",
        Eq = "eq",
    }
}

/// A target as the rules see it.
#[derive(Debug, Clone)]
pub struct TargetSpec {
    pub kind: TargetKind,
    pub comparator: Option<Comparator>,
    pub target: Option<i64>,
}

/// T1, T2: a percentage target is in (0, 100]; a count target is ≥ 0; a
/// boolean target is done (1) or not (0) with `eq`; a qualitative target has
/// no metric. Measurable kinds need a comparator.
pub fn validate_target(t: &TargetSpec) -> Result<(), RuleViolation> {
    let bad = |reason: &'static str| Err(RuleViolation::InvalidTarget { reason });
    match t.kind {
        TargetKind::Percentage => match (t.comparator, t.target) {
            (Some(_), Some(v)) if v > 0 && v <= 100 => Ok(()),
            (None, _) => bad("a percentage target needs a comparator"),
            _ => bad("a percentage target is above 0 and at most 100"),
        },
        TargetKind::Count => match (t.comparator, t.target) {
            (Some(_), Some(v)) if v >= 0 => Ok(()),
            (None, _) => bad("a count target needs a comparator"),
            _ => bad("a count target is 0 or more"),
        },
        TargetKind::Boolean => match (t.comparator, t.target) {
            (Some(Comparator::Eq), Some(0 | 1)) => Ok(()),
            _ => bad("a boolean target is `eq` 1 (done) or 0"),
        },
        TargetKind::Qualitative => match (t.comparator, t.target) {
            (None, None) => Ok(()),
            _ => bad("a qualitative target has no comparator or value"),
        },
    }
}

/// P3: opening needs at least one item, and every target valid.
pub fn check_openable(item_count: usize, targets: &[TargetSpec]) -> Result<(), RuleViolation> {
    if item_count == 0 {
        return Err(RuleViolation::PledgeHasNoItems);
    }
    targets.iter().try_for_each(validate_target)
}

/// Outcome of a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignOutcome {
    Signed,
    /// The last member signed: the pledge is now in force (P5).
    LastSignature,
}

/// P4, P5: may `org` sign, and is it the last signature?
pub fn sign(
    status: PledgeStatus,
    members: &[Uuid],
    org: Uuid,
    signed: &[Uuid],
) -> Result<SignOutcome, RuleViolation> {
    if status != PledgeStatus::Open {
        return Err(RuleViolation::PledgeNotOpen {
            status: status.as_str(),
        });
    }
    if !members.contains(&org) {
        return Err(RuleViolation::NotAMember);
    }
    if signed.contains(&org) {
        return Err(RuleViolation::AlreadySigned);
    }
    let after = members
        .iter()
        .filter(|m| signed.contains(m) || **m == org)
        .count();
    Ok(if after == members.len() {
        SignOutcome::LastSignature
    } else {
        SignOutcome::Signed
    })
}

/// A reporting period of the pledge year (T3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    Month(u8),
    Quarter(u8),
    Half(u8),
    Year,
}

impl Period {
    /// `M01..M12`, `Q1..Q4`, `H1`, `H2`, `Y`, optionally prefixed with the
    /// year (`2021-Q1`); the prefix must be the pledge year (T3).
    /// Exactly the published pattern: no spaces, a four-digit year.
    pub fn parse(s: &str, pledge_year: i32) -> Result<Period, RuleViolation> {
        let body = match s.split_once('-') {
            Some((y, rest)) => {
                if y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(RuleViolation::InvalidPeriod);
                }
                let year: i32 = y.parse().map_err(|_| RuleViolation::InvalidPeriod)?;
                if year != pledge_year {
                    return Err(RuleViolation::PeriodOutsideYear { year, pledge_year });
                }
                rest
            }
            None => s,
        };
        let num = |t: &str, max: u8| {
            Some(t)
                .filter(|t| t.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|t| t.parse::<u8>().ok())
                .filter(|n| (1..=max).contains(n))
                .ok_or(RuleViolation::InvalidPeriod)
        };
        match body.split_at_checked(1) {
            Some(("M", n)) if n.len() == 2 => Ok(Period::Month(num(n, 12)?)),
            Some(("Q", n)) if n.len() == 1 => Ok(Period::Quarter(num(n, 4)?)),
            Some(("H", n)) if n.len() == 1 => Ok(Period::Half(num(n, 2)?)),
            Some(("Y", "")) => Ok(Period::Year),
            _ => Err(RuleViolation::InvalidPeriod),
        }
    }

    pub fn code(self) -> String {
        match self {
            Period::Month(m) => format!("M{m:02}"),
            Period::Quarter(q) => format!("Q{q}"),
            Period::Half(h) => format!("H{h}"),
            Period::Year => "Y".into(),
        }
    }

    /// Order of "latest" (T7): by the month the period ends in, then the
    /// longer period (a year figure outranks Q4, which outranks December).
    pub fn rank(self) -> (u8, u8) {
        match self {
            Period::Month(m) => (m, 1),
            Period::Quarter(q) => (q * 3, 3),
            Period::Half(h) => (h * 6, 6),
            Period::Year => (12, 12),
        }
    }
}

/// Values of one report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportValues {
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
    pub count: Option<i64>,
    pub done: Option<bool>,
}

/// T4: whole numbers ≥ 0; numerator ≤ denominator; denominator > 0; and the
/// values the target's kind needs (and no others).
pub fn check_values(kind: TargetKind, v: &ReportValues) -> Result<(), RuleViolation> {
    let bad = |reason: &'static str| Err(RuleViolation::InvalidReportValues { reason });
    match kind {
        TargetKind::Percentage => match (v.numerator, v.denominator, v.count, v.done) {
            (Some(n), Some(d), None, None) => {
                if n < 0 {
                    bad("the numerator is 0 or more")
                } else if d <= 0 {
                    bad("the denominator is more than 0")
                } else if n > d {
                    bad("the numerator is at most the denominator")
                } else {
                    Ok(())
                }
            }
            _ => bad("a percentage target takes numerator and denominator only"),
        },
        TargetKind::Count => match (v.numerator, v.denominator, v.count, v.done) {
            (None, None, Some(c), None) if c >= 0 => Ok(()),
            (None, None, Some(_), None) => bad("a count is 0 or more"),
            _ => bad("a count target takes count only"),
        },
        TargetKind::Boolean => match (v.numerator, v.denominator, v.count, v.done) {
            (None, None, None, Some(_)) => Ok(()),
            _ => bad("a boolean target takes done only"),
        },
        TargetKind::Qualitative => match v == &ReportValues::default() {
            true => Ok(()),
            false => bad("a qualitative target takes a note and evidence, no values"),
        },
    }
}

/// T3: only while the pledge is in force.
pub fn check_reportable(status: PledgeStatus) -> Result<(), RuleViolation> {
    if status == PledgeStatus::InForce {
        Ok(())
    } else {
        Err(RuleViolation::PledgeNotInForce {
            status: status.as_str(),
        })
    }
}

/// T8: no report after the term's cut-off date.
pub fn check_cutoff(today: NaiveDate, cutoff: NaiveDate) -> Result<(), RuleViolation> {
    if today > cutoff {
        Err(RuleViolation::ReportingClosed { cutoff })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p2_an_unknown_stored_status_is_an_error_never_draft() {
        assert_eq!(
            "in_force".parse::<PledgeStatus>(),
            Ok(PledgeStatus::InForce)
        );
        let unknown = "signed".parse::<PledgeStatus>().unwrap_err();
        assert_eq!(unknown.to_string(), "\"signed\" is not a PledgeStatus");
        assert!("".parse::<PledgeStatus>().is_err());
        for s in PledgeStatus::ALL {
            assert_eq!(s.as_str().parse::<PledgeStatus>(), Ok(*s));
        }
    }

    #[test]
    fn t1_target_kinds_comparators_and_subjects_read_back_only_their_own_text() {
        assert_eq!("count".parse::<TargetKind>(), Ok(TargetKind::Count));
        assert!("Count".parse::<TargetKind>().is_err());
        assert_eq!("gte".parse::<Comparator>(), Ok(Comparator::Gte));
        assert!(">=".parse::<Comparator>().is_err());
        assert_eq!("member_units".parse::<Subject>(), Ok(Subject::MemberUnits));
        assert!("members".parse::<Subject>().is_err());
    }

    #[test]
    fn p2_moves_only_forward() {
        use PledgeStatus as S;
        assert_eq!(transition(S::Draft, Action::Open), Ok(S::Open));
        assert_eq!(transition(S::InForce, Action::Close), Ok(S::Closed));
        assert_eq!(transition(S::Open, Action::Withdraw), Ok(S::Withdrawn));
        assert_eq!(transition(S::Draft, Action::Withdraw), Ok(S::Withdrawn));
        assert!(matches!(
            transition(S::Open, Action::Open),
            Err(RuleViolation::InvalidTransition { .. })
        ));
        assert!(matches!(
            transition(S::Open, Action::Close),
            Err(RuleViolation::InvalidTransition { .. })
        ));
        assert!(matches!(
            transition(S::InForce, Action::Withdraw),
            Err(RuleViolation::InvalidTransition { .. })
        ));
    }

    #[test]
    fn p3_items_change_only_in_draft_and_opening_needs_an_item() {
        assert!(require_editable(PledgeStatus::Draft).is_ok());
        assert!(matches!(
            require_editable(PledgeStatus::Open),
            Err(RuleViolation::PledgeNotDraft { .. })
        ));
        assert_eq!(check_openable(0, &[]), Err(RuleViolation::PledgeHasNoItems));
        assert!(check_openable(1, &[]).is_ok());
    }

    #[test]
    fn p4_only_members_sign_once_while_open() {
        let (a, b, c) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let members = [a, b];
        assert_eq!(
            sign(PledgeStatus::Open, &members, c, &[]),
            Err(RuleViolation::NotAMember)
        );
        assert_eq!(
            sign(PledgeStatus::Open, &members, a, &[a]),
            Err(RuleViolation::AlreadySigned)
        );
        assert!(matches!(
            sign(PledgeStatus::Draft, &members, a, &[]),
            Err(RuleViolation::PledgeNotOpen { .. })
        ));
    }

    #[test]
    fn p5_last_member_signature_puts_pledge_in_force() {
        let (a, b, c) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        assert_eq!(
            sign(PledgeStatus::Open, &[a, b, c], c, &[a, b]),
            Ok(SignOutcome::LastSignature)
        );
        assert_eq!(
            sign(PledgeStatus::Open, &[a, b, c], b, &[a]),
            Ok(SignOutcome::Signed)
        );
    }

    #[test]
    fn p6_closed_and_withdrawn_are_read_only() {
        for s in [PledgeStatus::Closed, PledgeStatus::Withdrawn] {
            assert!(matches!(
                require_editable(s),
                Err(RuleViolation::PledgeReadOnly { .. })
            ));
            assert!(matches!(
                transition(s, Action::Withdraw),
                Err(RuleViolation::PledgeReadOnly { .. })
            ));
        }
    }

    fn spec(kind: TargetKind, cmp: Option<Comparator>, target: Option<i64>) -> TargetSpec {
        TargetSpec {
            kind,
            comparator: cmp,
            target,
        }
    }

    #[test]
    fn t1_t2_targets_have_their_kinds_bounds() {
        use Comparator::*;
        use TargetKind::*;
        assert!(validate_target(&spec(Percentage, Some(Gte), Some(100))).is_ok());
        assert!(validate_target(&spec(Percentage, Some(Gte), Some(0))).is_err());
        assert!(validate_target(&spec(Percentage, Some(Gte), Some(101))).is_err());
        assert!(validate_target(&spec(Count, Some(Lte), Some(0))).is_ok());
        assert!(validate_target(&spec(Count, Some(Gte), Some(-1))).is_err());
        assert!(validate_target(&spec(Boolean, Some(Eq), Some(1))).is_ok());
        assert!(validate_target(&spec(Boolean, Some(Gte), Some(1))).is_err());
        assert!(validate_target(&spec(Qualitative, None, None)).is_ok());
        assert!(validate_target(&spec(Qualitative, Some(Eq), Some(1))).is_err());
    }

    #[test]
    fn t3_periods_belong_to_the_pledge_year() {
        assert_eq!(Period::parse("Q2", 2021), Ok(Period::Quarter(2)));
        assert_eq!(Period::parse("2021-M07", 2021), Ok(Period::Month(7)));
        assert_eq!(
            Period::parse("2022-Q1", 2021),
            Err(RuleViolation::PeriodOutsideYear {
                year: 2022,
                pledge_year: 2021
            })
        );
        for bad in [
            "Q5", "M13", "M1", "H3", "Y1", "X", "", " Q1", "Q1 ", "Q+", "M+1", "+2021-Q1", "21-Q1",
        ] {
            assert_eq!(
                Period::parse(bad, 2021),
                Err(RuleViolation::InvalidPeriod),
                "{bad}"
            );
        }
        assert!(check_reportable(PledgeStatus::Open).is_err());
        assert!(check_reportable(PledgeStatus::InForce).is_ok());
    }

    #[test]
    fn t4_values_are_whole_non_negative_and_fit_the_kind() {
        let pct = |n, d| ReportValues {
            numerator: Some(n),
            denominator: Some(d),
            ..Default::default()
        };
        assert!(check_values(TargetKind::Percentage, &pct(7, 7)).is_ok());
        assert!(check_values(TargetKind::Percentage, &pct(8, 7)).is_err());
        assert!(check_values(TargetKind::Percentage, &pct(0, 0)).is_err());
        assert!(check_values(TargetKind::Percentage, &pct(-1, 5)).is_err());
        assert!(
            check_values(
                TargetKind::Count,
                &ReportValues {
                    count: Some(3),
                    ..Default::default()
                }
            )
            .is_ok()
        );
        assert!(check_values(TargetKind::Count, &pct(1, 2)).is_err());
        assert!(
            check_values(
                TargetKind::Boolean,
                &ReportValues {
                    done: Some(true),
                    ..Default::default()
                }
            )
            .is_ok()
        );
        assert!(check_values(TargetKind::Qualitative, &ReportValues::default()).is_ok());
    }

    #[test]
    fn t7_latest_period_prefers_later_end_then_longer_span() {
        let mut ps = [
            Period::Month(12),
            Period::Year,
            Period::Quarter(4),
            Period::Half(1),
        ];
        ps.sort_by_key(|p| p.rank());
        assert_eq!(ps.last(), Some(&Period::Year));
        assert!(Period::Quarter(2).rank() > Period::Month(5).rank());
        assert!(Period::Half(1).rank() > Period::Quarter(2).rank());
    }

    #[test]
    fn t8_no_report_after_the_cutoff() {
        let cutoff = NaiveDate::from_ymd_opt(2021, 12, 15).unwrap();
        assert!(check_cutoff(cutoff, cutoff).is_ok());
        assert!(matches!(
            check_cutoff(cutoff.succ_opt().unwrap(), cutoff),
            Err(RuleViolation::ReportingClosed { .. })
        ));
    }
}
