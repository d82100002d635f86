//! The HTTP test suite: one binary, one fresh database per test.

mod helpers;

mod hardening;

mod architecture;
mod audit_anchor;
mod audit_events;
mod contract;
mod database_errors;
mod deploy;
mod documented_codes;
mod evaluation;
mod foundation;
mod identity;
mod login_abuse;
mod naming;
mod openapi_doc;
mod paging;
mod pledges;
mod query_counts;
mod registry;
mod reliability;
mod security;
mod titles;
mod webhooks;
