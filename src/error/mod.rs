//! One error type for the whole service, rendered as RFC 9457 problem+json
//! with a stable `code` and Vietnamese (default) or English text.
//!
//! An `AppError` is an `ErrorCode` from the catalogue (`catalogue.rs`: its
//! status, rule and texts) plus the values its text names (`arg`), and, for
//! some codes, the field errors or failed rules it lists. The conversions
//! from the other layers' errors live beside it, one file each:
//! `rules.rs` (domain `RuleViolation`s), `database.rs` (`db::Error`, and
//! `on_constraint`).

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::ctx::{self, Lang};

pub mod catalogue;
mod database;
mod rules;

pub use catalogue::{ErrorCode, Kind, Text};
pub use database::OnConstraint;

/// One field-level error inside a 422 problem.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct FieldError {
    /// JSON path of the offending field (`username`, `items[2].text`).
    pub field: String,
    /// Stable machine-readable reason (`length`, `range`, `required`, …).
    pub code: String,
    /// Human text in the language of the request.
    pub message: String,
}

/// RFC 9457 problem details, as every error of this API is returned.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "type": "https://thidua.example/problems/validation_failed",
    "title": "Dữ liệu không hợp lệ",
    "status": 422,
    "detail": "Một hoặc nhiều trường không hợp lệ.",
    "code": "validation_failed",
    "instance": "urn:request:0193a5f0-7c1e-7b3a-9c1d-2f0e4b5a6c7d",
    "requestId": "0193a5f0-7c1e-7b3a-9c1d-2f0e4b5a6c7d",
    "errors": [{"field": "username", "code": "length", "message": "độ dài không hợp lệ"}]
}))]
pub struct Problem {
    /// URI naming the problem type; ends with `code`.
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable machine-readable error code: the contract clients branch on.
    pub code: String,
    /// `urn:request:<request id>`, the id also sent as `X-Request-Id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(nullable = false)]
    pub errors: Vec<FieldError>,
}

/// One failed rule inside a `Refused` problem, in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleFailure {
    pub field: String,
    pub rule: String,
    pub vi: String,
    pub en: String,
}

pub const PROBLEM_TYPE_BASE: &str = "https://thidua.example/problems/";
pub const PROBLEM_JSON: &str = "application/problem+json";

/// A value for a placeholder of the code's text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Arg {
    /// The same in both languages (a unit code, a date, an id).
    Same(String),
    /// Words that differ by language (`catalogue::phrase`).
    Local(Text),
}

/// What went wrong under the answer, for the log only.
#[derive(Debug)]
enum Source {
    Database(crate::db::Error),
    Message(String),
}

/// Everything that can go wrong in a request: a catalogue code and what its
/// answer needs (boxed: results stay one pointer wide on the happy path).
#[derive(Debug)]
pub struct AppError(Box<Inner>);

#[derive(Debug)]
struct Inner {
    code: ErrorCode,
    args: Vec<(&'static str, Arg)>,
    /// 422 field errors (`Kind::Invalid`).
    errors: Vec<FieldError>,
    /// 409 failed rules (`Kind::Refused`).
    failures: Vec<RuleFailure>,
    retry_after: Option<u64>,
    /// The `Allow` header of a 405.
    allow: Option<String>,
    source: Option<Source>,
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.code)?;
        match &self.0.source {
            Some(Source::Database(e)) => write!(f, ": {e}"),
            Some(Source::Message(m)) => write!(f, ": {m}"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for AppError {}

impl From<ErrorCode> for AppError {
    fn from(code: ErrorCode) -> Self {
        AppError::new(code)
    }
}

impl AppError {
    pub fn new(code: ErrorCode) -> Self {
        AppError(Box::new(Inner {
            code,
            args: Vec::new(),
            errors: Vec::new(),
            failures: Vec::new(),
            retry_after: None,
            allow: None,
            source: None,
        }))
    }

    /// Fill the placeholder `{name}` of the code's text.
    pub fn arg(mut self, name: &'static str, value: impl std::fmt::Display) -> Self {
        self.0.args.push((name, Arg::Same(value.to_string())));
        self
    }

    /// Fill `{name}` with words that differ by language.
    pub fn arg_text(mut self, name: &'static str, value: Text) -> Self {
        self.0.args.push((name, Arg::Local(value)));
        self
    }

    /// The fields a `Kind::Invalid` code lists.
    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.0.errors = errors;
        self
    }

    /// The rules a `Kind::Refused` code lists.
    pub fn with_failures(mut self, failures: Vec<RuleFailure>) -> Self {
        self.0.failures = failures;
        self
    }

    /// Sent as `Retry-After`, and the text's `{retry_after}`.
    pub fn retry_after(mut self, secs: u64) -> Self {
        self.0.retry_after = Some(secs);
        self.arg("retry_after", secs)
    }

    /// What went wrong underneath, for the log (never in the answer).
    pub fn because(mut self, cause: impl std::fmt::Display) -> Self {
        self.0.source = Some(Source::Message(cause.to_string()));
        self
    }

    pub(crate) fn from_database(code: ErrorCode, e: crate::db::Error) -> Self {
        let mut err = AppError::new(code);
        err.0.source = Some(Source::Database(e));
        err
    }

    // The answers built in many places.

    /// 400: the request could not be read; `reason` is the parser's own
    /// words (for the codes whose text has `{reason}`).
    pub fn unreadable(code: ErrorCode, reason: impl std::fmt::Display) -> Self {
        AppError::new(code).arg("reason", reason)
    }
    pub fn unauthenticated() -> Self {
        AppError::new(ErrorCode::Unauthenticated)
    }
    pub fn not_found(entity: &'static str) -> Self {
        AppError::new(ErrorCode::NotFound).arg("entity", entity)
    }
    pub fn method_not_allowed(allow: Option<String>) -> Self {
        let mut e = AppError::new(ErrorCode::MethodNotAllowed);
        e.0.allow = allow;
        e
    }
    pub fn version_conflict(current: i32) -> Self {
        AppError::new(ErrorCode::VersionConflict).arg("current", current)
    }
    pub fn payload_too_large(limit: usize) -> Self {
        AppError::new(ErrorCode::PayloadTooLarge).arg("limit", limit)
    }
    pub fn unsupported_media_type() -> Self {
        AppError::new(ErrorCode::UnsupportedMediaType)
    }
    /// 422 `validation_failed`, one entry per field.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        AppError::new(ErrorCode::ValidationFailed).with_errors(errors)
    }
    /// 503: the database cannot be reached now.
    pub fn unavailable() -> Self {
        AppError::new(ErrorCode::ServiceUnavailable).retry_after(2)
    }
    /// 503: the request ran out of time.
    pub fn timeout() -> Self {
        AppError::new(ErrorCode::RequestTimeout).retry_after(1)
    }
    pub fn internal(e: impl std::fmt::Display) -> Self {
        AppError::new(ErrorCode::InternalError).because(e)
    }

    /// The stable wire code.
    pub fn code(&self) -> &'static str {
        self.0.code.as_str()
    }

    pub fn error_code(&self) -> ErrorCode {
        self.0.code
    }

    /// Did the database session break under this request? Then the pool
    /// drops the connection instead of handing it to the next request.
    pub fn is_connection_lost(&self) -> bool {
        matches!(&self.0.source, Some(Source::Database(e)) if e.is_connection_lost())
    }

    /// The problem's `detail`: the code's first text whose placeholders
    /// this error fills, with them filled.
    fn detail(&self, lang: Lang) -> String {
        let texts = self.0.code.texts();
        let has = |name: &str| self.0.args.iter().any(|(n, _)| *n == name);
        let text = texts
            .iter()
            .find(|t| catalogue::placeholders(t.vi).iter().all(|p| has(p)))
            .unwrap_or_else(|| texts.last().expect("every code has a text"));
        debug_assert!(
            catalogue::placeholders(text.vi).iter().all(|p| has(p)),
            "{} raised without the value of a placeholder of {:?}",
            self.0.code,
            text.vi
        );
        let mut out = text.pick(lang).to_string();
        for (name, value) in &self.0.args {
            let value = match value {
                Arg::Same(v) => v.as_str(),
                Arg::Local(t) => t.pick(lang),
            };
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }

    /// The problem body in a given language (used by tests and the renderer).
    pub fn problem(&self, lang: Lang) -> Problem {
        let request_id = ctx::request_id();
        let mut errors: Vec<FieldError> = self
            .0
            .errors
            .iter()
            .map(|e| FieldError {
                field: e.field.clone(),
                code: e.code.clone(),
                message: crate::i18n::field_message(&e.code, lang, &e.message),
            })
            .collect();
        errors.extend(self.0.failures.iter().map(|e| FieldError {
            field: e.field.clone(),
            code: e.rule.clone(),
            message: lang.pick(&e.vi, &e.en).to_string(),
        }));
        Problem {
            type_: format!("{PROBLEM_TYPE_BASE}{}", self.code()),
            title: self.0.code.kind().title().pick(lang).to_string(),
            status: self.status_code().as_u16(),
            detail: self.detail(lang),
            code: self.code().to_string(),
            instance: request_id.as_ref().map(|id| format!("urn:request:{id}")),
            request_id,
            errors,
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.0.code.status()
    }

    fn error_response(&self) -> HttpResponse {
        if self.0.code.kind() == Kind::Internal {
            tracing::error!(error = %self, "internal error");
        }
        let body = self.problem(ctx::lang());
        let mut res = HttpResponse::build(self.status_code());
        res.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        if let Some(secs) = self.0.retry_after {
            res.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        if let Some(allow) = &self.0.allow {
            res.insert_header((header::ALLOW, allow.clone()));
        }
        if self.0.code == ErrorCode::Unauthenticated {
            res.insert_header((
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"thidua\""),
            ));
        }
        res.body(serde_json::to_vec(&body).unwrap_or_default())
    }
}

impl From<crate::domain::paging::InvalidCursor> for AppError {
    fn from(_: crate::domain::paging::InvalidCursor) -> Self {
        AppError::new(ErrorCode::InvalidCursor)
    }
}

impl From<validator::ValidationErrors> for AppError {
    fn from(errs: validator::ValidationErrors) -> Self {
        let mut out = AppError::field_errors(&errs);
        out.sort_by(|a, b| a.field.cmp(&b.field));
        AppError::validation(out)
    }
}

impl AppError {
    /// One entry per field of `validator`'s errors, by JSON path.
    pub fn field_errors(errs: &validator::ValidationErrors) -> Vec<FieldError> {
        let mut out = Vec::new();
        flatten_validation("", errs, &mut out);
        out
    }
}

fn flatten_validation(prefix: &str, errs: &validator::ValidationErrors, out: &mut Vec<FieldError>) {
    use validator::ValidationErrorsKind as K;
    for (field, kind) in errs.errors() {
        let name = crate::i18n::camel_case(field);
        let path = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}.{name}")
        };
        match kind {
            K::Field(list) => {
                if let Some(e) = list.first() {
                    out.push(FieldError {
                        field: path,
                        code: e.code.to_string(),
                        message: e
                            .message
                            .as_ref()
                            .map(|m| m.to_string())
                            .unwrap_or_default(),
                    });
                }
            }
            K::Struct(inner) => flatten_validation(&path, inner, out),
            K::List(items) => {
                for (i, inner) in items {
                    flatten_validation(&format!("{path}[{i}]"), inner, out);
                }
            }
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[should_panic(expected = "raised without the value of a placeholder")]
    fn a_code_raised_without_a_placeholder_value_fails_loudly_in_tests() {
        let _ = AppError::new(ErrorCode::NotFound).problem(Lang::En);
    }

    #[test]
    fn the_problem_carries_the_code_its_kind_and_its_filled_text() {
        let p = AppError::not_found("organization").problem(Lang::En);
        assert_eq!((p.status, p.code.as_str()), (404, "not_found"));
        assert_eq!(p.title, "Not found");
        assert_eq!(p.detail, "No such resource (organization).");
        assert_eq!(p.type_, "https://thidua.example/problems/not_found");
        let p = AppError::unreadable(ErrorCode::MalformedRequest, "malformed request")
            .problem(Lang::Vi);
        assert_eq!(p.detail, "Không đọc được yêu cầu: malformed request");
    }
}
