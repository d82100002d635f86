//! Bad files (never a 500, nothing written) and the templates.

use std::io::Read;

use actix_web::http::Method;
use calamine::{Data, Reader, Xlsx};
use thidua::auth::Role;

use super::{XLSX, codes, upload, xlsx};
use crate::helpers::{Options, TestApp, assert_problem};

#[actix_web::test]
async fn bad_files_are_refused_with_a_problem_and_nothing_is_written() {
    let mut opts = Options::default();
    opts.config.import_max_rows = 2;
    opts.config.import_max_bytes = 16_384;
    let app = TestApp::spawn_with(opts).await;
    let admin = app.admin().await;
    let orgs = app.count("SELECT count(*) AS n FROM organizations");
    // Not a spreadsheet: binary bytes, and a ZIP that is no workbook.
    let res = upload(
        &app,
        &admin,
        "organizations",
        false,
        vec![0, 159, 146, 150, 1, 2],
        None,
    )
    .await;
    assert_problem(&res, 422, "not_a_spreadsheet");
    let res = upload(
        &app,
        &admin,
        "organizations",
        false,
        b"PK\x03\x04garbage".to_vec(),
        None,
    )
    .await;
    assert_problem(&res, 422, "not_a_spreadsheet");
    // Password-protected: an OLE container holding an EncryptedPackage.
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.extend(vec![0u8; 512]);
    ole.extend(
        "EncryptedPackage"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes()),
    );
    let res = upload(&app, &admin, "organizations", false, ole, None).await;
    assert_problem(&res, 422, "spreadsheet_encrypted");
    // The kind's sheet is missing.
    let other = xlsx(
        "Trang 1",
        &[
            &["Mã đơn vị", "Tên đơn vị", "Loại hình"],
            &["A1", "A", "other"],
        ],
    );
    let res = upload(&app, &admin, "organizations", false, other, None).await;
    assert_problem(&res, 422, "sheet_missing");
    assert!(res.json()["detail"].as_str().unwrap().contains("Đơn vị"));
    // More rows than IMPORT_MAX_ROWS (a CSV and a workbook).
    let csv = "code,name,kind\nAA,A,other\nBB,B,other\nCC,C,other\n"
        .as_bytes()
        .to_vec();
    let res = upload(&app, &admin, "organizations", false, csv, None).await;
    assert_problem(&res, 413, "too_many_rows");
    let long = xlsx(
        "Đơn vị",
        &[
            &["code", "name", "kind"],
            &["AA", "A", "other"],
            &["BB", "B", "other"],
            &["CC", "C", "other"],
        ],
    );
    assert_problem(
        &upload(&app, &admin, "organizations", true, long, None).await,
        413,
        "too_many_rows",
    );
    // Larger than IMPORT_MAX_BYTES, with and without an Idempotency-Key.
    let big = vec![b'a'; 20_000];
    assert_problem(
        &upload(&app, &admin, "organizations", true, big.clone(), None).await,
        413,
        "payload_too_large",
    );
    assert_problem(
        &upload(&app, &admin, "organizations", true, big, Some("k-big")).await,
        413,
        "payload_too_large",
    );
    // An unknown kind.
    assert_problem(
        &upload(&app, &admin, "widgets", true, b"a\n".to_vec(), None).await,
        400,
        "invalid_query",
    );
    assert_eq!(app.count("SELECT count(*) AS n FROM organizations"), orgs);
    // A CSV within the limits goes in (English headers).
    let csv = "code;name;kind\nAA;Đơn vị A;other\n".as_bytes().to_vec();
    let res = upload(&app, &admin, "organizations", false, csv, None).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        app.count("SELECT count(*) AS n FROM organizations WHERE code = 'AA'"),
        1
    );
}

#[actix_web::test]
async fn organisations_and_awards_are_the_admins_and_officers_import_their_own_staff() {
    let app = TestApp::spawn().await;
    let a = app.org("DVA", None);
    app.org("DVB", None);
    let (_, officer) = app.user("a.officer", &[Role::Officer], Some(a)).await;
    let (_, viewer) = app.user("viewer", &[Role::Viewer], None).await;
    let orgs = xlsx(
        "Đơn vị",
        &[&["code", "name", "kind"], &["CC", "C", "other"]],
    );
    assert_problem(
        &upload(&app, &officer, "organizations", true, orgs, None).await,
        403,
        "admin_required",
    );
    let people = xlsx(
        "Cán bộ",
        &[
            &["code", "fullName", "category", "organizationCode"],
            &["CB-1", "Nguyễn Văn An", "cong_chuc", "DVA"],
            &["CB-2", "Lê Văn Bình", "cong_chuc", "DVB"],
        ],
    );
    assert_problem(
        &upload(&app, &viewer, "people", true, people.clone(), None).await,
        403,
        "read_only",
    );
    let r = upload(&app, &officer, "people", true, people, None)
        .await
        .json();
    assert_eq!(codes(&r), vec![(3, "not_your_organization".to_string())]);
}

#[actix_web::test]
async fn a_template_has_its_headers_an_example_notes_and_drop_downs_and_reads_back() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    for kind in ["organizations", "people", "facts", "awards"] {
        let res = app
            .send(TestApp::req(
                Method::GET,
                &format!("/api/v1/imports/templates/{kind}"),
                Some(&admin),
            ))
            .await;
        assert_eq!(res.status, 200, "{kind}: {}", res.text());
        assert_eq!(res.header("content-type").as_deref(), Some(XLSX));
        let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(res.body.clone())).unwrap();
        let sheet = wb.sheet_names()[0].clone();
        let range = wb.worksheet_range(&sheet).unwrap();
        let header: Vec<String> = range
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert!(header.iter().all(|h| !h.is_empty()), "{kind}: {header:?}");
        assert!(
            range
                .rows()
                .nth(1)
                .unwrap()
                .iter()
                .any(|c| *c != Data::Empty)
        );
        // Notes on the headers and drop-down lists, in the sheet's XML.
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(res.body.clone())).unwrap();
        let mut xml = String::new();
        zip.by_name("xl/worksheets/sheet1.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        assert!(xml.contains("<dataValidation "), "{kind}");
        assert!(zip.by_name("xl/comments1.xml").is_ok(), "{kind}");
    }
    // The people template, filled with its own example, dry-runs to one
    // problem: the example's organisation does not exist here.
    let res = app
        .send(TestApp::req(
            Method::GET,
            "/api/v1/imports/templates/people",
            Some(&admin),
        ))
        .await;
    let r = upload(&app, &admin, "people", true, res.body, None).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        codes(&r.json()),
        vec![(2, "unknown_organization".to_string())]
    );
    app.org("SGDDT", None);
    let res = app
        .send(TestApp::req(
            Method::GET,
            "/api/v1/imports/templates/people",
            Some(&admin),
        ))
        .await;
    let r = upload(&app, &admin, "people", false, res.body, None).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["counts"]["created"], 1);
    assert_problem(
        &app.send(TestApp::req(
            Method::GET,
            "/api/v1/imports/templates/widgets",
            Some(&admin),
        ))
        .await,
        400,
        "invalid_path",
    );
}
