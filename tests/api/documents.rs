//! Excel exports and printable documents (docs/documents.md) on the demo's
//! 2021 data: the XLSX read back with calamine equals the JSON answer; every
//! document renders as HTML (escaped, with its Content-Security-Policy) and
//! as a DOCX that a DOCX reader parses and that names every signer.

use std::io::Cursor;

use actix_web::http::Method;
use base64::Engine;
use calamine::{Data, Range, Reader, Xlsx, open_workbook_from_rs};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use thidua::api::export::lists;
use thidua::auth::Role;
use uuid::Uuid;

use crate::helpers::{TestApp, TestResponse, assert_problem};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// The demo, seeded, and its admin's token.
async fn demo() -> (TestApp, String) {
    let app = TestApp::spawn().await;
    thidua::service::demo::seed(&app.state.db).await.unwrap();
    let admin = app.admin_of_demo();
    (app, admin)
}

async fn org_id(app: &TestApp, token: &str, code: &str) -> Uuid {
    let res = app
        .get(&format!("/api/v1/organizations?code={code}"), token)
        .await
        .json();
    res["items"][0]["id"].as_str().unwrap().parse().unwrap()
}

async fn demo_pledge(app: &TestApp, token: &str) -> Value {
    let list = app.get("/api/v1/pledges?year=2021", token).await.json();
    let id = list["items"][0]["id"].as_str().unwrap().to_string();
    app.get(&format!("/api/v1/pledges/{id}"), token)
        .await
        .json()
}

async fn get_with(app: &TestApp, path: &str, token: &str, accept: &str) -> TestResponse {
    app.send(TestApp::req(Method::GET, path, Some(token)).insert_header(("Accept", accept)))
        .await
}

fn workbook(res: &TestResponse) -> Xlsx<Cursor<Vec<u8>>> {
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.header("content-type").as_deref(), Some(XLSX));
    open_workbook_from_rs(Cursor::new(res.body.clone())).expect("an XLSX calamine reads")
}

fn cell(r: &Range<Data>, row: usize, col: usize) -> Data {
    r.get_value((row as u32, col as u32))
        .cloned()
        .unwrap_or(Data::Empty)
}

/// A cell equals a JSON value: numbers, booleans and text keep their type.
fn same(c: &Data, v: Option<&Value>) -> bool {
    match (c, v) {
        (Data::Empty, None | Some(Value::Null)) => true,
        (Data::Float(f), Some(Value::Number(n))) => (n.as_f64().unwrap() - f).abs() < 1e-9,
        (Data::Int(i), Some(Value::Number(n))) => n.as_i64() == Some(*i),
        (Data::Bool(b), Some(Value::Bool(x))) => b == x,
        (Data::String(s), Some(Value::String(x))) => s == x,
        (Data::String(s), Some(Value::Array(a))) => {
            let joined: Vec<String> = a
                .iter()
                .map(|x| x.as_str().map_or(x.to_string(), str::to_string))
                .collect();
            *s == joined.join(", ")
        }
        (Data::String(s), Some(o @ Value::Object(_))) => {
            serde_json::from_str::<Value>(s).ok().as_ref() == Some(o)
        }
        (Data::Empty, Some(Value::Array(a))) => a.is_empty(),
        _ => false,
    }
}

/// Every row of the sheet equals the JSON items at the columns' pointers.
fn assert_sheet_is_json(r: &Range<Data>, columns: &[(&str, &str)], items: &[Value]) {
    for (c, (_, h)) in columns.iter().enumerate() {
        assert_eq!(cell(r, 0, c), Data::String(h.to_string()), "header {c}");
    }
    assert_eq!(r.height(), items.len() + 1, "one row per item");
    for (i, item) in items.iter().enumerate() {
        for (c, (p, _)) in columns.iter().enumerate() {
            let got = cell(r, i + 1, c);
            assert!(
                same(&got, item.pointer(p)),
                "row {i} column {p}: {got:?} vs {:?}",
                item.pointer(p)
            );
        }
    }
}

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

/// Two people of SGDDT with good 2021 facts, and the unit's officer.
fn staff_2021(app: &TestApp, org: Uuid) -> Vec<Uuid> {
    let ids: Vec<Uuid> = (0..2).map(|_| Uuid::now_v7()).collect();
    let names = ["Trần Văn Bình", "Lê Thị Hoa"];
    let people: Vec<String> = ids
        .iter()
        .zip(names)
        .map(|(id, n)| format!("('{id}', '{n}', '{org}', 'cong_chuc', 'Chuyên viên')"))
        .collect();
    let facts: Vec<String> = ids
        .iter()
        .map(|id| format!("('{id}', 2021, 'htt', true, 12, 0, 'none')"))
        .collect();
    app.sql(&format!(
        "INSERT INTO people (id, full_name, organization_id, category, position) VALUES {};
         INSERT INTO person_year_facts (person_id, year, rating, registered, months_employed, absent_days, discipline) VALUES {};",
        people.join(","),
        facts.join(",")
    ));
    ids
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

/// The demo's ballot of 2021: opened by the head unit (BDT), every member's
/// leader votes (the last vote closes it). SGDDT gets all nine votes.
async fn demo_ballot(app: &TestApp, admin: &str) -> String {
    let bloc = app.get("/api/v1/blocs", admin).await.json()["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let bdt = org_id(app, admin, "BDT").await;
    let sgd = org_id(app, admin, "SGDDT").await;
    let head = app.member_token("bdt.off", Role::Officer, bdt);
    let res = app
        .post(
            &format!("/api/v1/blocs/{bloc}/terms/2021/ballots"),
            &head,
            json!({"seats": 1}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let ballot = res.json()["id"].as_str().unwrap().to_string();
    let term = app
        .get(&format!("/api/v1/blocs/{bloc}/terms/2021"), admin)
        .await
        .json();
    for (i, m) in term["memberIds"].as_array().unwrap().iter().enumerate() {
        let org: Uuid = m.as_str().unwrap().parse().unwrap();
        let leader = app.member_token(&format!("leader{i}"), Role::Leader, org);
        let v = app
            .post(
                &format!("/api/v1/ballots/{ballot}/votes"),
                &leader,
                json!({"choices": [sgd]}),
            )
            .await;
        assert_eq!(v.status, 201, "{}", v.text());
    }
    ballot
}

fn docx_text(res: &TestResponse) -> String {
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.header("content-type").as_deref(), Some(DOCX));
    assert!(res.header("content-disposition").unwrap().contains(".docx"));
    let doc = docx_rs::read_docx(&res.body).expect("a DOCX docx-rs reads");
    doc.json()
}

fn html_text(res: &TestResponse) -> String {
    assert_eq!(res.status, 200, "{}", res.text());
    assert!(res.header("content-type").unwrap().starts_with("text/html"));
    let csp = res.header("content-security-policy").expect("a CSP");
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"));
    // The one style sheet is the one the policy's hash allows.
    let body = res.text();
    let css = body
        .split("<style>")
        .nth(1)
        .and_then(|s| s.split("</style>").next())
        .unwrap();
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(css.as_bytes()));
    assert!(csp.contains(&format!("'sha256-{hash}'")), "{csp}");
    assert!(!body.contains(" style=\""), "no inline style attribute");
    assert!(css.contains("size:A4"));
    body
}

#[actix_web::test]
async fn every_document_renders_for_the_demo_2021_data_as_html_and_as_a_docx_naming_every_signer() {
    let (app, admin) = demo().await;
    let pledge = demo_pledge(&app, &admin).await;
    let pid = pledge["id"].as_str().unwrap();
    let signers: Vec<&str> = pledge["signatures"]["signed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["signerName"].as_str().unwrap())
        .collect();
    assert_eq!(signers.len(), 9);
    let officer = app.member_token(
        "sgd.viewer",
        Role::Viewer,
        org_id(&app, &admin, "SGDDT").await,
    );

    // The signed pledge.
    let path = format!("/api/v1/pledges/{pid}/document");
    let html = html_text(&app.get(&path, &officer).await);
    let docx = docx_text(&app.get(&format!("{path}?format=docx"), &officer).await);
    for text in [&html, &docx] {
        for must in [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "GIAO ƯỚC THI ĐUA",
            "KHỐI THI ĐUA VĂN HÓA – XÃ HỘI",
            "ngày 01 tháng 4 năm 2021",
            "Đoàn kết, kỷ cương",
            "Hoàng Minh Ái",
            "Đại diện lãnh đạo đơn vị",
            "01/04/2021",
        ] {
            assert!(text.contains(must), "pledge lacks {must}");
        }
        for s in &signers {
            assert!(text.contains(s), "pledge lacks signer {s}");
        }
        for i in pledge["items"].as_array().unwrap() {
            assert!(text.contains(i["text"].as_str().unwrap()), "an item");
        }
    }

    // The conference record.
    let conf = pledge["adoptedAtConferenceId"].as_str().unwrap();
    let path = format!("/api/v1/conferences/{conf}/document");
    let html = html_text(&app.get(&path, &officer).await);
    let docx = docx_text(&app.get(&format!("{path}?format=docx"), &officer).await);
    for text in [&html, &docx] {
        for must in [
            "BIÊN BẢN HỘI NGHỊ",
            "Quy chế hoạt động Khối thi đua Văn hóa – Xã hội",
            "Kế hoạch hoạt động năm 2021",
            "Vườn quốc gia Tam Đảo",
            "Ban Thi đua – Khen thưởng tỉnh Vĩnh Phúc",
            "Hoàng Minh Ái",
        ] {
            assert!(text.contains(must), "conference lacks {must}");
        }
    }

    // The ballot minutes (the minutes' own HTML is the same document).
    let ballot = demo_ballot(&app, &admin).await;
    let path = format!("/api/v1/ballots/{ballot}/document");
    let html = html_text(&app.get(&path, &officer).await);
    let minutes = html_text(
        &get_with(
            &app,
            &format!("/api/v1/ballots/{ballot}/minutes"),
            &officer,
            "text/html",
        )
        .await,
    );
    assert_eq!(html, minutes);
    let docx = docx_text(&app.get(&format!("{path}?format=docx"), &officer).await);
    for text in [&html, &docx] {
        for must in [
            "BIÊN BẢN KIỂM PHIẾU",
            "Sở Giáo dục và Đào tạo",
            "Sở Y tế",
            "9 / 9",
            "100.00%",
            "TRƯỞNG KHỐI",
            "BAN DÂN TỘC TỈNH",
        ] {
            assert!(text.contains(must), "minutes lack {must}");
        }
    }

    // The decision with its annex.
    let sgd = org_id(&app, &admin, "SGDDT").await;
    let staff = staff_2021(&app, sgd);
    let res = app
        .post(
            "/api/v1/decisions",
            &admin,
            json!({"number": "15/QĐ-UBND", "decidedOn": "2022-01-05", "signer": "Nguyễn Văn Khước",
                   "issuingBody": "Ủy ban nhân dân tỉnh Vĩnh Phúc", "year": 2021,
                   "awards": staff.iter().map(|p| json!({"awardType": "ldtt", "personId": p})).collect::<Vec<_>>()}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let id = res.json()["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/decisions/{id}/document");
    let html = html_text(&app.get(&path, &officer).await);
    let docx = docx_text(&app.get(&format!("{path}?format=docx"), &officer).await);
    for text in [&html, &docx] {
        for must in [
            "QUYẾT ĐỊNH",
            "Số: 15/QĐ-UBND",
            "ngày 05 tháng 01 năm 2022",
            "ỦY BAN NHÂN DÂN TỈNH VĨNH PHÚC",
            "Nguyễn Văn Khước",
            "DANH SÁCH",
            "Kèm theo Quyết định số 15/QĐ-UBND ngày 05/01/2022",
            "Trần Văn Bình",
            "Lê Thị Hoa",
            "Chuyên viên",
            "Sở Giáo dục và Đào tạo",
            "Lao động tiên tiến",
        ] {
            assert!(text.contains(must), "decision lacks {must}");
        }
    }
    // Same read rule as the resource: unauthenticated is refused, an unknown id is 404.
    let anon = app.send(TestApp::req(Method::GET, &path, None)).await;
    assert_eq!(anon.status, 401);
    assert_problem(
        &app.get(
            &format!("/api/v1/decisions/{}/document", Uuid::now_v7()),
            &officer,
        )
        .await,
        404,
        "not_found",
    );
    assert_problem(
        &app.get(&format!("{path}?format=pdf"), &officer).await,
        400,
        "invalid_query",
    );
}

#[actix_web::test]
async fn document_html_escapes_stored_text_and_the_place_comes_from_document_place() {
    let (app, admin) = demo().await;
    let pledge = demo_pledge(&app, &admin).await;
    let pid = pledge["id"].as_str().unwrap();
    app.sql(&format!(
        "UPDATE pledges SET theme = '<script>alert(1)</script> & \"x\"' WHERE id = '{pid}'"
    ));
    let html = html_text(
        &app.get(&format!("/api/v1/pledges/{pid}/document"), &admin)
            .await,
    );
    assert!(!html.contains("<script>"));
    // askama writes numeric character references.
    assert!(html.contains("&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;x&#34;"));
    // No place configured: a dotted blank before the date.
    assert!(html.contains("……………, ngày 01 tháng 4 năm 2021"));

    let mut config = thidua::Config::for_tests();
    config.document_place = Some("Vĩnh Phúc".into());
    let placed = TestApp::spawn_with(crate::helpers::Options {
        config,
        ..crate::helpers::Options::default()
    })
    .await;
    thidua::service::demo::seed(&placed.state.db).await.unwrap();
    let admin = placed.admin_of_demo();
    let pledge = demo_pledge(&placed, &admin).await;
    let path = format!(
        "/api/v1/pledges/{}/document",
        pledge["id"].as_str().unwrap()
    );
    let html = html_text(&placed.get(&path, &admin).await);
    assert!(html.contains("Vĩnh Phúc, ngày 01 tháng 4 năm 2021"));
    let docx = docx_text(&placed.get(&format!("{path}?format=docx"), &admin).await);
    assert!(docx.contains("Vĩnh Phúc, ngày 01 tháng 4 năm 2021"));
}
