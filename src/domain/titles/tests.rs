//! Table-driven tests per rule id, with the boundaries of TITLES.md, run
//! under each shipped rule set where its numbers differ.

use super::*;

/// The shipped parameters, as the migration writes them.
fn vn2024() -> RuleParams {
    RuleParams {
        ldtt_min_months: 10,
        ldtt_max_absent_days: 40,
        cstdcs_cap_percent: None,
        cstd_tinh_consecutive_years: 3,
        cstd_toan_quoc_consecutive: 2,
        cstd_toan_quoc_max_gap_years: 3,
        ttldtt_min_share_percent: 70,
        ttldtt_share_strict: false,
        ttldxs_min_share_percent: 70,
        ttldxs_requires_cstdcs: false,
        ttldxs_cap_percent: None,
        flag_max_per_bloc: 1,
        bang_khen_tinh_consecutive_years: 2,
        bang_khen_tinh_initiatives: 2,
        bang_khen_ttg_years: 5,
        bang_khen_ttg_cstdcs: 3,
    }
}

fn vn2017() -> RuleParams {
    RuleParams {
        ttldtt_min_share_percent: 50,
        ttldtt_share_strict: true,
        ttldxs_requires_cstdcs: true,
        ..vn2024()
    }
}

const Y: i32 = 2024;

fn year(y: i32, rating: Rating) -> PersonYear {
    PersonYear {
        year: y,
        rating,
        registered: true,
        months_employed: 12,
        absent_days: 0,
        discipline: Discipline::None,
    }
}

fn good(y: i32) -> Person {
    Person {
        years: vec![year(y, Rating::Htt)],
        ..Default::default()
    }
}

fn held(award: AwardType, y: i32) -> Held {
    Held {
        award,
        year: y,
        active: true,
    }
}

fn revoked(award: AwardType, y: i32) -> Held {
    Held {
        award,
        year: y,
        active: false,
    }
}

fn person(a: AwardType, p: &Person, params: &RuleParams) -> Answer {
    evaluate(a, Y, params, Subject::Person(p)).unwrap()
}

fn rule<'a>(ans: &'a Answer, id: &str) -> &'a Check {
    ans.checks
        .iter()
        .find(|c| c.rule == id)
        .unwrap_or_else(|| panic!("no {id} in {:?}", ans.checks))
}

#[test]
fn c1_same_subject_year_and_title_cannot_be_awarded_twice() {
    let mut p = good(Y);
    assert!(person(AwardType::Ldtt, &p, &vn2024()).eligible);
    p.awards.push(held(AwardType::Ldtt, Y));
    let ans = person(AwardType::Ldtt, &p, &vn2024());
    assert!(!ans.eligible);
    assert!(!rule(&ans, "C1").passed);
    // Another year is another achievement.
    p.awards[0].year = Y - 1;
    assert!(rule(&person(AwardType::Ldtt, &p, &vn2024()), "C1").passed);
}

#[test]
fn c1_a_revoked_award_does_not_block_a_new_one() {
    let mut p = good(Y);
    p.awards.push(revoked(AwardType::Ldtt, Y));
    let ans = person(AwardType::Ldtt, &p, &vn2024());
    assert!(rule(&ans, "C1").passed);
    assert!(ans.eligible);
}

#[test]
fn c2_discipline_in_force_or_investigation_blocks_every_title() {
    for (in_force, investigated) in [(true, false), (false, true), (true, true)] {
        let p = Person {
            discipline_in_force: in_force,
            under_investigation: investigated,
            ..good(Y)
        };
        for a in [AwardType::Ldtt, AwardType::GiayKhen] {
            let ans = person(a, &p, &vn2024());
            assert!(!ans.eligible, "{a:?} {in_force} {investigated}");
            assert!(!rule(&ans, "C2").passed);
        }
    }
    assert!(rule(&person(AwardType::GiayKhen, &good(Y), &vn2024()), "C2").passed);
}

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
fn c4_cap_is_a_parameter_checked_across_the_list() {
    assert!(quota(AwardType::Cstdcs, 5, 10, &vn2024()).is_none());
    let capped = RuleParams {
        cstdcs_cap_percent: Some(15),
        ..vn2024()
    };
    // 15% of 20 LĐTT is 3: three pass, four do not.
    assert!(quota(AwardType::Cstdcs, 3, 20, &capped).unwrap().passed);
    let over = quota(AwardType::Cstdcs, 4, 20, &capped).unwrap();
    assert!(!over.passed);
    assert_eq!(over.rule, "C4");
    assert_eq!(over.figures["capPercent"], 15);
}

fn cstdcs_years(ys: &[i32]) -> Vec<Held> {
    ys.iter().map(|&y| held(AwardType::Cstdcs, y)).collect()
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

fn collective(ldtt: usize, members: usize) -> Collective {
    let mut c = Collective::default();
    for i in 0..members {
        let mut p = good(Y);
        if i >= ldtt {
            p.years[0].rating = Rating::Ht;
        }
        c.members.push(p);
    }
    c
}

fn coll(a: AwardType, c: &Collective, params: &RuleParams) -> Answer {
    evaluate(a, Y, params, Subject::Collective(c)).unwrap()
}

#[test]
fn c7_c13_seventy_percent_is_exact_integer_arithmetic() {
    // (LĐTT, members, vn-2024 (>= 70%), vn-2017 (> 50%))
    let cases = [
        (69, 99, false, true),
        (70, 100, true, true),
        (69, 100, false, true),
        (7, 10, true, true),
        (5, 10, false, false), // exactly half is not more than half
        (6, 10, false, true),
        (0, 0, false, false),
    ];
    for (ldtt, members, v2024, v2017) in cases {
        let c = collective(ldtt, members);
        let ans = coll(AwardType::Ttldtt, &c, &vn2024());
        assert_eq!(rule(&ans, "C7").passed, v2024, "vn-2024 {ldtt}/{members}");
        assert_eq!(rule(&ans, "C7").figures["ldtt"], ldtt as i64);
        assert_eq!(rule(&ans, "C7").figures["members"], members as i64);
        let ans = coll(AwardType::Ttldtt, &c, &vn2017());
        assert_eq!(rule(&ans, "C7").passed, v2017, "vn-2017 {ldtt}/{members}");
    }
}

#[test]
fn c13_share_and_cap_never_round() {
    assert!(!share_at_least(69, 99, 70, false));
    assert!(share_at_least(70, 100, 70, false));
    assert!(!share_at_least(50, 100, 50, true));
    assert!(share_at_least(51, 100, 50, true));
    assert!(within_cap(3, 20, 15));
    assert!(!within_cap(4, 20, 15));
    assert!(!share_at_least(0, 0, 0, false));
}

#[test]
fn c7_a_member_warned_blocks_the_collective() {
    let mut c = collective(10, 10);
    c.members[9].years[0].discipline = Discipline::KhienTrach;
    // A reprimand costs that member LĐTT (9/10 still ≥ 70%) but does not block.
    assert!(coll(AwardType::Ttldtt, &c, &vn2024()).eligible);
    c.members[9].years[0].discipline = Discipline::CanhCao;
    let ans = coll(AwardType::Ttldtt, &c, &vn2024());
    assert!(!ans.eligible);
    assert_eq!(rule(&ans, "C7").figures["warned"], 1);
}

#[test]
fn c8_excellent_collective_every_member_completed_and_cstdcs_under_vn2017() {
    let c = collective(7, 10); // the other three are rated `ht`: completed
    assert!(coll(AwardType::Ttldxs, &c, &vn2024()).eligible);
    // vn-2017 also needs a CSTĐCS member.
    let ans = coll(AwardType::Ttldxs, &c, &vn2017());
    assert!(!rule(&ans, "C8").passed);
    assert_eq!(rule(&ans, "C8").figures["cstdcs"], 0);
    let mut with_fighter = c.clone();
    with_fighter.members[0].years[0].rating = Rating::Htxs;
    assert!(coll(AwardType::Ttldxs, &with_fighter, &vn2017()).eligible);
    // One member not completing fails it.
    let mut failing = c.clone();
    failing.members[9].years[0].rating = Rating::Kht;
    let ans = coll(AwardType::Ttldxs, &failing, &vn2024());
    assert!(!ans.eligible);
    assert_eq!(rule(&ans, "C8").figures["notCompleted"], 1);
    // 69/99 is below 70%.
    assert!(!coll(AwardType::Ttldxs, &collective(69, 99), &vn2024()).eligible);
    assert!(coll(AwardType::Ttldxs, &collective(70, 100), &vn2024()).eligible);
}

#[test]
fn c8_cap_on_excellent_collectives_is_a_parameter() {
    assert!(quota(AwardType::Ttldxs, 9, 10, &vn2024()).is_none());
    let capped = RuleParams {
        ttldxs_cap_percent: Some(20),
        ..vn2024()
    };
    assert!(quota(AwardType::Ttldxs, 2, 10, &capped).unwrap().passed);
    assert!(!quota(AwardType::Ttldxs, 3, 10, &capped).unwrap().passed);
}

fn standing(rank: Option<i32>, better: i64, flags: i64) -> Collective {
    Collective {
        standing: Some(Standing {
            bloc_code: "VHXH".into(),
            elected_rank: rank,
            better_elected: better,
            flags_awarded: flags,
        }),
        ..Default::default()
    }
}

#[test]
fn c9_only_the_blocs_leading_unit_gets_the_provincial_flag() {
    let ok = coll(AwardType::CoThiDuaTinh, &standing(Some(1), 0, 0), &vn2024());
    assert!(ok.eligible);
    let not_elected = coll(AwardType::CoThiDuaTinh, &standing(None, 0, 0), &vn2024());
    assert!(!not_elected.eligible);
    assert!(rule(&not_elected, "C9").en.contains("not elected"));
    // Two seats elected, maxPerBloc 1: only the best-ranked one.
    assert!(!coll(AwardType::CoThiDuaTinh, &standing(Some(2), 1, 0), &vn2024()).eligible);
    let two = RuleParams {
        flag_max_per_bloc: 2,
        ..vn2024()
    };
    assert!(coll(AwardType::CoThiDuaTinh, &standing(Some(2), 1, 0), &two).eligible);
    // The bloc's flag already awarded for the year.
    assert!(!coll(AwardType::CoThiDuaTinh, &standing(Some(1), 0, 1), &vn2024()).eligible);
    // In no bloc at all.
    assert!(!coll(AwardType::CoThiDuaTinh, &Collective::default(), &vn2024()).eligible);
}

#[test]
fn c10_government_flag_needs_the_provincial_flag_the_same_year() {
    let mut c = Collective::default();
    assert!(!coll(AwardType::CoThiDuaChinhPhu, &c, &vn2024()).eligible);
    c.awards.push(held(AwardType::CoThiDuaTinh, Y - 1));
    assert!(!coll(AwardType::CoThiDuaChinhPhu, &c, &vn2024()).eligible);
    c.awards.push(held(AwardType::CoThiDuaTinh, Y));
    assert!(coll(AwardType::CoThiDuaChinhPhu, &c, &vn2024()).eligible);
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

#[test]
fn c14_a_revoked_award_in_the_chain_breaks_it() {
    let mut awards = cstdcs_years(&[Y - 2, Y - 1]);
    awards[0].active = false;
    let p = Person {
        years: vec![year(Y, Rating::Htxs)],
        initiatives: vec![Initiative {
            year: Y,
            level: Level::Provincial,
        }],
        awards,
        ..Default::default()
    };
    let ans = person(AwardType::CstdTinh, &p, &vn2024());
    assert!(!ans.eligible);
    assert_eq!(rule(&ans, "C5").figures["cstdcsYears"], json!([Y - 1, Y]));
    let c14 = rule(&ans, "C14");
    assert_eq!(c14.figures["revoked"][0]["year"], Y - 2);
    // A revoked provincial flag no longer opens the Government flag.
    let c = Collective {
        awards: vec![revoked(AwardType::CoThiDuaTinh, Y)],
        ..Default::default()
    };
    assert!(!coll(AwardType::CoThiDuaChinhPhu, &c, &vn2024()).eligible);
}

#[test]
fn subject_kind_must_match_the_award() {
    assert_eq!(
        evaluate(AwardType::Ttldtt, Y, &vn2024(), Subject::Person(&good(Y))),
        Err(RuleViolation::SubjectKindMismatch {
            award: "ttldtt",
            expected: "collective"
        })
    );
    assert!(
        evaluate(
            AwardType::Ldtt,
            Y,
            &vn2024(),
            Subject::Collective(&Collective::default())
        )
        .is_err()
    );
}

#[test]
fn c0_rule_set_parameters_are_bounded() {
    assert!(vn2024().check().is_ok());
    assert!(vn2017().check().is_ok());
    let bad = RuleParams {
        ttldtt_min_share_percent: 101,
        ..vn2024()
    };
    assert!(bad.check().is_err());
    let bad = RuleParams {
        cstd_tinh_consecutive_years: 0,
        ..vn2024()
    };
    assert!(bad.check().is_err());
}

#[test]
fn c14_a_revoked_same_year_lower_title_is_not_re_earned_from_the_facts() {
    // Facts that would make LĐTT and CSTĐCS, but that year's LĐTT was revoked.
    let mut p = Person {
        years: vec![year(Y, Rating::Htxs)],
        awards: vec![revoked(AwardType::Ldtt, Y)],
        ..Default::default()
    };
    let ans = person(AwardType::Cstdcs, &p, &vn2024());
    assert!(!ans.eligible);
    assert_eq!(rule(&ans, "C4").figures["ldtt"], false);
    // A revoked CSTĐCS of the year breaks the C11 window too.
    p.awards = vec![
        held(AwardType::Cstdcs, Y - 1),
        revoked(AwardType::Cstdcs, Y),
    ];
    assert!(!person(AwardType::BangKhenChuTichTinh, &p, &vn2024()).eligible);
    // And a revoked member's LĐTT no longer counts for the collective.
    let mut c = collective(7, 10);
    assert!(coll(AwardType::Ttldtt, &c, &vn2024()).eligible);
    c.members[0].awards.push(revoked(AwardType::Ldtt, Y));
    assert_eq!(
        rule(&coll(AwardType::Ttldtt, &c, &vn2024()), "C7").figures["ldtt"],
        6
    );
}

#[test]
fn c14_a_revoked_provincial_fighter_award_breaks_the_c6_run_and_a_revoked_bang_khen_the_c12_one() {
    let national = Initiative {
        year: Y - 1,
        level: Level::National,
    };
    let p = Person {
        initiatives: vec![national],
        awards: vec![
            revoked(AwardType::CstdTinh, Y - 4),
            held(AwardType::CstdTinh, Y - 1),
        ],
        ..good(Y)
    };
    assert!(!person(AwardType::CstdToanQuoc, &p, &vn2024()).eligible);
    let q = Person {
        years: (Y - 4..=Y).map(|y| year(y, Rating::Htt)).collect(),
        awards: vec![
            revoked(AwardType::BangKhenChuTichTinh, Y - 2),
            held(AwardType::Cstdcs, Y - 4),
            held(AwardType::Cstdcs, Y - 3),
            held(AwardType::Cstdcs, Y - 1),
        ],
        ..Default::default()
    };
    let ans = person(AwardType::BangKhenThuTuong, &q, &vn2024());
    assert!(!ans.eligible);
    assert_eq!(rule(&ans, "C12").figures["earlierBangKhenYears"], json!([]));
}

#[test]
fn c8_needs_the_ttldtt_standard_of_the_same_year() {
    // A rule set whose TTLĐTT share is stricter than TTLĐXS's: C8 follows C7.
    let strict = RuleParams {
        ttldtt_min_share_percent: 80,
        ..vn2024()
    };
    let c = collective(7, 10);
    let ans = coll(AwardType::Ttldxs, &c, &strict);
    assert!(!ans.eligible);
    assert_eq!(rule(&ans, "C8").figures["ttldtt"], false);
    assert_eq!(rule(&ans, "C8").figures["ttldttFigures"]["required"], 80);
}

#[test]
fn award_type_json_is_its_code() {
    for &a in AwardType::ALL {
        assert_eq!(serde_json::to_value(a).unwrap(), json!(a.code()));
        assert_eq!(a.code().parse::<AwardType>(), Ok(a));
    }
}
