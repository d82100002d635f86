//! Compliance arithmetic (T6, T7): exact integers, never floats.

use super::pledge::{Comparator, Period, TargetKind};

/// T6: `numerator*100` against `target*denominator`; 99 of 100 is not 100%.
pub fn percentage_achieved(num: i64, den: i64, target_percent: i64, cmp: Comparator) -> bool {
    let (lhs, rhs) = (num as i128 * 100, target_percent as i128 * den as i128);
    compare(lhs, rhs, cmp)
}

fn compare(lhs: i128, rhs: i128, cmp: Comparator) -> bool {
    match cmp {
        Comparator::Gte => lhs >= rhs,
        Comparator::Lte => lhs <= rhs,
        Comparator::Eq => lhs == rhs,
    }
}

/// The latest value of a unit on a target.
#[derive(Debug, Clone)]
pub struct Value {
    pub period: Period,
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
    pub count: Option<i64>,
    pub done: Option<bool>,
}

/// `Some(achieved)` for measurable kinds; `None` for qualitative targets
/// (judged at scoring).
pub fn achieved(
    kind: TargetKind,
    cmp: Option<Comparator>,
    target: Option<i64>,
    v: &Value,
) -> Option<bool> {
    let cmp = cmp?;
    let target = target?;
    match kind {
        TargetKind::Percentage => Some(percentage_achieved(
            v.numerator?,
            v.denominator?,
            target,
            cmp,
        )),
        TargetKind::Count => Some(compare(v.count? as i128, target as i128, cmp)),
        TargetKind::Boolean => Some(compare(i128::from(v.done?), target as i128, cmp)),
        TargetKind::Qualitative => None,
    }
}

/// An exact percentage `num/den` shown with two decimals (half up).
pub fn percent_2dp(num: i64, den: i64) -> Option<String> {
    if den <= 0 {
        return None;
    }
    let hundredths = (num as i128 * 10_000 * 2 + den as i128) / (den as i128 * 2);
    Some(format!("{}.{:02}", hundredths / 100, hundredths % 100))
}

/// T7: the bloc's figure for one target from each member's `achieved`:
/// (members achieving, their share with two decimals, met by every member —
/// `None` for a target that is not measurable).
pub fn bloc_figure(achieved: &[Option<bool>], measurable: bool) -> (usize, String, Option<bool>) {
    let n = achieved.len();
    let a = achieved.iter().filter(|x| **x == Some(true)).count();
    let share = percent_2dp(a as i64, n as i64).unwrap_or_else(|| "0.00".into());
    (a, share, measurable.then_some(n > 0 && a == n))
}

/// T7: an item is met when all its measurable targets are met; `None` when
/// it has none.
pub fn item_met(targets_met: &[Option<bool>]) -> Option<bool> {
    let measurable: Vec<bool> = targets_met.iter().filter_map(|x| *x).collect();
    (!measurable.is_empty()).then(|| measurable.iter().all(|x| *x))
}

/// T7: of several reports, the one of the latest period.
pub fn latest(values: &[Value]) -> Option<&Value> {
    values.iter().max_by_key(|v| v.period.rank())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t6_exact_integer_arithmetic_99_of_100_is_not_100_percent() {
        assert!(!percentage_achieved(99, 100, 100, Comparator::Gte));
        assert!(percentage_achieved(7, 7, 100, Comparator::Gte));
        assert!(percentage_achieved(70, 100, 70, Comparator::Gte));
        assert!(!percentage_achieved(69, 99, 70, Comparator::Gte));
        assert!(percentage_achieved(1, 3, 34, Comparator::Lte));
        assert!(percentage_achieved(1, 2, 50, Comparator::Eq));
        assert!(!percentage_achieved(1, 3, 33, Comparator::Eq));
    }

    #[test]
    fn t6_percent_shown_with_two_decimals() {
        assert_eq!(percent_2dp(99, 100).as_deref(), Some("99.00"));
        assert_eq!(percent_2dp(2, 3).as_deref(), Some("66.67"));
        assert_eq!(percent_2dp(1, 3).as_deref(), Some("33.33"));
        assert_eq!(percent_2dp(7, 7).as_deref(), Some("100.00"));
        assert_eq!(percent_2dp(0, 0), None);
    }

    #[test]
    fn t7_bloc_figure_is_the_share_of_members_and_items_need_all_targets() {
        assert_eq!(
            bloc_figure(&[Some(true), Some(false), None], true),
            (1, "33.33".into(), Some(false))
        );
        assert_eq!(bloc_figure(&[Some(true), Some(true)], true).2, Some(true));
        assert_eq!(bloc_figure(&[None, None], false).2, None);
        assert_eq!(item_met(&[Some(true), None, Some(true)]), Some(true));
        assert_eq!(item_met(&[Some(true), Some(false)]), Some(false));
        assert_eq!(item_met(&[None]), None);
    }

    #[test]
    fn t7_latest_period_wins() {
        let v = |p: Period, n: i64| Value {
            period: p,
            numerator: Some(n),
            denominator: Some(10),
            count: None,
            done: None,
        };
        let vals = vec![
            v(Period::Quarter(1), 1),
            v(Period::Quarter(3), 3),
            v(Period::Half(1), 2),
        ];
        assert_eq!(latest(&vals).unwrap().numerator, Some(3));
        assert_eq!(
            achieved(
                TargetKind::Boolean,
                Some(Comparator::Eq),
                Some(1),
                &Value {
                    period: Period::Year,
                    numerator: None,
                    denominator: None,
                    count: None,
                    done: Some(true)
                }
            ),
            Some(true)
        );
        assert_eq!(
            achieved(TargetKind::Qualitative, None, None, &vals[0]),
            None
        );
    }
}
