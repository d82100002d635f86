//! Table-driven tests per rule id, with the boundaries of TITLES.md, run
//! under each shipped rule set where its numbers differ. The fixtures here
//! serve the person and collective rules' tests beside their rules too.

use super::*;

/// The shipped parameters, as the migration writes them.
pub(super) fn vn2024() -> RuleParams {
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

pub(super) fn vn2017() -> RuleParams {
    RuleParams {
        ttldtt_min_share_percent: 50,
        ttldtt_share_strict: true,
        ttldxs_requires_cstdcs: true,
        ..vn2024()
    }
}

pub(super) const Y: i32 = 2024;

pub(super) fn year(y: i32, rating: Rating) -> PersonYear {
    PersonYear {
        year: y,
        rating,
        registered: true,
        months_employed: 12,
        absent_days: 0,
        discipline: Discipline::None,
    }
}

pub(super) fn good(y: i32) -> Person {
    Person {
        years: vec![year(y, Rating::Htt)],
        ..Default::default()
    }
}

pub(super) fn held(award: AwardType, y: i32) -> Held {
    Held {
        award,
        year: y,
        active: true,
    }
}

pub(super) fn revoked(award: AwardType, y: i32) -> Held {
    Held {
        award,
        year: y,
        active: false,
    }
}

pub(super) fn person(a: AwardType, p: &Person, params: &RuleParams) -> Answer {
    evaluate(a, Y, params, Subject::Person(p)).unwrap()
}

pub(super) fn rule<'a>(ans: &'a Answer, id: &str) -> &'a Check {
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

pub(super) fn cstdcs_years(ys: &[i32]) -> Vec<Held> {
    ys.iter().map(|&y| held(AwardType::Cstdcs, y)).collect()
}

pub(super) fn collective(ldtt: usize, members: usize) -> Collective {
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

pub(super) fn coll(a: AwardType, c: &Collective, params: &RuleParams) -> Answer {
    evaluate(a, Y, params, Subject::Collective(c)).unwrap()
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
fn c8_cap_on_excellent_collectives_is_a_parameter() {
    assert!(quota(AwardType::Ttldxs, 9, 10, &vn2024()).is_none());
    let capped = RuleParams {
        ttldxs_cap_percent: Some(20),
        ..vn2024()
    };
    assert!(quota(AwardType::Ttldxs, 2, 10, &capped).unwrap().passed);
    assert!(!quota(AwardType::Ttldxs, 3, 10, &capped).unwrap().passed);
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
fn award_type_json_is_its_code() {
    for &a in AwardType::ALL {
        assert_eq!(serde_json::to_value(a).unwrap(), json!(a.code()));
        assert_eq!(a.code().parse::<AwardType>(), Ok(a));
    }
}
