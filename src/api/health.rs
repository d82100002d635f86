//! Liveness, readiness and metrics.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{AppError, ErrorCode, Problem};

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub struct Health {
    /// `ok` (live) or `ready`.
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// The process is up.
///
/// Public, no token needed; no dependency is checked. For a container's
/// liveness probe.
#[utoipa::path(operation_id = "getLiveness", tag = "health", security(()), responses((status = 200, body = Health, description = "The process answers")))]
#[get("/health/live")]
pub async fn live() -> web::Json<Health> {
    web::Json(Health { status: "ok" })
}

/// The service can answer API requests.
///
/// Public, no token needed. 200 when the database is reachable, 503 otherwise:
/// for a load balancer's readiness probe.
#[utoipa::path(
    operation_id = "getReadiness",
    tag = "health",
    security(()),
    responses(
        (status = 200, body = Health, description = "Ready"),
        (status = 503, body = Problem, content_type = "application/problem+json",
         description = "`service_unavailable`: the database is unreachable (with `Retry-After`)"),
    )
)]
#[get("/health/ready")]
pub async fn ready(state: web::Data<AppState>) -> Result<web::Json<Health>, AppError> {
    state.db.ping().await.map_err(|e| {
        let answer = AppError::from(e);
        if answer.error_code() == ErrorCode::ServiceUnavailable {
            answer
        } else {
            tracing::warn!(error = %answer, "readiness check failed");
            AppError::unavailable()
        }
    })?;
    Ok(web::Json(Health { status: "ready" }))
}

/// Prometheus text exposition.
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render(&state.db.status()))
}
