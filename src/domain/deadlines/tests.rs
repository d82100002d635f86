use super::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn facts(members: &[Uuid]) -> TermFacts {
    TermFacts {
        term_id: Uuid::nil(),
        bloc_id: Uuid::nil(),
        year: 2026,
        reporting_cutoff: d("2026-12-15"),
        registration_deadline: None,
        members: members.to_vec(),
        settings: Settings::default(),
        pledge: None,
        registered: HashSet::new(),
        scoring: None,
        ballot: None,
    }
}

fn of(all: &[Deadline], unit: Uuid, kind: DeadlineKind) -> Vec<Deadline> {
    all.iter()
        .filter(|x| x.organization_id == unit && x.kind == kind)
        .cloned()
        .collect()
}

#[test]
fn d1_signing_is_due_thirty_days_after_the_pledge_opens_unless_the_term_sets_it() {
    let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
    let mut f = facts(&[a, b]);
    f.pledge = Some(PledgeFacts {
        status: Some(PledgeStatus::Draft),
        opened_on: None,
        ..Default::default()
    });
    assert!(
        deadlines(&f, d("2026-03-01")).is_empty(),
        "a draft asks nothing"
    );
    let p = f.pledge.as_mut().unwrap();
    p.status = Some(PledgeStatus::Open);
    p.opened_on = Some(d("2026-03-01"));
    p.signed.insert(a);
    let all = deadlines(&f, d("2026-03-05"));
    assert_eq!(all.len(), 2, "no report is asked while the pledge is open");
    assert_eq!(
        of(&all, a, DeadlineKind::PledgeSignature)[0].state,
        DeadlineState::Done
    );
    let sb = &of(&all, b, DeadlineKind::PledgeSignature)[0];
    assert_eq!((sb.due_on, sb.state), (d("2026-03-31"), DeadlineState::Due));
    f.settings.due_dates.insert(
        due_key(DeadlineKind::PledgeSignature, None),
        d("2026-03-04"),
    );
    let all = deadlines(&f, d("2026-03-05"));
    let sb = &of(&all, b, DeadlineKind::PledgeSignature)[0];
    assert_eq!(
        (sb.due_on, sb.state),
        (d("2026-03-04"), DeadlineState::Overdue)
    );
}

#[test]
fn d2_reports_are_due_ten_days_after_the_period_never_past_the_cutoff_and_done_when_every_target_is_reported()
 {
    let a = Uuid::from_u128(1);
    let mut f = facts(&[a]);
    let mut p = PledgeFacts {
        status: Some(PledgeStatus::InForce),
        opened_on: Some(d("2026-02-01")),
        reportable_targets: 2,
        ..Default::default()
    };
    p.signed.insert(a);
    p.reported.insert((a, "Q1".into()), 2);
    p.reported.insert((a, "Q2".into()), 1);
    f.pledge = Some(p);
    let all = of(
        &deadlines(&f, d("2026-07-20")),
        a,
        DeadlineKind::ProgressReport,
    );
    let got: Vec<(String, NaiveDate, DeadlineState)> = all
        .iter()
        .map(|x| (x.period_code(), x.due_on, x.state))
        .collect();
    assert_eq!(
        got,
        [
            ("Q1".into(), d("2026-04-10"), DeadlineState::Done),
            ("Q2".into(), d("2026-07-10"), DeadlineState::Overdue),
            ("Q3".into(), d("2026-10-10"), DeadlineState::Due),
            // 31 December + 10 days is past the 15 December cut-off (T8).
            ("Q4".into(), d("2026-12-15"), DeadlineState::Due),
        ]
    );
    f.settings.reporting_periods = vec![Period::Half(1)];
    f.settings.due_dates.insert(
        due_key(DeadlineKind::ProgressReport, Some(Period::Half(1))),
        d("2026-07-25"),
    );
    let all = of(
        &deadlines(&f, d("2026-07-20")),
        a,
        DeadlineKind::ProgressReport,
    );
    assert_eq!(all.len(), 1);
    assert_eq!(
        (all[0].due_on, all[0].state),
        (d("2026-07-25"), DeadlineState::Due)
    );
    f.pledge.as_mut().unwrap().reportable_targets = 0;
    assert!(
        of(
            &deadlines(&f, d("2026-07-20")),
            a,
            DeadlineKind::ProgressReport
        )
        .is_empty()
    );
}

#[test]
fn d3_registration_is_asked_when_the_term_has_a_registration_deadline() {
    let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
    let mut f = facts(&[a, b]);
    assert!(deadlines(&f, d("2026-03-01")).is_empty());
    f.registration_deadline = Some(d("2026-03-31"));
    f.registered.insert(b);
    let all = deadlines(&f, d("2026-04-01"));
    assert_eq!(
        of(&all, a, DeadlineKind::Registration)[0].state,
        DeadlineState::Overdue
    );
    assert_eq!(
        of(&all, b, DeadlineKind::Registration)[0].state,
        DeadlineState::Done
    );
}

#[test]
fn d4_score_sheets_need_the_own_sheet_and_every_assigned_cross_sheet_by_the_date_set() {
    let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
    let mut f = facts(&[a, b]);
    let mut s = ScoringFacts {
        assignments: vec![(a, b)],
        ..Default::default()
    };
    s.finished.insert((a, a));
    s.finished.insert((b, b));
    f.scoring = Some(s);
    assert!(
        deadlines(&f, d("2026-12-01")).is_empty(),
        "no date set: no deadline"
    );
    f.settings
        .due_dates
        .insert(due_key(DeadlineKind::ScoreSheet, None), d("2026-12-20"));
    let all = deadlines(&f, d("2026-12-01"));
    assert_eq!(
        of(&all, a, DeadlineKind::ScoreSheet)[0].state,
        DeadlineState::Due
    );
    assert_eq!(
        of(&all, b, DeadlineKind::ScoreSheet)[0].state,
        DeadlineState::Done
    );
    f.scoring.as_mut().unwrap().finished.insert((a, b));
    let all = deadlines(&f, d("2026-12-01"));
    assert_eq!(
        of(&all, a, DeadlineKind::ScoreSheet)[0].state,
        DeadlineState::Done
    );
}

#[test]
fn d5_a_vote_is_due_seven_days_after_the_ballot_opens_for_its_members() {
    let (a, b, c) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
    let mut f = facts(&[a, b, c]);
    let mut ballot = BallotFacts {
        opened_on: d("2026-12-20"),
        members: vec![a, b],
        ..Default::default()
    };
    ballot.voters.insert(a);
    f.ballot = Some(ballot);
    let all = deadlines(&f, d("2026-12-21"));
    assert_eq!(
        of(&all, a, DeadlineKind::Vote)[0].state,
        DeadlineState::Done
    );
    let vb = &of(&all, b, DeadlineKind::Vote)[0];
    assert_eq!((vb.due_on, vb.state), (d("2026-12-27"), DeadlineState::Due));
    assert!(
        of(&all, c, DeadlineKind::Vote).is_empty(),
        "not on the ballot"
    );
}

#[test]
fn d6_a_deadline_is_due_through_its_day_then_overdue_and_done_whenever_acted() {
    let due = d("2026-04-10");
    assert_eq!(state(false, due, d("2026-04-10")), DeadlineState::Due);
    assert_eq!(state(false, due, d("2026-04-11")), DeadlineState::Overdue);
    assert_eq!(state(true, due, d("2026-05-01")), DeadlineState::Done);
}

#[test]
fn d7_the_reminder_of_the_smallest_lead_not_under_the_days_left_then_the_miss_within_a_week() {
    let mk = |state| Deadline {
        term_id: Uuid::nil(),
        organization_id: Uuid::nil(),
        kind: DeadlineKind::Registration,
        period: None,
        due_on: d("2026-04-10"),
        state,
    };
    let due = mk(DeadlineState::Due);
    let at = |s: &str| notice_due(&due, &[7, 1], d(s));
    assert_eq!(at("2026-04-02"), None, "8 days left");
    assert_eq!(at("2026-04-03"), Some((NoticeKind::Reminder, 7)));
    assert_eq!(at("2026-04-06"), Some((NoticeKind::Reminder, 7)));
    assert_eq!(at("2026-04-09"), Some((NoticeKind::Reminder, 1)));
    assert_eq!(at("2026-04-10"), Some((NoticeKind::Reminder, 1)));
    let overdue = mk(DeadlineState::Overdue);
    assert_eq!(
        notice_due(&overdue, &[7, 1], d("2026-04-11")),
        Some((NoticeKind::Missed, 0))
    );
    assert_eq!(
        notice_due(&overdue, &[7, 1], d("2026-04-17")),
        Some((NoticeKind::Missed, 0))
    );
    assert_eq!(
        notice_due(&overdue, &[7, 1], d("2026-04-18")),
        None,
        "too old to announce"
    );
    assert_eq!(
        notice_due(&mk(DeadlineState::Done), &[7, 1], d("2026-04-09")),
        None
    );
    assert_eq!(
        notice_due(&due, &[], d("2026-04-09")),
        None,
        "no lead times: no reminder"
    );
}

#[test]
fn d7_the_province_dates_are_utc_plus_seven() {
    let t: DateTime<Utc> = "2026-04-09T17:30:00Z".parse().unwrap();
    assert_eq!(today(t), d("2026-04-10"));
    let t: DateTime<Utc> = "2026-04-09T16:59:59Z".parse().unwrap();
    assert_eq!(today(t), d("2026-04-09"));
    assert_eq!(period_end(2026, Period::Month(2)), d("2026-02-28"));
    assert_eq!(period_end(2026, Period::Year), d("2026-12-31"));
}
