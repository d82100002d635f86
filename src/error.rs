//! One error type for the whole service, rendered as RFC 9457 problem+json
//! with a stable `code` and Vietnamese (default) or English text.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::i18n::{Lang, current_lang};
use crate::telemetry::current_request_id;

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

/// Everything that can go wrong in a request. Each variant knows its status,
/// its stable code and its text in both languages.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("bad request: {code}")]
    BadRequest { code: &'static str, detail: String },
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// 422 with field errors that depend on the data or on several fields at
    /// once (a person who is not the unit's staff, a subject listed twice),
    /// under its own code so clients and the spec tell them from shape errors.
    #[error("invalid: {code}")]
    Invalid {
        code: &'static str,
        errors: Vec<FieldError>,
    },
    #[error("unprocessable: {code}")]
    Unprocessable {
        code: &'static str,
        vi: String,
        en: String,
    },
    #[error("unauthenticated")]
    Unauthenticated,
    #[error("forbidden: {code}")]
    Forbidden {
        code: &'static str,
        vi: String,
        en: String,
    },
    #[error("not found")]
    NotFound { entity: &'static str },
    #[error("method not allowed")]
    MethodNotAllowed { allow: Option<String> },
    #[error("conflict: {code}")]
    Conflict {
        code: &'static str,
        vi: String,
        en: String,
    },
    /// 409 with the failed rules listed in `errors` (field = the row, code =
    /// the rule id): eligibility refusals and quotas.
    #[error("refused: {code}")]
    Refused {
        code: &'static str,
        vi: String,
        en: String,
        errors: Vec<RuleFailure>,
    },
    #[error("version conflict")]
    VersionConflict { current: i32 },
    #[error("payload too large")]
    PayloadTooLarge { limit: usize },
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("not acceptable")]
    NotAcceptable,
    #[error("rate limited: {code}")]
    TooManyRequests {
        code: &'static str,
        retry_after_secs: u64,
    },
    #[error("database unavailable")]
    Unavailable { retry_after_secs: u64 },
    /// Every password-hashing slot stayed taken for the login's whole wait.
    #[error("login busy")]
    LoginBusy { retry_after_secs: u64 },
    /// The database session broke under the request (server restarted,
    /// backend terminated): answered like `Unavailable`, and the pool
    /// discards that connection instead of handing it to the next request.
    #[error("database connection lost")]
    ConnectionLost,
    #[error("request timed out")]
    Timeout,
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        AppError::BadRequest {
            code,
            detail: detail.into(),
        }
    }
    pub fn conflict(code: &'static str, vi: impl Into<String>, en: impl Into<String>) -> Self {
        AppError::Conflict {
            code,
            vi: vi.into(),
            en: en.into(),
        }
    }
    pub fn forbidden(code: &'static str, vi: impl Into<String>, en: impl Into<String>) -> Self {
        AppError::Forbidden {
            code,
            vi: vi.into(),
            en: en.into(),
        }
    }
    pub fn unprocessable(code: &'static str, vi: impl Into<String>, en: impl Into<String>) -> Self {
        AppError::Unprocessable {
            code,
            vi: vi.into(),
            en: en.into(),
        }
    }
    pub fn invalid(code: &'static str, errors: Vec<FieldError>) -> Self {
        AppError::Invalid { code, errors }
    }
    pub fn internal(e: impl std::fmt::Display) -> Self {
        AppError::Internal(e.to_string())
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest { code, .. } => code,
            AppError::Validation(_) => "validation_failed",
            AppError::Invalid { code, .. } => code,
            AppError::Unprocessable { code, .. } => code,
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden { code, .. } => code,
            AppError::NotFound { .. } => "not_found",
            AppError::MethodNotAllowed { .. } => "method_not_allowed",
            AppError::Conflict { code, .. } => code,
            AppError::Refused { code, .. } => code,
            AppError::VersionConflict { .. } => "version_conflict",
            AppError::PayloadTooLarge { .. } => "payload_too_large",
            AppError::UnsupportedMediaType => "unsupported_media_type",
            AppError::NotAcceptable => "not_acceptable",
            AppError::TooManyRequests { code, .. } => code,
            AppError::Unavailable { .. } | AppError::ConnectionLost => "service_unavailable",
            AppError::LoginBusy { .. } => "login_busy",
            AppError::Timeout => "request_timeout",
            AppError::Internal(_) => "internal_error",
        }
    }

    /// (title, detail) in the requested language.
    fn texts(&self, lang: Lang) -> (String, String) {
        let t = |vi: &str, en: &str| -> String { lang.pick(vi, en).to_string() };
        match self {
            AppError::BadRequest { detail, .. } => {
                (t("Yêu cầu không hợp lệ", "Bad request"), {
                    let lead = t("Không đọc được yêu cầu", "The request could not be read");
                    format!("{lead}: {detail}")
                })
            }
            AppError::Validation(_) | AppError::Invalid { .. } => (
                t("Dữ liệu không hợp lệ", "Validation failed"),
                t(
                    "Một hoặc nhiều trường không hợp lệ.",
                    "One or more fields are invalid.",
                ),
            ),
            AppError::Unprocessable { vi, en, .. } => (
                t("Không thể xử lý yêu cầu", "Unprocessable request"),
                lang.pick(vi, en).to_string(),
            ),
            AppError::Unauthenticated => (
                t("Chưa xác thực", "Unauthenticated"),
                t(
                    "Thiếu hoặc sai mã truy cập (Bearer token).",
                    "A valid bearer token is required.",
                ),
            ),
            AppError::Forbidden { vi, en, .. } => (
                t("Không có quyền", "Forbidden"),
                lang.pick(vi, en).to_string(),
            ),
            AppError::NotFound { entity } => (
                t("Không tìm thấy", "Not found"),
                match lang {
                    Lang::Vi => format!("Không tìm thấy tài nguyên ({entity})."),
                    Lang::En => format!("No such resource ({entity})."),
                },
            ),
            AppError::MethodNotAllowed { .. } => (
                t("Phương thức không được hỗ trợ", "Method not allowed"),
                t(
                    "Đường dẫn này không hỗ trợ phương thức HTTP đã gửi.",
                    "This path does not support the HTTP method used.",
                ),
            ),
            AppError::Conflict { vi, en, .. } => (
                t("Xung đột với quy tắc nghiệp vụ", "Conflict"),
                lang.pick(vi, en).to_string(),
            ),
            AppError::Refused { vi, en, .. } => (
                t("Không đạt điều kiện", "Refused by the rules"),
                lang.pick(vi, en).to_string(),
            ),
            AppError::VersionConflict { current } => (
                t("Phiên bản không khớp", "Version conflict"),
                match lang {
                    Lang::Vi => format!(
                        "Tài nguyên đã bị thay đổi (phiên bản hiện tại {current}); hãy tải lại và thử lại."
                    ),
                    Lang::En => format!(
                        "The resource has changed (current version {current}); reload it and retry."
                    ),
                },
            ),
            AppError::PayloadTooLarge { limit } => (
                t("Nội dung quá lớn", "Payload too large"),
                match lang {
                    Lang::Vi => format!("Nội dung yêu cầu vượt quá {limit} byte."),
                    Lang::En => format!("The request body exceeds {limit} bytes."),
                },
            ),
            AppError::UnsupportedMediaType => (
                t("Kiểu nội dung không được hỗ trợ", "Unsupported media type"),
                t(
                    "Hãy gửi Content-Type: application/json.",
                    "Send Content-Type: application/json.",
                ),
            ),
            AppError::NotAcceptable => (
                t("Không có định dạng phù hợp", "Not acceptable"),
                t(
                    "Không thể trả lời theo định dạng trong Accept.",
                    "No representation matches the Accept header.",
                ),
            ),
            AppError::TooManyRequests {
                retry_after_secs, ..
            } => (
                t("Quá nhiều yêu cầu", "Too many requests"),
                match lang {
                    Lang::Vi => format!("Hãy thử lại sau {retry_after_secs} giây."),
                    Lang::En => format!("Retry after {retry_after_secs} seconds."),
                },
            ),
            AppError::Unavailable { .. } | AppError::ConnectionLost => (
                t("Dịch vụ tạm thời không sẵn sàng", "Service unavailable"),
                t(
                    "Cơ sở dữ liệu tạm thời không truy cập được; hãy thử lại sau.",
                    "The database is temporarily unreachable; retry later.",
                ),
            ),
            AppError::LoginBusy { retry_after_secs } => (
                t("Dịch vụ tạm thời không sẵn sàng", "Service unavailable"),
                match lang {
                    Lang::Vi => format!(
                        "Máy chủ đang bận kiểm tra các lần đăng nhập khác; hãy thử lại sau {retry_after_secs} giây."
                    ),
                    Lang::En => format!(
                        "The server is busy checking other logins; retry in {retry_after_secs} seconds."
                    ),
                },
            ),
            AppError::Timeout => (
                t("Hết thời gian xử lý", "Request timed out"),
                t(
                    "Yêu cầu không hoàn thành trong thời gian cho phép.",
                    "The request did not complete in time.",
                ),
            ),
            AppError::Internal(_) => (
                t("Lỗi hệ thống", "Internal error"),
                t(
                    "Đã xảy ra lỗi không mong muốn; mã yêu cầu giúp tra cứu nhật ký.",
                    "An unexpected error occurred; quote the request id to find it in the logs.",
                ),
            ),
        }
    }

    /// The problem body in a given language (used by tests and the renderer).
    pub fn problem(&self, lang: Lang) -> Problem {
        let (title, detail) = self.texts(lang);
        let request_id = current_request_id();
        let errors = match self {
            AppError::Validation(errs) | AppError::Invalid { errors: errs, .. } => errs
                .iter()
                .map(|e| FieldError {
                    field: e.field.clone(),
                    code: e.code.clone(),
                    message: crate::i18n::field_message(&e.code, lang, &e.message),
                })
                .collect(),
            AppError::Refused { errors, .. } => errors
                .iter()
                .map(|e| FieldError {
                    field: e.field.clone(),
                    code: e.rule.clone(),
                    message: lang.pick(&e.vi, &e.en).to_string(),
                })
                .collect(),
            _ => Vec::new(),
        };
        Problem {
            type_: format!("{PROBLEM_TYPE_BASE}{}", self.code()),
            title,
            status: self.status_code().as_u16(),
            detail,
            code: self.code().to_string(),
            instance: request_id.as_ref().map(|id| format!("urn:request:{id}")),
            request_id,
            errors,
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Validation(_) | AppError::Invalid { .. } | AppError::Unprocessable { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden { .. } => StatusCode::FORBIDDEN,
            AppError::NotFound { .. } => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict { .. } | AppError::Refused { .. } => StatusCode::CONFLICT,
            AppError::VersionConflict { .. } => StatusCode::PRECONDITION_FAILED,
            AppError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::NotAcceptable => StatusCode::NOT_ACCEPTABLE,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable { .. }
            | AppError::LoginBusy { .. }
            | AppError::ConnectionLost
            | AppError::Timeout => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::Internal(msg) = self {
            tracing::error!(error = %msg, "internal error");
        }
        let body = self.problem(current_lang());
        let mut res = HttpResponse::build(self.status_code());
        res.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        match self {
            AppError::TooManyRequests {
                retry_after_secs, ..
            }
            | AppError::Unavailable { retry_after_secs }
            | AppError::LoginBusy { retry_after_secs } => {
                res.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            AppError::Timeout | AppError::ConnectionLost => {
                res.insert_header((header::RETRY_AFTER, "1"));
            }
            AppError::MethodNotAllowed { allow: Some(allow) } => {
                res.insert_header((header::ALLOW, allow.clone()));
            }
            AppError::Unauthenticated => {
                res.insert_header((
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"thidua\""),
                ));
            }
            _ => {}
        }
        res.body(serde_json::to_vec(&body).unwrap_or_default())
    }
}

/// Database errors: connection trouble is a 503 (retry), constraint
/// violations the service did not translate are a 409; anything else is a 500
/// whose text never reaches the client.
impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind as K, Error as E};
        match &e {
            E::NotFound => AppError::NotFound { entity: "resource" },
            E::DatabaseError(K::UnableToSendCommand | K::ClosedConnection, _) => {
                AppError::ConnectionLost
            }
            E::DatabaseError(
                kind @ (K::UniqueViolation | K::ForeignKeyViolation | K::CheckViolation),
                info,
            ) => {
                let name = info.constraint_name().unwrap_or("");
                // The constraint's name is for the log: no answer names a database object.
                tracing::info!(
                    constraint = name,
                    "constraint violation not translated by the service"
                );
                constraint_error(kind, name)
            }
            E::DatabaseError(K::SerializationFailure, _) => AppError::conflict(
                "concurrent_update",
                "Có thay đổi đồng thời; hãy thử lại.",
                "A concurrent change interfered; retry.",
            ),
            E::DatabaseError(_, info) if is_connection_lost_message(info.message()) => {
                AppError::ConnectionLost
            }
            E::DatabaseError(_, info) if is_timeout_message(info.message()) => {
                AppError::Unavailable {
                    retry_after_secs: 2,
                }
            }
            E::DatabaseError(_, info) if is_data_exception_message(info.message()) => {
                AppError::unprocessable(
                    "invalid_value",
                    "Một giá trị không lưu được (ký tự điều khiển, ngày hoặc số ngoài phạm vi, chuỗi quá dài).",
                    "A value cannot be stored (a control character, a date or number out of range, text too long).",
                )
            }
            E::BrokenTransactionManager => AppError::ConnectionLost,
            _ => AppError::Internal(e.to_string()),
        }
    }
}

/// A constraint the service did not translate, as the API's own code: the
/// named rule constraints by their rule, then by kind — a unique index is a
/// 409 (`unique_violation`: the thing exists), a foreign key a 422 naming what
/// is unknown, a CHECK a 422 `invalid_value`. Never the constraint's name.
fn constraint_error(kind: &diesel::result::DatabaseErrorKind, name: &str) -> AppError {
    use crate::domain::RuleViolation as R;
    use diesel::result::DatabaseErrorKind as K;
    match name {
        "pledge_targets_t2" => {
            return R::InvalidTarget {
                reason: "outside its kind's bounds",
            }
            .into();
        }
        "progress_reports_t4" => {
            return R::InvalidReportValues {
                reason: "0 ≤ numerator ≤ denominator, denominator > 0",
            }
            .into();
        }
        "pledge_signatures_once" => return R::AlreadySigned.into(),
        "term_members_one_bloc_per_year" => {
            return R::AlreadyInBloc {
                unit: String::new(),
                bloc: String::new(),
            }
            .into();
        }
        "users_org_for_unit_roles" => {
            return AppError::unprocessable(
                "organization_required",
                "Lãnh đạo và cán bộ đơn vị phải thuộc một đơn vị (organizationId).",
                "Leaders and officers must belong to an organisation (organizationId).",
            );
        }
        _ => {}
    }
    match kind {
        K::UniqueViolation => AppError::conflict(
            "unique_violation",
            "Giá trị đã tồn tại.",
            "The value already exists.",
        ),
        K::ForeignKeyViolation
            if name.ends_with("organization_id_fkey") || name.ends_with("organization_fk") =>
        {
            AppError::unprocessable(
                "unknown_organization",
                "Không có đơn vị được tham chiếu.",
                "The organisation referred to does not exist.",
            )
        }
        K::ForeignKeyViolation if name.ends_with("person_id_fkey") => AppError::unprocessable(
            "unknown_person",
            "Không có cá nhân được tham chiếu.",
            "The person referred to does not exist.",
        ),
        K::ForeignKeyViolation => AppError::unprocessable(
            "unknown_reference",
            "Một mã định danh trong yêu cầu không trỏ tới bản ghi nào.",
            "An id in the request refers to nothing.",
        ),
        _ => AppError::unprocessable(
            "invalid_value",
            "Một giá trị không lưu được (ký tự điều khiển, ngày hoặc số ngoài phạm vi, chuỗi quá dài, chuỗi rỗng).",
            "A value cannot be stored (a control character, a date or number out of range, text too long or empty).",
        ),
    }
}

/// Messages of SQLSTATE class 22 (data exception): the value sent is wrong.
fn is_data_exception_message(msg: &str) -> bool {
    const MARKERS: [&str; 8] = [
        "invalid byte sequence",
        "unsupported unicode escape",
        "cannot be converted to text",
        "out of range",
        "value too long",
        "invalid input syntax",
        "null character not permitted",
        "invalid escape string",
    ];
    let m = msg.to_ascii_lowercase();
    MARKERS.iter().any(|k| m.contains(k))
}

/// Messages of SQLSTATE classes 08 (connection) and 57P (operator
/// intervention: shutdown, terminated backend): the session is gone, the
/// request may succeed when retried on a new one.
fn is_connection_lost_message(msg: &str) -> bool {
    const MARKERS: [&str; 5] = [
        "terminating connection",
        "the database system is",
        "connection closed",
        "server closed the connection",
        "could not connect",
    ];
    let m = msg.to_ascii_lowercase();
    MARKERS.iter().any(|k| m.contains(k))
}

/// Statement and lock timeouts (57014, 55P03): the session is fine, the
/// request may succeed when retried.
fn is_timeout_message(msg: &str) -> bool {
    let m = msg.to_ascii_lowercase();
    m.contains("statement timeout") || m.contains("lock timeout")
}

impl From<crate::db::PoolError> for AppError {
    fn from(e: crate::db::PoolError) -> Self {
        tracing::warn!(error = %e, "database pool unavailable");
        AppError::Unavailable {
            retry_after_secs: 2,
        }
    }
}

impl From<validator::ValidationErrors> for AppError {
    fn from(errs: validator::ValidationErrors) -> Self {
        let mut out = Vec::new();
        flatten_validation("", &errs, &mut out);
        out.sort_by(|a, b| a.field.cmp(&b.field));
        AppError::Validation(out)
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

/// Every domain rule violation has its own stable code (409, or 422 for
/// references to things that do not exist).
impl From<crate::domain::RuleViolation> for AppError {
    fn from(v: crate::domain::RuleViolation) -> Self {
        use crate::domain::RuleViolation as R;
        match v {
            R::AlreadyInBloc { unit, .. } if unit.is_empty() => AppError::conflict(
                "already_in_bloc",
                "B1: một đơn vị trong danh sách vừa được đưa vào khối khác trong năm này; mỗi đơn vị chỉ thuộc một khối mỗi năm.",
                "B1: a unit in the list was just added to another bloc for that year; a unit belongs to one bloc per year.",
            ),
            R::AlreadyInBloc { unit, bloc } => AppError::conflict(
                "already_in_bloc",
                format!(
                    "B1: đơn vị {unit} đã là thành viên khối {bloc} trong năm này; mỗi đơn vị chỉ thuộc một khối mỗi năm."
                ),
                format!(
                    "B1: unit {unit} is already a member of bloc {bloc} that year; a unit belongs to one bloc per year."
                ),
            ),
            R::HeadDeputyInvalid { reason } => AppError::conflict(
                "head_deputy_invalid",
                format!(
                    "B2: trưởng khối và phó khối phải là hai đơn vị thành viên khác nhau ({}).",
                    match reason {
                        "head is not a member" => "trưởng khối không phải thành viên",
                        "deputy is not a member" => "phó khối không phải thành viên",
                        _ => "trưởng và phó khối là cùng một đơn vị",
                    }
                ),
                format!("B2: head and deputy must be two different member units ({reason})."),
            ),
            R::HeadTwoYearsRunning { unit, year } => AppError::conflict(
                "head_two_years_running",
                format!(
                    "B3: đơn vị {unit} đã làm trưởng khối năm {year}; không làm trưởng khối hai năm liền."
                ),
                format!(
                    "B3: unit {unit} was head in {year}; the same unit is not head two years running."
                ),
            ),
            R::TermFrozen => AppError::conflict(
                "term_frozen",
                "B4: giao ước của nhiệm kỳ đã mở ký; chỉ quản trị được thay đổi thành viên, trưởng, phó khối, kèm lý do.",
                "B4: the term's pledge is open; only the admin may change members, head or deputy, with a written reason.",
            ),
            R::MemberNotAUnit { what } => AppError::conflict(
                "member_not_a_unit",
                format!(
                    "B5: {what} không phải là đơn vị; phòng trực thuộc và cá nhân không là thành viên khối."
                ),
                format!("B5: {what} is not a unit; sub-units and staff cannot be bloc members."),
            ),
            R::DuplicateMember => AppError::unprocessable(
                "duplicate_member",
                "Một đơn vị được liệt kê hai lần.",
                "A unit is listed twice.",
            ),
            R::UnknownOrganization { id } => AppError::unprocessable(
                "unknown_organization",
                format!("Không có đơn vị {id}."),
                format!("There is no organisation {id}."),
            ),
            R::PledgeExists => AppError::conflict(
                "pledge_exists",
                "P1: nhiệm kỳ này đã có giao ước thi đua (chưa rút).",
                "P1: this term already has a pledge that is not withdrawn.",
            ),
            R::InvalidTransition { from, action } => AppError::conflict(
                "invalid_transition",
                format!(
                    "P2: không thể {action} giao ước đang ở trạng thái {from}; giao ước chỉ đi tiếp: draft → open → in_force → closed, draft|open → withdrawn."
                ),
                format!(
                    "P2: cannot {action} a pledge that is {from}; pledges only move forward: draft → open → in_force → closed, draft|open → withdrawn."
                ),
            ),
            R::NotHeadUnit => AppError::forbidden(
                "not_head_unit",
                "P2: chỉ lãnh đạo, cán bộ của đơn vị trưởng khối hoặc quản trị được thực hiện.",
                "P2: only the head unit's leader or officers, or the admin, may do this.",
            ),
            R::PledgeNotDraft { status } => AppError::conflict(
                "pledge_not_draft",
                format!(
                    "P3: nội dung, chỉ tiêu chỉ sửa được khi giao ước là bản nháp (đang: {status})."
                ),
                format!(
                    "P3: items and targets change only while the pledge is a draft (it is {status})."
                ),
            ),
            R::PledgeHasNoItems => AppError::conflict(
                "pledge_has_no_items",
                "P3: giao ước cần ít nhất một nội dung trước khi mở ký.",
                "P3: a pledge needs at least one item before it opens.",
            ),
            R::PledgeNotOpen { status } => AppError::conflict(
                "pledge_not_open",
                format!("P4: chỉ ký khi giao ước đang mở ký (đang: {status})."),
                format!("P4: signing is possible only while the pledge is open (it is {status})."),
            ),
            R::NotAMember => AppError::conflict(
                "not_a_member",
                "P4: đơn vị không phải thành viên khối trong năm của giao ước.",
                "P4: the unit is not a member of the pledge's term.",
            ),
            R::AlreadySigned => AppError::conflict(
                "already_signed",
                "P4: đơn vị đã ký giao ước này.",
                "P4: the unit has already signed this pledge.",
            ),
            R::SignedInFuture => AppError::conflict(
                "signed_in_future",
                "P4: thời điểm ký không thể ở tương lai.",
                "P4: the signing time cannot be in the future.",
            ),
            R::PledgeReadOnly { status } => AppError::conflict(
                "pledge_read_only",
                format!("P6: giao ước đã {status}, chỉ được xem."),
                format!("P6: the pledge is {status} and read-only."),
            ),
            R::InvalidTarget { reason } => AppError::unprocessable(
                "invalid_target",
                format!("T2: chỉ tiêu không hợp lệ ({reason})."),
                format!("T2: invalid target ({reason})."),
            ),
            R::PledgeNotInForce { status } => AppError::conflict(
                "pledge_not_in_force",
                format!("T3: chỉ báo cáo khi giao ước đã có hiệu lực (đang: {status})."),
                format!(
                    "T3: reports are accepted only while the pledge is in force (it is {status})."
                ),
            ),
            R::PeriodOutsideYear { year, pledge_year } => AppError::conflict(
                "period_outside_year",
                format!("T3: kỳ báo cáo năm {year} nằm ngoài năm của giao ước ({pledge_year})."),
                format!("T3: the period's year {year} is outside the pledge year {pledge_year}."),
            ),
            R::InvalidPeriod => AppError::unprocessable(
                "invalid_period",
                "T3: kỳ báo cáo phải là M01..M12, Q1..Q4, H1, H2 hoặc Y (có thể kèm năm, ví dụ 2021-Q1).",
                "T3: the period is one of M01..M12, Q1..Q4, H1, H2, Y (optionally with the year, e.g. 2021-Q1).",
            ),
            R::UnknownTarget => AppError::unprocessable(
                "unknown_target",
                "T3: chỉ tiêu không thuộc giao ước này.",
                "T3: the target does not belong to this pledge.",
            ),
            R::InvalidReportValues { reason } => AppError::unprocessable(
                "invalid_report_values",
                format!("T4: số liệu không hợp lệ ({reason})."),
                format!("T4: invalid values ({reason})."),
            ),
            R::SchemeFrozen => AppError::conflict(
                "scheme_frozen",
                "E1: thang điểm đã cố định vì đã có điểm được nhập.",
                "E1: the scoring scheme is fixed because scores have been entered.",
            ),
            R::InvalidScheme { reason } => AppError::unprocessable(
                "invalid_scheme",
                format!("E1: thang điểm không hợp lệ ({reason})."),
                format!("E1: invalid scoring scheme ({reason})."),
            ),
            R::PointsOutOfBounds { reason } => AppError::unprocessable(
                "points_out_of_bounds",
                format!("E2: điểm ngoài giới hạn ({reason})."),
                format!("E2: points out of bounds ({reason})."),
            ),
            R::SheetLocked { status } => AppError::conflict(
                "sheet_locked",
                format!("E2: phiếu chấm đã {status}; chỉ quản trị mở lại được."),
                format!("E2: the score sheet is {status}; only the admin can reopen it."),
            ),
            R::NotAReviewer => AppError::forbidden(
                "not_a_reviewer",
                "E2: đơn vị không được phân công chấm chéo đơn vị này (và không tự chấm chéo chính mình).",
                "E2: the unit is not assigned to cross-score this unit (and never scores itself).",
            ),
            R::BallotClosed => AppError::conflict(
                "ballot_closed",
                "E4: cuộc bỏ phiếu đã kết thúc.",
                "E4: the ballot is closed.",
            ),
            R::AlreadyVoted => AppError::conflict(
                "already_voted",
                "E4: đơn vị đã bỏ phiếu.",
                "E4: the unit has already voted.",
            ),
            R::InvalidChoices { reason } => AppError::unprocessable(
                "invalid_choices",
                format!("E4: lá phiếu không hợp lệ ({reason})."),
                format!("E4: invalid ballot ({reason})."),
            ),
            R::ResultsHidden => AppError::conflict(
                "results_hidden",
                "E4: kết quả chỉ công bố khi kết thúc bỏ phiếu hoặc mọi thành viên đã bỏ phiếu.",
                "E4: results are shown only once the ballot closes or every member has voted.",
            ),
            R::ReportingClosed { cutoff } => AppError::conflict(
                "reporting_closed",
                format!("T8: đã quá hạn báo cáo của nhiệm kỳ ({cutoff}); quản trị có thể dời hạn."),
                format!(
                    "T8: the term's reporting cut-off ({cutoff}) has passed; the admin may move it."
                ),
            ),
            R::ParentNotAUnit { parent } => AppError::conflict(
                "parent_not_a_unit",
                format!(
                    "Đơn vị cấp trên {parent} phải là đơn vị (không phải phòng trực thuộc), và đơn vị có phòng trực thuộc không thể thành phòng trực thuộc."
                ),
                format!(
                    "The parent {parent} must be a unit (not a sub-unit), and a unit with sub-units cannot become a sub-unit."
                ),
            ),
            R::InvalidRuleSet { reason } => AppError::unprocessable(
                "invalid_rule_set",
                format!("C0: tham số bộ quy tắc không hợp lệ ({reason})."),
                format!("C0: invalid rule set parameters ({reason})."),
            ),
            R::RuleSetInUse => AppError::conflict(
                "rule_set_in_use",
                "C0: bộ quy tắc đã được dùng trong một quyết định nên không sửa được; hãy tạo phiên bản mới.",
                "C0: the rule set has been used by a decision and cannot change; create a new version.",
            ),
            R::NoRuleSet { year } => AppError::conflict(
                "no_rule_set",
                format!("C0: không có bộ quy tắc nào có hiệu lực ngày 31/12/{year}."),
                format!("C0: no rule set is in force on 31 December {year}."),
            ),
            R::SubjectKindMismatch { award, expected } => AppError::unprocessable(
                "subject_kind_mismatch",
                format!(
                    "{award} dành cho {}.",
                    if expected == "person" {
                        "cá nhân"
                    } else {
                        "tập thể"
                    }
                ),
                format!("{award} is awarded to a {expected}."),
            ),
            R::ProposalTransition { from, action } => AppError::conflict(
                "invalid_transition",
                format!(
                    "Không thể {action} đề nghị đang ở trạng thái {from}; đề nghị đi theo: draft → submitted → returned|approved|rejected, returned → submitted, approved → decided."
                ),
                format!(
                    "Cannot {action} a proposal that is {from}; proposals move draft → submitted → returned|approved|rejected, returned → submitted, approved → decided."
                ),
            ),
            R::RegistrationClosed { deadline } => AppError::conflict(
                "registration_closed",
                format!(
                    "Đã quá hạn đăng ký thi đua của nhiệm kỳ ({deadline}); quản trị có thể dời hạn."
                ),
                format!(
                    "The term's registration deadline ({deadline}) has passed; the admin may move it."
                ),
            ),
            R::AwardRevoked => AppError::conflict(
                "award_revoked",
                "C14: khen thưởng này đã bị hủy bỏ.",
                "C14: this award is already revoked.",
            ),
        }
    }
}
