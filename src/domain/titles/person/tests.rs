//! The person rules' tests (C3–C6, C11, C12), on the fixtures of
//! `titles::tests`.

use crate::domain::titles::tests::*;
use crate::domain::titles::*;

#[test]
fn c3_lao_dong_tien_tien_boundaries() {
    // (months employed, absent days, rating, registered, discipline, eligible)
    let cases = [
        (10, 0, Rating::Htt, true, Discipline::None, true),
        (9, 0, Rating::Htt, true, Discipline::None, false),
        (12, 39, Rating::Htt, true, Discipline::None, true),
        (12, 40, Rating::Htt, true, Discipline::None, false),
        (12, 0, Rating::Htxs, true, Discipline::None, true),
        (12, 0, Rating::Ht, true, Discipline::None, false),
        (12, 0, Rating::Kht, true, Discipline::None, false),
        (12, 0, Rating::Htt, false, Discipline::None, false),
        (12, 0, Rating::Htt, true, Discipline::KhienTrach, false),
        (12, 0, Rating::Htt, true, Discipline::CanhCao, false),
    ];
    for params in [vn2017(), vn2024()] {
        for (months, absent, rating, registered, discipline, want) in cases {
            let p = Person {
                years: vec![PersonYear {
                    year: Y,
                    rating,
                    registered,
                    months_employed: months,
                    absent_days: absent,
                    discipline,
                }],
                ..Default::default()
            };
            let ans = person(AwardType::Ldtt, &p, &params);
            let c3 = rule(&ans, "C3");
            assert_eq!(
                c3.passed, want,
                "{months} {absent} {rating:?} {registered} {discipline:?}"
            );
            assert_eq!(c3.figures["monthsEmployed"], months);
            assert_eq!(c3.figures["absentDays"], absent);
        }
    }
}

#[test]
fn c3_no_facts_for_the_year_fails_with_the_reason() {
    let ans = person(AwardType::Ldtt, &good(Y - 1), &vn2024());
    let c3 = rule(&ans, "C3");
    assert!(!c3.passed);
    assert_eq!(c3.figures["factsRecorded"], false);
    assert!(c3.en.contains("No personal facts"));
}

#[test]
fn c3_parameters_come_from_the_rule_set() {
    let params = RuleParams {
        ldtt_min_months: 6,
        ..vn2024()
    };
    let mut p = good(Y);
    p.years[0].months_employed = 7;
    assert!(!person(AwardType::Ldtt, &p, &vn2024()).eligible);
    assert!(person(AwardType::Ldtt, &p, &params).eligible);
}

#[test]
fn c4_cstdcs_needs_ldtt_and_htxs_or_an_initiative() {
    let htxs = Person {
        years: vec![year(Y, Rating::Htxs)],
        ..Default::default()
    };
    assert!(person(AwardType::Cstdcs, &htxs, &vn2024()).eligible);
    // htt alone is not enough; with a grassroots initiative it is.
    let mut p = good(Y);
    assert!(!person(AwardType::Cstdcs, &p, &vn2024()).eligible);
    p.initiatives.push(Initiative {
        year: Y,
        level: Level::Grassroots,
    });
    assert!(person(AwardType::Cstdcs, &p, &vn2024()).eligible);
    // An initiative of another year does not count.
    p.initiatives[0].year = Y - 1;
    assert!(!person(AwardType::Cstdcs, &p, &vn2024()).eligible);
    // htxs but not LĐTT (9 months): the C3 figures are reported under C4.
    let mut short = htxs.clone();
    short.years[0].months_employed = 9;
    let ans = person(AwardType::Cstdcs, &short, &vn2024());
    let c4 = rule(&ans, "C4");
    assert!(!c4.passed);
    assert_eq!(c4.figures["ldtt"], false);
    assert_eq!(c4.figures["ldttFigures"]["monthsEmployed"], 9);
}

#[test]
fn c5_three_consecutive_cstdcs_years_and_a_provincial_initiative() {
    let provincial = Initiative {
        year: Y - 1,
        level: Level::Provincial,
    };
    // (CSTĐCS years before Y from the history, Y itself by C4 on facts)
    let cases: [(&[i32], bool); 4] = [
        (&[Y - 2, Y - 1], true),
        (&[Y - 1], false),              // two consecutive, not three
        (&[Y - 3, Y - 1], false),       // a gap
        (&[Y - 3, Y - 2, Y - 1], true), // Y-3 is outside the window and not needed
    ];
    for (years, want) in cases {
        let p = Person {
            years: vec![year(Y, Rating::Htxs)],
            initiatives: vec![provincial],
            awards: cstdcs_years(years),
            ..Default::default()
        };
        let ans = person(AwardType::CstdTinh, &p, &vn2024());
        assert_eq!(rule(&ans, "C5").passed, want, "{years:?}");
    }
    // Without a province-wide initiative (a grassroots one is not enough).
    let p = Person {
        years: vec![year(Y, Rating::Htxs)],
        initiatives: vec![Initiative {
            year: Y,
            level: Level::Grassroots,
        }],
        awards: cstdcs_years(&[Y - 2, Y - 1]),
        ..Default::default()
    };
    let ans = person(AwardType::CstdTinh, &p, &vn2024());
    assert!(!rule(&ans, "C5").passed);
    assert_eq!(rule(&ans, "C5").figures["provincialInitiatives"], 0);
}

#[test]
fn c5_parameter_sets_the_run_length() {
    let p = Person {
        years: vec![year(Y, Rating::Htxs)],
        initiatives: vec![Initiative {
            year: Y,
            level: Level::National,
        }],
        awards: cstdcs_years(&[Y - 1]),
        ..Default::default()
    };
    assert!(!person(AwardType::CstdTinh, &p, &vn2024()).eligible);
    let two = RuleParams {
        cstd_tinh_consecutive_years: 2,
        ..vn2024()
    };
    assert!(person(AwardType::CstdTinh, &p, &two).eligible);
}

#[test]
fn c6_two_consecutive_provincial_fighter_rounds_and_a_national_initiative() {
    let national = |y| Initiative {
        year: y,
        level: Level::National,
    };
    let cases: [(&[i32], bool); 6] = [
        (&[Y - 4, Y - 1], true),
        (&[Y - 6, Y - 3], true),  // the latest exactly 3 years before
        (&[Y - 1], false),        // one round only
        (&[Y - 8, Y - 1], false), // a round missed between them
        (&[Y - 7, Y - 4], false), // the latest is not within the 3 years before
        (&[Y - 3, Y], false),     // an award of the year considered is not "before" it
    ];
    for (years, want) in cases {
        let p = Person {
            initiatives: vec![national(Y - 1)],
            awards: years
                .iter()
                .map(|&y| held(AwardType::CstdTinh, y))
                .collect(),
            ..good(Y)
        };
        let ans = person(AwardType::CstdToanQuoc, &p, &vn2024());
        assert_eq!(rule(&ans, "C6").passed, want, "{years:?}");
    }
    let no_initiative = Person {
        awards: vec![
            held(AwardType::CstdTinh, Y - 4),
            held(AwardType::CstdTinh, Y - 1),
        ],
        ..good(Y)
    };
    assert!(!person(AwardType::CstdToanQuoc, &no_initiative, &vn2024()).eligible);
}

#[test]
fn c11_bang_khen_tinh_two_cstdcs_years_or_two_htxs_years_with_two_initiatives() {
    // CSTĐCS Y-1 in the history and Y on facts.
    let p = Person {
        years: vec![year(Y, Rating::Htxs)],
        awards: cstdcs_years(&[Y - 1]),
        ..Default::default()
    };
    assert!(person(AwardType::BangKhenChuTichTinh, &p, &vn2024()).eligible);
    // One year only.
    let p1 = Person {
        years: vec![year(Y, Rating::Htxs)],
        ..Default::default()
    };
    assert!(!person(AwardType::BangKhenChuTichTinh, &p1, &vn2024()).eligible);
    // htxs two years with one, then two, initiatives (not LĐTT: unregistered).
    let mut p2 = Person {
        years: vec![year(Y - 1, Rating::Htxs), year(Y, Rating::Htxs)],
        initiatives: vec![Initiative {
            year: Y - 1,
            level: Level::Grassroots,
        }],
        ..Default::default()
    };
    p2.years[0].registered = false;
    p2.years[1].registered = false;
    assert!(!person(AwardType::BangKhenChuTichTinh, &p2, &vn2024()).eligible);
    p2.initiatives.push(Initiative {
        year: Y,
        level: Level::Grassroots,
    });
    let ans = person(AwardType::BangKhenChuTichTinh, &p2, &vn2024());
    assert!(ans.eligible);
    assert_eq!(rule(&ans, "C11").figures["initiatives"], 2);
}

#[test]
fn c12_bang_khen_thu_tuong_five_good_years_three_cstdcs_and_an_earlier_bang_khen() {
    let base = || Person {
        years: (Y - 4..=Y).map(|y| year(y, Rating::Htt)).collect(),
        awards: vec![
            held(AwardType::BangKhenChuTichTinh, Y - 2),
            held(AwardType::Cstdcs, Y - 4),
            held(AwardType::Cstdcs, Y - 3),
            held(AwardType::Cstdcs, Y - 1),
        ],
        ..Default::default()
    };
    assert!(person(AwardType::BangKhenThuTuong, &base(), &vn2024()).eligible);
    // Four good years of five.
    let mut gap = base();
    gap.years[2].rating = Rating::Ht;
    assert!(!person(AwardType::BangKhenThuTuong, &gap, &vn2024()).eligible);
    // Two CSTĐCS only.
    let mut two = base();
    two.awards.pop();
    assert!(!person(AwardType::BangKhenThuTuong, &two, &vn2024()).eligible);
    // The Bằng khen must be earlier than the year considered; a ministerial one counts.
    let mut same_year = base();
    same_year.awards[0].year = Y;
    assert!(!person(AwardType::BangKhenThuTuong, &same_year, &vn2024()).eligible);
    let mut ministerial = base();
    ministerial.awards[0].award = AwardType::BangKhenBo;
    assert!(person(AwardType::BangKhenThuTuong, &ministerial, &vn2024()).eligible);
}
