//! The HTTP test suite: one binary, one fresh database per test.

mod helpers;

mod hardening;

mod architecture;
mod audit_anchor;
mod audit_events;
mod contract;
mod database_errors;
mod deadlines;
mod deploy;
mod documented_codes;
mod documents;
mod evaluation;
mod exports;
mod feed_order;
mod foundation;
mod identity;
mod imports;
mod lease;
mod login_abuse;
mod naming;
mod openapi_doc;
mod paging;
mod pledges;
mod query_counts;
mod read_floor;
mod registry;
mod reliability;
mod replica;
mod security;
mod staff_history;
mod titles;
mod webhooks;
