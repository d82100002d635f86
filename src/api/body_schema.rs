//! Every problem of a JSON body that does not fit its type, each with its
//! JSON path (`reports[2].numerator`) and a stable code — read off the same
//! schema the OpenAPI document publishes for that body, so what the error
//! lists and what the document says cannot differ.
//!
//! Only the failure path comes here: a body serde reads is never checked
//! twice. serde stops at the first problem and names no path; when it
//! refuses a body, the body is checked against its published schema
//! (JSON Schema 2020-12, as OpenAPI 3.1 writes it) and every violation is
//! listed. A wrong type anywhere keeps the answer 400 `malformed_json` (the
//! API's convention: wrong types are unreadable); only missing, unknown or
//! out-of-bounds fields make it 422 `validation_failed`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::error::ValidationErrorKind as Kind;
use jsonschema::paths::LocationSegment;
use serde_json::{Value, json};

use crate::error::{AppError, ErrorCode, FieldError};

/// The document's component schemas, built once.
fn components() -> &'static Value {
    static COMPONENTS: OnceLock<Value> = OnceLock::new();
    COMPONENTS.get_or_init(|| {
        let doc = serde_json::to_value(super::openapi::document()).unwrap_or(Value::Null);
        doc["components"]["schemas"].clone()
    })
}

/// The validator of one component schema, compiled on first use.
fn validator(name: &str) -> Option<Arc<jsonschema::Validator>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<Arc<jsonschema::Validator>>>>> =
        OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    cache
        .entry(name.to_string())
        .or_insert_with(|| {
            components().get(name)?;
            let root = json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "$ref": format!("#/components/schemas/{name}"),
                "components": { "schemas": components() },
            });
            jsonschema::options()
                .with_draft(jsonschema::Draft::Draft202012)
                .should_validate_formats(true)
                .build(&root)
                .map_err(
                    |e| tracing::warn!(schema = name, error = %e, "body schema does not compile"),
                )
                .ok()
                .map(Arc::new)
        })
        .clone()
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

fn dotted(location: &jsonschema::paths::Location) -> String {
    let mut out = String::new();
    for segment in location {
        match segment {
            LocationSegment::Property(p) => out = join(&out, &p),
            LocationSegment::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// Each violation of `name`'s schema by `body`: (JSON path, code), sorted.
pub fn violations(name: &str, body: &Value) -> Option<Vec<(String, &'static str)>> {
    let validator = validator(name)?;
    let mut out = Vec::new();
    for error in validator.iter_errors(body) {
        let path = dotted(error.instance_path());
        match error.kind() {
            Kind::AdditionalProperties { unexpected }
            | Kind::UnevaluatedProperties { unexpected } => {
                out.extend(unexpected.iter().map(|u| (join(&path, u), "unknown_field")))
            }
            Kind::Required { property } => {
                let p = property.as_str().unwrap_or_default();
                out.push((join(&path, p), "required"));
            }
            Kind::Type { .. } => out.push((path, "type")),
            Kind::Enum { .. } | Kind::Constant { .. } => out.push((path, "enum")),
            Kind::Pattern { .. } => out.push((path, "pattern")),
            Kind::Format { .. } => out.push((path, "format")),
            Kind::MinLength { .. }
            | Kind::MaxLength { .. }
            | Kind::MinItems { .. }
            | Kind::MaxItems { .. } => out.push((path, "length")),
            Kind::Minimum { .. }
            | Kind::Maximum { .. }
            | Kind::ExclusiveMinimum { .. }
            | Kind::ExclusiveMaximum { .. } => out.push((path, "range")),
            // Exactly one of two fields (`personId`, `organizationId`), a
            // list without repeats: field rules, not unreadable bodies.
            Kind::OneOfNotValid { .. } | Kind::OneOfMultipleValid { .. } => {
                out.push((path, "one_of"))
            }
            Kind::UniqueItems => out.push((path, "unique")),
            _ => out.push((path, "invalid")),
        }
    }
    out.sort();
    out.dedup();
    Some(out)
}

/// The answer to a body serde refused: every problem, with its path. `None`
/// when the schema finds none (the caller falls back to serde's own words).
pub fn problem(name: &str, body: &Value) -> Option<AppError> {
    let found = violations(name, body)?;
    if found.is_empty() {
        return None;
    }
    let lang = crate::i18n::current_lang();
    let unreadable = found.iter().any(|(_, c)| matches!(*c, "type" | "invalid"));
    let errors: Vec<FieldError> = found
        .into_iter()
        .map(|(field, code)| FieldError {
            field,
            code: code.to_string(),
            message: crate::i18n::field_message(code, lang, ""),
        })
        .collect();
    Some(if unreadable {
        let first = errors
            .iter()
            .find(|e| matches!(e.code.as_str(), "type" | "invalid"))
            .map(|e| format!("`{}` has the wrong type", e.field))
            .unwrap_or_default();
        AppError::unreadable(ErrorCode::MalformedJson, first).with_errors(errors)
    } else {
        AppError::validation(errors)
    })
}
