//! The OpenAPI 3.1 document: generated from the handlers, committed at
//! `openapi/openapi.json`, served at `/api-docs/openapi.json`.

use actix_web::{App, HttpResponse, web};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContactBuilder, InfoBuilder, LicenseBuilder, OpenApi as Doc};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::AppState;

const DESCRIPTION: &str = "\
**Thi đua – khen thưởng** — API của hệ thống quản lý thi đua, khen thưởng cấp tỉnh: \
đơn vị, khối thi đua và nhiệm kỳ hằng năm, giao ước thi đua và chỉ tiêu, báo cáo tiến độ, \
chấm điểm, bỏ phiếu kín chọn đơn vị dẫn đầu, danh hiệu và hình thức khen thưởng.\n\n\
**Emulation and commendation** — the API of a province's emulation work: units, emulation \
blocs and their yearly terms, pledges and their targets, progress reports, scoring, secret \
ballots for leading units, titles and commendations.\n\n\
Conventions: JSON in `camelCase`; errors are RFC 9457 `application/problem+json` with a \
stable `code`, in Vietnamese (default) or English (`Accept-Language: en`); collections are \
keyset-paginated (`limit`, `cursor` → `nextCursor`); writes honour `If-Match` (ETag) and \
`Idempotency-Key`; every change is audited and published on `/api/v1/events`. \
Log in with `POST /api/v1/auth/token`, then press **Authorize** and paste the `accessToken`.\n\n\
Any operation may also answer, whatever it lists: `invalid_value` (422: a value the database \
cannot store), `unknown_reference` (422: an id that refers to nothing), `unique_violation` \
(409: a value that must be unique exists already) and `concurrent_update` (409: retry), when a \
stored constraint refuses what the service did not foresee — never naming the constraint; \
`forbidden` and `malformed_request` (a 403 or 4xx from the HTTP stack itself; a request \
head over 128 KiB or 96 header fields is `request_head_too_large`, 431), \
`not_acceptable` (406), `internal_error` (500, with the request id to quote); a path with \
other methods answers `method_not_allowed` (405, with `Allow`). A `POST` with \
`Idempotency-Key` may answer `invalid_idempotency_key` (400), `idempotency_key_reused` (422: \
the key was used with another request) and `idempotency_in_progress` (409, with `Retry-After`).";

#[derive(OpenApi)]
#[openapi(
    // Relative: the document is served by the server it describes, so Swagger
    // UI and generated clients send to wherever they read it from.
    servers((url = "/", description = "The server this document was read from / Máy chủ phục vụ tài liệu này")),
    tags(
        (name = "health", description = "Liveness and readiness / Tình trạng dịch vụ"),
        (name = "auth", description = "Tokens and the caller / Đăng nhập, mã truy cập"),
        (name = "users", description = "People who log in (admin) / Tài khoản người dùng"),
        (name = "clients", description = "Other systems with client credentials (admin) / Ứng dụng tích hợp"),
        (name = "audit", description = "The append-only audit trail (admin) and its signed checkpoints / Nhật ký kiểm toán và các điểm neo có chữ ký"),
        (name = "events", description = "The ordered change feed / Luồng sự kiện thay đổi"),
        (name = "webhooks", description = "The change feed pushed, signed (Standard Webhooks), to other systems / Webhook: đẩy sự kiện có chữ ký tới hệ thống khác"),
        (name = "deadlines", description = "What each unit must do and by when, its state, and the reminders (rules D1–D9) / Hạn chót và nhắc hạn"),
        (name = "organizations", description = "Units and sub-units, with renames and merges / Đơn vị, phòng trực thuộc"),
        (name = "people", description = "Staff / Cán bộ, công chức, viên chức, người lao động"),
        (name = "blocs", description = "Emulation blocs and their yearly terms (rules B1–B5) / Khối, cụm thi đua và nhiệm kỳ"),
        (name = "pledges", description = "Pledges, signatures, progress reports and compliance (rules P1–P6, T0–T8) / Giao ước thi đua, chỉ tiêu, báo cáo"),
        (name = "evaluation", description = "Year-end scoring, ranking and the secret ballot for leading units (rules E1–E4) / Chấm điểm, xếp hạng, bỏ phiếu kín"),
        (name = "conferences", description = "Bloc conferences, attendees, adopted documents / Hội nghị khối"),
        (name = "imports", description = "Spreadsheets in: staff with their history, organisations, yearly facts, legacy awards; dry run, templates / Nhập dữ liệu từ bảng tính"),
        (name = "titles", description = "Titles and commendations: catalogue, versioned rule sets (C0), yearly facts, registrations, eligibility (C1–C14), proposals, decisions, award history / Danh hiệu thi đua, hình thức khen thưởng"),
    ),
    components(schemas(crate::error::Problem, crate::error::FieldError)),
    modifiers(&Security),
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, doc: &mut Doc) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("Access token from `POST /api/v1/auth/token`"))
                    .build(),
            ),
        );
    }
}

/// Responses every operation can give whatever its handler does: an
/// unreadable path, query, header or body (400), a body too large or of the
/// wrong type (413, 415), a reused `Idempotency-Key` (422), the per-caller
/// rate limit (429), the database unreachable or the request timed out (503).
///
/// Where the handler documents a status itself, the shared codes that status
/// can also carry are added to its description, so that every code an
/// operation can answer is listed on it (issue 14, item 2; checked against
/// real answers by `tests/api/documented_codes.rs` and the Schemathesis gate).
fn add_common_responses(doc: &mut Doc) {
    for (path, item) in doc.paths.paths.iter_mut() {
        let api = path.starts_with("/api/");
        for (method, op) in [
            ("get", &mut item.get),
            ("put", &mut item.put),
            ("post", &mut item.post),
            ("delete", &mut item.delete),
            ("patch", &mut item.patch),
        ]
        .into_iter()
        .filter_map(|(m, op)| op.as_mut().map(|op| (m, op)))
        {
            let shared = shared_codes(path, method, op);
            let r = &mut op.responses.responses;
            ensure(
                r,
                "400",
                &shared.unreadable,
                "the request could not be read",
            );
            if !shared.unprocessable.is_empty() {
                let why = "a value the database cannot store (U+0000 in text), `Idempotency-Key` reused, or limit outside 1–200";
                ensure(r, "422", &shared.unprocessable, why);
            }
            if !shared.conflicts.is_empty() {
                let why =
                    "a concurrent change (retry) or the same `Idempotency-Key` still in flight";
                ensure(r, "409", &shared.conflicts, why);
            }
            if shared.has_body {
                ensure(r, "413", &["payload_too_large"], "");
                let why = "send `Content-Type: application/json`";
                ensure(r, "415", &["unsupported_media_type"], why);
            }
            if api {
                let why = "with `Retry-After`";
                ensure(r, "429", &["rate_limited", "too_many_failed_logins"], why);
            }
            let why = "quote the `requestId` to find it in the log";
            ensure(r, "500", &["internal_error"], why);
            let why = "the database unreachable or the request timed out, with `Retry-After`";
            ensure(r, "503", &["service_unavailable", "request_timeout"], why);
        }
    }
}

/// The codes the shared extractors and middleware can answer on one operation.
struct Shared {
    unreadable: Vec<&'static str>,
    unprocessable: Vec<&'static str>,
    conflicts: Vec<&'static str>,
    has_body: bool,
}

fn shared_codes(path: &str, method: &str, op: &utoipa::openapi::path::Operation) -> Shared {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::path::ParameterIn;
    let has_body = op.request_body.is_some();
    let param = |name: &str, place: ParameterIn| {
        op.parameters.iter().flatten().any(|p| {
            matches!(p, RefOr::T(p) if p.name.eq_ignore_ascii_case(name) && p.parameter_in == place)
        })
    };
    let api = path.starts_with("/api/");
    // The idempotency middleware reads the key of every POST a caller sends
    // (but the token request's, which refuses one).
    let keyed = method == "post" && api && path != "/api/v1/auth/token";
    let mut unreadable = Vec::new();
    if has_body {
        unreadable.extend(["malformed_json", "body_not_an_object", "malformed_body"]);
    }
    if path.contains('{') {
        unreadable.push("invalid_path");
    }
    // `malformed_request`: a request line or header actix cannot read.
    unreadable.extend(["invalid_query", "invalid_cursor", "malformed_request"]);
    if param("If-Match", ParameterIn::Header) {
        unreadable.push("invalid_if_match");
    }
    if keyed {
        unreadable.push("invalid_idempotency_key");
    }
    if path == "/api/v1/auth/token" {
        unreadable.push("idempotency_key_not_supported");
    }
    let mut unprocessable = Vec::new();
    // `limit` out of 1–200 is a field error (PageParams); so is an unknown
    // or missing field of any body.
    if has_body || param("limit", ParameterIn::Query) {
        unprocessable.push("validation_failed");
    }
    if keyed {
        unprocessable.push("idempotency_key_reused");
    }
    // Text the database refuses (U+0000), from a body or a query string.
    let query = op
        .parameters
        .iter()
        .flatten()
        .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Query));
    if api && (has_body || query) {
        unprocessable.push("invalid_value");
    }
    let mut conflicts = Vec::new();
    if api && method != "get" {
        // A serialization failure that outlived the transaction's retries.
        conflicts.push("concurrent_update");
    }
    if keyed {
        conflicts.push("idempotency_in_progress");
    }
    Shared {
        unreadable,
        unprocessable,
        conflicts,
        has_body,
    }
}

/// Make the `status` answer list each of `codes`: a new problem response
/// when the handler documents none, else the missing codes appended to its
/// description.
fn ensure(
    responses: &mut std::collections::BTreeMap<
        String,
        utoipa::openapi::RefOr<utoipa::openapi::Response>,
    >,
    status: &str,
    codes: &[&str],
    why: &str,
) {
    use utoipa::openapi::schema::Ref;
    use utoipa::openapi::{ContentBuilder, RefOr, ResponseBuilder};
    let listed = |c: &str| format!("`{c}`");
    match responses.get_mut(status) {
        Some(RefOr::T(response)) => {
            let missing: Vec<String> = codes
                .iter()
                .filter(|c| !response.description.contains(&listed(c)))
                .map(|c| listed(c))
                .collect();
            if !missing.is_empty() {
                response.description =
                    format!("{}; also {}", response.description, missing.join(", "));
            }
        }
        Some(RefOr::Ref(_)) => {}
        None => {
            let list: Vec<String> = codes.iter().map(|c| listed(c)).collect();
            let description = if why.is_empty() {
                list.join(", ")
            } else {
                format!("{}: {why}", list.join(", "))
            };
            responses.insert(
                status.to_string(),
                RefOr::T(
                    ResponseBuilder::new()
                        .description(description)
                        .content(
                            "application/problem+json",
                            ContentBuilder::new()
                                .schema(Some(Ref::from_schema_name("Problem")))
                                .build(),
                        )
                        .build(),
                ),
            );
        }
    }
}

/// What the shared parsers accept, said once for every operation: a path's
/// `year` (2000–2100), `If-Match`
/// (`extract::IfMatch`: a version, quoted or bare, optionally weak), `Idempotency-Key`
/// (the middleware: 1–255 visible ASCII characters) and `cursor` (an opaque
/// base64url token from `nextCursor`, `domain::paging::Cursor`).
fn constrain_shared_parameters(doc: &mut Doc) {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::schema::{Schema, SchemaType, Type};
    for item in doc.paths.paths.values_mut() {
        for op in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            for p in op.parameters.iter_mut().flatten() {
                let RefOr::T(p) = p else { continue };
                let Some(RefOr::T(Schema::Object(o))) = p.schema.as_mut() else {
                    continue;
                };
                // Optional, but never `null`: a header or query value is text.
                let text = SchemaType::Type(Type::String);
                match (&p.parameter_in, p.name.as_str()) {
                    (ParameterIn::Header, "If-Match") => {
                        o.schema_type = text;
                        o.pattern = Some(r#"^(W/)?("[0-9]{1,9}"|[0-9]{1,9})$"#.into());
                    }
                    (ParameterIn::Header, "Idempotency-Key") => {
                        o.schema_type = text;
                        o.min_length = Some(1);
                        o.max_length = Some(255);
                        o.pattern = Some("^[!-~]+$".into());
                    }
                    (ParameterIn::Path, "year") => {
                        // An emulation year: 2000–2100 everywhere (no term,
                        // facts or report exists outside it).
                        o.minimum.get_or_insert(utoipa::Number::Int(2000));
                        o.maximum.get_or_insert(utoipa::Number::Int(2100));
                    }
                    (ParameterIn::Query, "cursor") => {
                        // Empty is the same as absent: the first page.
                        o.schema_type = text;
                        o.pattern = Some("^[A-Za-z0-9_-]*$".into());
                    }
                    _ => {}
                }
            }
        }
    }
    // A tagged enum's variants do not carry `deny_unknown_fields` into the
    // schema; the token request refuses unknown fields like every body.
    if let Some(RefOr::T(Schema::OneOf(one))) = doc
        .components
        .as_mut()
        .and_then(|c| c.schemas.get_mut("TokenRequest"))
    {
        for v in one.items.iter_mut() {
            if let RefOr::T(Schema::Object(o)) = v {
                o.additional_properties = Some(Box::new(
                    utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
                ));
            }
        }
    }
}

/// Path template → the methods it serves (for the `Allow` header of 405s).
pub fn allowed_methods(doc: &Doc) -> std::collections::HashMap<String, String> {
    doc.paths
        .paths
        .iter()
        .map(|(path, item)| {
            let mut m = Vec::new();
            for (name, op) in [
                ("GET", &item.get),
                ("PUT", &item.put),
                ("POST", &item.post),
                ("DELETE", &item.delete),
                ("PATCH", &item.patch),
            ] {
                if op.is_some() {
                    m.push(name);
                }
            }
            (path.clone(), m.join(", "))
        })
        .collect()
}

/// Build the document from the registered handlers.
pub fn document() -> Doc {
    let (_, mut doc) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(super::routes)
        .split_for_parts();
    let authors = env!("CARGO_PKG_AUTHORS");
    let (name, email) = match authors.split_once('<') {
        Some((n, e)) => (
            n.trim().to_string(),
            Some(e.trim_end_matches('>').trim().to_string()),
        ),
        None => (authors.to_string(), None),
    };
    doc.info = InfoBuilder::new()
        .title("thidua — Thi đua – Khen thưởng API")
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some(DESCRIPTION))
        .contact(Some(
            ContactBuilder::new()
                .name(Some(name))
                .email(email)
                .url(Some(env!("CARGO_PKG_REPOSITORY")))
                .build(),
        ))
        .license(Some(
            LicenseBuilder::new()
                .name(env!("CARGO_PKG_LICENSE"))
                .identifier(Some(env!("CARGO_PKG_LICENSE")))
                .build(),
        ))
        .build();
    add_common_responses(&mut doc);
    constrain_shared_parameters(&mut doc);
    super::links::add_links(&mut doc);
    page_items_by_ref(&mut doc);
    // Rules the derives cannot write.
    super::strict::tighten(&mut doc);
    doc
}

/// `Page<T>` is generic, so utoipa writes each page's (`Page_X`) item schema inline;
/// where that inline schema is exactly a registered component, refer to the
/// component instead (one definition per shape: linters flagged the
/// components as unused, and generated clients named the copies apart).
fn page_items_by_ref(doc: &mut Doc) {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::{ArrayItems, Ref, Schema};
    let Some(components) = doc.components.as_ref() else {
        return;
    };
    let known: Vec<(String, serde_json::Value)> = components
        .schemas
        .iter()
        .filter_map(|(name, s)| Some((name.clone(), serde_json::to_value(s).ok()?)))
        .collect();
    let by_ref = |items: &mut ArrayItems| {
        if let ArrayItems::RefOrSchema(item) = items
            && let RefOr::T(inline) = item.as_ref()
            && let Ok(value) = serde_json::to_value(inline)
            && let Some((name, _)) = known.iter().find(|(_, v)| *v == value)
        {
            **item = RefOr::Ref(Ref::from_schema_name(name.clone()));
        }
    };
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    for (name, schema) in components.schemas.iter_mut() {
        if name.starts_with("Page_")
            && let RefOr::T(Schema::Object(obj)) = schema
            && let Some(RefOr::T(Schema::Array(items))) = obj.properties.get_mut("items")
        {
            by_ref(&mut items.items);
        }
    }
}

/// The document as committed: pretty JSON with a final newline.
pub fn render() -> String {
    render_doc(&document())
}

pub fn render_doc(doc: &Doc) -> String {
    let mut s = doc
        .to_pretty_json()
        .expect("the OpenAPI document serialises");
    s.push('\n');
    s
}

pub async fn serve(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(state.openapi_json.clone())
}
