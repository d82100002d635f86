//! Staff history: a person's employments (both ends inclusive, `None`
//! open), the dates a transfer or a leave may take, and the months employed
//! in a year derived from them (TITLES.md's facts, C3).

use chrono::{Datelike, Days, NaiveDate};

/// One employment's span: first and last day (`None`: open).
pub type Span = (Option<NaiveDate>, Option<NaiveDate>);

/// A transfer starting on `on` closes the current employment the day
/// before: `on` must fall after the current one started (so the closed one
/// keeps at least its first day). `Err` carries that first day.
pub fn check_transfer(current_from: Option<NaiveDate>, on: NaiveDate) -> Result<(), NaiveDate> {
    match current_from {
        Some(from) if on <= from => Err(from),
        _ => Ok(()),
    }
}

/// Leaving: `last_day` is the last day employed, not before the current
/// employment started.
pub fn check_leave(current_from: Option<NaiveDate>, last_day: NaiveDate) -> Result<(), NaiveDate> {
    match current_from {
        Some(from) if last_day < from => Err(from),
        _ => Ok(()),
    }
}

/// The day before (`on` is never the first representable day in practice).
pub fn day_before(on: NaiveDate) -> NaiveDate {
    on.checked_sub_days(Days::new(1)).unwrap_or(on)
}

/// Whole calendar months of `year` in which the person was employed every
/// day (anywhere: a transfer's two employments are contiguous). A person
/// who started on 15 March has 9 months (April to December).
pub fn months_employed(year: i32, spans: &[Span]) -> i32 {
    let mut merged: Vec<(NaiveDate, NaiveDate)> = Vec::new();
    let mut sorted: Vec<(NaiveDate, NaiveDate)> = spans
        .iter()
        .map(|(f, t)| (f.unwrap_or(NaiveDate::MIN), t.unwrap_or(NaiveDate::MAX)))
        .collect();
    sorted.sort();
    for (f, t) in sorted {
        match merged.last_mut() {
            Some(last) if f <= last.1 || day_before(f) <= last.1 => last.1 = last.1.max(t),
            _ => merged.push((f, t)),
        }
    }
    (1..=12)
        .filter(|&m| {
            let Some(first) = NaiveDate::from_ymd_opt(year, m, 1) else {
                return false;
            };
            let last = last_of_month(first);
            merged.iter().any(|&(f, t)| f <= first && t >= last)
        })
        .count() as i32
}

fn last_of_month(first: NaiveDate) -> NaiveDate {
    let (y, m) = if first.month() == 12 {
        (first.year() + 1, 1)
    } else {
        (first.year(), first.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).map_or(first, day_before)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn c3_months_employed_counts_whole_months_across_a_transfer() {
        assert_eq!(months_employed(2024, &[(None, None)]), 12);
        assert_eq!(months_employed(2024, &[(Some(d(2024, 3, 15)), None)]), 9);
        assert_eq!(months_employed(2024, &[(Some(d(2024, 3, 1)), None)]), 10);
        // A transfer on 1 July: the two employments are contiguous.
        let moved = [
            (Some(d(2020, 1, 1)), Some(d(2024, 6, 30))),
            (Some(d(2024, 7, 1)), None),
        ];
        assert_eq!(months_employed(2024, &moved), 12);
        // Left on 10 May: January to April.
        assert_eq!(months_employed(2024, &[(None, Some(d(2024, 5, 10)))]), 4);
        // A gap of a day breaks that month.
        let gap = [(None, Some(d(2024, 6, 14))), (Some(d(2024, 6, 16)), None)];
        assert_eq!(months_employed(2024, &gap), 11);
        assert_eq!(months_employed(2024, &[]), 0);
        // February of a leap year ends on the 29th.
        assert_eq!(months_employed(2024, &[(None, Some(d(2024, 2, 28)))]), 1);
    }

    #[test]
    fn a_transfer_or_leave_must_fall_after_the_current_start() {
        let from = Some(d(2024, 1, 10));
        assert_eq!(check_transfer(from, d(2024, 1, 10)), Err(d(2024, 1, 10)));
        assert_eq!(check_transfer(from, d(2024, 1, 11)), Ok(()));
        assert_eq!(check_leave(from, d(2024, 1, 10)), Ok(()));
        assert_eq!(check_leave(from, d(2024, 1, 9)), Err(d(2024, 1, 10)));
        assert_eq!(check_transfer(None, d(1990, 1, 1)), Ok(()));
    }
}
