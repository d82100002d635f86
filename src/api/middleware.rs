//! Cross-cutting request handling: bearer token parsing, per-caller rate
//! limits, `Idempotency-Key` replay and CORS.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, web};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::auth::jwt::Claims;
use crate::error::AppError;
use crate::service::idempotency::{self, Reservation};

pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// Per-instance fixed-window budget per caller and minute (documented as
/// per-instance: several instances each allow the budget).
pub struct RateLimiter {
    per_minute: u32,
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter {
            per_minute,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(seconds to wait)` when the caller has used its budget.
    pub fn check(&self, key: &str) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let now = Instant::now();
        let mut w = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if w.len() > 100_000 {
            w.retain(|_, (start, _)| now.duration_since(*start) < Duration::from_secs(60));
        }
        let entry = w.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= Duration::from_secs(60) {
            *entry = (now, 0);
        }
        if entry.1 >= self.per_minute {
            let wait = 60u64
                .saturating_sub(now.duration_since(entry.0).as_secs())
                .max(1);
            return Err(wait);
        }
        entry.1 += 1;
        Ok(())
    }
}

fn bearer(req: &ServiceRequest) -> Option<&str> {
    let v = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Validate a bearer token once per request (the `Principal` extractor then
/// checks the account is still active), apply the caller's rate limit, and
/// make POSTs with an `Idempotency-Key` replayable.
pub async fn auth_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let claims = bearer(&req).and_then(|t| state.jwt.verify(t).ok());
    let caller = claims.as_ref().map(|c| {
        format!(
            "{}:{}",
            serde_json::to_value(c.typ)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default(),
            c.sub
        )
    });
    if let Some(c) = claims {
        req.extensions_mut().insert::<Claims>(c);
    }
    let limit_key = match &caller {
        Some(c) => c.clone(),
        None => format!(
            "ip:{}",
            req.peer_addr()
                .map(|a| a.ip().to_string())
                .unwrap_or_default()
        ),
    };
    if req.path().starts_with("/api/")
        && let Err(wait) = state.rate_limiter.check(&limit_key)
    {
        let err = AppError::TooManyRequests {
            code: "rate_limited",
            retry_after_secs: wait,
        };
        return Ok(req.error_response(err).map_into_boxed_body());
    }

    let key = req
        .headers()
        .get(IDEMPOTENCY_KEY)
        .map(|v| v.to_str().map(str::to_string));
    match (req.method() == Method::POST, key, caller) {
        (true, Some(key), Some(caller)) => idempotent(req, next, &state, caller, key).await,
        _ => Ok(next.call(req).await?.map_into_boxed_body()),
    }
}

async fn idempotent(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
    state: &AppState,
    caller: String,
    key: Result<String, header::ToStrError>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let key = match key {
        Ok(k) if !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| b.is_ascii_graphic()) => k,
        _ => {
            let err = AppError::bad_request(
                "invalid_idempotency_key",
                "Idempotency-Key must be 1–255 visible ASCII characters",
            );
            return Ok(req.error_response(err).map_into_boxed_body());
        }
    };
    let body = match req.extract::<web::Bytes>().await {
        Ok(b) => b,
        Err(e) => return Ok(req.into_response(e.error_response())),
    };
    let mut h = Sha256::new();
    h.update(req.method().as_str());
    h.update(b"\n");
    h.update(req.uri().path_and_query().map(|p| p.as_str()).unwrap_or(""));
    h.update(b"\n");
    h.update(
        req.headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.as_bytes())
            .unwrap_or(b""),
    );
    h.update(b"\n");
    h.update(&body);
    let request_hash = h.finalize().to_vec();
    req.set_payload(actix_web::dev::Payload::from(body));

    match idempotency::reserve(&state.db, &caller, &key, &request_hash).await {
        Err(e) => Ok(req.error_response(e).map_into_boxed_body()),
        Ok(Reservation::Replay(stored)) => {
            let mut res = HttpResponse::build(
                actix_web::http::StatusCode::from_u16(stored.status as u16)
                    .unwrap_or(actix_web::http::StatusCode::OK),
            );
            for (name, value) in stored.headers {
                res.insert_header((name, value));
            }
            res.insert_header(("idempotent-replayed", "true"));
            Ok(req.into_response(res.body(stored.body)))
        }
        Ok(Reservation::Mismatch) => {
            let err = AppError::unprocessable(
                "idempotency_key_reused",
                "Idempotency-Key này đã được dùng với một yêu cầu khác.",
                "This Idempotency-Key was already used with a different request.",
            );
            Ok(req.error_response(err).map_into_boxed_body())
        }
        Ok(Reservation::InProgress) => {
            let err = AppError::Conflict {
                code: "idempotency_in_progress",
                vi: "Yêu cầu với Idempotency-Key này đang được xử lý; hãy thử lại sau.".into(),
                en: "A request with this Idempotency-Key is still being processed; retry shortly."
                    .into(),
            };
            let mut res = req.error_response(err);
            res.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
            Ok(res.map_into_boxed_body())
        }
        Ok(Reservation::Reserved) => {
            let res = next.call(req).await;
            let res = match res {
                Ok(r) => r.map_into_boxed_body(),
                Err(e) => {
                    idempotency::release(&state.db, &caller, &key).await;
                    return Err(e);
                }
            };
            let status = res.status();
            if status.is_server_error() {
                // Nothing was committed: let a retry run the request again.
                idempotency::release(&state.db, &caller, &key).await;
                return Ok(res);
            }
            let (http_req, response) = res.into_parts();
            let (head, body) = response.into_parts();
            let bytes = actix_web::body::to_bytes(body).await.unwrap_or_default();
            let kept: Vec<(String, String)> =
                [header::CONTENT_TYPE, header::LOCATION, header::ETAG]
                    .iter()
                    .filter_map(|n| {
                        head.headers()
                            .get(n)
                            .and_then(|v| v.to_str().ok())
                            .map(|v| (n.to_string(), v.to_string()))
                    })
                    .collect();
            idempotency::complete(
                &state.db,
                &caller,
                &key,
                status.as_u16() as i16,
                &kept,
                &bytes,
            )
            .await;
            let response = head.set_body(BoxBody::new(bytes));
            Ok(ServiceResponse::new(http_req, response))
        }
    }
}

/// CORS from the configured allow-list; no origin is allowed by default and
/// credentials are never combined with a wildcard.
pub fn cors(origins: &[String]) -> actix_cors::Cors {
    let mut cors = actix_cors::Cors::default()
        .allowed_methods(vec!["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
        .allowed_headers(vec![
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::ACCEPT_LANGUAGE,
            header::IF_MATCH,
            header::HeaderName::from_static(IDEMPOTENCY_KEY),
            crate::telemetry::REQUEST_ID,
        ])
        .expose_headers(vec![
            header::ETAG,
            header::LOCATION,
            header::RETRY_AFTER,
            crate::telemetry::REQUEST_ID,
        ])
        .max_age(600);
    for o in origins {
        cors = cors.allowed_origin(o);
    }
    cors
}
