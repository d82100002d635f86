//! Staff history (issue 16, item 1): employments, transfers, leaving, and
//! the collective titles counting members on 31 December of the year.

use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, assert_problem};

/// `n` people of `org` (by SQL: the insert trigger opens their employment)
/// with the same facts for each year.
fn staff(app: &TestApp, org: Uuid, n: usize, years: &[i32], rating: &str) -> Vec<Uuid> {
    let ids: Vec<Uuid> = (0..n).map(|_| Uuid::now_v7()).collect();
    for id in &ids {
        app.sql(&format!(
            "INSERT INTO people (id, full_name, organization_id, category, employment_start)
             VALUES ('{id}', 'Cán bộ', '{org}', 'vien_chuc', '2015-01-01')"
        ));
        for y in years {
            app.sql(&format!(
                "INSERT INTO person_year_facts (person_id, year, rating, registered, months_employed, absent_days, discipline)
                 VALUES ('{id}', {y}, '{rating}', true, 12, 0, 'none')"
            ));
        }
    }
    ids
}

async fn collective(app: &TestApp, token: &str, org: Uuid, award: &str, year: i32) -> Value {
    let res = app
        .post(
            "/api/v1/eligibility-checks",
            token,
            json!({"organizationId": org, "awardType": award, "year": year}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    res.json()
}

fn figures(answer: &Value, rule: &str) -> Value {
    answer["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} in {answer}"))["figures"]
        .clone()
}

async fn leave(app: &TestApp, token: &str, person: Uuid, last_day: &str) {
    let res = app
        .post(
            &format!("/api/v1/people/{person}/leave"),
            token,
            json!({"lastDay": last_day}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["active"], false);
}

#[actix_web::test]
async fn c7_c8_a_member_who_left_in_2024_counts_for_2023_and_not_for_2024() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let unit = app.org("DV", None);
    let sub = app.org("DV-P1", Some(unit));
    staff(&app, sub, 5, &[2023, 2024], "htt");
    let weak = staff(&app, sub, 5, &[2023, 2024], "ht");
    leave(&app, &admin, weak[0], "2024-03-31").await;

    // 2023 (vn-2017, more than half): still 5 of 10, not 5 of 9.
    let a = collective(&app, &admin, sub, "ttldtt", 2023).await;
    assert_eq!(figures(&a, "C7")["members"], 10, "{a}");
    assert_eq!(figures(&a, "C7")["ldtt"], 5);
    assert_eq!(a["eligible"], false, "5 of 10 is not more than half: {a}");
    let a = collective(&app, &admin, sub, "ttldxs", 2023).await;
    assert_eq!(figures(&a, "C8")["members"], 10, "{a}");
    // 2024: the member had left by 31 December.
    let a = collective(&app, &admin, sub, "ttldtt", 2024).await;
    assert_eq!(figures(&a, "C7")["members"], 9, "{a}");
    let a = collective(&app, &admin, sub, "ttldxs", 2024).await;
    assert_eq!(figures(&a, "C8")["members"], 9, "{a}");
    // The unit counts its sub-units' staff the same way.
    let a = collective(&app, &admin, unit, "ttldtt", 2023).await;
    assert_eq!(figures(&a, "C7")["members"], 10);

    // The history says so, and the list as of a day agrees.
    let h = app
        .get(&format!("/api/v1/people/{}/employments", weak[0]), &admin)
        .await
        .json();
    assert_eq!(h["items"][0]["validFrom"], "2015-01-01");
    assert_eq!(h["items"][0]["validTo"], "2024-03-31");
    let on = |day: &str| format!("/api/v1/people?organizationId={sub}&asOf={day}");
    assert_eq!(
        app.get(&on("2023-12-31"), &admin).await.json()["items"]
            .as_array()
            .unwrap()
            .len(),
        10
    );
    assert_eq!(
        app.get(&on("2024-12-31"), &admin).await.json()["items"]
            .as_array()
            .unwrap()
            .len(),
        9
    );
    // Leaving twice is refused.
    assert_problem(
        &app.post(
            &format!("/api/v1/people/{}/leave", weak[0]),
            &admin,
            json!({"lastDay": "2024-04-30"}),
        )
        .await,
        409,
        "not_employed",
    );
}

#[actix_web::test]
async fn c7_a_transfer_moves_the_count_from_its_year_on() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let unit = app.org("DV", None);
    let a_sub = app.org("DV-P1", Some(unit));
    let b_sub = app.org("DV-P2", Some(unit));
    let a_staff = staff(&app, a_sub, 4, &[2023, 2024], "htt");
    staff(&app, b_sub, 4, &[2023, 2024], "htt");
    let moved = a_staff[0];
    let res = app
        .post(
            &format!("/api/v1/people/{moved}/transfers"),
            &admin,
            json!({"organizationId": b_sub, "position": "Phó Trưởng phòng", "on": "2024-07-01"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["organizationId"], b_sub.to_string());
    let members = async |org: Uuid, year: i32| {
        figures(&collective(&app, &admin, org, "ttldtt", year).await, "C7")["members"].clone()
    };
    assert_eq!(members(a_sub, 2023).await, 4);
    assert_eq!(members(b_sub, 2023).await, 4);
    assert_eq!(members(a_sub, 2024).await, 3);
    assert_eq!(members(b_sub, 2024).await, 5);
    let h = app
        .get(&format!("/api/v1/people/{moved}/employments"), &admin)
        .await
        .json();
    let spans: Vec<(Value, Value, Value)> = h["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["organizationId"].clone(),
                e["validFrom"].clone(),
                e["validTo"].clone(),
            )
        })
        .collect();
    assert_eq!(
        spans,
        vec![
            (json!(a_sub), json!("2015-01-01"), json!("2024-06-30")),
            (json!(b_sub), json!("2024-07-01"), Value::Null),
        ]
    );
    // A transfer must start after the current employment did.
    assert_problem(
        &app.post(
            &format!("/api/v1/people/{moved}/transfers"),
            &admin,
            json!({"organizationId": a_sub, "on": "2024-07-01"}),
        )
        .await,
        422,
        "employment_date_invalid",
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM audit_log WHERE action = 'person.transferred'"),
        1
    );
}

#[actix_web::test]
async fn c3_months_employed_left_out_of_the_facts_come_from_the_employments() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let unit = app.org("DV", None);
    let p = Uuid::now_v7();
    app.sql(&format!(
        "INSERT INTO people (id, full_name, organization_id, category, employment_start)
         VALUES ('{p}', 'Lê Văn Mới', '{unit}', 'vien_chuc', '2024-03-15');
         INSERT INTO person_year_facts (person_id, year, rating, registered, months_employed, absent_days, discipline)
         VALUES ('{p}', 2024, 'htt', true, NULL, 0, 'none')"
    ));
    let res = app
        .post(
            "/api/v1/eligibility-checks",
            &admin,
            json!({"personId": p, "awardType": "ldtt", "year": 2024}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let a = res.json();
    // April to December: 9 whole months, under the 10 C3 asks.
    assert_eq!(figures(&a, "C3")["monthsEmployed"], 9, "{a}");
    assert_eq!(a["eligible"], false);
}

#[actix_web::test]
async fn a_patch_that_moves_or_deactivates_a_person_is_recorded_in_the_history() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let a = app.org("DVA", None);
    let b = app.org("DVB", None);
    let res = app
        .post(
            "/api/v1/people",
            &admin,
            json!({"fullName": "Trần Thị Hoa", "organizationId": a, "category": "cong_chuc",
                   "employmentStart": "2010-01-01", "code": "CB-7"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(res.json()["code"], "CB-7");
    let id = res.json()["id"].as_str().unwrap().to_string();
    let moved = app
        .patch(
            &format!("/api/v1/people/{id}"),
            &admin,
            None,
            json!({"organizationId": b}),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text());
    let h = app
        .get(&format!("/api/v1/people/{id}/employments"), &admin)
        .await
        .json();
    let items = h["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{h}");
    assert_eq!(items[0]["organizationId"], a.to_string());
    assert!(items[0]["validTo"].is_string());
    assert_eq!(items[1]["organizationId"], b.to_string());
    assert!(items[1]["validTo"].is_null());
    // The same staff code twice is refused.
    let again = app
        .post(
            "/api/v1/people",
            &admin,
            json!({"fullName": "Người khác", "organizationId": a, "category": "cong_chuc", "code": "CB-7"}),
        )
        .await;
    assert_problem(&again, 409, "code_taken");
}
