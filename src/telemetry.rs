//! Logs, request ids and metrics: one middleware around every request.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError, web};
use tracing::Instrument;

use crate::AppState;
use crate::ctx::{Lang, RequestCtx};
use crate::error::{AppError, ErrorCode};

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// JSON logs to stdout (`LOG_FORMAT=pretty` for humans), level from `RUST_LOG`.
/// `format` is `LOG_FORMAT`, `filter` the checked `RUST_LOG` setting.
pub fn init_logging(format: &str, filter: &str) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if format == "pretty" {
        builder.try_init()
    } else {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init()
    };
}

/// An incoming `X-Request-Id` is kept when it is short and plain; otherwise
/// a fresh UUID v7 is made.
fn request_id_of(req: &ServiceRequest) -> String {
    req.headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 128
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        })
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string())
}

/// The request's id and the language it asks for.
fn context_of(req: &ServiceRequest) -> RequestCtx {
    RequestCtx {
        id: request_id_of(req),
        lang: Lang::from_accept_language(
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
        ),
    }
}

/// The outermost middleware: request id, language, timeout, metrics, access
/// log, hardening headers, and the guarantee that every error body is
/// problem+json whoever produced it.
pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let ctx = context_of(&req);
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let timeout = state
        .as_ref()
        .map(|s| s.config.request_timeout)
        .unwrap_or(Duration::from_secs(30));
    let method = req.method().clone();
    let path = req.path().to_string();
    let start = Instant::now();
    let span = tracing::info_span!("request", request_id = %ctx.id);
    let id = ctx.id.clone();

    crate::ctx::scope(ctx, async move {
        // The request cannot be kept aside (routing needs it unshared), so an
        // error that escapes the app is rendered here, inside the request's
        // scope, and handed on as a ready response.
        let outcome = match tokio::time::timeout(timeout, next.call(req)).await {
            Ok(Ok(res)) => {
                let route = res
                    .request()
                    .match_pattern()
                    .unwrap_or_else(|| "unmatched".to_string());
                let (http_req, res) = res.into_parts();
                Ok((http_req, route, res.map_into_boxed_body()))
            }
            Ok(Err(e)) => Err(e.error_response()),
            Err(_) => Err(AppError::timeout().error_response()),
        };
        let body_limit = state.as_ref().map(|s| s.config.body_limit).unwrap_or(0);
        let finish = |res: HttpResponse<BoxBody>, route: &str| {
            let mut res = ensure_problem_body(res, body_limit);
            let status = res.status();
            let elapsed = start.elapsed();
            if let Some(state) = &state {
                state
                    .metrics
                    .observe(method.as_str(), route, status.as_u16(), elapsed);
            }
            let headers = res.headers_mut();
            if let Ok(v) = HeaderValue::from_str(&id) {
                headers.insert(REQUEST_ID, v);
            }
            headers.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            if !path.starts_with("/swagger-ui") {
                headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            }
            tracing::info!(
                target: "access",
                method = %method,
                route = %route,
                status = status.as_u16(),
                latency_ms = elapsed.as_secs_f64() * 1000.0,
                "request"
            );
            res
        };
        match outcome {
            Ok((http_req, route, res)) => Ok(ServiceResponse::new(http_req, finish(res, &route))),
            Err(res) => {
                let res = finish(res, "unmatched");
                Err(actix_web::error::InternalError::from_response("request failed", res).into())
            }
        }
    })
    .instrument(span)
    .await
}

/// Replace an error response that is not problem+json (actix's own text
/// bodies, CORS refusals, …) with the problem of the same status.
fn ensure_problem_body(res: HttpResponse<BoxBody>, body_limit: usize) -> HttpResponse<BoxBody> {
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with(crate::error::PROBLEM_JSON));
    if is_problem {
        return res;
    }
    let err = match status {
        StatusCode::BAD_REQUEST => {
            AppError::unreadable(ErrorCode::MalformedRequest, "malformed request")
        }
        StatusCode::UNAUTHORIZED => AppError::unauthenticated(),
        StatusCode::FORBIDDEN => AppError::new(ErrorCode::Forbidden),
        StatusCode::NOT_FOUND => AppError::not_found("route"),
        StatusCode::METHOD_NOT_ALLOWED => AppError::method_not_allowed(None),
        StatusCode::NOT_ACCEPTABLE => AppError::new(ErrorCode::NotAcceptable),
        StatusCode::PAYLOAD_TOO_LARGE => AppError::payload_too_large(body_limit),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::unsupported_media_type(),
        StatusCode::SERVICE_UNAVAILABLE => AppError::unavailable(),
        s if s.is_client_error() => {
            AppError::unreadable(ErrorCode::MalformedRequest, s.to_string())
        }
        s => AppError::internal(format!("unhandled response status {s}")),
    };
    let mut out = err.error_response();
    *out.status_mut() = status;
    out
}

/// Prometheus metrics kept in process: requests by method, route template and
/// status; a latency histogram per route; the pool gauges are read at scrape.
#[derive(Default)]
pub struct Metrics {
    inner: Mutex<MetricsInner>,
}

#[derive(Default)]
struct MetricsInner {
    requests: BTreeMap<(String, String, u16), u64>,
    latency: BTreeMap<String, Histogram>,
}

const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

#[derive(Default, Clone)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Metrics {
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        let mut m = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        *m.requests
            .entry((method.to_string(), route.to_string(), status))
            .or_default() += 1;
        let h = m.latency.entry(route.to_string()).or_default();
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                h.counts[i] += 1;
            }
        }
        h.count += 1;
        h.sum += secs;
    }

    /// Prometheus text exposition format 0.0.4.
    pub fn render(&self, pool: &crate::db::PoolStatus) -> String {
        use std::fmt::Write;
        let m = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = String::new();
        out.push_str(
            "# HELP http_requests_total HTTP requests by method, route template and status.\n",
        );
        out.push_str("# TYPE http_requests_total counter\n");
        for ((method, route, status), n) in &m.requests {
            let _ = writeln!(
                out,
                "http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                escape(route)
            );
        }
        out.push_str("# HELP http_request_duration_seconds Request latency by route template.\n");
        out.push_str("# TYPE http_request_duration_seconds histogram\n");
        for (route, h) in &m.latency {
            let r = escape(route);
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "http_request_duration_seconds_bucket{{route=\"{r}\",le=\"{b}\"}} {}",
                    h.counts[i]
                );
            }
            let _ = writeln!(
                out,
                "http_request_duration_seconds_bucket{{route=\"{r}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "http_request_duration_seconds_sum{{route=\"{r}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "http_request_duration_seconds_count{{route=\"{r}\"}} {}",
                h.count
            );
        }
        out.push_str("# HELP db_pool_connections Database connections held by the pool.\n");
        out.push_str("# TYPE db_pool_connections gauge\n");
        let _ = writeln!(out, "db_pool_connections {}", pool.size);
        out.push_str(
            "# HELP db_pool_connections_in_use Pooled connections currently checked out.\n",
        );
        out.push_str("# TYPE db_pool_connections_in_use gauge\n");
        let _ = writeln!(out, "db_pool_connections_in_use {}", pool.in_use);
        out.push_str("# HELP db_pool_max_connections Configured pool size.\n");
        out.push_str("# TYPE db_pool_max_connections gauge\n");
        let _ = writeln!(out, "db_pool_max_connections {}", pool.max);
        out.push_str("# HELP db_statements_total SQL statements run by pooled connections.\n");
        out.push_str("# TYPE db_statements_total counter\n");
        let _ = writeln!(out, "db_statements_total {}", pool.statements);
        out
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
