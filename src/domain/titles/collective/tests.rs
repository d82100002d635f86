//! The collective rules' tests (C7–C10), on the fixtures of `titles::tests`.

use crate::domain::titles::tests::*;
use crate::domain::titles::*;

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
