//! Titles and commendations over HTTP: facts, registrations, eligibility
//! (C0–C14 through the API), proposals, decisions, overrides, history,
//! quotas and query counts. The rule boundaries themselves are table-driven
//! in `src/domain/titles/tests.rs`.

use actix_web::http::Method;
use serde_json::{Value, json};
use thidua::auth::Role;
use uuid::Uuid;

use crate::helpers::{Options, TestApp, TestResponse, assert_problem};
use crate::pledges::{World, world};

fn person(app: &TestApp, org: Uuid, name: &str) -> Uuid {
    let id = Uuid::now_v7();
    app.sql(&format!(
        "INSERT INTO people (id, full_name, organization_id, category) VALUES ('{id}', '{name}', '{org}', 'cong_chuc')"
    ));
    id
}

/// `n` people of `org` with the same facts for `year`, in bulk SQL.
fn staff_with_facts(app: &TestApp, org: Uuid, n: usize, year: i32, rating: &str) -> Vec<Uuid> {
    let ids: Vec<Uuid> = (0..n).map(|_| Uuid::now_v7()).collect();
    let people: Vec<String> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| format!("('{id}', 'Cán bộ {i}', '{org}', 'vien_chuc')"))
        .collect();
    let facts: Vec<String> = ids
        .iter()
        .map(|id| format!("('{id}', {year}, '{rating}', true, 12, 0, 'none')"))
        .collect();
    app.sql(&format!(
        "INSERT INTO people (id, full_name, organization_id, category) VALUES {};
         INSERT INTO person_year_facts (person_id, year, rating, registered, months_employed, absent_days, discipline) VALUES {};",
        people.join(","),
        facts.join(",")
    ));
    ids
}

async fn put(app: &TestApp, path: &str, token: &str, body: Value) -> TestResponse {
    app.send(TestApp::req(Method::PUT, path, Some(token)).set_json(body))
        .await
}

async fn check(app: &TestApp, token: &str, body: Value) -> Value {
    let res = app.post("/api/v1/eligibility-checks", token, body).await;
    assert_eq!(res.status, 200, "{}", res.text());
    res.json()
}

fn rule<'a>(answer: &'a Value, id: &str) -> &'a Value {
    answer["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule"] == id)
        .unwrap_or_else(|| panic!("no {id} in {answer}"))
}

async fn decide(
    app: &TestApp,
    admin: &str,
    number: &str,
    year: i32,
    awards: Value,
) -> TestResponse {
    app.post(
        "/api/v1/decisions",
        admin,
        json!({"number": number, "decidedOn": format!("{}-01-20", year + 1), "signer": "Chủ tịch UBND tỉnh",
               "issuingBody": "UBND tỉnh Vĩnh Phúc", "year": year, "awards": awards}),
    )
    .await
}

/// The bloc of three elects U01 its leading unit for `w.year`.
async fn elect_u01(app: &TestApp, w: &World) {
    let res = app
        .post(
            &format!("/api/v1/blocs/{}/terms/{}/ballots", w.bloc, w.year),
            &w.officers[0],
            json!({"seats": 1}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let ballot = res.json()["id"].as_str().unwrap().to_string();
    for l in &w.leaders {
        let v = app
            .post(
                &format!("/api/v1/ballots/{ballot}/votes"),
                l,
                json!({"choices": [w.units[1]]}),
            )
            .await;
        assert_eq!(v.status, 201, "{}", v.text());
    }
}

#[actix_web::test]
async fn c0_the_rule_set_is_the_one_in_force_on_31_december_of_the_year() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let unit = app.org("DV", None);
    let p = person(&app, unit, "Nguyễn Văn An");
    for (year, code) in [
        (2005, "vn-2017"),
        (2021, "vn-2017"),
        (2023, "vn-2017"),
        (2024, "vn-2024"),
        (2025, "vn-2025"),
    ] {
        let a = check(
            &app,
            &admin,
            json!({"personId": p, "awardType": "ldtt", "year": year}),
        )
        .await;
        assert_eq!(a["ruleSet"]["code"], code, "{year}");
    }
    let sets = app.get("/api/v1/rule-sets", &admin).await.json();
    assert_eq!(sets["items"].as_array().unwrap().len(), 3);
    let types = app.get("/api/v1/award-types", &admin).await.json();
    assert_eq!(types["items"].as_array().unwrap().len(), 12);
    assert_eq!(types["items"][0]["nameVi"], "Lao động tiên tiến");
}

#[actix_web::test]
async fn c0_a_provincial_override_applies_and_a_used_rule_set_never_changes() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let sets = app.get("/api/v1/rule-sets", &admin).await.json();
    let v2024 = sets["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "vn-2024")
        .unwrap()
        .clone();
    let mut params = v2024["params"].clone();
    params["ldttMinMonths"] = json!(6);
    let res = app
        .post(
            "/api/v1/rule-sets",
            &admin,
            json!({"code": "vinh-phuc-2024", "scope": "province", "name": "Quy định của tỉnh",
                   "legalBasis": "Quyết định của UBND tỉnh (thử)", "effectiveFrom": "2024-01-01",
                   "effectiveTo": "2024-12-31", "params": params}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let unit = app.org("DV", None);
    let p = person(&app, unit, "Trần Thị Bình");
    app.sql(&format!(
        "INSERT INTO person_year_facts (person_id, year, rating, registered, months_employed, absent_days, discipline)
         VALUES ('{p}', 2024, 'htt', true, 7, 0, 'none')"
    ));
    let a = check(
        &app,
        &admin,
        json!({"personId": p, "awardType": "ldtt", "year": 2024}),
    )
    .await;
    assert_eq!(a["ruleSet"]["code"], "vinh-phuc-2024");
    assert_eq!(a["eligible"], true, "{a}");
    assert_eq!(rule(&a, "C3")["figures"]["minMonths"], 6);
    // Under the national set the same facts fail on the months.
    let a = check(
        &app,
        &admin,
        json!({"personId": p, "awardType": "ldtt", "year": 2024, "ruleSetId": v2024["id"]}),
    )
    .await;
    assert_eq!(rule(&a, "C3")["passed"], false);
    // Used by a decision, the override is frozen; an unused one still changes.
    let d = decide(
        &app,
        &admin,
        "1/QĐ-UBND",
        2024,
        json!([{"awardType": "ldtt", "personId": p}]),
    )
    .await;
    assert_eq!(d.status, 201, "{}", d.text());
    let id = res.json()["id"].as_str().unwrap().to_string();
    let body =
        json!({"name": "Sửa", "legalBasis": "x", "effectiveFrom": "2024-01-01", "params": params});
    assert_problem(
        &put(
            &app,
            &format!("/api/v1/rule-sets/{id}"),
            &admin,
            body.clone(),
        )
        .await,
        409,
        "rule_set_in_use",
    );
    let v2025 = sets["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "vn-2025")
        .unwrap();
    let ok = put(
        &app,
        &format!("/api/v1/rule-sets/{}", v2025["id"].as_str().unwrap()),
        &admin,
        json!({"name": "Quy định theo Nghị định 152/2025/NĐ-CP", "legalBasis": "Nghị định 152/2025/NĐ-CP",
               "effectiveFrom": "2025-07-01", "params": v2025["params"]}),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert_problem(
        &app.post("/api/v1/rule-sets", &admin, json!({"code": "x-1", "scope": "national", "name": "n",
            "legalBasis": "l", "effectiveFrom": "2024-01-01", "params": json!({"ldttMinMonths": 13})})).await,
        422,
        "validation_failed",
    );
}

#[actix_web::test]
async fn facts_are_entered_for_a_whole_unit_all_or_nothing_with_every_row_error_listed() {
    let app = TestApp::spawn().await;
    let unit = app.org("DV", None);
    let sub = app.org("DV-P1", Some(unit));
    let other = app.org("KHAC", None);
    let a = person(&app, unit, "Lê Văn Cường");
    let b = person(&app, sub, "Phạm Thị Dung");
    let outsider = person(&app, other, "Hoàng Văn Em");
    let officer = app.member_token("dv.officer", Role::Officer, unit);
    let row = |p: Uuid| {
        json!({"personId": p, "rating": "htt", "registered": true, "monthsEmployed": 12,
                               "absentDays": 0, "discipline": "none"})
    };
    let mut bad = row(b);
    bad["discipline"] = json!("khien_trach");
    let res = put(
        &app,
        &format!("/api/v1/organizations/{unit}/facts/2024"),
        &officer,
        json!({"people": [row(a), bad, row(outsider)]}),
    )
    .await;
    assert_problem(&res, 422, "invalid_facts");
    let fields: Vec<String> = res.problem()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, ["people[1].disciplineUntil", "people[2].personId"]);
    assert_eq!(app.count("SELECT count(*) AS n FROM person_year_facts"), 0);
    // Another unit's officer cannot write this unit's year.
    let stranger = app.member_token("khac.officer", Role::Officer, other);
    assert_problem(
        &put(
            &app,
            &format!("/api/v1/organizations/{unit}/facts/2024"),
            &stranger,
            json!({"people": [row(a)]}),
        )
        .await,
        403,
        "not_your_organization",
    );
    let mut good_b = row(b);
    good_b["initiatives"] = json!([{"title": "Cải tiến quy trình", "level": "grassroots"}]);
    let res = put(
        &app,
        &format!("/api/v1/organizations/{unit}/facts/2024"),
        &officer,
        json!({"people": [row(a), good_b]}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let people = res.json()["people"].as_array().unwrap().clone();
    assert_eq!(people.len(), 2);
    assert!(people.iter().all(|p| p["rating"] == "htt"));
    assert_eq!(app.count("SELECT count(*) AS n FROM initiatives"), 1);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM audit_log WHERE action = 'facts.recorded'"),
        1
    );
}

#[actix_web::test]
async fn c9_a_proposal_for_a_non_leading_units_flag_fails_with_the_reason() {
    let app = TestApp::spawn().await;
    let w = world(&app, 3, 2024).await;
    elect_u01(&app, &w).await;
    let res = app
        .post(
            "/api/v1/proposals",
            &w.admin,
            json!({"year": 2024, "title": "Đề nghị tặng Cờ thi đua cấp tỉnh",
                   "items": [{"awardType": "co_thi_dua_tinh", "organizationId": w.units[2]}]}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let p = res.json();
    let item = &p["items"][0];
    assert_eq!(item["eligible"], false);
    let c9 = rule(&item["eligibility"], "C9");
    assert_eq!(c9["passed"], false);
    assert_eq!(c9["figures"]["elected"], false);
    assert!(c9["vi"].as_str().unwrap().contains("không được bình chọn"));
    let submit = app
        .post(
            &format!("/api/v1/proposals/{}/submit", p["id"].as_str().unwrap()),
            &w.admin,
            json!({}),
        )
        .await;
    assert_problem(&submit, 409, "not_eligible");
    assert_eq!(submit.problem()["errors"][0]["code"], "C9");
    assert_eq!(submit.problem()["errors"][0]["field"], "items[0]");
    // The elected unit passes; with the provincial flag decided, C10 opens the Government flag.
    let a = check(
        &app,
        &w.admin,
        json!({"organizationId": w.units[1], "awardType": "co_thi_dua_tinh", "year": 2024}),
    )
    .await;
    assert_eq!(a["eligible"], true, "{a}");
    let gov =
        json!({"organizationId": w.units[1], "awardType": "co_thi_dua_chinh_phu", "year": 2024});
    assert_eq!(
        rule(&check(&app, &w.admin, gov.clone()).await, "C10")["passed"],
        false
    );
    let d = decide(
        &app,
        &w.admin,
        "10/QĐ-UBND",
        2024,
        json!([{"awardType": "co_thi_dua_tinh", "organizationId": w.units[1]}]),
    )
    .await;
    assert_eq!(d.status, 201, "{}", d.text());
    assert_eq!(
        rule(&check(&app, &w.admin, gov).await, "C10")["passed"],
        true
    );
    // The bloc's one flag is taken for the year.
    let again = check(
        &app,
        &w.admin,
        json!({"organizationId": w.units[2], "awardType": "co_thi_dua_tinh", "year": 2024}),
    )
    .await;
    assert_eq!(rule(&again, "C9")["passed"], false);
}

#[actix_web::test]
async fn an_override_awards_despite_a_failed_rule_and_leaves_an_audit_row_with_the_reason() {
    let app = TestApp::spawn().await;
    let w = world(&app, 3, 2024).await;
    elect_u01(&app, &w).await;
    let flag = json!([{"awardType": "co_thi_dua_tinh", "organizationId": w.units[2]}]);
    let refused = decide(&app, &w.admin, "11/QĐ-UBND", 2024, flag.clone()).await;
    assert_problem(&refused, 409, "not_eligible");
    assert_eq!(app.count("SELECT count(*) AS n FROM awards"), 0);
    let reason = "Thành tích đột xuất trong phòng chống dịch, Hội đồng TĐKT tỉnh thống nhất";
    let res = app
        .post(
            "/api/v1/decisions",
            &w.admin,
            json!({"number": "11/QĐ-UBND", "decidedOn": "2025-01-20", "signer": "Chủ tịch UBND tỉnh",
                   "issuingBody": "UBND tỉnh Vĩnh Phúc", "year": 2024, "awards": flag, "overrideReason": reason}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(res.json()["awards"][0]["overridden"], true);
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM audit_log WHERE action = 'decision.made' AND reason = '{reason}'
               AND after->'overriddenRules'->0->>'rule' = 'C9'"
        )),
        1
    );
    // C1 is never overridden.
    let twice = app
        .post(
            "/api/v1/decisions",
            &w.admin,
            json!({"number": "12/QĐ-UBND", "decidedOn": "2025-01-21", "signer": "Chủ tịch UBND tỉnh",
                   "issuingBody": "UBND tỉnh Vĩnh Phúc", "year": 2024,
                   "awards": [{"awardType": "co_thi_dua_tinh", "organizationId": w.units[2]}], "overrideReason": reason}),
        )
        .await;
    assert_problem(&twice, 409, "not_eligible");
    assert_eq!(twice.problem()["errors"][0]["code"], "C1");
    // Only the admin decides.
    assert_problem(
        &decide(
            &app,
            &w.officers[0],
            "13/QĐ-UBND",
            2024,
            json!([{"awardType": "ldtt", "personId": Uuid::now_v7()}]),
        )
        .await,
        403,
        "admin_required",
    );
}

#[actix_web::test]
async fn c5_c14_the_chain_reads_the_history_and_a_revoked_award_breaks_it() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let unit = app.org("DV", None);
    let p = person(&app, unit, "Vũ Thị Giang");
    for y in 2022..=2024 {
        app.sql(&format!(
            "INSERT INTO person_year_facts (person_id, year, rating, registered, months_employed, absent_days, discipline)
             VALUES ('{p}', {y}, 'htxs', true, 12, 0, 'none')"
        ));
    }
    app.sql(&format!(
        "INSERT INTO initiatives (id, person_id, year, title, level) VALUES ('{}', '{p}', 2023, 'Phần mềm quản lý', 'provincial')",
        Uuid::now_v7()
    ));
    let cstd_tinh = json!({"personId": p, "awardType": "cstd_tinh", "year": 2024});
    let a = check(&app, &admin, cstd_tinh.clone()).await;
    assert_eq!(rule(&a, "C5")["figures"]["cstdcsYears"], json!([2024]));
    let mut first = None;
    for y in [2022, 2023] {
        let d = decide(
            &app,
            &admin,
            &format!("{y}/QĐ-UBND"),
            y,
            json!([{"awardType": "cstdcs", "personId": p}]),
        )
        .await;
        assert_eq!(d.status, 201, "{}", d.text());
        first.get_or_insert(d.json()["awards"][0]["id"].as_str().unwrap().to_string());
    }
    let a = check(&app, &admin, cstd_tinh.clone()).await;
    assert_eq!(a["eligible"], true, "{a}");
    assert_eq!(
        rule(&a, "C5")["figures"]["cstdcsYears"],
        json!([2022, 2023, 2024])
    );
    let revoked = app
        .post(
            &format!("/api/v1/awards/{}/revocation", first.unwrap()),
            &admin,
            json!({"reason": "Thu hồi theo Quyết định 45/QĐ-UBND"}),
        )
        .await;
    assert_eq!(revoked.status, 200, "{}", revoked.text());
    assert_eq!(revoked.json()["status"], "revoked");
    let a = check(&app, &admin, cstd_tinh).await;
    assert_eq!(a["eligible"], false);
    assert_eq!(rule(&a, "C5")["passed"], false);
    assert_eq!(rule(&a, "C14")["figures"]["revoked"][0]["year"], 2022);
    let history = app
        .get(&format!("/api/v1/people/{p}/awards"), &admin)
        .await
        .json();
    let statuses: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["award"]["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["active", "revoked"]);
    assert_eq!(history["items"][1]["decisionNumber"], "2022/QĐ-UBND");
    assert_eq!(
        app.count("SELECT count(*) AS n FROM audit_log WHERE action = 'award.revoked' AND reason LIKE 'Thu hồi%'"),
        1
    );
    // C1 after revocation: the same title and year may be awarded again.
    let again = decide(
        &app,
        &admin,
        "2022b/QĐ-UBND",
        2022,
        json!([{"awardType": "cstdcs", "personId": p}]),
    )
    .await;
    assert_eq!(again.status, 201, "{}", again.text());
}

#[actix_web::test]
async fn c2_a_discipline_in_force_blocks_a_proposal() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let unit = app.org("DV", None);
    let p = person(&app, unit, "Đỗ Văn Hùng");
    app.sql(&format!(
        "INSERT INTO person_year_facts (person_id, year, rating, registered, months_employed, absent_days, discipline, discipline_until)
         VALUES ('{p}', 2024, 'htt', true, 12, 0, 'khien_trach', '2099-12-31')"
    ));
    let a = check(
        &app,
        &admin,
        json!({"personId": p, "awardType": "giay_khen", "year": 2024}),
    )
    .await;
    assert_eq!(rule(&a, "C2")["passed"], false);
    assert_eq!(rule(&a, "C2")["figures"]["disciplineInForce"], true);
    app.sql(&format!(
        "UPDATE person_year_facts SET discipline_until = '2020-01-01' WHERE person_id = '{p}'"
    ));
    let a = check(
        &app,
        &admin,
        json!({"personId": p, "awardType": "giay_khen", "year": 2024}),
    )
    .await;
    assert_eq!(a["eligible"], true, "{a}");
    // The reprimand still costs LĐTT in the year it fell (C3).
    let a = check(
        &app,
        &admin,
        json!({"personId": p, "awardType": "ldtt", "year": 2024}),
    )
    .await;
    assert_eq!(rule(&a, "C3")["passed"], false);
}

#[actix_web::test]
async fn a_proposal_goes_draft_submitted_returned_submitted_approved_decided() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let unit = app.org("DV", None);
    let officer = app.member_token("dv.officer", Role::Officer, unit);
    let staff = staff_with_facts(&app, unit, 3, 2024, "htt");
    let other = app.org("KHAC", None);
    let outsider = person(&app, other, "Ngoài đơn vị");
    let items: Vec<Value> = staff
        .iter()
        .map(|p| json!({"awardType": "ldtt", "personId": p}))
        .collect();
    // A unit proposes only for its own people.
    let mut with_outsider = items.clone();
    with_outsider.push(json!({"awardType": "ldtt", "personId": outsider}));
    assert_problem(
        &app.post("/api/v1/proposals", &officer, json!({"organizationId": unit, "year": 2024, "title": "Đề nghị", "items": with_outsider})).await,
        422,
        "invalid_items",
    );
    let res = app
        .post(
            "/api/v1/proposals",
            &officer,
            json!({"organizationId": unit, "year": 2024, "title": "Đề nghị LĐTT 2024", "items": items}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let id = res.json()["id"].as_str().unwrap().to_string();
    let path = |a: &str| format!("/api/v1/proposals/{id}/{a}");
    assert_eq!(
        app.post(&path("submit"), &officer, json!({})).await.json()["status"],
        "submitted"
    );
    assert_problem(
        &app.post(&path("return"), &officer, json!({"reason": "x"}))
            .await,
        403,
        "admin_required",
    );
    let returned = app
        .post(
            &path("return"),
            &admin,
            json!({"reason": "Bổ sung báo cáo thành tích"}),
        )
        .await;
    assert_eq!(returned.json()["status"], "returned");
    assert_eq!(
        returned.json()["returnReason"],
        "Bổ sung báo cáo thành tích"
    );
    assert_eq!(
        app.post(&path("submit"), &officer, json!({})).await.json()["status"],
        "submitted"
    );
    let approved = app
        .post(
            &path("council-outcome"),
            &admin,
            json!({"outcome": "approved", "note": "Nhất trí 9/9", "meetingDate": "2025-01-10"}),
        )
        .await;
    assert_eq!(approved.json()["status"], "approved", "{}", approved.text());
    assert_problem(
        &app.post(&path("submit"), &officer, json!({})).await,
        409,
        "invalid_transition",
    );
    let d = app
        .post(
            "/api/v1/decisions",
            &admin,
            json!({"number": "123/QĐ-UBND", "decidedOn": "2025-01-25", "signer": "Chủ tịch UBND tỉnh",
                   "issuingBody": "UBND tỉnh Vĩnh Phúc", "proposalId": id}),
        )
        .await;
    assert_eq!(d.status, 201, "{}", d.text());
    assert_eq!(d.json()["awards"].as_array().unwrap().len(), 3);
    let p = app
        .get(&format!("/api/v1/proposals/{id}"), &admin)
        .await
        .json();
    assert_eq!(p["status"], "decided");
    let h = app
        .get(&format!("/api/v1/people/{}/awards", staff[0]), &admin)
        .await
        .json();
    assert_eq!(h["items"][0]["award"]["awardType"], "ldtt");
    assert_eq!(h["items"][0]["decisionNumber"], "123/QĐ-UBND");
    // The same decision number twice is refused.
    assert_problem(
        &decide(
            &app,
            &admin,
            "123/QĐ-UBND",
            2024,
            json!([{"awardType": "giay_khen", "personId": staff[0]}]),
        )
        .await,
        409,
        "decision_number_taken",
    );
}

#[actix_web::test]
async fn c4_cap_is_checked_across_the_units_whole_proposal_list() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let sets = app.get("/api/v1/rule-sets", &admin).await.json();
    let mut params = sets["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "vn-2024")
        .unwrap()["params"]
        .clone();
    params["cstdcsCapPercent"] = json!(15);
    let res = app
        .post(
            "/api/v1/rule-sets",
            &admin,
            json!({"code": "tinh-2024", "scope": "province", "name": "Tỷ lệ CSTĐCS 15%", "legalBasis": "Quy chế TĐKT của tỉnh (thử)",
                   "effectiveFrom": "2024-01-01", "effectiveTo": "2024-12-31", "params": params}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let unit = app.org("DV", None);
    let officer = app.member_token("dv.officer", Role::Officer, unit);
    let staff = staff_with_facts(&app, unit, 7, 2024, "htxs");
    let propose = async |items: Vec<Value>| {
        let r = app
            .post(
                "/api/v1/proposals",
                &officer,
                json!({"organizationId": unit, "year": 2024, "title": "Đề nghị", "items": items}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        let id = r.json()["id"].as_str().unwrap().to_string();
        app.post(
            &format!("/api/v1/proposals/{id}/submit"),
            &officer,
            json!({}),
        )
        .await
    };
    // 7 LĐTT and 1 CSTĐCS: 100 ≤ 15 × 7 = 105.
    let mut first: Vec<Value> = staff
        .iter()
        .map(|p| json!({"awardType": "ldtt", "personId": p}))
        .collect();
    first.push(json!({"awardType": "cstdcs", "personId": staff[0]}));
    assert_eq!(propose(first).await.status, 200);
    // A second CSTĐCS in another proposal of the same unit: 200 > 105.
    let over = propose(vec![json!({"awardType": "cstdcs", "personId": staff[1]})]).await;
    assert_problem(&over, 409, "quota_exceeded");
    assert_eq!(over.problem()["errors"][0]["code"], "C4");
}

#[actix_web::test]
async fn registrations_keep_to_the_terms_deadline_and_one_per_unit_and_year() {
    let app = TestApp::spawn().await;
    let w = world(&app, 3, 2024).await;
    let sub = app.org("U00-P1", Some(w.units[0]));
    let body = json!({"organizationId": w.units[0], "year": 2024, "titles": ["ttldxs", "co_thi_dua_tinh"],
                      "subUnits": [{"organizationId": sub, "titles": ["ttldtt"]}],
                      "staff": [{"awardType": "ldtt", "count": 40}, {"awardType": "cstdcs", "count": 5}]});
    let deadline = |d: &str| {
        let d = d.to_string();
        let app = &app;
        let w = &w;
        async move {
            let r = put(
                app,
                &format!("/api/v1/blocs/{}/terms/2024/registration-deadline", w.bloc),
                &w.officers[0],
                json!({"registrationDeadline": d}),
            )
            .await;
            assert_eq!(r.status, 200, "{}", r.text());
            assert_eq!(r.json()["registrationDeadline"], d);
        }
    };
    deadline("2024-03-31").await;
    assert_problem(
        &app.post("/api/v1/registrations", &w.officers[0], body.clone())
            .await,
        409,
        "registration_closed",
    );
    deadline("2099-03-31").await;
    let res = app
        .post("/api/v1/registrations", &w.officers[0], body.clone())
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    // Read back as written (issue 14, item 3): the same shape and names.
    assert_eq!(
        res.json()["staff"],
        json!([{"awardType": "cstdcs", "count": 5}, {"awardType": "ldtt", "count": 40}])
    );
    assert_eq!(
        res.json()["subUnits"],
        json!([{"organizationId": sub, "titles": ["ttldtt"]}])
    );
    assert_problem(
        &app.post("/api/v1/registrations", &w.officers[0], body.clone())
            .await,
        409,
        "registration_exists",
    );
    // A person title for the unit itself is refused; so is another unit's sub-unit.
    let mut wrong = body.clone();
    wrong["organizationId"] = json!(w.units[1]);
    wrong["titles"] = json!(["ldtt"]);
    assert_problem(
        &app.post("/api/v1/registrations", &w.officers[1], wrong)
            .await,
        422,
        "subject_kind_mismatch",
    );
    let mut foreign = body.clone();
    foreign["organizationId"] = json!(w.units[1]);
    assert_problem(
        &app.post("/api/v1/registrations", &w.officers[1], foreign)
            .await,
        422,
        "invalid_registration",
    );
    assert_problem(
        &app.post("/api/v1/registrations", &w.officers[1], body)
            .await,
        403,
        "not_your_organization",
    );
}

/// Batch checks read a unit of any size in a fixed number of statements.
#[actix_web::test]
async fn batch_eligibility_for_a_500_person_unit_uses_a_fixed_number_of_statements() {
    let app = TestApp::spawn_with(Options {
        count_statements: true,
        ..Default::default()
    })
    .await;
    let admin = app.admin().await;
    let mut counts = Vec::new();
    for (code, n) in [("NHO", 5), ("LON", 500)] {
        let unit = app.org(code, None);
        let sub = app.org(&format!("{code}-P1"), Some(unit));
        staff_with_facts(&app, unit, n - n / 5, 2024, "htt");
        staff_with_facts(&app, sub, n / 5, 2024, "htxs");
        let before = app.statements.load(std::sync::atomic::Ordering::SeqCst);
        let res = app
            .post(
                "/api/v1/eligibility-checks/batch",
                &admin,
                json!({"organizationId": unit, "year": 2024, "awardTypes": ["ldtt", "cstdcs", "ttldtt", "ttldxs"]}),
            )
            .await;
        let used = app.statements.load(std::sync::atomic::Ordering::SeqCst) - before;
        assert_eq!(res.status, 200, "{}", res.text());
        let body = res.json();
        assert_eq!(body["results"].as_array().unwrap().len(), 2 * n + 2 * 2);
        let ldtt = &body["summary"][0];
        assert_eq!(ldtt["awardType"], "ldtt");
        assert_eq!(ldtt["eligible"], n as i64);
        assert_eq!(body["summary"][1]["eligible"], (n / 5) as i64);
        counts.push(used);
    }
    println!("statements per batch check (5 people, 500 people): {counts:?}");
    assert_eq!(counts[0], counts[1]);
    assert!(counts[1] <= 13, "{counts:?}");
}

#[actix_web::test]
async fn c2_facts_and_answers_are_read_only_by_the_admin_and_the_subjects_own_unit() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let unit = app.org("DV", None);
    let sub = app.org("DV-P1", Some(unit));
    let other = app.org("KHAC", None);
    let p = person(&app, sub, "Bùi Văn Khoa");
    let own = app.member_token("dv.viewer", Role::Viewer, unit);
    let stranger = app.member_token("khac.officer", Role::Officer, other);
    let body = json!({"personId": p, "awardType": "ldtt", "year": 2024});
    assert_eq!(
        app.post("/api/v1/eligibility-checks", &own, body.clone())
            .await
            .status,
        200
    );
    assert_eq!(
        app.post("/api/v1/eligibility-checks", &admin, body.clone())
            .await
            .status,
        200
    );
    assert_problem(
        &app.post("/api/v1/eligibility-checks", &stranger, body)
            .await,
        403,
        "not_your_organization",
    );
    assert_problem(
        &app.get(
            &format!("/api/v1/organizations/{unit}/facts/2024"),
            &stranger,
        )
        .await,
        403,
        "not_your_organization",
    );
    assert_problem(
        &app.post(
            "/api/v1/eligibility-checks/batch",
            &stranger,
            json!({"organizationId": unit, "year": 2024, "awardTypes": ["ldtt"]}),
        )
        .await,
        403,
        "not_your_organization",
    );
    assert_eq!(
        app.get(&format!("/api/v1/organizations/{unit}/facts/2024"), &own)
            .await
            .status,
        200
    );
}

#[actix_web::test]
async fn a_decision_on_part_of_a_proposal_leaves_the_rest_approved_for_a_later_one() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let unit = app.org("DV", None);
    let officer = app.member_token("dv.officer", Role::Officer, unit);
    let staff = staff_with_facts(&app, unit, 2, 2024, "htt");
    let items: Vec<Value> = staff
        .iter()
        .map(|p| json!({"awardType": "ldtt", "personId": p}))
        .collect();
    let res = app
        .post(
            "/api/v1/proposals",
            &officer,
            json!({"organizationId": unit, "year": 2024, "title": "Đề nghị", "items": items}),
        )
        .await;
    let id = res.json()["id"].as_str().unwrap().to_string();
    // Another unit's officer cannot move it, whatever its state.
    let stranger = app.member_token("khac.officer", Role::Officer, app.org("KHAC", None));
    assert_problem(
        &app.post(
            &format!("/api/v1/proposals/{id}/submit"),
            &stranger,
            json!({}),
        )
        .await,
        403,
        "not_your_organization",
    );
    app.post(
        &format!("/api/v1/proposals/{id}/submit"),
        &officer,
        json!({}),
    )
    .await;
    app.post(
        &format!("/api/v1/proposals/{id}/council-outcome"),
        &admin,
        json!({"outcome": "approved", "note": "Nhất trí"}),
    )
    .await;
    let decide_one = |n: &str, p: Uuid| {
        json!({"number": n, "decidedOn": "2025-01-25", "signer": "Chủ tịch UBND tỉnh", "issuingBody": "UBND tỉnh",
               "proposalId": id, "awards": [{"awardType": "ldtt", "personId": p}]})
    };
    let first = app
        .post("/api/v1/decisions", &admin, decide_one("1/QĐ", staff[0]))
        .await;
    assert_eq!(first.status, 201, "{}", first.text());
    assert_eq!(
        app.get(&format!("/api/v1/proposals/{id}"), &admin)
            .await
            .json()["status"],
        "approved"
    );
    let second = app
        .post("/api/v1/decisions", &admin, decide_one("2/QĐ", staff[1]))
        .await;
    assert_eq!(second.status, 201, "{}", second.text());
    assert_eq!(
        app.get(&format!("/api/v1/proposals/{id}"), &admin)
            .await
            .json()["status"],
        "decided"
    );
    // A blank decision number is refused as input, not as a database error.
    assert_problem(
        &app.post(
            "/api/v1/decisions",
            &admin,
            json!({"number": "   ", "decidedOn": "2025-01-25", "signer": "x", "issuingBody": "y",
            "year": 2024, "awards": [{"awardType": "giay_khen", "personId": staff[0]}]}),
        )
        .await,
        422,
        "validation_failed",
    );
}
