//! thidua's patch to actix-http (see `THIDUA-PATCH.md`): the HTTP/1 codec
//! answers requests it cannot parse (a request head over the buffer, more
//! than 96 headers, a malformed request line) before any application code
//! runs, with an empty body. thidua promises RFC 9457 `application/problem+json`
//! on every error, so those answers get a fixed problem body here. The
//! request's `Accept-Language` could not be read, so the text is given in
//! Vietnamese (the API's default) and English.

use http::{header, HeaderValue, StatusCode};

use crate::{body::BoxBody, Response};

const TYPE_BASE: &str = "https://thidua.example/problems/";

/// Set the problem's content type on `res` and return its body.
pub(crate) fn body_for(res: &mut Response<()>) -> BoxBody {
    let status = res.status();
    let (code, title, detail) = match status {
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => (
            "request_head_too_large",
            "Phần đầu yêu cầu quá lớn / Request head too large",
            "Dòng yêu cầu (URI) và phần đầu vượt quá 128 KiB hoặc quá 96 trường. / \
             The request line (URI) and headers exceed 128 KiB or 96 header fields.",
        ),
        s if s.is_server_error() => (
            "internal_error",
            "Lỗi hệ thống / Internal error",
            "Không đọc được nội dung yêu cầu. / The request body could not be read.",
        ),
        _ => (
            "malformed_request",
            "Yêu cầu không hợp lệ / Bad request",
            "Không đọc được dòng yêu cầu hoặc phần đầu HTTP. / \
             The HTTP request line or headers could not be parsed.",
        ),
    };
    let body = format!(
        "{{\"type\":\"{TYPE_BASE}{code}\",\"title\":\"{title}\",\"status\":{},\"detail\":\"{detail}\",\"code\":\"{code}\"}}",
        status.as_u16()
    );
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    BoxBody::new(body)
}
