//! Deadlines and reminders (issue 17, item 5; rules D1–D9 in
//! docs/webhooks.md): what each unit must do and by when with its state,
//! the term's settings, reminders once per (unit, deadline, lead time)
//! with two instances, on the feed and the webhooks, and the Vietnamese
//! mail to the unit's officers through an SMTP sink on loopback.

mod smtp;

use std::time::Duration;

use chrono::{Days, NaiveDate, Utc};
use serde_json::{Value, json};
use thidua::Db;
use thidua::domain::deadlines::today;
use thidua::service::deadlines::mail::Mailer;
use thidua::service::webhooks::worker::{self, WorkerSettings, Workers};
use uuid::Uuid;

use self::smtp::SmtpSink;
use crate::helpers::{TestApp, TestResponse, assert_problem};
use crate::pledges::{World, in_force, target_id, this_year, world};
use crate::webhooks::support::{Receiver, app_with, assert_signed, create, until};

fn day(offset: i64) -> NaiveDate {
    let t = today(Utc::now());
    if offset >= 0 {
        t.checked_add_days(Days::new(offset as u64)).unwrap()
    } else {
        t.checked_sub_days(Days::new((-offset) as u64)).unwrap()
    }
}

async fn put(app: &TestApp, token: &str, path: &str, body: Value) -> TestResponse {
    app.send(TestApp::req(actix_web::http::Method::PUT, path, Some(token)).set_json(body))
        .await
}

fn settings_path(w: &World) -> String {
    format!(
        "/api/v1/blocs/{}/terms/{}/deadline-settings",
        w.bloc, w.year
    )
}

/// Report every target that takes a report (all but the qualitative one)
/// for `period`, as unit `i`.
async fn report_all(app: &TestApp, w: &World, p: &Value, i: usize, period: &str) {
    let body = json!({"period": period, "reports": [
        {"targetId": target_id(p, "percentage"), "numerator": 9, "denominator": 10},
        {"targetId": target_id(p, "count"), "count": 2},
        {"targetId": target_id(p, "boolean"), "done": true},
    ]});
    let res = crate::pledges::report(app, &w.officers[i], p, body).await;
    assert_eq!(res.status, 201, "{}", res.text());
}

/// Reports due for `Y` on `due`, reminders at `leads`.
async fn report_due(app: &TestApp, w: &World, due: NaiveDate, leads: &[u16]) {
    let res = put(
        app,
        &w.officers[0],
        &settings_path(w),
        json!({"reportingPeriods": ["Y"], "reportDue": {"Y": due}, "reminderLeadDays": leads}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
}

fn items(res: &TestResponse) -> Vec<Value> {
    assert_eq!(res.status, 200, "{}", res.text());
    res.json()["items"].as_array().unwrap().clone()
}

fn kinds(items: &[Value]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|d| {
            (
                d["kind"].as_str().unwrap().to_string(),
                d["state"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[actix_web::test]
async fn d1_d2_d3_d6_d9_each_unit_sees_what_it_must_do_by_when_and_where_it_stands() {
    let app = TestApp::spawn().await;
    let w = world(&app, 3, this_year()).await;
    let p = in_force(&app, &w, w.year).await;
    let res = put(
        &app,
        &w.admin,
        &format!(
            "/api/v1/blocs/{}/terms/{}/registration-deadline",
            w.bloc, w.year
        ),
        json!({"registrationDeadline": day(3)}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    report_all(&app, &w, &p, 1, "Y").await;
    report_due(&app, &w, day(1), &[7, 1]).await;

    let q = |org: Uuid| format!("/api/v1/deadlines?organizationId={org}");
    let one = items(&app.get(&q(w.units[1]), &w.admin).await);
    assert_eq!(
        kinds(&one),
        [
            ("progress_report".into(), "done".into()),
            ("registration".into(), "due".into()),
            // Signed when the pledge opened: due 30 days after it (D1).
            ("pledge_signature".into(), "done".into()),
        ]
    );
    assert_eq!(one[0]["period"], "Y");
    assert_eq!(one[0]["dueOn"], json!(day(1)));
    assert_eq!(one[1]["dueOn"], json!(day(3)));
    // A unit's user sees its own (D9), and no other unit's.
    let two = items(&app.get("/api/v1/deadlines", &w.officers[2]).await);
    assert!(two.iter().all(|d| d["organizationId"] == json!(w.units[2])));
    assert_eq!(two[0]["kind"], "progress_report");
    assert_eq!(two[0]["state"], "due", "not reported: due through its day");
    assert_problem(
        &app.get(&q(w.units[1]), &w.officers[2]).await,
        403,
        "not_your_organization",
    );
    // Dates filter; the admin sees every unit.
    let later = items(
        &app.get(&format!("/api/v1/deadlines?from={}", day(2)), &w.admin)
            .await,
    );
    assert_eq!(later.len(), 3 + 3, "registration and signature, per unit");
    assert!(later.iter().all(|d| d["kind"] != "progress_report"));
    assert_problem(
        &app.get(
            &format!("/api/v1/deadlines?from={}&to={}", day(2), day(1)),
            &w.admin,
        )
        .await,
        422,
        "invalid_dates",
    );
    // Pages of the same order.
    let first = app.get("/api/v1/deadlines?limit=4", &w.admin).await;
    let cursor = first.json()["nextCursor"].as_str().unwrap().to_string();
    let rest = items(
        &app.get(
            &format!("/api/v1/deadlines?limit=50&cursor={cursor}"),
            &w.admin,
        )
        .await,
    );
    assert_eq!(items(&first).len() + rest.len(), 9);
    // Past its day, a unit that has not acted is overdue (D6).
    report_due(&app, &w, day(-2), &[7, 1]).await;
    let two = items(&app.get(&q(w.units[2]), &w.admin).await);
    assert_eq!(two[0]["state"], "overdue");
    let one = items(&app.get(&q(w.units[1]), &w.admin).await);
    assert_eq!(one[0]["state"], "done");
}

#[actix_web::test]
async fn d2_the_head_unit_or_the_admin_sets_a_terms_due_dates_and_lead_times() {
    let app = TestApp::spawn().await;
    let w = world(&app, 2, this_year()).await;
    let path = settings_path(&w);
    let res = app.get(&path, &w.officers[1]).await;
    assert_eq!(res.status, 200);
    let s = res.json();
    assert_eq!(s["reportingPeriods"], json!(["Q1", "Q2", "Q3", "Q4"]));
    assert_eq!(s["reminderLeadDays"], json!([7, 1]));
    assert_eq!(s["version"], 0);
    assert_problem(
        &put(
            &app,
            &w.officers[1],
            &path,
            json!({"reminderLeadDays": [3]}),
        )
        .await,
        403,
        "not_head_unit",
    );
    assert_problem(
        &put(
            &app,
            &w.admin,
            &path,
            json!({"reportingPeriods": ["Q1"], "reportDue": {"Q2": "2026-07-01"}}),
        )
        .await,
        422,
        "invalid_period",
    );
    assert_problem(
        &put(&app, &w.admin, &path, json!({"reminderLeadDays": [91]})).await,
        422,
        "validation_failed",
    );
    let res = put(
        &app,
        &w.admin,
        &path,
        json!({"reportingPeriods": ["H2", "H1", "H1"], "reminderLeadDays": [1, 3, 3],
               "reportDue": {"H1": format!("{}-07-20", w.year)}, "voteDue": format!("{}-12-28", w.year)}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let s = res.json();
    assert_eq!(s["reportingPeriods"], json!(["H1", "H2"]));
    assert_eq!(s["reminderLeadDays"], json!([3, 1]));
    assert_eq!(s["reportDue"], json!({"H1": format!("{}-07-20", w.year)}));
    assert_eq!(s["voteDue"], json!(format!("{}-12-28", w.year)));
    assert_eq!(s["version"], 1);
    assert_eq!(res.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(
        app.count("SELECT count(*) AS n FROM audit_log WHERE action = 'term.deadlines_set'"),
        1
    );
}

/// A second instance's workers on the same database (its own pool).
fn instance(app: &TestApp, mailer: Option<Mailer>, second: bool) -> Workers {
    let db = if second {
        let cfg = &app.state.config;
        Db::connect_counting(
            &app.url,
            cfg.pool_size,
            cfg.statement_timeout_ms,
            cfg.connect_timeout,
            None,
        )
        .unwrap()
    } else {
        app.state.db.clone()
    };
    let settings = WorkerSettings {
        idle_poll: Duration::from_millis(30),
        deadline_scan: Some(Duration::from_millis(100)),
        mailer,
        ..WorkerSettings::from_config(&app.state.config)
    };
    worker::start(db, settings).expect("workers")
}

fn notices(app: &TestApp, action: &str) -> i64 {
    app.count(&format!(
        "SELECT count(*) AS n FROM events WHERE type = '{action}'"
    ))
}

#[actix_web::test]
async fn d7_d8_a_reminder_once_per_unit_and_lead_time_with_two_instances_on_the_feed_and_a_webhook()
{
    let app = app_with(Duration::from_secs(60)).await;
    let w = world(&app, 4, this_year()).await;
    let p = in_force(&app, &w, w.year).await;
    report_all(&app, &w, &p, 1, "Y").await;
    let rx = Receiver::start().await;
    let (_, secret) = create(
        &app,
        &w.admin,
        json!({"url": rx.url("/"), "eventTypes": ["deadline."]}),
    )
    .await;
    report_due(&app, &w, day(1), &[7, 1]).await;
    let _one = instance(&app, None, false);
    let _two = instance(&app, None, true);
    until("three reminders", || {
        notices(&app, "deadline.reminder") >= 3
    })
    .await;
    // Both instances keep looking at the term every 100 ms.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(notices(&app, "deadline.reminder"), 3, "once per unit");
    let orgs = |lead: i64| {
        app.count(&format!(
            "SELECT count(DISTINCT organization_id) AS n FROM events
              WHERE type = 'deadline.reminder' AND (data->>'leadDays')::int = {lead}
                AND organization_id <> '{}'",
            w.units[1]
        ))
    };
    assert_eq!(orgs(1), 3, "the units that have not reported, lead 1");
    // A due date moved: a new deadline, reminded at its own lead time.
    report_due(&app, &w, day(5), &[7, 1]).await;
    until("three more", || notices(&app, "deadline.reminder") >= 6).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(notices(&app, "deadline.reminder"), 6);
    assert_eq!(orgs(7), 3, "five days left: the 7-day reminder");
    // Past it: the miss, once.
    report_due(&app, &w, day(-1), &[7, 1]).await;
    until("three misses", || notices(&app, "deadline.missed") >= 3).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(notices(&app, "deadline.missed"), 3);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM deadline_notices"),
        9,
        "one notice row per event"
    );
    // The webhook got each of them once, signed, as the feed shows them.
    until("nine deliveries", || rx.got().len() >= 9).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let got = rx.got();
    assert_eq!(got.len(), 9);
    assert_signed(&got, &secret);
    let first = got[0].json();
    assert_eq!(first["type"], "deadline.reminder");
    assert_eq!(first["data"]["kind"], "progress_report");
    assert_eq!(first["data"]["period"], "Y");
    assert_eq!(first["data"]["dueOn"], json!(day(1)));
}

#[actix_web::test]
async fn d8_the_reminder_mail_reaches_the_units_officers_in_vietnamese() {
    let app = TestApp::spawn().await;
    let w = world(&app, 2, this_year()).await;
    let p = in_force(&app, &w, w.year).await;
    report_all(&app, &w, &p, 0, "Y").await;
    // One officer with an address through the API; the unit's leader by hand.
    let res = app
        .post(
            "/api/v1/users",
            &w.admin,
            json!({"username": "u01.thuky", "fullName": "Trần Thị Thư", "organizationId": w.units[1],
                   "roles": ["officer"], "password": "mật-khẩu-dài-đủ", "email": "thu.tt@so-vh.gov.vn"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(res.json()["email"], "thu.tt@so-vh.gov.vn");
    app.sql("UPDATE users SET email = 'lanhdao@so-vh.gov.vn' WHERE username = 'u01.leader'");
    let sink = SmtpSink::start().await;
    report_due(&app, &w, day(1), &[1]).await;
    let mailer = Mailer::new(&sink.url(), "Thi đua – Khen thưởng <thidua@localhost>").unwrap();
    let _w = instance(&app, Some(mailer), false);
    until("the mail", || !sink.mails().is_empty()).await;
    until("the mail recorded as sent", || {
        app.count("SELECT count(*) AS n FROM deadline_notices WHERE mail_status = 'sent'") == 1
    })
    .await;
    let mails = sink.mails();
    assert_eq!(mails.len(), 1, "unit 0 reported: only unit 1 is reminded");
    let m = &mails[0];
    let mut to = m.to.clone();
    to.sort();
    assert_eq!(to, ["lanhdao@so-vh.gov.vn", "thu.tt@so-vh.gov.vn"]);
    assert_eq!(m.from, "thidua@localhost");
    let due = day(1).format("%d/%m/%Y").to_string();
    assert_eq!(
        m.subject(),
        format!("Nhắc hạn: báo cáo kết quả thực hiện kỳ Y — hạn chót {due}")
    );
    assert!(
        m.header("Content-Type")
            .unwrap()
            .to_ascii_lowercase()
            .contains("charset=utf-8"),
        "{:?}",
        m.header("Content-Type")
    );
    // Line ends as a reader shows them (the wire has CRLF).
    let text = m.text().replace("\r\n", "\n");
    assert!(text.starts_with("Kính gửi Đơn vị U01,\n"), "{text}");
    assert!(
        text.contains(&format!(
            "Đơn vị chưa báo cáo kết quả thực hiện kỳ Y. Hạn chót là ngày {due} (còn 1 ngày)."
        )),
        "{text}"
    );
    assert!(text.contains("Khối thi đua: Khối thử, năm"), "{text}");
}
