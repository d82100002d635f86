//! Imports (issue 16, item 2): dry runs that list every problem, real runs
//! all or nothing, idempotency by natural keys, legacy awards read by the
//! rules, bad files, templates.

mod files;

use actix_web::http::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, TestResponse};

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A workbook with one sheet of text cells.
pub fn xlsx(sheet: &str, rows: &[&[&str]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet).unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if !cell.is_empty() {
                ws.write_string(r as u32, c as u16, *cell).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

pub async fn upload(
    app: &TestApp,
    token: &str,
    kind: &str,
    dry_run: bool,
    file: Vec<u8>,
    key: Option<&str>,
) -> TestResponse {
    let mut req = TestApp::req(
        Method::POST,
        &format!("/api/v1/imports?kind={kind}&dryRun={dry_run}"),
        Some(token),
    )
    .insert_header(("Content-Type", XLSX))
    .set_payload(file);
    if let Some(k) = key {
        req = req.insert_header(("Idempotency-Key", k));
    }
    app.send(req).await
}

fn codes(report: &Value) -> Vec<(u64, String)> {
    report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["row"].as_u64().unwrap(),
                p["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

const PEOPLE_HEADER: &[&str] = &[
    "Mã cán bộ",
    "Họ và tên",
    "Ngạch",
    "Giới tính",
    "Mã đơn vị",
    "Chức vụ",
    "Từ ngày",
    "Đến ngày",
];

#[actix_web::test]
async fn a_dry_run_lists_five_kinds_of_bad_row_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    app.org("SGDDT", None);
    let before = app.count("SELECT count(*) AS n FROM people");
    let file = xlsx(
        "Cán bộ",
        &[
            PEOPLE_HEADER,
            &[
                "CB-1",
                "Nguyễn Văn An",
                "cong_chuc",
                "male",
                "SGDDT",
                "Chuyên viên",
                "2015-09-01",
                "2019-12-31",
            ],
            &[
                "CB-2",
                "Lê Thị Bình",
                "cong_chuc",
                "female",
                "SYTX",
                "",
                "",
                "",
            ],
            &[
                "CB-3",
                "Trần Văn Cường",
                "giao_vien",
                "",
                "SGDDT",
                "",
                "",
                "",
            ],
            &["CB-4", "", "vien_chuc", "", "SGDDT", "", "", ""],
            &[
                "CB-5",
                "Phạm Thị Dung",
                "vien_chuc",
                "",
                "SGDDT",
                "",
                "2020-05-01",
                "2019-05-01",
            ],
            &[
                "CB-1",
                "Nguyễn Văn An",
                "cong_chuc",
                "male",
                "SGDDT",
                "Trưởng phòng",
                "2019-06-01",
                "",
            ],
        ],
    );
    let res = upload(&app, &admin, "people", true, file, None).await;
    assert_eq!(res.status, 200, "{}", res.text());
    let r = res.json();
    assert_eq!(r["dryRun"], true);
    assert_eq!(r["rows"], 6);
    let found = codes(&r);
    for expected in [
        (3, "unknown_organization"),
        (4, "invalid_value"),
        (5, "required"),
        (6, "invalid_dates"),
        (7, "overlapping_employment"),
    ] {
        assert!(
            found.contains(&(expected.0, expected.1.to_string())),
            "{expected:?} not in {found:?}"
        );
    }
    let p = &r["problems"][0];
    assert_eq!(p["sheet"], "Cán bộ");
    assert!(p["vi"].as_str().unwrap().len() > 5 && p["en"].as_str().unwrap().len() > 5);
    assert!(p["column"].is_string());
    assert_eq!(app.count("SELECT count(*) AS n FROM people"), before);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM audit_log WHERE action = 'import.completed'"),
        0
    );
}

#[actix_web::test]
async fn the_same_file_imported_twice_gives_one_set_of_rows() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let orgs = xlsx(
        "Đơn vị",
        &[
            &["Mã đơn vị", "Tên đơn vị", "Loại hình", "Mã đơn vị cấp trên"],
            &["SGDDT", "Sở Giáo dục và Đào tạo", "department", ""],
            &["SGDDT-P1", "Phòng Tổ chức cán bộ", "division", "SGDDT"],
        ],
    );
    let first = upload(&app, &admin, "organizations", false, orgs.clone(), None).await;
    assert_eq!(first.status, 200, "{}", first.text());
    assert_eq!(first.json()["counts"]["created"], 2);
    let people = xlsx(
        "Cán bộ",
        &[
            PEOPLE_HEADER,
            &[
                "CB-1",
                "Nguyễn Văn An",
                "cong_chuc",
                "male",
                "SGDDT-P1",
                "Chuyên viên",
                "2015-09-01",
                "2019-05-31",
            ],
            &[
                "CB-1",
                "Nguyễn Văn An",
                "cong_chuc",
                "male",
                "SGDDT",
                "Trưởng phòng",
                "2019-06-01",
                "",
            ],
            &[
                "CB-2",
                "Lê Thị Bình",
                "vien_chuc",
                "female",
                "SGDDT-P1",
                "",
                "",
                "",
            ],
            &[
                "CB-3",
                "Hoàng Văn Cường",
                "vien_chuc",
                "",
                "SGDDT-P1",
                "",
                "2010-01-01",
                "2022-12-31",
            ],
        ],
    );
    for round in 0..2 {
        let res = upload(&app, &admin, "people", false, people.clone(), None).await;
        assert_eq!(res.status, 200, "{}", res.text());
        let counts = &res.json()["counts"];
        if round == 0 {
            assert_eq!(counts, &json!({"created": 3, "updated": 0, "unchanged": 0}));
        } else {
            assert_eq!(counts, &json!({"created": 0, "updated": 0, "unchanged": 3}));
        }
    }
    let again = upload(&app, &admin, "organizations", false, orgs, None).await;
    assert_eq!(again.json()["counts"]["unchanged"], 2);
    assert_eq!(app.count("SELECT count(*) AS n FROM organizations"), 2);
    assert_eq!(app.count("SELECT count(*) AS n FROM people"), 3);
    assert_eq!(app.count("SELECT count(*) AS n FROM employments"), 4);
    // The person's history and current place; the one who left is inactive.
    assert_eq!(
        app.count("SELECT count(*) AS n FROM people p JOIN organizations o ON o.id = p.organization_id
                    WHERE p.code = 'CB-1' AND o.code = 'SGDDT' AND p.position = 'Trưởng phòng' AND p.active"),
        1
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM people WHERE code = 'CB-3' AND NOT active"),
        1
    );
    // One audit row per real run, with the file's hash; one event per created entity.
    assert_eq!(
        app.count(
            "SELECT count(*) AS n FROM audit_log WHERE action = 'import.completed'
                    AND after->>'kind' = 'people' AND length(after->>'sha256') = 64"
        ),
        2
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM events WHERE type = 'person.created' AND data->>'imported' = 'true'"),
        3
    );
    // An Idempotency-Key replays the first answer and runs nothing again.
    let facts = xlsx(
        "Kết quả",
        &[
            &["Mã cán bộ", "Năm", "Xếp loại", "Đăng ký thi đua"],
            &["CB-1", "2024", "htxs", "có"],
        ],
    );
    let a = upload(&app, &admin, "facts", false, facts.clone(), Some("k-1")).await;
    let b = upload(&app, &admin, "facts", false, facts, Some("k-1")).await;
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.json(), b.json());
    assert_eq!(
        app.count("SELECT count(*) AS n FROM audit_log WHERE action = 'import.completed' AND after->>'kind' = 'facts'"),
        1
    );
}

#[actix_web::test]
async fn c5_a_legacy_award_counts_for_the_three_year_chain() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let unit = app.org("DV", None);
    let p = Uuid::now_v7();
    app.sql(&format!(
        "INSERT INTO people (id, full_name, organization_id, category, code)
         VALUES ('{p}', 'Vũ Thị Giang', '{unit}', 'vien_chuc', 'CB-9')"
    ));
    for y in 2022..=2024 {
        app.sql(&format!(
            "INSERT INTO person_year_facts (person_id, year, rating, registered, months_employed, absent_days, discipline)
             VALUES ('{p}', {y}, 'htxs', true, 12, 0, 'none')"
        ));
    }
    app.sql(&format!(
        "INSERT INTO initiatives (id, person_id, year, title, level) VALUES ('{}', '{p}', 2023, 'Phần mềm', 'provincial')",
        Uuid::now_v7()
    ));
    let header: &[&str] = &[
        "Số quyết định",
        "Ngày quyết định",
        "Cơ quan ban hành",
        "Người ký",
        "Danh hiệu",
        "Năm",
        "Mã cán bộ",
        "Mã đơn vị",
    ];
    let file = xlsx(
        "Khen thưởng",
        &[
            header,
            &[
                "12/QĐ-UBND",
                "2023-01-20",
                "UBND tỉnh",
                "Trần Văn Bình",
                "cstdcs",
                "2022",
                "CB-9",
                "",
            ],
            &[
                "15/QĐ-UBND",
                "2024-01-18",
                "UBND tỉnh",
                "Trần Văn Bình",
                "cstdcs",
                "2023",
                "CB-9",
                "",
            ],
        ],
    );
    let res = upload(&app, &admin, "awards", false, file.clone(), None).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["counts"]["created"], 2);
    assert_eq!(
        app.count(
            "SELECT count(*) AS n FROM awards a JOIN decisions d ON d.id = a.decision_id
                    WHERE a.provenance = 'imported' AND d.provenance = 'imported'"
        ),
        2
    );
    let check = app
        .post(
            "/api/v1/eligibility-checks",
            &admin,
            json!({"personId": p, "awardType": "cstd_tinh", "year": 2024}),
        )
        .await;
    assert_eq!(check.status, 200, "{}", check.text());
    let a = check.json();
    assert_eq!(a["eligible"], true, "{a}");
    let c5 = a["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule"] == "C5")
        .unwrap();
    assert_eq!(c5["figures"]["cstdcsYears"], json!([2022, 2023, 2024]));
    // C1's key: importing the same history again adds nothing.
    let again = upload(&app, &admin, "awards", false, file, None).await;
    assert_eq!(
        again.json()["counts"],
        json!({"created": 0, "updated": 0, "unchanged": 2})
    );
    assert_eq!(app.count("SELECT count(*) AS n FROM awards"), 2);
}

#[actix_web::test]
async fn one_bad_row_in_a_real_run_writes_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let unit = app.org("DV", None);
    for code in ["CB-1", "CB-2"] {
        app.sql(&format!(
            "INSERT INTO people (id, full_name, organization_id, category, code)
             VALUES ('{}', 'Cán bộ {code}', '{unit}', 'vien_chuc', '{code}')",
            Uuid::now_v7()
        ));
    }
    let file = xlsx(
        "Kết quả",
        &[
            &[
                "personCode",
                "year",
                "rating",
                "registered",
                "monthsEmployed",
            ],
            &["CB-1", "2024", "htt", "true", "12"],
            &["CB-2", "2024", "htxs", "có", ""],
            &["CB-404", "2024", "htt", "có", "12"],
        ],
    );
    let res = upload(&app, &admin, "facts", false, file.clone(), None).await;
    assert_eq!(res.status, 422, "{}", res.text());
    let p = res.json();
    assert_eq!(p["code"], "import_rejected");
    assert_eq!(p["errors"].as_array().unwrap().len(), 1, "{p}");
    assert_eq!(p["errors"][0]["code"], "unknown_person");
    assert_eq!(p["errors"][0]["field"], "Kết quả!4:Mã cán bộ");
    assert_eq!(app.count("SELECT count(*) AS n FROM person_year_facts"), 0);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM audit_log WHERE action = 'import.completed'"),
        0
    );
    // The dry run of the same file says the same, with the counts it would have.
    let dry = upload(&app, &admin, "facts", true, file, None).await.json();
    assert_eq!(dry["counts"]["created"], 2);
    assert_eq!(codes(&dry), vec![(4, "unknown_person".to_string())]);
}

#[actix_web::test]
async fn c9_a_past_paper_ballot_imported_makes_its_leading_unit_eligible_for_the_flag() {
    let app = TestApp::spawn().await;
    let w = crate::pledges::world(&app, 3, 2019).await;
    let header: &[&str] = &[
        "Mã khối",
        "Năm",
        "Mã đơn vị",
        "Thứ hạng",
        "Số phiếu",
        "Số biên bản",
    ];
    let bad = xlsx(
        "Kết quả bầu",
        &[
            header,
            &["KT", "2019", "U01", "1", "2", "BB-05/2019"],
            &["KT", "2019", "ZZ", "2", "1", "BB-05/2019"],
            &["KX", "2019", "U01", "1", "2", "BB-05/2019"],
            &["KT", "2018", "U01", "1", "2", "BB-05/2018"],
        ],
    );
    let r = upload(&app, &w.admin, "ballot_results", true, bad, None)
        .await
        .json();
    assert_eq!(
        codes(&r),
        vec![
            (3, "not_a_member".into()),
            (4, "unknown_bloc".into()),
            (5, "unknown_term".into())
        ]
    );
    let good = xlsx(
        "Kết quả bầu",
        &[header, &["KT", "2019", "U01", "1", "2", "BB-05/2019"]],
    );
    let res = upload(&app, &w.admin, "ballot_results", false, good, None).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["counts"]["created"], 1);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM leading_units WHERE ballot_id IS NULL AND minutes_ref = 'BB-05/2019'"),
        1
    );
    let flag = async |unit: Uuid| {
        let res = app
            .post(
                "/api/v1/eligibility-checks",
                &w.admin,
                json!({"organizationId": unit, "awardType": "co_thi_dua_tinh", "year": 2019}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
        let a = res.json();
        a["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["rule"] == "C9")
            .unwrap()
            .clone()
    };
    let c9 = flag(w.units[1]).await;
    assert_eq!(c9["passed"], true, "{c9}");
    assert_eq!(c9["figures"]["elected"], true);
    assert_eq!(flag(w.units[2]).await["figures"]["elected"], false);
}
