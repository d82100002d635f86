//! HTTP layer: one module per resource (handlers + DTOs). Handlers parse,
//! call one use case and shape the answer: no SQL, no rules.

pub mod audit;
pub mod auth;
pub mod blocs;
pub mod body_schema;
pub mod checks;
pub mod clients;
pub mod conferences;
pub mod deadlines;
pub mod documents;
pub mod employments;
pub mod evaluation;
pub mod events;
pub mod export;
pub mod extract;
pub mod head;
pub mod health;
pub mod imports;
pub mod links;
pub mod middleware;
pub mod openapi;
pub mod organizations;
pub mod people;
pub mod pledges;
pub mod reads;
pub mod respond;
pub mod strict;
pub mod titles;
pub mod users;
pub mod webhooks;

use actix_web::{HttpRequest, HttpResponse, web};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::AppError;

/// Every documented route. Registering through `utoipa_actix_web` means a
/// handler without `#[utoipa::path]` does not compile here, so no endpoint
/// ships undocumented.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(health::live)
        .service(health::ready)
        .service(auth::token)
        .service(auth::me)
        .service(auth::jwks)
        .service(users::create)
        .service(users::list)
        .service(users::get)
        .service(users::update)
        .service(users::disable)
        .service(users::reset_password)
        .service(clients::create)
        .service(clients::list)
        .service(clients::get)
        .service(clients::rotate_secret)
        .service(clients::disable)
        .service(audit::list)
        .service(audit::list_checkpoints)
        .service(audit::create_checkpoint)
        .service(audit::get_checkpoint)
        .service(audit::signing_key)
        .service(events::list)
        .service(webhooks::create)
        .service(webhooks::list)
        .service(webhooks::get)
        .service(webhooks::update)
        .service(webhooks::remove)
        .service(webhooks::pause)
        .service(webhooks::resume)
        .service(webhooks::rotate_secret)
        .service(webhooks::ping)
        .service(webhooks::list_deliveries)
        .service(webhooks::redeliver)
        .service(deadlines::list)
        .service(deadlines::get_settings)
        .service(deadlines::set_settings)
        .service(organizations::create)
        .service(organizations::list)
        .service(organizations::get)
        .service(organizations::update)
        .service(organizations::retire)
        .service(people::create)
        .service(people::list)
        .service(people::get)
        .service(people::update)
        .service(employments::transfer)
        .service(employments::leave)
        .service(employments::list)
        .service(imports::import)
        .service(imports::template)
        .service(blocs::create)
        .service(blocs::list)
        .service(blocs::get)
        .service(blocs::update)
        .service(blocs::list_terms)
        .service(blocs::put_term)
        .service(blocs::get_term)
        .service(blocs::head_suggestion)
        .service(conferences::create)
        .service(conferences::list)
        .service(conferences::get)
        .service(conferences::replace)
        .service(documents::conference_document)
        .service(blocs::set_cutoff)
        .service(pledges::create)
        .service(pledges::list)
        .service(pledges::get)
        .service(pledges::edit)
        .service(pledges::replace_items)
        .service(pledges::reorder)
        .service(pledges::open)
        .service(pledges::close)
        .service(pledges::withdraw)
        .service(pledges::sign)
        .service(pledges::signatures)
        .service(pledges::report)
        .service(pledges::reports)
        .service(pledges::compliance)
        .service(documents::pledge_document)
        .service(evaluation::put_scheme)
        .service(evaluation::scheme_template)
        .service(evaluation::get_scheme)
        .service(evaluation::put_assignments)
        .service(evaluation::get_assignments)
        .service(evaluation::put_sheet)
        .service(evaluation::get_sheet)
        .service(evaluation::list_sheets)
        .service(evaluation::submit_sheet)
        .service(evaluation::recuse_sheet)
        .service(evaluation::reopen_sheet)
        .service(evaluation::ranking)
        .service(evaluation::open_ballot)
        .service(evaluation::list_ballots)
        .service(evaluation::get_ballot)
        .service(evaluation::vote)
        .service(evaluation::close_ballot)
        .service(evaluation::ballot_result)
        .service(evaluation::minutes)
        .service(documents::ballot_document)
        .service(evaluation::leading_units)
        .service(titles::award_types)
        .service(titles::rule_sets)
        .service(titles::rule_set)
        .service(titles::create_rule_set)
        .service(titles::update_rule_set)
        .service(titles::put_facts)
        .service(titles::get_facts)
        .service(titles::create_registration)
        .service(titles::registrations)
        .service(titles::registration)
        .service(titles::update_registration)
        .service(titles::set_deadline)
        .service(titles::check)
        .service(titles::check_batch)
        .service(titles::create_proposal)
        .service(titles::proposals)
        .service(titles::proposal)
        .service(titles::update_proposal)
        .service(titles::submit_proposal)
        .service(titles::return_proposal)
        .service(titles::council_outcome)
        .service(titles::decide)
        .service(titles::decisions)
        .service(titles::decision)
        .service(documents::decision_document)
        .service(titles::person_awards)
        .service(titles::organization_awards)
        .service(titles::revoke);
}

/// Routes outside the API document: metrics, the document itself, Swagger UI.
pub fn operational_routes(cfg: &mut web::ServiceConfig) {
    use utoipa_swagger_ui::{Config as SwaggerConfig, SwaggerUi};
    cfg.route("/metrics", web::get().to(health::metrics))
        .route("/api-docs/openapi.json", web::get().to(openapi::serve))
        .route(
            "/swagger-ui",
            web::get().to(|| async {
                HttpResponse::PermanentRedirect()
                    .insert_header(("Location", "/swagger-ui/"))
                    .finish()
            }),
        )
        .service(
            SwaggerUi::new("/swagger-ui/{_:.*}").config(
                SwaggerConfig::from("/api-docs/openapi.json")
                    .persist_authorization(true)
                    .try_it_out_enabled(true),
            ),
        );
}

/// No route matched: 405 when the path exists with other methods, else 404.
pub async fn fallback(req: HttpRequest) -> Result<HttpResponse, AppError> {
    Err(
        if let Some(pattern) = req.resource_map().match_pattern(req.path()) {
            let allow = req
                .app_data::<web::Data<crate::AppState>>()
                .and_then(|s| s.allowed_methods.get(&pattern).cloned())
                .unwrap_or_else(|| "GET".to_string());
            AppError::method_not_allowed(Some(allow))
        } else {
            AppError::not_found("route")
        },
    )
}
