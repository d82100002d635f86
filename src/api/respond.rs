//! Response shapes shared by every resource: created-with-location, ETags,
//! pages.

use actix_web::body::BoxBody;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, Responder};
use serde::Serialize;
use utoipa::ToSchema;

// The one paged answer: a list handler returns `Page<View>`, made from the
// use case's page of read models (`page.into()` when `View: From<ReadModel>`).
/// A page of a collection, keyset-paginated.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    #[schema(example = "Y29kZTpCVERLVA")]
    pub next_cursor: Option<String>,
}

impl<T: ToSchema, U> From<crate::domain::paging::Page<U>> for Page<T>
where
    T: From<U>,
{
    fn from(page: crate::domain::paging::Page<U>) -> Self {
        Page {
            items: page.items.into_iter().map(T::from).collect(),
            next_cursor: page.next_cursor,
        }
    }
}

impl<T: ToSchema> Page<T> {
    /// A collection that is naturally complete and small (a term's review
    /// assignments, the award-type catalogue): all of it, `nextCursor: null`,
    /// so every list answers the same shape (docs/contract.md, "Lists").
    pub fn complete(items: Vec<T>) -> Self {
        Page {
            items,
            next_cursor: None,
        }
    }
}

impl<T: ToSchema + Serialize> Responder for Page<T> {
    type Body = BoxBody;
    fn respond_to(self, req: &HttpRequest) -> HttpResponse {
        let mut res = HttpResponse::Ok();
        if let Some(link) = next_link(req, self.next_cursor.as_deref()) {
            res.insert_header((header::LINK, link));
        }
        res.json(self)
    }
}

/// `Link: <…>; rel="next"` for a page with a next page: the request's own
/// path and query string with `cursor` replaced by the next page's (every
/// other parameter, `limit` included, kept as sent). A relative reference,
/// resolved against the request's URI (RFC 8288, section 3.1).
pub fn next_link(req: &HttpRequest, next_cursor: Option<&str>) -> Option<HeaderValue> {
    let cursor = next_cursor?;
    let kept = req.query_string().split('&').filter(|segment| {
        let key = segment.split('=').next().unwrap_or_default();
        !segment.is_empty()
            && url::form_urlencoded::parse(key.as_bytes())
                .next()
                .is_none_or(|(k, _)| k != "cursor")
    });
    let mut query: Vec<String> = kept.map(String::from).collect();
    query.push(
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("cursor", cursor)
            .finish(),
    );
    HeaderValue::from_str(&format!(
        "<{}?{}>; rel=\"next\"",
        req.path(),
        query.join("&")
    ))
    .ok()
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

/// The answer to a `PUT` that creates or replaces (docs/contract.md, "PUT"):
/// `201 Created` with `Location` and `ETag` when it created the resource,
/// `200 OK` with `ETag` when it replaced it.
pub enum Upserted<T> {
    Created(Created<T>),
    Replaced(Tagged<T>),
}

impl<T: Serialize + Versioned> Upserted<T> {
    pub fn new(created: bool, location: impl Into<String>, body: T) -> Self {
        if created {
            Upserted::Created(Created::versioned(location, body))
        } else {
            Upserted::Replaced(Tagged(body))
        }
    }
}

impl<T: Serialize + Versioned> Responder for Upserted<T> {
    type Body = BoxBody;
    fn respond_to(self, req: &HttpRequest) -> HttpResponse {
        match self {
            Upserted::Created(c) => c.respond_to(req),
            Upserted::Replaced(t) => t.respond_to(req),
        }
    }
}

/// CSV with a UTF-8 byte-order mark so spreadsheet programs read Vietnamese.
/// The one CSV writer: every cell goes through `csv_cell`.
pub fn csv(filename: &str, rows: Vec<Vec<String>>) -> HttpResponse {
    let mut out = String::from("\u{feff}");
    for row in rows {
        let line: Vec<String> = row.into_iter().map(csv_cell).collect();
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

/// One CSV cell, quoted when it must be, and neutralised against formula
/// injection (OWASP "CSV Injection"): a cell that starts with `=`, `+`, `-`,
/// `@`, TAB or CR is prefixed with `'` so a spreadsheet shows it as text
/// instead of running it. A plain number (`-3`, `-2.5`) is left alone: it is
/// data, not a formula, and stays a number in the spreadsheet.
pub fn csv_cell(cell: String) -> String {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && !is_plain_number(&cell);
    let cell = if risky { format!("'{cell}") } else { cell };
    if cell.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell
    }
}

fn is_plain_number(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    !int.is_empty()
        && !frac.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::csv_cell;

    #[test]
    fn csv_cells_that_would_run_as_formulas_are_neutralised() {
        for (raw, want) in [
            (
                "=HYPERLINK(\"http://x\")",
                "\"'=HYPERLINK(\"\"http://x\"\")\"",
            ),
            ("+1+1", "'+1+1"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "\"'\r=1\""),
            ("Sở Y tế", "Sở Y tế"),
            ("-3", "-3"),
            ("-2.50", "-2.50"),
            ("93.75", "93.75"),
            ("a,b", "\"a,b\""),
        ] {
            assert_eq!(csv_cell(raw.to_string()), want, "{raw:?}");
        }
    }
}
