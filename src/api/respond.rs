//! Response shapes shared by every resource: created-with-location, ETags,
//! pages.

use actix_web::body::BoxBody;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, Responder};
use serde::Serialize;
use utoipa::ToSchema;

/// A page of a collection, keyset-paginated.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// Anything with a version, to be sent with a strong ETag.
pub trait Versioned {
    fn version(&self) -> i32;
}

pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// `201 Created` with `Location` (and `ETag` when versioned).
pub struct Created<T> {
    pub location: String,
    pub body: T,
    pub version: Option<i32>,
}

impl<T: Serialize> Created<T> {
    pub fn at(location: impl Into<String>, body: T) -> Self {
        Created {
            location: location.into(),
            body,
            version: None,
        }
    }
}

impl<T: Serialize + Versioned> Created<T> {
    pub fn versioned(location: impl Into<String>, body: T) -> Self {
        let version = Some(body.version());
        Created {
            location: location.into(),
            body,
            version,
        }
    }
}

impl<T: Serialize> Responder for Created<T> {
    type Body = BoxBody;
    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        let mut res = HttpResponse::Created();
        res.insert_header((header::LOCATION, self.location));
        if let Some(v) = self.version {
            res.insert_header((header::ETAG, etag(v)));
        }
        res.json(self.body)
    }
}

/// `200 OK` with the resource and its ETag.
pub struct Tagged<T>(pub T);

impl<T: Serialize + Versioned> Responder for Tagged<T> {
    type Body = BoxBody;
    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        let mut res = HttpResponse::Ok();
        if let Ok(v) = HeaderValue::from_str(&etag(self.0.version())) {
            res.insert_header((header::ETAG, v));
        }
        res.json(self.0)
    }
}

/// CSV with a UTF-8 byte-order mark so spreadsheet programs read Vietnamese.
pub fn csv(filename: &str, rows: Vec<Vec<String>>) -> HttpResponse {
    let mut out = String::from("\u{feff}");
    for row in rows {
        let line: Vec<String> = row
            .into_iter()
            .map(|cell| {
                if cell.contains([',', '"', '\n', '\r']) {
                    format!("\"{}\"", cell.replace('"', "\"\""))
                } else {
                    cell
                }
            })
            .collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .body(out)
}
