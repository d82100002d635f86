//! Excel exports (docs/documents.md, "Exports") on the demo's 2021 data:
//! the XLSX read back with calamine equals the JSON answer, cell by cell,
//! for the compliance matrix, the ranking and the lists, and the C2
//! redaction applies to a workbook as to the JSON.

use actix_web::http::Method;
use calamine::{Data, Reader};
use serde_json::{Value, json};
use thidua::api::export::lists;
use thidua::auth::Role;
use uuid::Uuid;

use crate::documents::{
    XLSX, assert_sheet_is_json, cell, demo, demo_pledge, get_with, org_id, same, staff_2021,
    workbook,
};
use crate::helpers::{TestApp, assert_problem};

/// Reports for the demo pledge: five units report every target (percentages
/// k/7, the boolean done for even k), the other four nothing.
async fn report_some(app: &TestApp, admin: &str, pledge: &Value) {
    let targets: Vec<Value> = pledge["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["targets"].as_array().unwrap().clone())
        .collect();
    // The term's cutoff (T8) passed in 2021: the admin moves it, as the
    // benchmark's S scale does.
    let bloc = pledge["blocId"].as_str().unwrap();
    let moved = app
        .send(
            TestApp::req(Method::PUT, &format!("/api/v1/blocs/{bloc}/terms/2021/reporting-cutoff"), Some(admin))
                .set_json(json!({"reportingCutoff": "2099-12-31", "reason": "Nhập số liệu năm 2021 cho bảng xuất"})),
        )
        .await;
    assert!(moved.status.is_success(), "{}", moved.text());
    let signed = pledge["signatures"]["signed"].as_array().unwrap();
    for (k, s) in signed.iter().take(5).enumerate() {
        let reports: Vec<Value> = targets
            .iter()
            .map(|t| match t["kind"].as_str().unwrap() {
                "percentage" => json!({"targetId": t["id"], "numerator": k + 3, "denominator": 7}),
                "boolean" => json!({"targetId": t["id"], "done": k % 2 == 0}),
                _ => json!({"targetId": t["id"], "count": k}),
            })
            .collect();
        let res = app
            .post(
                &format!("/api/v1/pledges/{}/reports", pledge["id"].as_str().unwrap()),
                admin,
                json!({"organizationId": s["organizationId"], "period": "Q2", "reports": reports}),
            )
            .await;
        assert!(res.status.is_success(), "{}", res.text());
    }
}

#[actix_web::test]
async fn the_compliance_xlsx_has_typed_cells_equal_to_the_json_matrix() {
    let (app, admin) = demo().await;
    let pledge = demo_pledge(&app, &admin).await;
    report_some(&app, &admin, &pledge).await;
    let path = format!(
        "/api/v1/pledges/{}/compliance",
        pledge["id"].as_str().unwrap()
    );
    let m = app.get(&path, &admin).await.json();
    let by_accept = get_with(&app, &path, &admin, XLSX).await;
    let by_link = app.get(&format!("{path}?format=xlsx"), &admin).await;
    for res in [&by_accept, &by_link] {
        let mut wb = workbook(res);
        let sheet = wb.worksheet_range("Ma trận").unwrap();
        let targets = m["targets"].as_array().unwrap();
        let units = m["units"].as_array().unwrap();
        assert_eq!(units.len(), 9);
        for (j, t) in targets.iter().enumerate() {
            assert_eq!(
                cell(&sheet, 1, 2 + j),
                Data::String(t["label"].as_str().unwrap().into())
            );
        }
        for (i, u) in units.iter().enumerate() {
            let row = 2 + i;
            assert_eq!(
                cell(&sheet, row, 0),
                Data::String(u["code"].as_str().unwrap().into())
            );
            assert_eq!(
                cell(&sheet, row, 1),
                Data::String(u["name"].as_str().unwrap().into())
            );
            for (j, c) in u["cells"].as_array().unwrap().iter().enumerate() {
                let got = cell(&sheet, row, 2 + j);
                match (&c["percent"], &c["done"]) {
                    (Value::String(p), _) => {
                        let want: f64 = p.parse().unwrap();
                        let Data::Float(f) = got else {
                            panic!("{got:?} for {c}")
                        };
                        assert!((f * 100.0 - want).abs() < 1e-9, "{f} vs {want}");
                    }
                    (_, Value::Bool(d)) => assert_eq!(got, Data::Bool(*d)),
                    _ => {
                        assert_eq!(c["status"], "no_report");
                        assert_eq!(got, Data::Empty);
                    }
                }
            }
            let s = &u["summary"];
            let base = 2 + targets.len();
            for (k, key) in ["achieved", "measurable", "reported", "itemsMet"]
                .iter()
                .enumerate()
            {
                assert!(same(&cell(&sheet, row, base + k), Some(&s[key])), "{key}");
            }
        }
        // The bloc's line: each target's share, as a fraction.
        let last = 2 + units.len();
        assert_eq!(cell(&sheet, last, 0), Data::String("KHOI".into()));
        for (j, t) in targets.iter().enumerate() {
            let want: f64 = t["share"].as_str().unwrap().parse().unwrap();
            let Data::Float(f) = cell(&sheet, last, 2 + j) else {
                panic!("share {j}")
            };
            assert!((f * 100.0 - want).abs() < 1e-9);
        }
        let detail = wb.worksheet_range("Chi tiết").unwrap();
        assert_eq!(detail.height(), 1 + units.len() * targets.len());
        assert!(wb.worksheet_range("Chỉ tiêu").unwrap().height() == 1 + targets.len());
    }
    // Frozen header and colours: the sheet's pane and the fills are in the file.
    let xml = unzip_text(&by_accept.body, "xl/worksheets/sheet1.xml");
    assert!(
        xml.contains("state=\"frozen\"") && xml.contains("ySplit=\"2\""),
        "{xml}"
    );
    let styles = unzip_text(&by_accept.body, "xl/styles.xml");
    assert!(
        styles.contains("FFC6EFCE") && styles.contains("FFFFC7CE"),
        "green and red fills"
    );
    assert!(styles.contains("formatCode=\"0.00%\""), "percent format");
    // `?format=json` keeps JSON even when Accept asks for a workbook.
    let json = get_with(&app, &format!("{path}?format=json"), &admin, XLSX).await;
    assert_eq!(
        json.header("content-type").as_deref(),
        Some("application/json")
    );
}

/// One file of the ZIP, as text (calamine reads values, not panes or fills).
fn unzip_text(zip: &[u8], name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("thidua-xlsx-{}", Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("book.xlsx");
    std::fs::write(&file, zip).unwrap();
    let out = std::process::Command::new("unzip")
        .arg("-p")
        .arg(&file)
        .arg(name)
        .output()
        .expect("unzip");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success(), "unzip {name}");
    String::from_utf8(out.stdout).unwrap()
}

#[actix_web::test]
async fn the_ranking_and_the_lists_export_as_xlsx_equal_to_their_json() {
    let (app, admin) = demo().await;
    let sgd = org_id(&app, &admin, "SGDDT").await;
    let p = app
        .post(
            "/api/v1/people",
            &admin,
            json!({"fullName": "Nguyễn Thị =HYPERLINK(\"x\")", "organizationId": sgd, "category": "cong_chuc"}),
        )
        .await;
    assert_eq!(p.status, 201, "{}", p.text());
    for (path, columns, name) in [
        (
            "/api/v1/organizations?limit=5",
            lists::ORGANIZATIONS,
            "Tổ chức",
        ),
        ("/api/v1/people", lists::PEOPLE, "Cán bộ"),
        (
            "/api/v1/registrations",
            lists::REGISTRATIONS,
            "Đăng ký thi đua",
        ),
    ] {
        let json = app.get(path, &admin).await;
        let sep = if path.contains('?') { '&' } else { '?' };
        let res = app.get(&format!("{path}{sep}format=xlsx"), &admin).await;
        let mut wb = workbook(&res);
        let sheet = wb.worksheet_range(name).unwrap();
        assert_sheet_is_json(&sheet, columns, json.json()["items"].as_array().unwrap());
        // The page's Link comes with the workbook too.
        assert_eq!(
            res.header("link").is_some(),
            json.header("link").is_some(),
            "{path}"
        );
    }
    // A formula-looking name is text in the workbook, never a formula.
    let people = app.get("/api/v1/people?format=xlsx", &admin).await;
    let xml = unzip_text(&people.body, "xl/worksheets/sheet1.xml");
    assert!(!xml.contains("<f>"), "no formula cells");
    // A list that does not export refuses `format` like any unknown parameter.
    assert_problem(
        &app.get("/api/v1/blocs?format=xlsx", &admin).await,
        400,
        "invalid_query",
    );
    // The ranking (no sheets scored yet: every unit, no total).
    let bloc = app.get("/api/v1/blocs", &admin).await.json()["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // A scoring scheme, set by the head unit (BDT): the ranking needs one.
    let head = app.member_token("bdt.off", Role::Officer, org_id(&app, &admin, "BDT").await);
    let scheme = app
        .send(
            TestApp::req(Method::PUT, &format!("/api/v1/blocs/{bloc}/terms/2021/scoring-scheme"), Some(&head))
                .set_json(json!({"totalCap": 1000, "sections": [
                    {"title": "A. Nội dung", "criteria": [{"code": "A1", "text": "Nhiệm vụ", "kind": "content", "maxPoints": 1000}]}]})),
        )
        .await;
    assert_eq!(scheme.status, 201, "{}", scheme.text());
    let path = format!("/api/v1/blocs/{bloc}/terms/2021/ranking");
    let rows = app.get(&path, &admin).await.json();
    let mut wb = workbook(&get_with(&app, &path, &admin, XLSX).await);
    let sheet = wb.worksheet_range("Xếp hạng").unwrap();
    let items = rows["items"].as_array().unwrap();
    assert_eq!(sheet.height(), 1 + items.len());
    for (i, r) in items.iter().enumerate() {
        assert!(same(&cell(&sheet, i + 1, 0), Some(&r["rank"])));
        assert!(same(&cell(&sheet, i + 1, 1), Some(&r["code"])));
        assert!(same(&cell(&sheet, i + 1, 2), Some(&r["name"])));
        assert!(same(&cell(&sheet, i + 1, 4), Some(&r["selfScoreOnly"])));
    }
}

#[actix_web::test]
async fn c2_exported_proposals_and_awards_show_others_the_outcome_only() {
    let (app, admin) = demo().await;
    let sgd = org_id(&app, &admin, "SGDDT").await;
    let other = org_id(&app, &admin, "SYT").await;
    let own = app.member_token("sgd.off", Role::Officer, sgd);
    let stranger = app.member_token("syt.off", Role::Officer, other);
    let staff = staff_2021(&app, sgd);
    let items: Vec<Value> = staff
        .iter()
        .map(|p| json!({"awardType": "ldtt", "personId": p}))
        .collect();
    let res = app
        .post(
            "/api/v1/proposals",
            &own,
            json!({"organizationId": sgd, "year": 2021, "title": "Đề nghị LĐTT 2021", "items": items}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    // Submitted: each item's answer is stored with its checks.
    let id = res.json()["id"].as_str().unwrap().to_string();
    let submitted = app
        .post(&format!("/api/v1/proposals/{id}/submit"), &own, json!({}))
        .await;
    assert_eq!(submitted.status, 200, "{}", submitted.text());
    let decided = app
        .post(
            "/api/v1/decisions",
            &admin,
            json!({"number": "15/QĐ-UBND", "decidedOn": "2022-01-20", "signer": "Chủ tịch UBND tỉnh",
                   "issuingBody": "UBND tỉnh Vĩnh Phúc", "year": 2021,
                   "awards": [{"awardType": "ldtt", "personId": staff[0]}]}),
        )
        .await;
    assert_eq!(decided.status, 201, "{}", decided.text());
    for (token, redacted) in [(&admin, false), (&own, false), (&stranger, true)] {
        let json = app.get("/api/v1/proposals", token).await.json();
        let rows = lists::proposal_rows(json["items"].as_array().unwrap());
        assert_eq!(rows.len(), 2);
        let mut wb = workbook(&get_with(&app, "/api/v1/proposals", token, XLSX).await);
        let sheet = wb.worksheet_range("Đề nghị khen thưởng").unwrap();
        assert_sheet_is_json(&sheet, lists::PROPOSALS, &rows);
        for r in &rows {
            assert_eq!(r["item"]["eligibility"]["redacted"], redacted);
            assert_eq!(
                r["item"]["eligibility"]["checks"]
                    .as_array()
                    .unwrap()
                    .is_empty(),
                redacted
            );
        }
        let path = format!("/api/v1/people/{}/awards", staff[0]);
        let json = app.get(&path, token).await.json();
        let mut wb = workbook(&app.get(&format!("{path}?format=xlsx"), token).await);
        let sheet = wb.worksheet_range("Khen thưởng").unwrap();
        let awards = json["items"].as_array().unwrap();
        assert_eq!(awards.len(), 1);
        assert_eq!(awards[0]["award"]["eligibility"]["redacted"], redacted);
        assert_sheet_is_json(&sheet, lists::AWARDS, awards);
        // No figure of the checks leaks into a redacted workbook.
        let xml = unzip_text(
            &get_with(&app, &path, token, XLSX).await.body,
            "xl/sharedStrings.xml",
        );
        assert!(!xml.contains(">C1<") && !xml.contains(">htt<"), "{xml}");
    }
}
