//! Cross-cutting request handling: bearer token parsing, per-caller rate
//! limits, `Idempotency-Key` replay and CORS.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::HeaderMap;
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, web};

use crate::AppState;
use crate::auth::jwt::Claims;
use crate::config::TrustedProxies;
use crate::error::{AppError, ErrorCode};
use crate::service::idempotency::{self, Record, Reservation, Stored};

pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// Operations whose answer is a credential: never stored for a replay, so
/// `Idempotency-Key` is refused there (repeating them is harmless anyway).
pub const NOT_REPLAYABLE: &[&str] = &["/api/v1/auth/token"];

/// The client's address as rate limits and login failures count it: the
/// TCP peer, or, when the peer is a trusted proxy, the right-most address
/// in its forwarding headers that is not itself a trusted proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub Option<IpAddr>);

impl ClientAddr {
    /// An IPv4 address, or the /64 of an IPv6 one (one site's allocation:
    /// counting single IPv6 addresses would give each attacker 2^64 fresh
    /// sources); `unknown` without a peer (in-process tests).
    pub fn key(&self) -> String {
        match self.0.map(|ip| ip.to_canonical()) {
            Some(IpAddr::V4(v4)) => v4.to_string(),
            Some(IpAddr::V6(v6)) => {
                let net = u128::from(v6) & (u128::MAX << 64);
                format!("{}/64", std::net::Ipv6Addr::from(net))
            }
            None => "unknown".into(),
        }
    }
}

/// One node of `Forwarded: for=…` or `X-Forwarded-For`: an IP, with or
/// without a port, IPv6 in brackets; `None` for `unknown`, an obfuscated
/// identifier (`_hidden`) or anything else.
fn parse_node(node: &str) -> Option<IpAddr> {
    let n = node.trim().trim_matches('"');
    if let Some(rest) = n.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    if let Ok(ip) = n.parse::<IpAddr>() {
        return Some(ip);
    }
    // IPv4 with a port.
    let (host, port) = n.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    host.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

/// The hops the proxies recorded, left (the first) to right (the nearest):
/// from `Forwarded` (RFC 7239) when present, else `X-Forwarded-For`.
fn forwarded_hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let lines = |name: header::HeaderName| -> Vec<String> {
        headers
            .get_all(name)
            .map(|v| v.to_str().map(str::to_string).unwrap_or_default())
            .collect()
    };
    let forwarded = lines(header::FORWARDED);
    if !forwarded.is_empty() {
        return forwarded
            .iter()
            .flat_map(|line| line.split(','))
            .map(|element| {
                element.split(';').find_map(|pair| {
                    let (k, v) = pair.split_once('=')?;
                    k.trim().eq_ignore_ascii_case("for").then(|| parse_node(v))
                })?
            })
            .collect();
    }
    lines(header::HeaderName::from_static("x-forwarded-for"))
        .iter()
        .flat_map(|line| line.split(','))
        .map(parse_node)
        .collect()
}

/// Item 8 of issue 12: the forwarding headers are a client's say-so unless
/// a trusted proxy wrote them, so they are read only when the TCP peer is
/// one, walking from the nearest hop while the hop so far is trusted. An
/// unreadable hop stops the walk at the proxy that reported it.
pub fn client_ip(
    peer: Option<IpAddr>,
    headers: &HeaderMap,
    trusted: &TrustedProxies,
) -> Option<IpAddr> {
    let mut client = peer?.to_canonical();
    if trusted.is_empty() || !trusted.contains(client) {
        return Some(client);
    }
    for hop in forwarded_hops(headers).into_iter().rev() {
        match hop {
            Some(ip) => client = ip.to_canonical(),
            None => break,
        }
        if !trusted.contains(client) {
            break;
        }
    }
    Some(client)
}

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
    let addr = ClientAddr(client_ip(
        req.peer_addr().map(|a| a.ip()),
        req.headers(),
        &state.config.trusted_proxies,
    ));
    req.extensions_mut().insert(addr);
    let limit_key = match &caller {
        Some(c) => c.clone(),
        None => format!("ip:{}", addr.key()),
    };
    if req.path().starts_with("/api/")
        && let Err(wait) = state.rate_limiter.check(&limit_key)
    {
        let err = AppError::new(ErrorCode::RateLimited).retry_after(wait);
        return Ok(req.error_response(err).map_into_boxed_body());
    }

    let key = req
        .headers()
        .get(IDEMPOTENCY_KEY)
        .map(|v| v.to_str().map(str::to_string));
    if key.is_some() && NOT_REPLAYABLE.contains(&req.path()) {
        let err = AppError::new(ErrorCode::IdempotencyKeyNotSupported);
        return Ok(req.error_response(err).map_into_boxed_body());
    }
    match (req.method() == Method::POST, key, caller) {
        (true, Some(key), Some(caller)) => idempotent(req, next, &state, caller, key).await,
        _ => Ok(next.call(req).await?.map_into_boxed_body()),
    }
}

/// The path of `importSpreadsheet`, whose body limit is `IMPORT_MAX_BYTES`.
const IMPORTS_PATH: &str = "/api/v1/imports";

/// The raw body, refused over `limit` bytes.
async fn read_limited(req: &mut ServiceRequest, limit: usize) -> Result<web::Bytes, AppError> {
    use futures_util::StreamExt;
    let mut payload = req.take_payload();
    let mut buf = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| AppError::new(ErrorCode::MalformedBody))?;
        if buf.len() + chunk.len() > limit {
            return Err(AppError::payload_too_large(limit));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
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
            let err = AppError::new(ErrorCode::InvalidIdempotencyKey);
            return Ok(req.error_response(err).map_into_boxed_body());
        }
    };
    // Read (and so decode) the body once, to compare a retry with the first.
    // An import's file has its own, larger limit and is read as sent.
    let body = if req.path() == IMPORTS_PATH {
        match read_limited(&mut req, state.config.import_max_bytes).await {
            Ok(b) => Ok(b),
            Err(err) => return Ok(req.error_response(err).map_into_boxed_body()),
        }
    } else {
        req.extract::<web::Bytes>().await
    };
    let body = match body {
        Ok(b) => b,
        Err(e) => {
            let err = if e.as_response_error().status_code() == 413 {
                AppError::payload_too_large(state.config.body_limit)
            } else {
                tracing::info!(error = %e, "unreadable request body");
                AppError::new(ErrorCode::MalformedBody)
            };
            return Ok(req.error_response(err).map_into_boxed_body());
        }
    };
    let record = Record::new(&state.jwt, &caller, &key);
    let request_hash = record.request_hash(&[
        req.method().as_str().as_bytes(),
        req.uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("")
            .as_bytes(),
        req.headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.as_bytes())
            .unwrap_or(b""),
        &body,
    ]);
    // The handler gets the body as decoded: it must not decode it again
    // (issue 12, item 9: gzip with an Idempotency-Key was 400).
    let headers = req.headers_mut();
    headers.remove(header::CONTENT_ENCODING);
    headers.insert(
        header::CONTENT_LENGTH,
        header::HeaderValue::from(body.len()),
    );
    req.set_payload(actix_web::dev::Payload::from(body));

    let lease = state.config.request_timeout;
    match idempotency::reserve(&state.db, &record, &request_hash, lease).await {
        Err(e) => Ok(req.error_response(e).map_into_boxed_body()),
        Ok(Reservation::Replay(stored)) => Ok(req.into_response(replay(stored))),
        Ok(Reservation::Mismatch) => {
            let err = AppError::new(ErrorCode::IdempotencyKeyReused);
            Ok(req.error_response(err).map_into_boxed_body())
        }
        Ok(Reservation::InProgress) => {
            let err = AppError::new(ErrorCode::IdempotencyInProgress).retry_after(1);
            Ok(req.error_response(err).map_into_boxed_body())
        }
        Ok(Reservation::Reserved) => run_and_keep(req, next, state, &record).await,
    }
}

/// The first response again, marked as a replay.
fn replay(stored: Stored) -> HttpResponse {
    let mut res = HttpResponse::build(
        actix_web::http::StatusCode::from_u16(stored.status as u16)
            .unwrap_or(actix_web::http::StatusCode::OK),
    );
    for (name, value) in stored.headers {
        res.insert_header((name, value));
    }
    res.insert_header(("idempotent-replayed", "true"));
    res.body(stored.body)
}

/// Run the reserved request and keep its response for a retry; a 5xx or an
/// error committed nothing, so the key is released for the retry to run.
async fn run_and_keep(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
    state: &AppState,
    record: &Record,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let res = match idempotency::running(record, next.call(req)).await {
        Ok(r) => r.map_into_boxed_body(),
        Err(e) => {
            idempotency::release(&state.db, record).await;
            return Err(e);
        }
    };
    let status = res.status();
    if status.is_server_error() {
        idempotency::release(&state.db, record).await;
        return Ok(res);
    }
    let (http_req, response) = res.into_parts();
    let (head, body) = response.into_parts();
    let bytes = actix_web::body::to_bytes(body).await.unwrap_or_default();
    let kept: Vec<(String, String)> = [header::CONTENT_TYPE, header::LOCATION, header::ETAG]
        .iter()
        .filter_map(|n| {
            head.headers()
                .get(n)
                .and_then(|v| v.to_str().ok())
                .map(|v| (n.to_string(), v.to_string()))
        })
        .collect();
    idempotency::complete(&state.db, record, status.as_u16() as i16, &kept, &bytes).await;
    let response = head.set_body(BoxBody::new(bytes));
    Ok(ServiceResponse::new(http_req, response))
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
            super::reads::LSN_HEADER,
        ])
        .expose_headers(vec![
            header::ETAG,
            header::LOCATION,
            header::RETRY_AFTER,
            crate::telemetry::REQUEST_ID,
            super::reads::LSN_HEADER,
            super::reads::READ_FROM,
        ])
        .max_age(600);
    for o in origins {
        cors = cors.allowed_origin(o);
    }
    cors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                header::HeaderName::from_static(k),
                header::HeaderValue::from_static(v),
            );
        }
        h
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn the_client_is_the_right_most_hop_that_is_not_a_trusted_proxy() {
        let trusted = TrustedProxies::parse("10.0.0.0/8, 2001:db8:ff::/48").unwrap();
        let xff = headers(&[("x-forwarded-for", "6.6.6.6, 198.51.100.7, 10.1.1.1")]);
        // Untrusted peer: headers ignored.
        assert_eq!(
            client_ip(ip("203.0.113.1"), &xff, &trusted),
            ip("203.0.113.1")
        );
        // Trusted peer: skip trusted hops from the right.
        assert_eq!(
            client_ip(ip("10.0.0.2"), &xff, &trusted),
            ip("198.51.100.7")
        );
        // No proxies configured: never read.
        assert_eq!(
            client_ip(ip("10.0.0.2"), &xff, &TrustedProxies::default()),
            ip("10.0.0.2")
        );
        // Several header lines are one list, in order.
        let split = headers(&[
            ("x-forwarded-for", "6.6.6.6"),
            ("x-forwarded-for", "198.51.100.8"),
        ]);
        assert_eq!(
            client_ip(ip("10.0.0.2"), &split, &trusted),
            ip("198.51.100.8")
        );
        // Every hop trusted: the left-most.
        let inner = headers(&[("x-forwarded-for", "10.9.9.9, 10.1.1.1")]);
        assert_eq!(client_ip(ip("10.0.0.2"), &inner, &trusted), ip("10.9.9.9"));
        // An unreadable hop stops at the proxy that reported it.
        let hidden = headers(&[("x-forwarded-for", "198.51.100.7, unknown, 10.1.1.1")]);
        assert_eq!(client_ip(ip("10.0.0.2"), &hidden, &trusted), ip("10.1.1.1"));
        // Forwarded wins over X-Forwarded-For; quoted IPv6 with a port, IPv4 with one.
        let fwd = headers(&[
            (
                "forwarded",
                "for=6.6.6.6, for=\"[2001:db8:cafe::17]:4711\";proto=https, For=\"10.1.1.1:80\"",
            ),
            ("x-forwarded-for", "198.51.100.7"),
        ]);
        assert_eq!(
            client_ip(ip("10.0.0.2"), &fwd, &trusted),
            ip("2001:db8:cafe::17")
        );
        // An IPv4-mapped peer is the IPv4 address.
        assert_eq!(
            client_ip(ip("::ffff:10.0.0.2"), &xff, &trusted),
            ip("198.51.100.7")
        );
        assert_eq!(client_ip(None, &xff, &trusted), None);
    }

    #[test]
    fn an_ipv6_client_is_counted_by_its_64_prefix() {
        assert_eq!(
            ClientAddr(ip("2001:db8:1:2:3:4:5:6")).key(),
            "2001:db8:1:2::/64"
        );
        assert_eq!(ClientAddr(ip("::ffff:192.0.2.1")).key(), "192.0.2.1");
        assert_eq!(ClientAddr(ip("192.0.2.1")).key(), "192.0.2.1");
        assert_eq!(ClientAddr(None).key(), "unknown");
    }
}
