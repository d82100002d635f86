//! `HEAD` wherever `GET` works (RFC 9110 §9.3.2): the request is routed and
//! answered as the `GET` it mirrors — same status, same headers (ETag,
//! Content-Type, Content-Length, Link) — and HTTP/1's codec, which read the
//! method off the wire, sends no body. Routes register `GET` only; this one
//! middleware gives each its `HEAD`, so the two cannot drift apart.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;

pub async fn as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    next.call(req).await
}
