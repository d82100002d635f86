//! Extractors every handler uses: validated JSON and query strings, the
//! caller, `If-Match`, and the parse-error handlers that route actix's own
//! errors into problem+json.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::AppState;
use crate::auth::Principal;
use crate::auth::jwt::Claims;
use crate::domain::paging::PageRequest;
use crate::error::{AppError, ErrorCode};
use crate::service;

/// JSON body, deserialised (400 on malformed JSON or wrong types, 422 on
/// unknown fields) and validated (422 with one entry per field).
pub struct ValidatedJson<T>(pub T);

impl<T> ValidatedJson<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned + Validate + ToSchema + 'static> FromRequest for ValidatedJson<T> {
    // Parse errors arrive already shaped by the `JsonConfig` error handler.
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, actix_web::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let fut = web::Json::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move {
            let json = fut.await?.into_inner();
            Ok(ValidatedJson(typed_body(json)?))
        })
    }
}

/// A parsed body becomes the request type: its top level must be an object
/// (serde would otherwise fill a struct's fields from an array in order,
/// around `deny_unknown_fields` and the documented shape), then it is
/// deserialised and validated.
pub(crate) fn typed_body<T: DeserializeOwned + Validate + ToSchema>(
    json: serde_json::Value,
) -> Result<T, AppError> {
    let value: T = read_object(json, Some(&T::name()))?;
    value.validate().map_err(AppError::from)?;
    Ok(value)
}

/// A JSON object body as `T` (400 `body_not_an_object` for anything else);
/// for the bodies a handler reads itself, such as the token request.
pub fn object_body<T: DeserializeOwned>(json: serde_json::Value) -> Result<T, AppError> {
    read_object(json, None)
}

/// The object as `T`; when serde refuses it and the body's published schema
/// is known, every problem is listed with its path (`body_schema`).
fn read_object<T: DeserializeOwned>(
    mut json: serde_json::Value,
    schema: Option<&str>,
) -> Result<T, AppError> {
    if !json.is_object() {
        return Err(AppError::new(ErrorCode::BodyNotAnObject));
    }
    integral_numbers(&mut json);
    T::deserialize(&json).map_err(|e| {
        schema
            .and_then(|name| super::body_schema::problem(name, &json))
            .unwrap_or_else(|| json_error(actix_web::error::JsonPayloadError::Deserialize(e)))
    })
}

/// An optional JSON body (the reason of an action): no body at all is
/// `None`; anything else is read exactly as `ValidatedJson` reads it —
/// `Content-Type: application/json` (415), well-formed (400), an object
/// (400), no unknown fields and every limit (422) — so an action never runs
/// with a body it silently ignored.
pub struct OptionalJson<T>(pub Option<T>);

impl<T> OptionalJson<T> {
    pub fn into_inner(self) -> Option<T> {
        self.0
    }
}

impl<T: DeserializeOwned + Validate + ToSchema + 'static> FromRequest for OptionalJson<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, actix_web::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let bytes = web::Bytes::from_request(req, payload);
        let json_type = req.mime_type().ok().flatten().is_some_and(|m| {
            m.subtype() == actix_web::mime::JSON || m.suffix() == Some(actix_web::mime::JSON)
        });
        let limit = req
            .app_data::<web::Data<AppState>>()
            .map(|s| s.config.body_limit);
        Box::pin(async move {
            let bytes = bytes.await.map_err(|e| payload_error(e, limit))?;
            if bytes.is_empty() {
                return Ok(OptionalJson(None));
            }
            if !json_type {
                return Err(AppError::unsupported_media_type().into());
            }
            let json: serde_json::Value = serde_json::from_slice(&bytes)
                .map_err(|e| json_error(actix_web::error::JsonPayloadError::Deserialize(e)))?;
            // `null` is "no body" too: the document says the body is nullable.
            if json.is_null() {
                return Ok(OptionalJson(None));
            }
            Ok(OptionalJson(Some(typed_body(json)?)))
        })
    }
}

/// JSON (and the spec's JSON Schema) has numbers, not integers: `45.0` is
/// the integer 45 there, so an integral number is read as an integer.
fn integral_numbers(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Number(n) if !n.is_i64() && !n.is_u64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f)
            {
                *v = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_numbers),
        Value::Object(map) => map.values_mut().for_each(integral_numbers),
        _ => {}
    }
}

/// Query string, deserialised (400) and validated (422).
pub struct ValidatedQuery<T>(pub T);

impl<T: DeserializeOwned + Validate + 'static> FromRequest for ValidatedQuery<T> {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready((|| {
            let q = web::Query::<T>::from_query(req.query_string())
                .map_err(|e| AppError::unreadable(ErrorCode::InvalidQuery, e.to_string()))?
                .into_inner();
            q.validate()?;
            Ok(ValidatedQuery(q))
        })())
    }
}

/// `limit` and `cursor`: the page of any collection, described once.
#[derive(Debug, Default, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page size (1–200, default 50).
    #[validate(range(min = 1, max = 200))]
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `nextCursor` of the previous page (or take the `Link` header's
    /// `rel="next"` URL as it is).
    pub cursor: Option<String>,
}

/// The filter of a collection that has none: any parameter but `limit`
/// and `cursor` is refused.
#[derive(Debug, Default, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct NoFilter {}

/// A list request's query string: the collection's own filter `Q` and its
/// page (`PageParams`), read once, each part deserialised (400) and
/// validated (422, every field's error together). `Q` keeps
/// `deny_unknown_fields`: `limit` and `cursor` (and `format`, read by
/// `ExportParams`) are taken out before it reads.
/// Document both: `params(OrganizationQuery, PageParams)` (and
/// `ExportParams` where the list exports).
pub struct ListQuery<Q> {
    pub filter: Q,
    pub page: PageRequest,
    /// `?format=` (`ExportParams`): a list may answer as a workbook.
    pub format: Option<crate::api::export::ExportFormat>,
}

impl<Q: DeserializeOwned + Validate + 'static> FromRequest for ListQuery<Q> {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(list_query(req.query_string(), false))
    }
}

/// A list that also exports: `ListQuery` with `format` read (`ExportParams`).
pub struct ExportListQuery<Q>(pub ListQuery<Q>);

impl<Q: DeserializeOwned + Validate + 'static> FromRequest for ExportListQuery<Q> {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(list_query(req.query_string(), true).map(ExportListQuery))
    }
}

fn list_query<Q: DeserializeOwned + Validate>(
    query: &str,
    exports: bool,
) -> Result<ListQuery<Q>, AppError> {
    // Split the raw query string by key (decoded as actix decodes it), so
    // each part is read by the same decoder a plain `web::Query` uses.
    let has_key = |segment: &str, keys: &[&str]| {
        web::Query::<Vec<(String, String)>>::from_query(segment)
            .map(|q| q.iter().any(|(k, _)| keys.contains(&k.as_str())))
            .unwrap_or(false)
    };
    let (export, query): (Vec<&str>, Vec<&str>) = query
        .split('&')
        .filter(|s| !s.is_empty())
        .partition(|s| exports && has_key(s, &["format"]));
    let (paging, rest): (Vec<&str>, Vec<&str>) = query
        .into_iter()
        .partition(|s| has_key(s, &["limit", "cursor"]));
    let format = web::Query::<crate::api::export::ExportParams>::from_query(&export.join("&"))
        .map_err(|e| AppError::unreadable(ErrorCode::InvalidQuery, e))?
        .into_inner()
        .format;
    let filter = web::Query::<Q>::from_query(&rest.join("&"))
        .map_err(|e| AppError::unreadable(ErrorCode::InvalidQuery, e))?
        .into_inner();
    let page = web::Query::<PageParams>::from_query(&paging.join("&"))
        .map_err(|e| AppError::unreadable(ErrorCode::InvalidQuery, e))?
        .into_inner();
    let mut errors = match filter.validate() {
        Ok(()) => Vec::new(),
        Err(e) => AppError::field_errors(&e),
    };
    if let Err(e) = page.validate() {
        errors.extend(AppError::field_errors(&e));
    }
    if !errors.is_empty() {
        errors.sort_by(|a, b| a.field.cmp(&b.field));
        return Err(AppError::validation(errors));
    }
    let page = PageRequest::new(page.limit, page.cursor.as_deref())?;
    Ok(ListQuery {
        filter,
        page,
        format,
    })
}

/// A body that could not be read as bytes: too large (413 naming the
/// configured limit) or unreadable (400, a fixed sentence: the decoder's own
/// text stays in the log).
pub fn payload_error(e: actix_web::Error, limit: Option<usize>) -> actix_web::Error {
    use actix_web::error::PayloadError as P;
    match e.as_error::<P>() {
        Some(P::Overflow) => AppError::payload_too_large(limit.unwrap_or_default()).into(),
        Some(other) => {
            tracing::debug!(error = %other, "unreadable request body");
            AppError::new(ErrorCode::MalformedBody).into()
        }
        None => e,
    }
}

/// Map actix's JSON errors: unknown fields are a 422 (mass assignment is
/// refused by name), everything else about the body a 400.
pub fn json_error(err: actix_web::error::JsonPayloadError) -> AppError {
    use actix_web::error::JsonPayloadError as J;
    match err {
        J::OverflowKnownLength { limit, .. } | J::Overflow { limit } => {
            AppError::payload_too_large(limit)
        }
        J::ContentType => AppError::unsupported_media_type(),
        J::Deserialize(e) => {
            let msg = e.to_string();
            let field_error = |prefix: &str, code: &str, message: &str| {
                msg.strip_prefix(prefix)
                    .and_then(|r| r.split('`').next())
                    .map(|field| {
                        AppError::validation(vec![crate::error::FieldError {
                            field: field.to_string(),
                            code: code.into(),
                            message: message.into(),
                        }])
                    })
            };
            // Well-formed JSON naming a field that does not exist, or
            // missing one that must: 422, one entry for the field.
            if let Some(e) = field_error("unknown field `", "unknown_field", "unknown field") {
                e
            } else if let Some(e) = field_error("missing field `", "required", "is required") {
                e
            } else {
                AppError::unreadable(ErrorCode::MalformedJson, msg)
            }
        }
        // The decoder's or the connection's own words stay in the log.
        other => {
            tracing::info!(error = %other, "unreadable request body");
            AppError::new(ErrorCode::MalformedBody)
        }
    }
}

/// The detail of `malformed_body`: one fixed sentence, never the text of
/// the error behind it (issue 12, item 9).
pub const UNREADABLE_BODY: &str =
    "the body could not be decoded (a broken Content-Encoding stream or an interrupted upload)";

/// App-wide extractor configuration: parse errors become problems.
pub fn configure_extractors(cfg: &mut actix_web::web::ServiceConfig, body_limit: usize) {
    cfg.app_data(
        web::JsonConfig::default()
            .limit(body_limit)
            .content_type_required(true)
            .error_handler(|e, _| json_error(e).into()),
    )
    .app_data(web::PayloadConfig::default().limit(body_limit))
    .app_data(
        web::QueryConfig::default().error_handler(|e, _| {
            AppError::unreadable(ErrorCode::InvalidQuery, e.to_string()).into()
        }),
    )
    .app_data(
        web::PathConfig::default().error_handler(|e, _| {
            AppError::unreadable(ErrorCode::InvalidPath, e.to_string()).into()
        }),
    )
    .app_data(
        web::FormConfig::default()
            .limit(body_limit)
            .error_handler(|e, _| {
                AppError::unreadable(ErrorCode::MalformedForm, e.to_string()).into()
            }),
    );
}

/// The caller: a bearer token validated by the auth middleware, then one
/// indexed read confirming the account is still active and the token not
/// revoked. 401 otherwise.
impl FromRequest for Principal {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let claims = req.extensions().get::<Claims>().cloned();
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let (Some(claims), Some(state)) = (claims, state) else {
                return Err(AppError::unauthenticated());
            };
            service::identity::principal_from_claims(&state.db, &state.accounts, &claims).await
        })
    }
}

/// `If-Match: "<version>"`; absent → `None` (the write still takes the row
/// lock, so no update is lost).
pub struct IfMatch(pub Option<i32>);

impl FromRequest for IfMatch {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let parsed = match req.headers().get(header::IF_MATCH) {
            None => Ok(IfMatch(None)),
            Some(v) => v
                .to_str()
                .ok()
                .and_then(parse_etag)
                .map(|n| IfMatch(Some(n)))
                .ok_or_else(|| AppError::new(ErrorCode::InvalidIfMatch)),
        };
        std::future::ready(parsed)
    }
}

/// An entity tag as this API sends it: `"<version>"`, 1–9 digits; a weak
/// `W/"<version>"` and a bare version (quotes forgotten) are read the same.
/// The spec's `If-Match` pattern says exactly this.
fn parse_etag(s: &str) -> Option<i32> {
    let tag = s.strip_prefix("W/").unwrap_or(s);
    let digits = match tag.strip_prefix('"') {
        Some(quoted) => quoted.strip_suffix('"')?,
        None => tag,
    };
    if digits.is_empty() || digits.len() > 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Does the client ask for CSV (`Accept: text/csv`)?
pub fn wants_csv(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/csv"))
}

/// For PATCH fields where `null` means "clear": absent → `None`,
/// `null` → `Some(None)`, a value → `Some(Some(v))`.
pub fn double_option<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    use serde::Deserialize;
    Option::<T>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::integral_numbers;

    #[test]
    fn a_large_whole_number_written_with_a_fraction_reads_as_that_integer() {
        // serde_json's default float parser is off by one ulp on some long
        // inputs; with `float_roundtrip` (Cargo.toml) the parse is exact, so
        // 2^51 - 1 written as `N.0` stays an integer.
        for (text, want) in [
            ("2251799813685247.0", 2_251_799_813_685_247_i64),
            ("45.0", 45),
            ("-9007199254740991.0", -9_007_199_254_740_991),
        ] {
            let mut v: serde_json::Value =
                serde_json::from_str(&format!("{{\"n\": {text}}}")).unwrap();
            integral_numbers(&mut v);
            assert_eq!(v["n"].as_i64(), Some(want), "{text}");
        }
        let mut v: serde_json::Value = serde_json::from_str("{\"n\": 1.5}").unwrap();
        integral_numbers(&mut v);
        assert_eq!(v["n"].as_i64(), None);
    }
}
