//! Read-your-writes across a read replica (issue 18, item 6).
//!
//! A write answered 2xx carries the primary's WAL position after it, as the
//! `Thidua-Lsn` response header and the `thidua_lsn` cookie. A read that
//! sends it back (the header, or the cookie a browser returns by itself) is
//! served by the replica only once the replica has replayed that far;
//! until then by the primary. The heavy reads take [`ReadDb`] instead of
//! `state.db`; every answer that chose says where in `Thidua-Read-From`.
//! Without `DATABASE_REPLICA_URL` none of these headers is sent.

use std::future::{Ready, ready};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use crate::AppState;
use crate::service::reads::{self, Lsn, Route};

/// The WAL position a caller's reads must see (request and response).
pub const LSN_HEADER: HeaderName = HeaderName::from_static("thidua-lsn");
/// The same position for browsers.
pub const LSN_COOKIE: &str = "thidua_lsn";
/// `replica`, or `primary` and why.
pub const READ_FROM: HeaderName = HeaderName::from_static("thidua-read-from");

pub use crate::service::reads::ReadDb;

/// The highest position the caller sent: `Thidua-Lsn` or the cookie.
/// Unreadable values are ignored (the read may then miss the caller's own
/// write on the replica, never anyone's data).
pub fn caller_lsn(req: &HttpRequest) -> Option<Lsn> {
    let header = req
        .headers()
        .get(&LSN_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(Lsn::parse);
    let cookie = req
        .headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(name, _)| *name == LSN_COOKIE)
        .filter_map(|(_, value)| Lsn::parse(value))
        .max();
    header.max(cookie)
}

impl FromRequest for ReadDb {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(state) = req.app_data::<web::Data<AppState>>() else {
            return ready(Err(actix_web::error::ErrorInternalServerError(
                "no application state",
            )));
        };
        let (db, route) = reads::choose(&state.reads, caller_lsn(req));
        if state.reads.has_replica() {
            req.extensions_mut().insert(route);
        }
        ready(Ok(db))
    }
}

/// After a write answered 2xx: the position to wait for, as the header and
/// the cookie. On a read that chose: `Thidua-Read-From`. Nothing without a
/// replica.
pub async fn consistency(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(state) = req
        .app_data::<web::Data<AppState>>()
        .filter(|s| s.reads.has_replica())
        .cloned()
    else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let write = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let mut res = next.call(req).await?.map_into_boxed_body();
    let route = res.request().extensions().get::<Route>().copied();
    if let Some(route) = route {
        res.headers_mut()
            .insert(READ_FROM, HeaderValue::from_static(route.header()));
    }
    if write && res.status().is_success() {
        let lsn = reads::write_position(&state.reads).await.to_string();
        // Past the lag bound (plus a minute), a replica that has still not
        // replayed this write is lagging and not read from anyway.
        let max_age = state.reads.max_lag().as_secs() + 60;
        if let Ok(v) = HeaderValue::from_str(&lsn) {
            res.headers_mut().insert(LSN_HEADER, v);
        }
        let cookie =
            format!("{LSN_COOKIE}={lsn}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax");
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    Ok(res)
}
