//! Pledges (P1–P6, B4), targets and progress (T0–T8), compliance, query counts.

use actix_web::http::Method;
use chrono::Datelike;
use serde_json::{Value, json};
use thidua::auth::Role;
use uuid::Uuid;

use crate::helpers::{TestApp, TestResponse, assert_problem};

/// A bloc with `n` member units for `year`, each with a leader and an officer.
pub(crate) struct World {
    pub admin: String,
    pub bloc: Uuid,
    pub year: i32,
    pub units: Vec<Uuid>,
    pub leaders: Vec<String>,
    pub officers: Vec<String>,
}

impl World {
    fn head_officer(&self) -> &str {
        &self.officers[0]
    }
}

pub(crate) fn this_year() -> i32 {
    chrono::Utc::now().year()
}

pub(crate) async fn world(app: &TestApp, n: usize, year: i32) -> World {
    let admin = app.admin().await;
    let units: Vec<Uuid> = (0..n).map(|i| app.org(&format!("U{i:02}"), None)).collect();
    let leaders = units
        .iter()
        .enumerate()
        .map(|(i, u)| app.member_token(&format!("u{i:02}.leader"), Role::Leader, *u))
        .collect();
    let officers = units
        .iter()
        .enumerate()
        .map(|(i, u)| app.member_token(&format!("u{i:02}.officer"), Role::Officer, *u))
        .collect();
    let bloc = app
        .post(
            "/api/v1/blocs",
            &admin,
            json!({"code": "KT", "name": "Khối thử", "kind": "khoi", "rotateHead": false}),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let w = World {
        admin,
        bloc,
        year,
        units,
        leaders,
        officers,
    };
    add_term(app, &w, year).await;
    w
}

async fn add_term(app: &TestApp, w: &World, year: i32) {
    let res = app
        .send(
            TestApp::req(
                Method::PUT,
                &format!("/api/v1/blocs/{}/terms/{year}", w.bloc),
                Some(&w.admin),
            )
            .set_json(json!({"memberIds": w.units, "headId": w.units[0]})),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
}

fn pledge_body(w: &World, year: i32, targets: Value) -> Value {
    json!({"blocId": w.bloc, "year": year, "title": "Giao ước thi đua", "theme": "Đoàn kết, đổi mới",
           "items": [{"text": "Hoàn thành xuất sắc nhiệm vụ", "targets": []},
                     {"text": "Phong trào thi đua", "targets": targets}]})
}

fn demo_targets() -> Value {
    json!([
        {"kind": "percentage", "subject": "staff", "label": "CCVC-LĐ đạt Lao động tiên tiến", "comparator": "gte", "target": 100},
        {"kind": "count", "subject": "unit", "label": "Sáng kiến", "comparator": "gte", "target": 2},
        {"kind": "boolean", "subject": "unit", "label": "Cơ quan văn hóa", "comparator": "eq", "target": 1},
        {"kind": "qualitative", "subject": "unit", "label": "Tuyên truyền"}
    ])
}

pub(crate) async fn draft(app: &TestApp, w: &World, year: i32) -> Value {
    let res = app
        .post(
            "/api/v1/pledges",
            w.head_officer(),
            pledge_body(w, year, demo_targets()),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    res.json()
}

async fn act(app: &TestApp, token: &str, id: &str, action: &str) -> TestResponse {
    app.post(&format!("/api/v1/pledges/{id}/{action}"), token, json!({}))
        .await
}

async fn sign(app: &TestApp, token: &str, id: &str) -> TestResponse {
    app.post(
        &format!("/api/v1/pledges/{id}/signatures"),
        token,
        json!({"signerName": "Lãnh đạo", "signerPosition": "Giám đốc"}),
    )
    .await
}

/// Drafted, opened and signed by every member.
pub(crate) async fn in_force(app: &TestApp, w: &World, year: i32) -> Value {
    let p = draft(app, w, year).await;
    let id = p["id"].as_str().unwrap().to_string();
    assert_eq!(act(app, w.head_officer(), &id, "open").await.status, 200);
    for l in &w.leaders {
        assert_eq!(sign(app, l, &id).await.status, 201);
    }
    app.get(&format!("/api/v1/pledges/{id}"), &w.admin)
        .await
        .json()
}

pub(crate) fn target_id(p: &Value, kind: &str) -> String {
    p["items"][1]["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == kind)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

pub(crate) async fn report(
    app: &TestApp,
    token: &str,
    pledge: &Value,
    body: Value,
) -> TestResponse {
    app.post(
        &format!("/api/v1/pledges/{}/reports", pledge["id"].as_str().unwrap()),
        token,
        body,
    )
    .await
}

#[actix_web::test]
async fn p1_one_pledge_per_term_unless_withdrawn() {
    let app = TestApp::spawn().await;
    let w = world(&app, 3, this_year()).await;
    let first = draft(&app, &w, w.year).await;
    assert_problem(
        &app.post(
            "/api/v1/pledges",
            &w.admin,
            pledge_body(&w, w.year, json!([])),
        )
        .await,
        409,
        "pledge_exists",
    );
    let withdrawn = app
        .post(
            &format!("/api/v1/pledges/{}/withdraw", first["id"].as_str().unwrap()),
            &w.admin,
            json!({"reason": "Soạn lại"}),
        )
        .await;
    assert_eq!(withdrawn.status, 200);
    assert_eq!(withdrawn.json()["status"], "withdrawn");
    assert_eq!(
        app.post(
            "/api/v1/pledges",
            &w.admin,
            pledge_body(&w, w.year, json!([]))
        )
        .await
        .status,
        201
    );
}

#[actix_web::test]
async fn p2_only_the_head_unit_or_the_admin_moves_a_pledge_forward() {
    let app = TestApp::spawn().await;
    let w = world(&app, 3, this_year()).await;
    assert_problem(
        &app.post(
            "/api/v1/pledges",
            &w.officers[1],
            pledge_body(&w, w.year, json!([])),
        )
        .await,
        403,
        "not_head_unit",
    );
    let p = draft(&app, &w, w.year).await;
    let id = p["id"].as_str().unwrap();
    assert_problem(
        &act(&app, &w.officers[1], id, "open").await,
        403,
        "not_head_unit",
    );
    assert_problem(
        &act(&app, w.head_officer(), id, "close").await,
        409,
        "invalid_transition",
    );
    let opened = act(&app, w.head_officer(), id, "open").await;
    assert_eq!(opened.json()["status"], "open");
    assert_problem(
        &act(&app, w.head_officer(), id, "open").await,
        409,
        "invalid_transition",
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM events WHERE type = 'pledge.opened'"),
        1
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM audit_log WHERE action = 'pledge.opened'"),
        1
    );
}

#[actix_web::test]
async fn p3_items_and_targets_change_only_in_draft() {
    let app = TestApp::spawn().await;
    let w = world(&app, 2, this_year()).await;
    let empty = app
        .post(
            "/api/v1/pledges",
            w.head_officer(),
            json!({"blocId": w.bloc, "year": w.year, "title": "Trống"}),
        )
        .await
        .json();
    let id = empty["id"].as_str().unwrap().to_string();
    assert_problem(
        &act(&app, w.head_officer(), &id, "open").await,
        409,
        "pledge_has_no_items",
    );
    let replaced = app
        .send(
            TestApp::req(
                Method::PUT,
                &format!("/api/v1/pledges/{id}/items"),
                Some(w.head_officer()),
            )
            .set_json(json!({"items": [{"text": "Một"}, {"text": "Hai"}]})),
        )
        .await;
    assert_eq!(replaced.status, 200, "{}", replaced.text());
    let items: Vec<String> = replaced.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    let reordered = app
        .post(
            &format!("/api/v1/pledges/{id}/item-order"),
            w.head_officer(),
            json!({"itemIds": [items[1], items[0]]}),
        )
        .await;
    assert_eq!(reordered.json()["items"][0]["text"], "Hai");
    assert_problem(
        &app.post(
            &format!("/api/v1/pledges/{id}/item-order"),
            w.head_officer(),
            json!({"itemIds": [items[0]]}),
        )
        .await,
        422,
        "not_a_permutation",
    );
    assert_eq!(act(&app, w.head_officer(), &id, "open").await.status, 200);
    let late = app
        .send(
            TestApp::req(
                Method::PUT,
                &format!("/api/v1/pledges/{id}/items"),
                Some(w.head_officer()),
            )
            .set_json(json!({"items": [{"text": "Ba"}]})),
        )
        .await;
    assert_problem(&late, 409, "pledge_not_draft");
    assert_problem(
        &app.patch(
            &format!("/api/v1/pledges/{id}"),
            w.head_officer(),
            None,
            json!({"title": "Khác"}),
        )
        .await,
        409,
        "pledge_not_draft",
    );
}

#[actix_web::test]
async fn p4_only_member_leaders_sign_once_while_open() {
    let app = TestApp::spawn().await;
    let w = world(&app, 3, this_year()).await;
    let p = draft(&app, &w, w.year).await;
    let id = p["id"].as_str().unwrap();
    assert_problem(&sign(&app, &w.leaders[1], id).await, 409, "pledge_not_open");
    act(&app, w.head_officer(), id, "open").await;
    assert_problem(
        &sign(&app, &w.officers[1], id).await,
        403,
        "not_member_leader",
    );
    let outsider = app.org("NGOAI", None);
    let outsider_leader = app.member_token("ngoai.leader", Role::Leader, outsider);
    assert_problem(&sign(&app, &outsider_leader, id).await, 409, "not_a_member");
    assert_eq!(sign(&app, &w.leaders[1], id).await.status, 201);
    assert_problem(&sign(&app, &w.leaders[1], id).await, 409, "already_signed");
    // A leader signs only for its own unit, whatever id it sends.
    let other = app
        .post(
            &format!("/api/v1/pledges/{id}/signatures"),
            &w.leaders[1],
            json!({"organizationId": w.units[2], "signerName": "X", "signerPosition": "Y"}),
        )
        .await;
    assert_problem(&other, 403, "not_member_leader");
    let future = app
        .post(
            &format!("/api/v1/pledges/{id}/signatures"),
            &w.leaders[2],
            json!({"signerName": "X", "signerPosition": "Y", "signedAt": "2099-01-01T00:00:00Z"}),
        )
        .await;
    assert_problem(&future, 409, "signed_in_future");
    // The admin signs on a unit's behalf, recorded as such, with the paper date.
    let paper = app
        .post(&format!("/api/v1/pledges/{id}/signatures"), &w.admin, json!({"organizationId": w.units[2], "signerName": "Nguyễn Văn C", "signerPosition": "Giám đốc", "signedAt": "2021-04-01T07:00:00Z"}))
        .await;
    assert_eq!(paper.status, 201, "{}", paper.text());
    assert_eq!(paper.json()["signature"]["onBehalf"], true);
    assert_eq!(
        paper.json()["signature"]["signedAt"],
        "2021-04-01T07:00:00Z"
    );
    let status = app
        .get(&format!("/api/v1/pledges/{id}/signatures"), &w.admin)
        .await
        .json();
    assert_eq!(status["signed"].as_array().unwrap().len(), 2);
    assert_eq!(status["pending"].as_array().unwrap().len(), 1);
    assert_eq!(status["pending"][0]["code"], "U00");
}

#[actix_web::test]
async fn p5_last_signature_puts_the_pledge_in_force() {
    let app = TestApp::spawn().await;
    let w = world(&app, 3, this_year()).await;
    let p = draft(&app, &w, w.year).await;
    let id = p["id"].as_str().unwrap();
    act(&app, w.head_officer(), id, "open").await;
    assert_eq!(
        sign(&app, &w.leaders[0], id).await.json()["pledgeStatus"],
        "open"
    );
    assert_eq!(
        sign(&app, &w.leaders[1], id).await.json()["pledgeStatus"],
        "open"
    );
    let last = sign(&app, &w.leaders[2], id).await;
    assert_eq!(last.json()["pledgeStatus"], "in_force");
    let view = app
        .get(&format!("/api/v1/pledges/{id}"), &w.admin)
        .await
        .json();
    assert_eq!(view["status"], "in_force");
    assert!(view["inForceAt"].is_string());
    assert_eq!(
        app.count("SELECT count(*) AS n FROM events WHERE type = 'pledge.in_force'"),
        1
    );
}

/// Nine members sign at the same instant, 50 times on fresh pledges: always
/// nine signatures, one in-force transition, one `pledge.in_force` event.
#[actix_web::test]
async fn p5_concurrent_signatures_of_nine_members_put_the_pledge_in_force_exactly_once() {
    let mut opts = crate::helpers::Options::default();
    opts.config.pool_size = 9;
    let app = TestApp::spawn_with(opts).await;
    let w = world(&app, 9, 2040).await;
    for round in 0..50 {
        let year = 2041 + round;
        add_term(&app, &w, year).await;
        let p = draft(&app, &w, year).await;
        let id = p["id"].as_str().unwrap().to_string();
        assert_eq!(act(&app, w.head_officer(), &id, "open").await.status, 200);
        let results =
            futures_util::future::join_all(w.leaders.iter().map(|l| sign(&app, l, &id))).await;
        assert!(
            results.iter().all(|r| r.status == 201),
            "round {round}: {:?}",
            results.iter().map(|r| r.text()).collect::<Vec<_>>()
        );
        let in_force = results
            .iter()
            .filter(|r| r.json()["pledgeStatus"] == "in_force")
            .count();
        assert_eq!(in_force, 1, "round {round}");
        assert_eq!(
            app.count(&format!(
                "SELECT count(*) AS n FROM pledge_signatures WHERE pledge_id = '{id}'"
            )),
            9
        );
        assert_eq!(app.count(&format!("SELECT count(*) AS n FROM events WHERE type = 'pledge.in_force' AND entity_id = '{id}'")), 1);
        assert_eq!(
            app.count(&format!(
                "SELECT count(*) AS n FROM pledges WHERE id = '{id}' AND status = 'in_force'"
            )),
            1
        );
    }
}

#[actix_web::test]
async fn p6_closed_and_withdrawn_pledges_are_read_only() {
    let app = TestApp::spawn().await;
    let w = world(&app, 2, this_year()).await;
    let p = in_force(&app, &w, w.year).await;
    let id = p["id"].as_str().unwrap();
    assert_problem(
        &act(&app, w.head_officer(), id, "withdraw").await,
        409,
        "invalid_transition",
    );
    assert_eq!(
        act(&app, w.head_officer(), id, "close").await.json()["status"],
        "closed"
    );
    assert_problem(
        &app.patch(
            &format!("/api/v1/pledges/{id}"),
            &w.admin,
            None,
            json!({"title": "Sửa"}),
        )
        .await,
        409,
        "pledge_read_only",
    );
    assert_problem(
        &act(&app, &w.admin, id, "withdraw").await,
        409,
        "pledge_read_only",
    );
    let t = target_id(&p, "count");
    let late = report(
        &app,
        &w.officers[1],
        &p,
        json!({"period": "Q1", "reports": [{"targetId": t, "count": 1}]}),
    )
    .await;
    assert_problem(&late, 409, "pledge_not_in_force");
}

#[actix_web::test]
async fn b4_opening_the_pledge_freezes_the_term() {
    let app = TestApp::spawn().await;
    let w = world(&app, 3, this_year()).await;
    let p = draft(&app, &w, w.year).await;
    let path = format!("/api/v1/blocs/{}/terms/{}", w.bloc, w.year);
    let change = json!({"memberIds": &w.units[..2], "headId": w.units[0]});
    act(&app, w.head_officer(), p["id"].as_str().unwrap(), "open").await;
    assert_eq!(app.get(&path, &w.admin).await.json()["frozen"], true);
    let refused = app
        .send(TestApp::req(Method::PUT, &path, Some(&w.admin)).set_json(change.clone()))
        .await;
    assert_problem(&refused, 409, "term_frozen");
    let mut with_reason = change;
    with_reason["reason"] = json!("Đơn vị U02 sáp nhập");
    assert_eq!(
        app.send(TestApp::req(Method::PUT, &path, Some(&w.admin)).set_json(with_reason))
            .await
            .status,
        200
    );
}

#[actix_web::test]
async fn t0_t1_t2_targets_are_checked_on_the_way_in() {
    let app = TestApp::spawn().await;
    let w = world(&app, 2, this_year()).await;
    for bad in [
        json!({"kind": "percentage", "subject": "staff", "label": "x", "comparator": "gte", "target": 101}),
        json!({"kind": "percentage", "subject": "staff", "label": "x", "comparator": "gte", "target": 0}),
        json!({"kind": "count", "subject": "unit", "label": "x", "comparator": "gte", "target": -1}),
        json!({"kind": "boolean", "subject": "unit", "label": "x", "comparator": "gte", "target": 1}),
        json!({"kind": "qualitative", "subject": "unit", "label": "x", "comparator": "eq", "target": 1}),
        json!({"kind": "count", "subject": "unit", "label": "x", "target": 3}),
    ] {
        let res = app
            .post(
                "/api/v1/pledges",
                w.head_officer(),
                pledge_body(&w, w.year, json!([bad])),
            )
            .await;
        assert_problem(&res, 422, "invalid_target");
    }
    // An item may carry several targets, each naming its subject (T0).
    let p = draft(&app, &w, w.year).await;
    assert_eq!(p["items"][1]["targets"].as_array().unwrap().len(), 4);
    assert_eq!(p["items"][1]["targets"][0]["subject"], "staff");
    assert!(
        app.sql_err("UPDATE pledge_targets SET target_value = 150 WHERE kind = 'percentage'")
            .unwrap()
            .contains("pledge_targets_t2")
    );
}

#[actix_web::test]
async fn t3_reports_only_in_force_for_a_period_of_the_year_by_the_unit_or_for_it() {
    let app = TestApp::spawn().await;
    let w = world(&app, 3, this_year()).await;
    let p = draft(&app, &w, w.year).await;
    let t = target_id(&p, "count");
    let line = |period: &str| json!({"period": period, "reports": [{"targetId": t, "count": 3}]});
    assert_problem(
        &report(&app, &w.officers[1], &p, line("Q1")).await,
        409,
        "pledge_not_in_force",
    );
    let p = {
        let id = p["id"].as_str().unwrap();
        act(&app, w.head_officer(), id, "open").await;
        for l in &w.leaders {
            sign(&app, l, id).await;
        }
        app.get(&format!("/api/v1/pledges/{id}"), &w.admin)
            .await
            .json()
    };
    assert_problem(
        &report(
            &app,
            &w.officers[1],
            &p,
            line(&format!("{}-Q1", w.year + 1)),
        )
        .await,
        409,
        "period_outside_year",
    );
    assert_problem(
        &report(&app, &w.officers[1], &p, line("Q5")).await,
        422,
        "invalid_period",
    );
    let ok = report(&app, &w.officers[1], &p, line(&format!("{}-Q1", w.year))).await;
    assert_eq!(ok.status, 201, "{}", ok.text());
    assert_eq!(ok.json()[0]["period"], "Q1");
    assert_eq!(ok.json()[0]["onBehalf"], false);
    // An officer of unit A reporting for unit B: 403.
    let mut for_b = line("Q2");
    for_b["organizationId"] = json!(w.units[2]);
    assert_problem(
        &report(&app, &w.officers[1], &p, for_b.clone()).await,
        403,
        "not_your_organization",
    );
    // The head unit may report for a member, recorded as such.
    let by_head = report(&app, w.head_officer(), &p, for_b).await;
    assert_eq!(by_head.status, 201, "{}", by_head.text());
    assert_eq!(by_head.json()[0]["onBehalf"], true);
    // A unit outside the term is not a member.
    let outsider = app.org("NGOAI", None);
    let mut for_outsider = line("Q2");
    for_outsider["organizationId"] = json!(outsider);
    assert_problem(
        &report(&app, &w.admin, &p, for_outsider).await,
        409,
        "not_a_member",
    );
    let mut unknown = line("Q2");
    unknown["reports"][0]["targetId"] = json!(Uuid::now_v7());
    assert_problem(
        &report(&app, &w.officers[1], &p, unknown).await,
        422,
        "unknown_target",
    );
}

#[actix_web::test]
async fn t4_values_are_whole_non_negative_and_fit_the_target() {
    let app = TestApp::spawn().await;
    let w = world(&app, 2, this_year()).await;
    let p = in_force(&app, &w, w.year).await;
    let pct = target_id(&p, "percentage");
    let over = report(
        &app,
        &w.officers[1],
        &p,
        json!({"period": "Q1", "reports": [{"targetId": pct, "numerator": 8, "denominator": 7}]}),
    )
    .await;
    assert_problem(&over, 422, "invalid_report_values");
    let wrong_kind = report(
        &app,
        &w.officers[1],
        &p,
        json!({"period": "Q1", "reports": [{"targetId": pct, "count": 8}]}),
    )
    .await;
    assert_problem(&wrong_kind, 422, "invalid_report_values");
    let negative = report(
        &app,
        &w.officers[1],
        &p,
        json!({"period": "Q1", "reports": [{"targetId": pct, "numerator": -1, "denominator": 7}]}),
    )
    .await;
    assert_problem(&negative, 422, "validation_failed");
    let fraction = report(
        &app,
        &w.officers[1],
        &p,
        json!({"period": "Q1", "reports": [{"targetId": pct, "numerator": 1.5, "denominator": 7}]}),
    )
    .await;
    assert_problem(&fraction, 400, "malformed_json");
}

#[actix_web::test]
async fn t5_a_new_report_supersedes_and_the_history_is_kept() {
    let app = TestApp::spawn().await;
    let w = world(&app, 2, this_year()).await;
    let p = in_force(&app, &w, w.year).await;
    let pct = target_id(&p, "percentage");
    for (n, note) in [(40, "lần 1"), (45, "lần 2")] {
        let r = report(&app, &w.officers[1], &p, json!({"period": "Q2", "reports": [{"targetId": pct, "numerator": n, "denominator": 48, "note": note}]})).await;
        assert_eq!(r.status, 201);
    }
    let id = p["id"].as_str().unwrap();
    let current = app
        .get(
            &format!(
                "/api/v1/pledges/{id}/reports?organizationId={}&targetId={pct}&period=Q2",
                w.units[1]
            ),
            &w.admin,
        )
        .await
        .json();
    assert_eq!(current["items"].as_array().unwrap().len(), 1);
    assert_eq!(current["items"][0]["numerator"], 45);
    let history = app
        .get(
            &format!(
                "/api/v1/pledges/{id}/reports?organizationId={}&history=true",
                w.units[1]
            ),
            &w.admin,
        )
        .await
        .json();
    let h = history["items"].as_array().unwrap();
    assert_eq!(h.len(), 2);
    assert!(h[0]["supersededAt"].is_string() && h[1]["supersededAt"].is_null());
}

async fn matrix(app: &TestApp, w: &World, p: &Value) -> Value {
    app.get(
        &format!("/api/v1/pledges/{}/compliance", p["id"].as_str().unwrap()),
        &w.admin,
    )
    .await
    .json()
}

#[actix_web::test]
async fn t6_exact_arithmetic_99_of_100_is_not_100_percent_but_7_of_7_is() {
    let app = TestApp::spawn().await;
    let w = world(&app, 2, this_year()).await;
    let p = in_force(&app, &w, w.year).await;
    let pct = target_id(&p, "percentage");
    report(&app, &w.officers[0], &p, json!({"period": "Q1", "reports": [{"targetId": pct, "numerator": 99, "denominator": 100}]})).await;
    report(
        &app,
        &w.officers[1],
        &p,
        json!({"period": "Q1", "reports": [{"targetId": pct, "numerator": 7, "denominator": 7}]}),
    )
    .await;
    let m = matrix(&app, &w, &p).await;
    let cell = |u: usize| m["units"][u]["cells"][0].clone();
    assert_eq!(cell(0)["percent"], "99.00");
    assert_eq!(cell(0)["achieved"], false);
    assert_eq!(cell(0)["status"], "not_achieved");
    assert_eq!(cell(1)["percent"], "100.00");
    assert_eq!(cell(1)["status"], "achieved");
}

#[actix_web::test]
async fn t7_latest_period_counts_and_the_bloc_figure_is_the_share_of_members() {
    let app = TestApp::spawn().await;
    let w = world(&app, 3, this_year()).await;
    let p = in_force(&app, &w, w.year).await;
    let (pct, count, done) = (
        target_id(&p, "percentage"),
        target_id(&p, "count"),
        target_id(&p, "boolean"),
    );
    // Unit 0: achieved in Q1, not in Q3 (Q3 is later: it counts).
    report(
        &app,
        &w.officers[0],
        &p,
        json!({"period": "Q3", "reports": [{"targetId": pct, "numerator": 9, "denominator": 10}]}),
    )
    .await;
    report(
        &app,
        &w.officers[0],
        &p,
        json!({"period": "Q1", "reports": [{"targetId": pct, "numerator": 10, "denominator": 10}]}),
    )
    .await;
    // Unit 1: every measurable target achieved.
    let all = json!({"period": "H1", "reports": [
        {"targetId": pct, "numerator": 20, "denominator": 20}, {"targetId": count, "count": 2}, {"targetId": done, "done": true}]});
    assert_eq!(report(&app, &w.officers[1], &p, all).await.status, 201);
    let m = matrix(&app, &w, &p).await;
    assert_eq!(m["units"][0]["cells"][0]["period"], "Q3");
    assert_eq!(m["units"][0]["cells"][0]["achieved"], false);
    assert_eq!(m["units"][2]["cells"][0]["status"], "no_report");
    assert_eq!(m["targets"][0]["membersAchieving"], 1);
    assert_eq!(m["targets"][0]["members"], 3);
    assert_eq!(m["targets"][0]["share"], "33.33");
    assert_eq!(m["targets"][0]["met"], false);
    assert_eq!(m["targets"][3]["met"], Value::Null);
    assert_eq!(m["items"][0]["met"], Value::Null);
    assert_eq!(m["items"][1]["met"], false);
    assert_eq!(
        m["units"][1]["summary"],
        json!({"achieved": 3, "measurable": 3, "reported": 3, "itemsMet": 1})
    );
    // asOf a past date: nothing had been reported.
    let past = app
        .get(
            &format!(
                "/api/v1/pledges/{}/compliance?asOf=2000-01-01",
                p["id"].as_str().unwrap()
            ),
            &w.admin,
        )
        .await
        .json();
    assert_eq!(past["units"][1]["summary"]["reported"], 0);
    // CSV: the same matrix, with a BOM for spreadsheet programs.
    let csv = app
        .send(
            TestApp::req(
                Method::GET,
                &format!("/api/v1/pledges/{}/compliance", p["id"].as_str().unwrap()),
                Some(&w.admin),
            )
            .insert_header(("Accept", "text/csv")),
        )
        .await;
    assert!(csv.body.starts_with("\u{feff}".as_bytes()));
    let text = csv.text();
    assert!(text.contains("CCVC-LĐ đạt Lao động tiên tiến"), "{text}");
    assert!(text.contains("9/10 = 90.00% (not_achieved)"), "{text}");
    assert!(text.contains("1/3 = 33.33%"), "{text}");
}

#[actix_web::test]
async fn t8_no_report_after_the_cutoff_until_the_admin_moves_it() {
    let app = TestApp::spawn().await;
    let w = world(&app, 2, this_year()).await;
    let p = in_force(&app, &w, w.year).await;
    let t = target_id(&p, "count");
    let cutoff =
        |date: String| json!({"reportingCutoff": date, "reason": "Thử nghiệm hạn báo cáo"});
    let path = format!("/api/v1/blocs/{}/terms/{}/reporting-cutoff", w.bloc, w.year);
    let yesterday = (chrono::Utc::now().date_naive() - chrono::Duration::days(1)).to_string();
    assert_problem(
        &app.send(
            TestApp::req(Method::PUT, &path, Some(w.head_officer()))
                .set_json(cutoff(yesterday.clone())),
        )
        .await,
        403,
        "admin_required",
    );
    assert_eq!(
        app.send(TestApp::req(Method::PUT, &path, Some(&w.admin)).set_json(cutoff(yesterday)))
            .await
            .status,
        200
    );
    let late = report(
        &app,
        &w.officers[1],
        &p,
        json!({"period": "Q4", "reports": [{"targetId": t, "count": 1}]}),
    )
    .await;
    assert_problem(&late, 409, "reporting_closed");
    let later = format!("{}-12-31", w.year + 1);
    assert_eq!(
        app.send(TestApp::req(Method::PUT, &path, Some(&w.admin)).set_json(cutoff(later)))
            .await
            .json()["reportingCutoff"],
        format!("{}-12-31", w.year + 1)
    );
    assert_eq!(
        report(
            &app,
            &w.officers[1],
            &p,
            json!({"period": "Q4", "reports": [{"targetId": t, "count": 1}]})
        )
        .await
        .status,
        201
    );
    assert_eq!(app.count("SELECT count(*) AS n FROM audit_log WHERE action = 'term.cutoff_moved' AND reason IS NOT NULL"), 2);
}

#[actix_web::test]
async fn a_batch_with_one_bad_row_stores_nothing() {
    let app = TestApp::spawn().await;
    let w = world(&app, 2, this_year()).await;
    let p = in_force(&app, &w, w.year).await;
    let (pct, count) = (target_id(&p, "percentage"), target_id(&p, "count"));
    let before = app.count("SELECT count(*) AS n FROM progress_reports");
    let events = app.count("SELECT count(*) AS n FROM events");
    let bad = json!({"period": "Q2", "reports": [{"targetId": count, "count": 2}, {"targetId": pct, "numerator": 9, "denominator": 8}]});
    assert_problem(
        &report(&app, &w.officers[1], &p, bad).await,
        422,
        "invalid_report_values",
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM progress_reports"),
        before
    );
    assert_eq!(app.count("SELECT count(*) AS n FROM events"), events);
    let good = json!({"period": "Q2", "reports": [{"targetId": count, "count": 2}, {"targetId": pct, "numerator": 8, "denominator": 8}]});
    assert_eq!(report(&app, &w.officers[1], &p, good).await.status, 201);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM progress_reports"),
        before + 2
    );
}

/// The pledge view and the compliance matrix run a fixed number of SQL
/// statements whatever the bloc's size (no query per row).
#[actix_web::test]
async fn pledge_view_and_compliance_use_a_fixed_number_of_statements() {
    let mut counts = Vec::new();
    for n in [3, 20] {
        let app = TestApp::spawn_with(crate::helpers::Options {
            count_statements: true,
            ..Default::default()
        })
        .await;
        let w = world(&app, n, this_year()).await;
        let targets: Vec<Value> = (0..12)
            .map(|i| json!({"kind": "percentage", "subject": "staff", "label": format!("Chỉ tiêu {i}"), "comparator": "gte", "target": 90}))
            .collect();
        let res = app
            .post(
                "/api/v1/pledges",
                w.head_officer(),
                pledge_body(&w, w.year, Value::Array(targets)),
            )
            .await;
        let id = res.json()["id"].as_str().unwrap().to_string();
        act(&app, w.head_officer(), &id, "open").await;
        for l in &w.leaders {
            sign(&app, l, &id).await;
        }
        let p = app
            .get(&format!("/api/v1/pledges/{id}"), &w.admin)
            .await
            .json();
        let tids: Vec<&str> = p["items"][1]["targets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap())
            .collect();
        for (u, officer) in w.officers.iter().enumerate() {
            for q in 1..=4 {
                let lines: Vec<Value> = tids
                    .iter()
                    .map(|t| json!({"targetId": t, "numerator": u + q, "denominator": 30}))
                    .collect();
                assert_eq!(
                    report(
                        &app,
                        officer,
                        &p,
                        json!({"period": format!("Q{q}"), "reports": lines})
                    )
                    .await
                    .status,
                    201
                );
            }
        }
        let measure = |path: String| {
            let app = &app;
            let admin = w.admin.clone();
            async move {
                let before = app.statements.load(std::sync::atomic::Ordering::SeqCst);
                let res = app.get(&path, &admin).await;
                assert_eq!(res.status, 200);
                app.statements.load(std::sync::atomic::Ordering::SeqCst) - before
            }
        };
        let view = measure(format!("/api/v1/pledges/{id}")).await;
        let compliance = measure(format!("/api/v1/pledges/{id}/compliance")).await;
        let write = {
            let before = app.statements.load(std::sync::atomic::Ordering::SeqCst);
            let lines = json!({"period": "Y", "reports": [{"targetId": tids[0], "numerator": 1, "denominator": 2}]});
            assert_eq!(report(&app, &w.officers[0], &p, lines).await.status, 201);
            app.statements.load(std::sync::atomic::Ordering::SeqCst) - before
        };
        counts.push((n, view, compliance, write));
    }
    println!("statements per request (units, pledge view, compliance, report): {counts:?}");
    let (small, large) = (counts[0], counts[1]);
    assert_eq!(
        (small.1, small.2, small.3),
        (large.1, large.2, large.3),
        "statements per request must not grow with the bloc: {counts:?}"
    );
    // One for the caller check, then the pledge view's six reads.
    assert!(large.1 <= 7, "pledge view: {counts:?}");
    assert!(large.2 <= 7, "compliance: {counts:?}");
    assert!(large.3 <= 12, "report: {counts:?}");
}

#[actix_web::test]
async fn the_demo_pledge_is_in_force_with_nine_items_and_six_targets() {
    let app = TestApp::spawn().await;
    thidua::service::demo::seed(&app.state.db).await.unwrap();
    let admin = app.admin_of_demo();
    let list = app.get("/api/v1/pledges?year=2021", &admin).await.json();
    let id = list["items"][0]["id"].as_str().unwrap();
    let p = app
        .get(&format!("/api/v1/pledges/{id}"), &admin)
        .await
        .json();
    assert_eq!(p["status"], "in_force");
    assert_eq!(p["items"].as_array().unwrap().len(), 9);
    let targets: usize = p["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["targets"].as_array().unwrap().len())
        .sum();
    assert_eq!(targets, 6);
    assert_eq!(p["signatures"]["signed"].as_array().unwrap().len(), 9);
    assert!(p["signatures"]["pending"].as_array().unwrap().is_empty());
    assert_eq!(p["inForceAt"], "2021-04-01T07:00:00Z");
    assert!(
        p["theme"]
            .as_str()
            .unwrap()
            .starts_with("Đoàn kết, kỷ cương")
    );
    // No results are invented.
    assert_eq!(app.count("SELECT count(*) AS n FROM progress_reports"), 0);
}
