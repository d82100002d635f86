//! Chấm điểm: scoring schemes (E1), points (E2), final scores and ranking (E3).

use std::cmp::Ordering;

use uuid::Uuid;

use super::RuleViolation;
use super::text::text_enum;

// What a criterion adds to a sheet (no description in the document).
text_enum! {
    pub enum CriterionKind {
        /// 0..maxPoints
        Content = "content",
        /// 0..maxPoints
        Bonus = "bonus",
        /// minPoints..0
        Penalty = "penalty",
    }
}

text_enum! {
    /// `draft`, `submitted` (locked) or `recused`.
    pub enum SheetStatus {
        Draft = "draft",
        Submitted = "submitted",
        Recused = "recused",
    }
}

// Where a scheme's template comes from (no description in the document).
text_enum! {
    pub enum TemplateSource {
        /// The common 1,000-point frame: 950 content (one criterion per pledge item) + 50 bonus.
        Standard = "standard",
        /// Last year's scheme of the same bloc.
        PreviousYear = "previous_year",
    }
}

#[derive(Debug, Clone)]
pub struct Criterion {
    pub id: Uuid,
    pub code: String,
    pub kind: CriterionKind,
    pub min: i32,
    pub max: i32,
}

/// E1: a scheme is fixed before the first score is entered.
pub fn check_scheme_editable(scores_exist: bool) -> Result<(), RuleViolation> {
    if scores_exist {
        Err(RuleViolation::SchemeFrozen)
    } else {
        Ok(())
    }
}

/// E1: codes unique, bounds of each kind (content and bonus 0..max, penalty
/// min..0), and a positive cap.
pub fn check_scheme(criteria: &[Criterion], cap: i32) -> Result<(), RuleViolation> {
    let bad = |r: String| Err(RuleViolation::InvalidScheme { reason: r });
    if cap <= 0 {
        return bad("the total cap is above 0".into());
    }
    if criteria.is_empty() {
        return bad("a scheme needs at least one criterion".into());
    }
    let mut codes: Vec<&str> = criteria.iter().map(|c| c.code.as_str()).collect();
    codes.sort();
    if codes.windows(2).any(|w| w[0] == w[1]) {
        return bad("criterion codes are unique".into());
    }
    for c in criteria {
        let ok = match c.kind {
            CriterionKind::Penalty => c.min < 0 && c.max == 0,
            _ => c.min == 0 && c.max > 0,
        };
        if !ok {
            return bad(format!(
                "criterion {} has bounds that do not fit its kind",
                c.code
            ));
        }
    }
    Ok(())
}

/// E2: each score within its criterion's bounds.
pub fn check_points(criteria: &[Criterion], points: &[(Uuid, i32)]) -> Result<(), RuleViolation> {
    for (id, p) in points {
        let c = criteria.iter().find(|c| c.id == *id).ok_or_else(|| {
            RuleViolation::PointsOutOfBounds {
                reason: format!("criterion {id} is not in the scheme"),
            }
        })?;
        if *p < c.min || *p > c.max {
            return Err(RuleViolation::PointsOutOfBounds {
                reason: format!("{}: {p} is outside {}..{}", c.code, c.min, c.max),
            });
        }
    }
    Ok(())
}

/// A sheet's total, capped.
pub fn sheet_total(points: &[i32], cap: i32) -> i64 {
    (points.iter().map(|p| *p as i64).sum::<i64>()).min(cap as i64)
}

/// An exact score: `sum / count` (the mean of several cross-sheets).
#[derive(Debug, Clone, Copy)]
pub struct Score {
    pub sum: i64,
    pub count: i64,
}

impl Score {
    pub fn single(total: i64) -> Score {
        Score {
            sum: total,
            count: 1,
        }
    }
    /// Two decimals, half up.
    pub fn display(self) -> String {
        let hundredths = (self.sum as i128 * 200 + self.count as i128) / (self.count as i128 * 2);
        let sign = if hundredths < 0 { "-" } else { "" };
        let h = hundredths.abs();
        format!("{sign}{}.{:02}", h / 100, h % 100)
    }
}

impl PartialEq for Score {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Score {}
impl PartialOrd for Score {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Score {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.sum as i128 * other.count as i128).cmp(&(other.sum as i128 * self.count as i128))
    }
}

/// E2: the final score is the mean of the submitted cross-sheets where any
/// exist, else the submitted self-sheet (flagged). `None`: nothing submitted.
pub fn final_score(cross_totals: &[i64], self_total: Option<i64>) -> Option<(Score, bool)> {
    if !cross_totals.is_empty() {
        return Some((
            Score {
                sum: cross_totals.iter().sum(),
                count: cross_totals.len() as i64,
            },
            false,
        ));
    }
    self_total.map(|t| (Score::single(t), true))
}

/// E3: total descending; ties share a rank (1, 1, 3) and are listed by code.
/// Units without a score come last, unranked.
pub fn rank(units: &[(String, Option<Score>)]) -> Vec<(usize, Option<usize>)> {
    let mut order: Vec<usize> = (0..units.len()).collect();
    order.sort_by(|a, b| match (&units[*a].1, &units[*b].1) {
        (Some(x), Some(y)) => y.cmp(x).then_with(|| units[*a].0.cmp(&units[*b].0)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => units[*a].0.cmp(&units[*b].0),
    });
    let mut out = Vec::with_capacity(order.len());
    for (pos, idx) in order.iter().enumerate() {
        let rank = units[*idx].1.map(|s| {
            order[..pos]
                .iter()
                .filter(|j| units[**j].1.is_some_and(|o| o > s))
                .count()
                + 1
        });
        out.push((*idx, rank));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e2_sheet_statuses_and_criterion_kinds_never_default() {
        assert_eq!("recused".parse::<SheetStatus>(), Ok(SheetStatus::Recused));
        assert!("locked".parse::<SheetStatus>().is_err());
        // Before, an unknown kind read as `content`.
        assert!("extra".parse::<CriterionKind>().is_err());
        assert_eq!(
            "penalty".parse::<CriterionKind>(),
            Ok(CriterionKind::Penalty)
        );
        assert_eq!(
            "previous_year".parse::<TemplateSource>(),
            Ok(TemplateSource::PreviousYear)
        );
    }

    fn crit(code: &str, kind: CriterionKind, min: i32, max: i32) -> Criterion {
        Criterion {
            id: Uuid::now_v7(),
            code: code.into(),
            kind,
            min,
            max,
        }
    }

    #[test]
    fn e1_the_scheme_is_fixed_once_a_score_exists() {
        assert!(check_scheme_editable(false).is_ok());
        assert_eq!(
            check_scheme_editable(true),
            Err(RuleViolation::SchemeFrozen)
        );
        let ok = vec![
            crit("A", CriterionKind::Content, 0, 950),
            crit("T", CriterionKind::Bonus, 0, 50),
            crit("P", CriterionKind::Penalty, -20, 0),
        ];
        assert!(check_scheme(&ok, 1000).is_ok());
        assert!(check_scheme(&[crit("P", CriterionKind::Penalty, 0, 10)], 1000).is_err());
        assert!(
            check_scheme(
                &[
                    crit("A", CriterionKind::Content, 0, 5),
                    crit("A", CriterionKind::Bonus, 0, 5)
                ],
                1000
            )
            .is_err()
        );
    }

    #[test]
    fn e2_points_within_bounds_and_penalties_between_min_and_zero() {
        let cs = vec![
            crit("A", CriterionKind::Content, 0, 100),
            crit("P", CriterionKind::Penalty, -20, 0),
        ];
        assert!(check_points(&cs, &[(cs[0].id, 100), (cs[1].id, -20)]).is_ok());
        assert!(check_points(&cs, &[(cs[0].id, 101)]).is_err());
        assert!(check_points(&cs, &[(cs[0].id, -1)]).is_err());
        assert!(check_points(&cs, &[(cs[1].id, 1)]).is_err());
        assert!(check_points(&cs, &[(cs[1].id, -21)]).is_err());
    }

    #[test]
    fn e2_final_score_is_the_cross_score_mean_else_the_self_score() {
        let (s, self_only) = final_score(&[900, 905], Some(990)).unwrap();
        assert_eq!((s.display(), self_only), ("902.50".to_string(), false));
        let (s, self_only) = final_score(&[], Some(990)).unwrap();
        assert_eq!((s.display(), self_only), ("990.00".to_string(), true));
        assert!(final_score(&[], None).is_none());
        assert_eq!(sheet_total(&[950, 60, -5], 1000), 1000);
    }

    #[test]
    fn e3_ties_share_a_rank_and_are_listed_by_code() {
        let s = |t: i64| Some(Score::single(t));
        let units = vec![
            ("SYT".to_string(), s(900)),
            ("BDT".to_string(), s(950)),
            ("SGD".to_string(), s(900)),
            ("ABC".to_string(), None),
            ("STC".to_string(), s(800)),
        ];
        let r = rank(&units);
        let shown: Vec<(&str, Option<usize>)> =
            r.iter().map(|(i, k)| (units[*i].0.as_str(), *k)).collect();
        assert_eq!(
            shown,
            vec![
                ("BDT", Some(1)),
                ("SGD", Some(2)),
                ("SYT", Some(2)),
                ("STC", Some(4)),
                ("ABC", None)
            ]
        );
        // Means compare exactly: 1801/2 > 900.
        assert!(
            Score {
                sum: 1801,
                count: 2
            } > Score::single(900)
        );
    }
}
