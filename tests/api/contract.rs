//! The contract as tools read it (issue 14): HEAD wherever GET works.

use crate::helpers::{TestApp, raw_exchange};

fn request(method: &str, path: &str, token: &str, extra: &str) -> Vec<u8> {
    format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n{extra}Connection: close\r\n\r\n"
    )
    .into_bytes()
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|line| {
        let (k, v) = line.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// RFC 9110 §9.3.2: HEAD answers what GET answers — status, Content-Type,
/// Content-Length, ETag — with no body; on a collection, an item and a
/// health route, and an unknown id is 404 for both.
#[actix_web::test]
async fn head_answers_like_get_without_a_body() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let org = app.org("HEADT", None);
    for path in [
        "/api/v1/organizations".to_string(),
        format!("/api/v1/organizations/{org}"),
        "/health/live".to_string(),
        format!("/api/v1/organizations/{}", uuid::Uuid::new_v4()),
    ] {
        let get = raw_exchange(&app, request("GET", &path, &admin, "")).await;
        let head = raw_exchange(&app, request("HEAD", &path, &admin, "")).await;
        let (get_head, get_body) = get.split_once("\r\n\r\n").unwrap();
        let (head_head, head_body) = head.split_once("\r\n\r\n").unwrap();
        let status = |h: &str| h.lines().next().unwrap().to_string();
        assert_eq!(status(head_head), status(get_head), "{path}");
        assert_eq!(head_body, "", "{path}: HEAD sent a body");
        for name in ["content-type", "etag"] {
            assert_eq!(
                header(head_head, name),
                header(get_head, name),
                "{path} {name}"
            );
        }
        if let Some(len) = header(head_head, "content-length") {
            assert_eq!(len, get_body.len().to_string(), "{path}");
        }
        if get_head.starts_with("HTTP/1.1 200") {
            assert!(!get_body.is_empty(), "{path}");
        }
    }
    // A HEAD of an item still honours If-None-Match like its GET.
    let path = format!("/api/v1/organizations/{org}");
    let get = raw_exchange(&app, request("GET", &path, &admin, "")).await;
    let etag = header(get.split_once("\r\n\r\n").unwrap().0, "etag")
        .expect("an item has an ETag")
        .to_string();
    let head = raw_exchange(
        &app,
        request("HEAD", &path, &admin, &format!("If-None-Match: {etag}\r\n")),
    )
    .await;
    let get_again = raw_exchange(
        &app,
        request("GET", &path, &admin, &format!("If-None-Match: {etag}\r\n")),
    )
    .await;
    assert_eq!(
        head.lines().next(),
        get_again.lines().next(),
        "conditional HEAD and GET agree"
    );
}
