//! The OpenAPI document: committed, served, complete.

use actix_web::http::Method;
use actix_web::{HttpRequest, web};
use serde_json::Value;

use crate::helpers::TestApp;

fn committed() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
        .unwrap_or_default()
}

#[test]
fn committed_openapi_matches_the_code() {
    let generated = thidua::api::openapi::render();
    assert!(
        committed() == generated,
        "openapi/openapi.json is out of date: regenerate it with `cargo run -q -- openapi > openapi/openapi.json`"
    );
}

#[actix_web::test]
async fn served_document_equals_the_committed_file() {
    let app = TestApp::spawn().await;
    let res = app
        .send(TestApp::req(Method::GET, "/api-docs/openapi.json", None))
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.text(), committed());
}

#[test]
fn document_has_info_security_and_described_tags() {
    let doc: Value = serde_json::from_str(&thidua::api::openapi::render()).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let info = &doc["info"];
    assert!(info["title"].as_str().unwrap().contains("thidua"));
    let description = info["description"].as_str().unwrap();
    assert!(
        description.contains("Thi đua – khen thưởng")
            && description.contains("Emulation and commendation")
    );
    assert_eq!(info["license"]["name"], env!("CARGO_PKG_LICENSE"));
    assert!(info["contact"]["name"].is_string());
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["bearerFormat"],
        "JWT"
    );
    for tag in doc["tags"].as_array().unwrap() {
        assert!(
            tag["description"].as_str().is_some_and(|d| !d.is_empty()),
            "{tag}"
        );
    }
    // Every operation has a summary, a tag, responses, and (unless public) the bearer scheme.
    let public = [
        "/health/live",
        "/health/ready",
        "/api/v1/auth/token",
        "/api/v1/auth/jwks",
    ];
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(
                op["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{method} {path} has no summary"
            );
            assert!(
                op["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{method} {path} has no tag"
            );
            if !public.contains(&path.as_str()) {
                assert_eq!(
                    op["security"],
                    serde_json::json!([{"bearer": []}]),
                    "{method} {path} must declare bearer security"
                );
                assert!(
                    op["responses"].get("401").is_some(),
                    "{method} {path} must document 401"
                );
            }
        }
    }
}

/// Walk the resource patterns actually registered in the app and fail on
/// any that the document does not describe (health, metrics and docs aside).
#[actix_web::test]
async fn every_registered_route_is_in_the_document() {
    let app = TestApp::spawn().await;
    let probe = actix_web::test::init_service(thidua::build_app(app.state.clone()).route(
        "/__routes",
        web::get().to(|req: HttpRequest| async move { format!("{:?}", req.resource_map()) }),
    ))
    .await;
    let dump = actix_web::test::call_and_read_body(
        &probe,
        actix_web::test::TestRequest::get()
            .uri("/__routes")
            .to_request(),
    )
    .await;
    let dump = String::from_utf8(dump.to_vec()).unwrap();
    let re = regex::Regex::new(r#"Single\("([^"]*)"\)"#).unwrap();
    let registered: std::collections::BTreeSet<String> = re
        .captures_iter(&dump)
        .map(|c| c[1].to_string())
        .filter(|p| !p.is_empty())
        .collect();
    assert!(registered.len() > 10, "could not read the routes: {dump}");

    let doc: Value = serde_json::from_str(&thidua::api::openapi::render()).unwrap();
    let documented: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
    let outside = [
        "/metrics",
        "/api-docs/openapi.json",
        "/swagger-ui",
        "/swagger-ui/{_:.*}",
        "/__routes",
    ];
    let missing: Vec<&String> = registered
        .iter()
        .filter(|p| !outside.contains(&p.as_str()) && !documented.contains(p))
        .collect();
    assert!(
        missing.is_empty(),
        "routes missing from the OpenAPI document: {missing:?}"
    );
    for p in &documented {
        assert!(
            registered.contains(p.as_str()),
            "documented but not served: {p}"
        );
    }
}

/// Operations allowed to answer to utoipa's default id (the handler's
/// name): none since issue 13's phase 2 gave every operation its own.
const OPERATIONS_WITHOUT_AN_EXPLICIT_ID: &[&str] = &[];

/// `verbNoun` camelCase: `listBlocs`, `getAuditSigningKey`.
fn is_verb_noun(id: &str) -> bool {
    regex::Regex::new("^[a-z]+[A-Z][A-Za-z]*$")
        .unwrap()
        .is_match(id)
}

/// Every operation of `doc` as `METHOD /path` with its `operationId`.
fn operation_ids(doc: &Value) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if !["get", "put", "post", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            out.push((
                format!("{} {path}", method.to_uppercase()),
                op["operationId"].as_str().map(str::to_string),
            ));
        }
    }
    out
}

/// What is wrong with the operations' ids: one missing or not `verbNoun`
/// (outside `allowed`), one given twice, and an `allowed` one that now has
/// its own id (take it off the list).
fn operation_id_faults(ops: &[(String, Option<String>)], allowed: &[&str]) -> Vec<String> {
    let mut faults = Vec::new();
    let mut seen: std::collections::BTreeMap<&str, &str> = std::collections::BTreeMap::new();
    for (op, id) in ops {
        let explicit = id.as_deref().filter(|i| is_verb_noun(i));
        match (explicit, allowed.contains(&op.as_str())) {
            (Some(_), true) => faults.push(format!("{op} has its id now: take it off the list")),
            (None, false) => faults.push(format!("{op}: operationId {id:?} is not verbNoun")),
            _ => {}
        }
        if let Some(i) = explicit
            && let Some(first) = seen.insert(i, op)
        {
            faults.push(format!("operationId {i} twice: {first} and {op}"));
        }
    }
    faults
}

#[test]
fn every_operation_has_a_unique_verb_noun_operation_id() {
    let doc: Value = serde_json::from_str(&thidua::api::openapi::render()).unwrap();
    let ops = operation_ids(&doc);
    assert!(ops.len() > 100, "{} operations", ops.len());
    let faults = operation_id_faults(&ops, OPERATIONS_WITHOUT_AN_EXPLICIT_ID);
    assert!(faults.is_empty(), "{faults:#?}");
}

#[test]
fn the_operation_id_check_fails_on_a_duplicate_a_missing_and_a_stale_exception() {
    let op = |o: &str, id: Option<&str>| (o.to_string(), id.map(str::to_string));
    let ops = [
        op("GET /a", Some("listAs")),
        op("GET /b", Some("listAs")),
        op("GET /c", Some("list")),
        op("GET /d", None),
        op("GET /e", Some("getE")),
    ];
    let faults = operation_id_faults(&ops, &["GET /d", "GET /e"]);
    assert_eq!(faults.len(), 3, "{faults:#?}");
    assert!(faults[0].contains("listAs twice"));
    assert!(faults[1].contains("GET /c"));
    assert!(faults[2].contains("GET /e has its id now"));
}

/// Can an integrator be shown an example of `schema` without inventing one?
/// Its own `example`/`examples` (or `const`, `enum`, `default`), a `$ref` to a
/// component that can, an array whose items can, an object whose required
/// properties all can (Swagger UI and Redocly compose it from the fields'
/// examples), a choice one of whose branches can. A bare string, number or
/// uuid cannot: that is where Swagger UI would show `"string"` or `0`.
fn exemplified(doc: &Value, schema: &Value, seen: &mut Vec<String>) -> bool {
    let has = |k: &str| schema.get(k).is_some();
    if ["example", "examples", "const", "enum", "default"]
        .iter()
        .any(|k| has(k))
    {
        return true;
    }
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.trim_start_matches("#/components/schemas/").to_string();
        if seen.contains(&name) {
            return true; // a recursive shape: judged where it started
        }
        seen.push(name.clone());
        let ok = exemplified(doc, &doc["components"]["schemas"][&name], seen);
        seen.pop();
        return ok;
    }
    for choice in ["oneOf", "anyOf"] {
        if let Some(alts) = schema[choice].as_array() {
            return alts
                .iter()
                .filter(|a| a["type"] != "null")
                .any(|a| exemplified(doc, a, seen));
        }
    }
    if let Some(all) = schema["allOf"].as_array() {
        // An example on one member describes the whole (utoipa puts a
        // struct's example on the member it generates; `oneOf` refinements
        // beside it carry none).
        return all.iter().any(|a| a.get("example").is_some())
            || all.iter().all(|a| exemplified(doc, a, seen));
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let main = types.iter().find(|t| **t != "null").copied();
    match main {
        Some("array") => exemplified(doc, &schema["items"], seen),
        Some("object") | None if schema.get("properties").is_some() => {
            let required: Vec<&str> = schema["required"]
                .as_array()
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            schema["properties"]
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(name, _)| required.contains(&name.as_str()))
                .all(|(_, p)| exemplified(doc, p, seen))
        }
        Some("boolean") => true,
        None => types.contains(&"null"),
        _ => false,
    }
}

/// What each operation lacks for an integrator: a summary, a description
/// paragraph, an example of its request body (when it takes one) and of every
/// success answer that has a body.
fn documentation_faults(doc: &Value) -> Vec<String> {
    let mut faults = Vec::new();
    // A binary file (an XLSX or DOCX download or upload) has no inline
    // example in OpenAPI 3.1: Swagger UI offers the download or a file
    // picker instead; its schema must say `format: binary`.
    let binary = |media: &Value| {
        let schema = match media["schema"]["$ref"].as_str() {
            Some(r) => &doc["components"]["schemas"][r.trim_start_matches("#/components/schemas/")],
            None => &media["schema"],
        };
        schema["type"] == "string" && schema["format"] == "binary"
    };
    let media_ok = |media: &Value| {
        binary(media)
            || media.get("example").is_some()
            || media.get("examples").is_some()
            || exemplified(doc, &media["schema"], &mut Vec::new())
    };
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if !["get", "put", "post", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            let name = format!("{} {path}", method.to_uppercase());
            let text = |k: &str| op[k].as_str().is_some_and(|s| !s.trim().is_empty());
            if !text("summary") {
                faults.push(format!("{name}: no summary"));
            }
            if !text("description") {
                faults.push(format!(
                    "{name}: no description (a blank `///` line, then a paragraph)"
                ));
            }
            for (ct, media) in op["requestBody"]["content"]
                .as_object()
                .into_iter()
                .flatten()
            {
                if !media_ok(media) {
                    faults.push(format!("{name}: request body {ct} has no example"));
                }
            }
            for (status, response) in op["responses"].as_object().unwrap() {
                if !status.starts_with('2') {
                    continue;
                }
                for (ct, media) in response["content"].as_object().into_iter().flatten() {
                    if !media_ok(media) {
                        faults.push(format!("{name}: {status} {ct} has no example"));
                    }
                }
            }
        }
    }
    faults
}

#[test]
fn every_operation_has_a_summary_a_description_and_examples() {
    let doc: Value = serde_json::from_str(&thidua::api::openapi::render()).unwrap();
    let faults = documentation_faults(&doc);
    assert!(faults.is_empty(), "{} faults: {faults:#?}", faults.len());
}

#[test]
fn the_documentation_check_fails_on_a_missing_description_and_missing_examples() {
    let doc = serde_json::json!({
        "paths": {
            "/a": {"post": {
                "summary": "Make an A.",
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ABody"}}}},
                "responses": {
                    "201": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/AView"}}}},
                    "422": {"content": {"application/problem+json": {"schema": {"type": "object"}}}},
                },
            }},
            "/b": {"get": {
                "summary": "Get a B.",
                "description": "Any caller.",
                "responses": {
                    "200": {"content": {
                        "application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/BView"}}},
                        "text/csv": {"schema": {"type": "string"}, "example": "id\n1\n"},
                    }},
                    "204": {"description": "nothing"},
                },
            }},
        },
        "components": {"schemas": {
            // `id` is required and has no example.
            "ABody": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string", "format": "uuid"}}},
            "AView": {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]},
            // Every required field has one; the optional one need not.
            "BView": {"type": "object", "required": ["code", "ok"], "properties": {
                "code": {"type": "string", "example": "SYT"},
                "ok": {"type": "boolean"},
                "note": {"type": ["string", "null"]},
            }},
        }},
    });
    let faults = documentation_faults(&doc);
    assert_eq!(
        faults,
        [
            "POST /a: no description (a blank `///` line, then a paragraph)",
            "POST /a: request body application/json has no example",
            "POST /a: 201 application/json has no example",
        ],
        "{faults:#?}"
    );
}

/// Every example the document shows is valid against the schema beside it
/// (what Spectral's `oas3-valid-media-example` and
/// `oas3-valid-schema-example` check, here without Node).
#[test]
fn every_example_in_the_document_is_valid_against_its_schema() {
    let doc: Value = serde_json::from_str(&thidua::api::openapi::render()).unwrap();
    let check = |schema: &Value, example: &Value, at: &str| -> Option<String> {
        let root = serde_json::json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "allOf": [schema],
            "components": doc["components"],
        });
        let v = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&root)
            .unwrap_or_else(|e| panic!("{at}: the schema does not compile: {e}"));
        let errors: Vec<String> = v
            .iter_errors(example)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        (!errors.is_empty()).then(|| format!("{at}: {errors:?}"))
    };
    let mut faults = Vec::new();
    let mut checked = 0;
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        if let Some(example) = schema.get("example") {
            checked += 1;
            faults.extend(check(
                schema,
                example,
                &format!("components.schemas.{name}"),
            ));
        }
    }
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let mut media: Vec<(String, &Value)> = Vec::new();
            for (ct, m) in op["requestBody"]["content"]
                .as_object()
                .into_iter()
                .flatten()
            {
                media.push((format!("{method} {path} request {ct}"), m));
            }
            for (status, r) in op["responses"].as_object().into_iter().flatten() {
                for (ct, m) in r["content"].as_object().into_iter().flatten() {
                    media.push((format!("{method} {path} {status} {ct}"), m));
                }
            }
            for (at, m) in media {
                let examples = m.get("example").into_iter().chain(
                    m["examples"]
                        .as_object()
                        .into_iter()
                        .flatten()
                        .filter_map(|(_, e)| e.get("value")),
                );
                for example in examples {
                    checked += 1;
                    faults.extend(check(&m["schema"], example, &at));
                }
            }
        }
    }
    assert!(checked > 50, "only {checked} examples");
    // The check itself refuses a wrong example.
    let probe = serde_json::json!({"$ref": "#/components/schemas/OrganizationView"});
    assert!(check(&probe, &serde_json::json!({"code": 5}), "probe").is_some());
    assert!(faults.is_empty(), "{faults:#?}");
}
