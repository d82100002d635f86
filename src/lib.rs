//! thidua — an API for a province's emulation blocs (khối thi đua), their
//! yearly pledges (giao ước thi đua), progress, scoring, ballots and
//! commendations (thi đua – khen thưởng).
//!
//! Layers: `api` (HTTP) → `service` (use cases, one transaction each,
//! authorisation, rules) → `domain` (pure rules) and `db` (diesel, SQL).

pub mod api;
pub mod auth;
pub mod config;
pub mod ctx;
pub mod db;
pub mod domain;
pub mod embedded_pg;
pub mod error;
pub mod i18n;
pub mod service;
pub mod telemetry;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{App, web};

pub use config::Config;
pub use db::Db;

/// Everything a request may need, built once per process (never inside the
/// per-worker `HttpServer::new` closure).
pub struct AppState {
    pub config: Config,
    pub db: Db,
    /// Where the heavy reads go: `db`, or a read replica (`with_reads`).
    pub reads: service::reads::Reads,
    pub jwt: auth::jwt::JwtKeys,
    /// Signs audit checkpoints (`with_audit_key`; a fresh random key by default).
    pub audit_key: std::sync::Arc<domain::audit::SigningKey>,
    pub metrics: telemetry::Metrics,
    pub rate_limiter: api::middleware::RateLimiter,
    /// Bounds concurrent Argon2 runs (the process-wide one, sized by the
    /// first `AppState`; a test may put one of its own here).
    pub hasher: std::sync::Arc<auth::password::Hasher>,
    /// The per-request account check's cache (off until
    /// `service::identity::start_account_cache`).
    pub accounts: std::sync::Arc<auth::cache::AccountCache>,
    /// The OpenAPI document, rendered once, served byte for byte.
    pub openapi_json: String,
    /// Path template → methods, for the `Allow` header of 405 answers.
    pub allowed_methods: std::collections::HashMap<String, String>,
}

impl AppState {
    pub fn new(
        config: Config,
        db: Db,
        jwt: auth::jwt::JwtKeys,
        rate_limit_per_minute: u32,
    ) -> AppState {
        let doc = api::openapi::document();
        let hasher = auth::password::Hasher::install(config.hash_concurrency, config.hash_wait);
        AppState {
            hasher,
            accounts: Default::default(),
            allowed_methods: api::openapi::allowed_methods(&doc),
            config,
            reads: service::reads::Reads::primary_only(db.clone()),
            db,
            jwt,
            audit_key: std::sync::Arc::new(domain::audit::SigningKey::generate()),
            metrics: telemetry::Metrics::default(),
            rate_limiter: api::middleware::RateLimiter::new(rate_limit_per_minute),
            openapi_json: api::openapi::render_doc(&doc),
        }
    }
}

impl AppState {
    /// The configured audit signing key (`serve` sets it from
    /// `config::audit_signing_key`; tests and tools keep the random default).
    pub fn with_audit_key(mut self, key: std::sync::Arc<domain::audit::SigningKey>) -> AppState {
        self.audit_key = key;
        self
    }

    /// Heavy reads from a replica (`serve` with `DATABASE_REPLICA_URL`;
    /// the replica tests).
    pub fn with_reads(mut self, reads: service::reads::Reads) -> AppState {
        self.reads = reads;
        self
    }
}

/// The whole HTTP application: used by `serve` and by the tests.
pub fn build_app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    use utoipa_actix_web::AppExt;
    let body_limit = state.config.body_limit;
    let cors = api::middleware::cors(&state.config.cors_origins);
    App::new()
        .into_utoipa_app()
        .app_data(state.clone())
        .configure(api::routes)
        .into_app()
        .configure(|cfg| api::extract::configure_extractors(cfg, body_limit))
        .configure(api::operational_routes)
        .default_service(web::to(api::fallback))
        .wrap(from_fn(api::head::as_get))
        .wrap(from_fn(api::middleware::auth_context))
        .wrap(from_fn(api::reads::consistency))
        .wrap(cors)
        .wrap(from_fn(telemetry::request_context))
}
