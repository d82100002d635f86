//! Issue 14, item 2: every problem `code` an operation answers is listed on
//! that operation in the document, under the status it came with.
//!
//! Every exchange of the API test suite goes through `TestApp::send`, which
//! hands each problem answer to [`check`]: the request's method and path are
//! matched against the document's operations (`HEAD` as its `GET`), and the
//! answer's `code` must appear in backticks in the description of that
//! operation's response for the answer's status. An undocumented one fails
//! the test that provoked it, naming the operation, the status and the code
//! (with `UNDOCUMENTED_CODES_LOG=<file>` it is appended to that file instead,
//! to list all gaps of a run at once). The Schemathesis gate does the same
//! over the fuzzed exchanges (`documented_problem_code` in
//! .ci/schemathesis_hooks.py). docs/contract.md, "Error codes per operation".

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde_json::Value;

struct Operation {
    method: String,
    /// The path's segments; `None` for a `{parameter}`.
    segments: Vec<Option<String>>,
    label: String,
    /// Status → the codes its description names.
    codes: BTreeMap<String, BTreeSet<String>>,
}

fn backticked(text: &str) -> BTreeSet<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|c| {
            !c.is_empty()
                && c.starts_with(|ch: char| ch.is_ascii_lowercase())
                && c.chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
        })
        .map(str::to_string)
        .collect()
}

fn operations_of(doc: &Value) -> Vec<Operation> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let Some(responses) = op["responses"].as_object() else {
                continue;
            };
            let codes = responses
                .iter()
                .map(|(status, r)| {
                    (
                        status.clone(),
                        backticked(r["description"].as_str().unwrap_or_default()),
                    )
                })
                .collect();
            out.push(Operation {
                method: method.to_uppercase(),
                segments: path
                    .split('/')
                    .map(|s| (!s.starts_with('{')).then(|| s.to_string()))
                    .collect(),
                label: format!("{} {path}", method.to_uppercase()),
                codes,
            });
        }
    }
    out
}

fn operations() -> &'static Vec<Operation> {
    static OPS: OnceLock<Vec<Operation>> = OnceLock::new();
    OPS.get_or_init(|| {
        let doc: Value = serde_json::from_str(&thidua::api::openapi::render()).unwrap();
        operations_of(&doc)
    })
}

/// The operation a request reaches: the most specific path template that
/// matches (literal segments beat parameters).
fn find<'a>(ops: &'a [Operation], method: &str, path: &str) -> Option<&'a Operation> {
    let method = if method == "HEAD" { "GET" } else { method };
    let parts: Vec<&str> = path.split('/').collect();
    ops.iter()
        .filter(|op| op.method == method && op.segments.len() == parts.len())
        .filter(|op| {
            op.segments.iter().zip(&parts).all(|(s, p)| match s {
                Some(lit) => lit == p,
                None => !p.is_empty(),
            })
        })
        .max_by_key(|op| op.segments.iter().filter(|s| s.is_some()).count())
}

/// The gap, if this answer's code is not documented on its operation.
fn gap(ops: &[Operation], method: &str, path: &str, status: u16, code: &str) -> Option<String> {
    let op = find(ops, method, path)?;
    let status = status.to_string();
    let documented = op.codes.get(&status);
    if documented.is_some_and(|c| c.contains(code)) {
        return None;
    }
    Some(match documented {
        Some(c) => format!(
            "{}: {status} `{code}` is not documented (listed: {c:?})",
            op.label
        ),
        None => format!("{}: {status} is not documented at all (`{code}`)", op.label),
    })
}

/// Called by `TestApp::send` for every answer.
pub fn check(method: &str, path: &str, status: u16, content_type: Option<&str>, body: &[u8]) {
    if content_type != Some("application/problem+json") {
        return;
    }
    let Ok(problem) = serde_json::from_slice::<Value>(body) else {
        return;
    };
    let code = problem["code"].as_str().unwrap_or("(no code)");
    let path = path.split('?').next().unwrap_or(path);
    let Some(gap) = gap(operations(), method, path, status, code) else {
        return;
    };
    if let Ok(file) = std::env::var("UNDOCUMENTED_CODES_LOG") {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(file)
            .expect("UNDOCUMENTED_CODES_LOG");
        writeln!(f, "{gap}").unwrap();
        return;
    }
    panic!("undocumented problem code (issue 14, item 2; docs/contract.md): {gap}");
}

#[test]
fn documented_codes_a_code_missing_from_its_status_is_a_gap() {
    let doc = serde_json::json!({"paths": {
        "/api/v1/blocs/{id}": {"get": {"responses": {
            "404": {"description": "`not_found`"},
            "400": {"description": "`invalid_path`, `invalid_query`: the request could not be read"}
        }}},
        "/api/v1/blocs/terms": {"get": {"responses": {"200": {"description": "ok"}}}}
    }});
    let ops = operations_of(&doc);
    assert_eq!(gap(&ops, "GET", "/api/v1/blocs/x", 404, "not_found"), None);
    assert_eq!(
        gap(&ops, "HEAD", "/api/v1/blocs/x", 400, "invalid_path"),
        None
    );
    let missing = gap(&ops, "GET", "/api/v1/blocs/x", 404, "bloc_gone").unwrap();
    assert!(
        missing.contains("GET /api/v1/blocs/{id}: 404 `bloc_gone`"),
        "{missing}"
    );
    let no_status = gap(&ops, "GET", "/api/v1/blocs/x", 409, "conflict").unwrap();
    assert!(
        no_status.contains("409 is not documented at all"),
        "{no_status}"
    );
    // A literal segment beats a parameter: `/blocs/terms` is its own operation.
    let literal = gap(&ops, "GET", "/api/v1/blocs/terms", 404, "not_found").unwrap();
    assert!(literal.starts_with("GET /api/v1/blocs/terms:"), "{literal}");
    // Not an operation of the document (a 405, an unknown route): not ours to judge.
    assert_eq!(
        gap(&ops, "DELETE", "/api/v1/blocs/x", 405, "method_not_allowed"),
        None
    );
}

#[test]
fn documented_codes_the_real_document_names_codes_on_every_problem_answer() {
    let ops = operations();
    assert!(ops.len() > 100, "{} operations", ops.len());
    let mut bare = Vec::new();
    for op in ops {
        for (status, codes) in &op.codes {
            if status.starts_with(['4', '5']) && codes.is_empty() {
                bare.push(format!("{} {status}", op.label));
            }
        }
    }
    assert!(
        bare.is_empty(),
        "problem answers that name no code: {bare:#?}"
    );
}
