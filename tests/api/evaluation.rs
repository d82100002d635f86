//! Year-end evaluation: schemes (E1), sheets (E2), ranking (E3), ballots (E4).

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResponse, assert_problem};
use crate::pledges::{World, in_force, this_year, world};

fn base(w: &World) -> String {
    format!("/api/v1/blocs/{}/terms/{}", w.bloc, w.year)
}

async fn put(app: &TestApp, token: &str, path: &str, body: Value) -> TestResponse {
    app.send(TestApp::req(Method::PUT, path, Some(token)).set_json(body))
        .await
}

fn simple_scheme() -> Value {
    json!({"totalCap": 1000, "sections": [
        {"title": "A. Nội dung", "criteria": [{"code": "A1", "text": "Nhiệm vụ", "kind": "content", "maxPoints": 950}]},
        {"title": "B. Thưởng, trừ", "criteria": [{"code": "B1", "text": "Sáng kiến", "kind": "bonus", "maxPoints": 50},
                                                 {"code": "C1", "text": "Vi phạm", "kind": "penalty", "minPoints": -20}]}]})
}

/// Criterion ids by code.
fn crit(scheme: &Value, code: &str) -> String {
    scheme["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["criteria"].as_array().unwrap().iter())
        .find(|c| c["code"] == code)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn scheme(app: &TestApp, w: &World) -> Value {
    let res = put(
        app,
        &w.officers[0],
        &format!("{}/scoring-scheme", base(w)),
        simple_scheme(),
    )
    .await;
    // The term's first scheme: created.
    assert_eq!(res.status, 201, "{}", res.text());
    res.json()
}

async fn sheet(
    app: &TestApp,
    token: &str,
    w: &World,
    subject: uuid::Uuid,
    entries: Value,
) -> TestResponse {
    put(
        app,
        token,
        &format!("{}/score-sheets/{subject}", base(w)),
        json!({"entries": entries}),
    )
    .await
}

fn points(s: &Value, a1: i32, b1: i32, c1: i32) -> Value {
    json!([{"criterionId": crit(s, "A1"), "points": a1}, {"criterionId": crit(s, "B1"), "points": b1}, {"criterionId": crit(s, "C1"), "points": c1}])
}

#[actix_web::test]
async fn e1_the_scheme_is_fixed_once_the_first_score_is_entered() {
    let app = TestApp::spawn().await;
    let w = world(&app, 3, this_year()).await;
    let s = scheme(&app, &w).await;
    assert_problem(
        &put(
            &app,
            &w.officers[1],
            &format!("{}/scoring-scheme", base(&w)),
            simple_scheme(),
        )
        .await,
        403,
        "not_head_unit",
    );
    // Still editable before any score.
    assert_eq!(
        put(
            &app,
            &w.admin,
            &format!("{}/scoring-scheme", base(&w)),
            simple_scheme()
        )
        .await
        .status,
        200
    );
    let s2 = app
        .get(&format!("{}/scoring-scheme", base(&w)), &w.admin)
        .await
        .json();
    assert_ne!(s["id"], Value::Null);
    assert_eq!(
        sheet(
            &app,
            &w.officers[1],
            &w,
            w.units[1],
            points(&s2, 900, 10, 0)
        )
        .await
        .status,
        201 // the reviewer's first sheet for the unit: created
    );
    assert_problem(
        &put(
            &app,
            &w.admin,
            &format!("{}/scoring-scheme", base(&w)),
            simple_scheme(),
        )
        .await,
        409,
        "scheme_frozen",
    );
    let bad = json!({"totalCap": 1000, "sections": [{"title": "X", "criteria": [{"code": "P", "text": "x", "kind": "penalty", "maxPoints": 5}]}]});
    let app2 = TestApp::spawn().await;
    let w3 = world(&app2, 2, this_year()).await;
    assert_problem(
        &put(
            &app2,
            &w3.admin,
            &format!("{}/scoring-scheme", base(&w3)),
            bad,
        )
        .await,
        422,
        "invalid_scheme",
    );
}

#[actix_web::test]
async fn e1_templates_give_the_1000_point_frame_and_copy_last_year() {
    let app = TestApp::spawn().await;
    let w = world(&app, 2, this_year()).await;
    in_force(&app, &w, w.year).await;
    let t = app
        .post(
            &format!("{}/scoring-scheme/template", base(&w)),
            &w.admin,
            json!({"source": "standard"}),
        )
        .await;
    assert_eq!(t.status, 200, "{}", t.text());
    let t = t.json();
    assert_eq!(t["totalCap"], 1000);
    let content: i64 = t["sections"][0]["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["maxPoints"].as_i64().unwrap())
        .sum();
    assert_eq!(content, 950);
    assert_eq!(
        t["sections"][0]["criteria"].as_array().unwrap().len(),
        2,
        "one criterion per pledge item"
    );
    assert!(t["sections"][0]["criteria"][0]["pledgeItemId"].is_string());
    assert_eq!(t["sections"][1]["criteria"][0]["maxPoints"], 50);
    // Next year copies it.
    let res = app
        .send(
            TestApp::req(
                Method::PUT,
                &format!("/api/v1/blocs/{}/terms/{}", w.bloc, w.year + 1),
                Some(&w.admin),
            )
            .set_json(json!({"memberIds": w.units, "headId": w.units[1]})),
        )
        .await;
    assert_eq!(res.status, 201);
    let copy = app
        .post(
            &format!(
                "/api/v1/blocs/{}/terms/{}/scoring-scheme/template",
                w.bloc,
                w.year + 1
            ),
            &w.admin,
            json!({"source": "previous_year"}),
        )
        .await
        .json();
    assert_eq!(copy["sections"][0]["criteria"].as_array().unwrap().len(), 2);
    assert!(copy["sections"][0]["criteria"][0]["pledgeItemId"].is_null());
}

#[actix_web::test]
async fn e2_points_stay_within_bounds_and_penalties_between_min_and_zero() {
    let app = TestApp::spawn().await;
    let w = world(&app, 3, this_year()).await;
    let s = scheme(&app, &w).await;
    for (a, b, c) in [(951, 0, 0), (-1, 0, 0), (0, 51, 0), (0, 0, 1), (0, 0, -21)] {
        assert_problem(
            &sheet(&app, &w.officers[1], &w, w.units[1], points(&s, a, b, c)).await,
            422,
            "points_out_of_bounds",
        );
    }
    assert_eq!(
        sheet(
            &app,
            &w.officers[1],
            &w,
            w.units[1],
            points(&s, 950, 50, -20)
        )
        .await
        .status,
        201 // the reviewer's first sheet for the unit: created
    );
    // A unit scores only itself (self-sheet) unless it is a reviewer.
    assert_problem(
        &sheet(&app, &w.officers[1], &w, w.units[2], points(&s, 1, 0, 0)).await,
        403,
        "not_a_reviewer",
    );
}

#[actix_web::test]
async fn a_unit_is_never_assigned_to_score_itself_and_only_assigned_reviewers_cross_score() {
    let app = TestApp::spawn().await;
    let w = world(&app, 3, this_year()).await;
    let s = scheme(&app, &w).await;
    let path = format!("{}/review-assignments", base(&w));
    let selfish = put(
        &app,
        &w.officers[0],
        &path,
        json!({"items": [{"reviewerId": w.units[1], "subjectId": w.units[1]}]}),
    )
    .await;
    assert_problem(&selfish, 422, "self_assignment");
    assert!(app.sql_err(&format!("INSERT INTO review_assignments VALUES ((SELECT id FROM bloc_terms LIMIT 1), '{0}', '{0}')", w.units[1])).unwrap().contains("review_assignments_not_self"));
    // Without assignments the head cross-scores.
    assert_eq!(
        sheet(&app, &w.officers[0], &w, w.units[1], points(&s, 800, 0, 0))
            .await
            .status,
        201 // the reviewer's first sheet for the unit: created
    );
    assert_eq!(
        put(
            &app,
            &w.officers[0],
            &path,
            json!({"items": [{"reviewerId": w.units[1], "subjectId": w.units[2]}]})
        )
        .await
        .status,
        200
    );
    assert_eq!(
        sheet(&app, &w.officers[1], &w, w.units[2], points(&s, 700, 0, 0))
            .await
            .status,
        201 // the reviewer's first sheet for the unit: created
    );
    assert_problem(
        &sheet(&app, &w.officers[2], &w, w.units[1], points(&s, 700, 0, 0)).await,
        403,
        "not_a_reviewer",
    );
    // A reviewer may recuse with a written reason.
    let sheets = app
        .get(&format!("{}/score-sheets", base(&w)), &w.admin)
        .await
        .json();
    let cross = sheets["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["reviewerId"] == json!(w.units[1]))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_problem(
        &app.post(
            &format!("/api/v1/score-sheets/{cross}/recuse"),
            &w.officers[1],
            json!({}),
        )
        .await,
        422,
        // The reason is required by the body's schema (issue 14, item 9).
        "validation_failed",
    );
    let recused = app
        .post(
            &format!("/api/v1/score-sheets/{cross}/recuse"),
            &w.officers[1],
            json!({"reason": "Có quan hệ công tác trực tiếp"}),
        )
        .await;
    assert_eq!(recused.json()["status"], "recused");
}

#[actix_web::test]
async fn submitted_sheets_are_locked_and_only_the_admin_reopens_them() {
    let app = TestApp::spawn().await;
    let w = world(&app, 2, this_year()).await;
    let s = scheme(&app, &w).await;
    let created = sheet(&app, &w.officers[1], &w, w.units[1], points(&s, 900, 0, 0))
        .await
        .json();
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["selfScore"], true);
    assert_eq!(
        app.post(
            &format!("/api/v1/score-sheets/{id}/submit"),
            &w.officers[1],
            json!({})
        )
        .await
        .json()["status"],
        "submitted"
    );
    assert_problem(
        &sheet(&app, &w.officers[1], &w, w.units[1], points(&s, 950, 0, 0)).await,
        409,
        "sheet_locked",
    );
    assert_problem(
        &app.post(
            &format!("/api/v1/score-sheets/{id}/reopen"),
            &w.officers[0],
            json!({"reason": "x"}),
        )
        .await,
        403,
        "admin_required",
    );
    let reopened = app
        .post(
            &format!("/api/v1/score-sheets/{id}/reopen"),
            &w.admin,
            json!({"reason": "Sai sót khi nhập điểm"}),
        )
        .await;
    assert_eq!(reopened.json()["status"], "draft");
    assert_eq!(app.count("SELECT count(*) AS n FROM audit_log WHERE action = 'score_sheet.reopened' AND reason = 'Sai sót khi nhập điểm'"), 1);
    assert_eq!(
        sheet(&app, &w.officers[1], &w, w.units[1], points(&s, 950, 0, 0))
            .await
            .status,
        200
    );
}

#[actix_web::test]
async fn e3_ranking_ties_share_a_rank_and_the_cross_score_beats_the_self_score() {
    let app = TestApp::spawn().await;
    let w = world(&app, 4, this_year()).await;
    in_force(&app, &w, w.year).await;
    let s = scheme(&app, &w).await;
    // Self-scores: every unit 940.
    for (i, o) in w.officers.iter().enumerate() {
        let id = sheet(&app, o, &w, w.units[i], points(&s, 900, 40, 0))
            .await
            .json()["id"]
            .as_str()
            .unwrap()
            .to_string();
        app.post(&format!("/api/v1/score-sheets/{id}/submit"), o, json!({}))
            .await;
    }
    // The head cross-scores U01 and U02 at 900 (+0), so they tie below U00 and U03.
    for u in [1, 2] {
        let id = sheet(&app, &w.officers[0], &w, w.units[u], points(&s, 900, 0, 0))
            .await
            .json()["id"]
            .as_str()
            .unwrap()
            .to_string();
        app.post(
            &format!("/api/v1/score-sheets/{id}/submit"),
            &w.officers[0],
            json!({}),
        )
        .await;
    }
    let r = app
        .get(&format!("{}/ranking", base(&w)), &w.admin)
        .await
        .json();
    let rows: Vec<(String, i64, String, bool)> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["code"].as_str().unwrap().into(),
                x["rank"].as_i64().unwrap(),
                x["total"].as_str().unwrap().into(),
                x["selfScoreOnly"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("U00".into(), 1, "940.00".into(), true),
            ("U03".into(), 1, "940.00".into(), true),
            ("U01".into(), 3, "900.00".into(), false),
            ("U02".into(), 3, "900.00".into(), false),
        ]
    );
    assert_eq!(r["items"][0]["sections"][0]["score"], "900.00");
    assert!(r["items"][0]["complianceMeasurable"].as_i64().unwrap() > 0);
    let csv = app
        .send(
            TestApp::req(
                Method::GET,
                &format!("{}/ranking", base(&w)),
                Some(&w.admin),
            )
            .insert_header(("Accept", "text/csv")),
        )
        .await;
    assert!(csv.body.starts_with("\u{feff}".as_bytes()));
    assert!(csv.text().contains("3,U02"));
}

async fn open_ballot(app: &TestApp, w: &World, body: Value) -> String {
    let res = app
        .post(
            &format!("{}/ballots", base(w)),
            w.head_officer_token(),
            body,
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    res.json()["id"].as_str().unwrap().to_string()
}

async fn vote(app: &TestApp, token: &str, ballot: &str, choices: Value) -> TestResponse {
    app.post(
        &format!("/api/v1/ballots/{ballot}/votes"),
        token,
        json!({"choices": choices}),
    )
    .await
}

trait HeadToken {
    fn head_officer_token(&self) -> &str;
}

impl HeadToken for World {
    fn head_officer_token(&self) -> &str {
        &self.officers[0]
    }
}

#[actix_web::test]
async fn e4_one_ballot_per_unit_for_at_most_k_and_results_only_after_close() {
    let app = TestApp::spawn().await;
    let w = world(&app, 5, this_year()).await;
    let b = open_ballot(&app, &w, json!({"seats": 1})).await;
    assert_problem(
        &vote(&app, &w.leaders[0], &b, json!([w.units[1], w.units[2]])).await,
        422,
        "invalid_choices",
    );
    assert_problem(
        &vote(&app, &w.officers[0], &b, json!([w.units[1]])).await,
        403,
        "not_member_leader",
    );
    assert_problem(
        &vote(&app, &w.admin, &b, json!([w.units[1]])).await,
        403,
        "not_member_leader",
    );
    for l in &w.leaders[..3] {
        assert_eq!(vote(&app, l, &b, json!([w.units[1]])).await.status, 201);
    }
    assert_problem(
        &vote(&app, &w.leaders[0], &b, json!([w.units[2]])).await,
        409,
        "already_voted",
    );
    assert_problem(
        &app.get(&format!("/api/v1/ballots/{b}/result"), &w.admin)
            .await,
        409,
        "results_hidden",
    );
    assert_problem(
        &app.post(
            &format!("/api/v1/ballots/{b}/close"),
            &w.officers[2],
            json!({}),
        )
        .await,
        403,
        "not_head_unit",
    );
    assert_eq!(
        app.post(
            &format!("/api/v1/ballots/{b}/close"),
            w.head_officer_token(),
            json!({})
        )
        .await
        .status,
        200
    );
    assert_problem(
        &vote(&app, &w.leaders[4], &b, json!([w.units[1]])).await,
        409,
        "ballot_closed",
    );
    let r = app
        .get(&format!("/api/v1/ballots/{b}/result"), &w.admin)
        .await
        .json();
    assert_eq!(r["votersCount"], 3);
    assert_eq!(r["membersCount"], 5);
    assert_eq!(r["counts"][0]["code"], "U01");
    assert_eq!(r["counts"][0]["votes"], 3);
    assert_eq!(r["elected"][0]["code"], "U01", "3 of 5 is more than half");
    let leading = app
        .get(&format!("{}/leading-units", base(&w)), &w.admin)
        .await
        .json();
    assert_eq!(leading["items"][0]["code"], "U01");
    let html = app
        .send(
            TestApp::req(
                Method::GET,
                &format!("/api/v1/ballots/{b}/minutes"),
                Some(&w.admin),
            )
            .insert_header(("Accept", "text/html")),
        )
        .await;
    assert!(
        html.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    // The printable minutes (docs/documents.md), with their policy.
    assert!(html.text().contains("BIÊN BẢN KIỂM PHIẾU") && html.text().contains("U01"));
    assert!(html.header("content-security-policy").is_some());
    // Ballot events say who voted, never what.
    assert_eq!(
        app.count("SELECT count(*) AS n FROM events WHERE type = 'ballot.voted'"),
        3
    );
    assert_eq!(app.count(&format!("SELECT count(*) AS n FROM events WHERE type = 'ballot.voted' AND data::text LIKE '%{}%' AND data->>'organizationId' <> '{}'", w.units[1], w.units[1])), 0);
    assert_eq!(app.count("SELECT count(*) AS n FROM audit_log WHERE action = 'ballot.voted' AND (after ? 'choices' OR after::text LIKE '%paper%')"), 0);
}

#[actix_web::test]
async fn e4_the_last_members_vote_closes_the_ballot_and_a_tie_at_the_last_seat_elects_nobody() {
    let app = TestApp::spawn().await;
    let w = world(&app, 4, this_year()).await;
    let b = open_ballot(&app, &w, json!({"seats": 1, "thresholdPercent": 0})).await;
    for (i, l) in w.leaders.iter().enumerate() {
        let choice = if i % 2 == 0 { w.units[2] } else { w.units[3] };
        assert_eq!(vote(&app, l, &b, json!([choice])).await.status, 201);
    }
    let ballot = app
        .get(&format!("/api/v1/ballots/{b}"), &w.admin)
        .await
        .json();
    assert_eq!(ballot["status"], "closed");
    let r = app
        .get(&format!("/api/v1/ballots/{b}/result"), &w.admin)
        .await
        .json();
    assert!(r["elected"].as_array().unwrap().is_empty());
    assert_eq!(r["tiedSeats"], 1);
    assert_eq!(r["tied"].as_array().unwrap().len(), 2);
    assert!(
        app.get(&format!("{}/leading-units", base(&w)), &w.admin)
            .await
            .json()["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[actix_web::test]
async fn e4_a_double_vote_sent_concurrently_is_accepted_once() {
    let mut opts = crate::helpers::Options::default();
    opts.config.pool_size = 8;
    let app = TestApp::spawn_with(opts).await;
    let w = world(&app, 3, this_year()).await;
    let b = open_ballot(&app, &w, json!({})).await;
    let attempts = futures_util::future::join_all(
        (0..6).map(|_| vote(&app, &w.leaders[0], &b, json!([w.units[1]]))),
    )
    .await;
    assert_eq!(attempts.iter().filter(|r| r.status == 201).count(), 1);
    assert!(
        attempts
            .iter()
            .filter(|r| r.status != 201)
            .all(|r| r.code() == "already_voted")
    );
    assert_eq!(app.count("SELECT count(*) AS n FROM ballot_papers"), 1);
    assert_eq!(
        app.count("SELECT cardinality(voters)::int8 AS n FROM ballots"),
        1
    );
}

/// E4 secrecy, shown on the schema and the stored rows: papers carry only a
/// random id, the ballot and the choices (no voter, no time, no sequence);
/// the voters are a sorted set on the ballot (no per-voter row or time).
#[actix_web::test]
async fn e4_no_column_or_ordering_links_a_paper_to_its_voter() {
    let app = TestApp::spawn().await;
    let w = world(&app, 5, this_year()).await;
    let b = open_ballot(&app, &w, json!({"seats": 2})).await;
    for (i, l) in w.leaders.iter().enumerate().rev() {
        vote(&app, l, &b, json!([w.units[(i + 1) % 5]])).await;
    }
    let paper_columns = app.count(
        "SELECT count(*) AS n FROM information_schema.columns WHERE table_name = 'ballot_papers'
          AND column_name NOT IN ('id', 'ballot_id', 'choices')",
    );
    assert_eq!(
        paper_columns, 0,
        "ballot_papers must hold nothing but a random id, the ballot and the choices"
    );
    assert_eq!(app.count("SELECT count(*) AS n FROM information_schema.columns WHERE table_name = 'ballot_papers' AND data_type LIKE 'timestamp%'"), 0);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM pg_sequences WHERE sequencename LIKE '%ballot%'"),
        0
    );
    // Paper ids are random (version 4), not time-ordered.
    assert_eq!(
        app.count("SELECT count(*) AS n FROM ballot_papers WHERE substr(id::text, 15, 1) <> '4'"),
        0
    );
    // The voters are kept sorted, whatever order they voted in.
    assert_eq!(app.count("SELECT count(*) AS n FROM ballots WHERE voters <> (SELECT array_agg(v ORDER BY v) FROM unnest(voters) v)"), 0);
    // No table names both a voter and a paper.
    assert_eq!(
        app.count("SELECT count(*) AS n FROM information_schema.columns c WHERE c.table_name = 'ballots' AND c.column_name IN ('paper_id', 'choices')"),
        0
    );
}
