//! Excel exports and printable documents (docs/documents.md) on the demo's
//! 2021 data: the XLSX read back with calamine equals the JSON answer; every
//! document renders as HTML (escaped, with its Content-Security-Policy) and
//! as a DOCX that a DOCX reader parses and that names every signer.

use std::io::Cursor;

use actix_web::http::Method;
use base64::Engine;
use calamine::{Data, Range, Xlsx, open_workbook_from_rs};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use thidua::auth::Role;
use uuid::Uuid;

use crate::helpers::{TestApp, TestResponse, assert_problem};

pub(crate) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// The demo, seeded, and its admin's token.
pub(crate) async fn demo() -> (TestApp, String) {
    let app = TestApp::spawn().await;
    thidua::service::demo::seed(&app.state.db).await.unwrap();
    let admin = app.admin_of_demo();
    (app, admin)
}

pub(crate) async fn org_id(app: &TestApp, token: &str, code: &str) -> Uuid {
    let res = app
        .get(&format!("/api/v1/organizations?code={code}"), token)
        .await
        .json();
    res["items"][0]["id"].as_str().unwrap().parse().unwrap()
}

pub(crate) async fn demo_pledge(app: &TestApp, token: &str) -> Value {
    let list = app.get("/api/v1/pledges?year=2021", token).await.json();
    let id = list["items"][0]["id"].as_str().unwrap().to_string();
    app.get(&format!("/api/v1/pledges/{id}"), token)
        .await
        .json()
}

pub(crate) async fn get_with(app: &TestApp, path: &str, token: &str, accept: &str) -> TestResponse {
    app.send(TestApp::req(Method::GET, path, Some(token)).insert_header(("Accept", accept)))
        .await
}

pub(crate) fn workbook(res: &TestResponse) -> Xlsx<Cursor<Vec<u8>>> {
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.header("content-type").as_deref(), Some(XLSX));
    open_workbook_from_rs(Cursor::new(res.body.clone())).expect("an XLSX calamine reads")
}

pub(crate) fn cell(r: &Range<Data>, row: usize, col: usize) -> Data {
    r.get_value((row as u32, col as u32))
        .cloned()
        .unwrap_or(Data::Empty)
}

/// A cell equals a JSON value: numbers, booleans and text keep their type.
pub(crate) fn same(c: &Data, v: Option<&Value>) -> bool {
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
pub(crate) fn assert_sheet_is_json(r: &Range<Data>, columns: &[(&str, &str)], items: &[Value]) {
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

/// Two people of SGDDT with good 2021 facts, and the unit's officer.
pub(crate) fn staff_2021(app: &TestApp, org: Uuid) -> Vec<Uuid> {
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
