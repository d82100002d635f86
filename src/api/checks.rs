//! Field checks the derive cannot say: text that is stored (after NFC and
//! trimming) must not be blank, names carry no invisible characters, and
//! links are web addresses. Used as `#[validate(custom(function = …))]`,
//! so each failure is a 422 entry naming its field.

use std::borrow::Cow;

use validator::ValidationError;

fn error(code: &'static str, message: &'static str) -> ValidationError {
    let mut e = ValidationError::new(code);
    e.message = Some(Cow::Borrowed(message));
    e
}

/// Bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) and
/// the marks U+200E/U+200F: they reorder what a reader sees ("Trojan Source").
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Zero-width and other invisible format characters.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00ad}' | '\u{061c}' | '\u{180e}' | '\u{200b}'..='\u{200d}' | '\u{2060}'..='\u{2064}' | '\u{feff}'
    )
}

fn not_blank(s: &str) -> Result<(), ValidationError> {
    if s.trim().is_empty() {
        return Err(error("blank", "must not be blank"));
    }
    Ok(())
}

/// What `line` accepts, as the JSON Schema `pattern` the document gives
/// every such field (the attribute repeats it: utoipa takes literals only;
/// a test keeps the two equal and in agreement with `line`).
pub const LINE_PATTERN: &str = r"^[^\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]*[^\s\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff][^\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]*$";

/// What `block` accepts, as a JSON Schema `pattern` (see `LINE_PATTERN`).
pub const BLOCK_PATTERN: &str = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]*[^\s\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069][^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]*$";

/// Dates and instants in 1900..=2100, as a JSON Schema `pattern`.
pub const DATE_PATTERN: &str = r"^(19[0-9]{2}|20[0-9]{2}|2100)-";

/// A name or a one-line label (a person's or unit's name, a title, a
/// position): not blank; no control character (a line break included), no
/// zero-width or bidirectional control character.
pub fn line(s: &str) -> Result<(), ValidationError> {
    not_blank(s)?;
    if s.chars()
        .any(|c| c.is_control() || is_bidi_control(c) || is_invisible(c))
    {
        return Err(error(
            "forbidden_character",
            "contains a control, zero-width or bidirectional control character",
        ));
    }
    Ok(())
}

/// Free text (an item's text, a reason, a note): not blank; line breaks and
/// tabs are fine, other control characters and bidirectional controls are not.
pub fn block(s: &str) -> Result<(), ValidationError> {
    not_blank(s)?;
    if s.chars()
        .any(|c| (c.is_control() && !matches!(c, '\n' | '\r' | '\t')) || is_bidi_control(c))
    {
        return Err(error(
            "forbidden_character",
            "contains a control or bidirectional control character",
        ));
    }
    Ok(())
}

/// A link to a document or evidence: an absolute `https:` or `http:` URL
/// with a host (no `javascript:`, `data:`, `file:` …), written as a URI
/// (RFC 3986: ASCII, no spaces; the document says `format: uri`) — an IRI
/// such as `https://Ï` is refused, percent-encode it (`https://xn--…`).
pub fn web_url(s: &str) -> Result<(), ValidationError> {
    if !s.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(error(
            "url",
            "must be an http: or https: URI (ASCII, no spaces)",
        ));
    }
    match url::Url::parse(s) {
        Ok(u) if matches!(u.scheme(), "https" | "http") && u.host().is_some() => Ok(()),
        _ => Err(error("url", "must be an http: or https: URL")),
    }
}

/// Calendar dates the API accepts: 1900-01-01 to 2100-12-31. Anything
/// outside is a typing slip (`0021-04-01`) or a probe, never a real record.
pub const FIRST_DATE: (i32, u32, u32) = (1900, 1, 1);
pub const LAST_DATE: (i32, u32, u32) = (2100, 12, 31);

fn in_range(year: i32) -> Result<(), ValidationError> {
    if (FIRST_DATE.0..=LAST_DATE.0).contains(&year) {
        Ok(())
    } else {
        Err(error("range", "must lie between 1900-01-01 and 2100-12-31"))
    }
}

/// A calendar date between 1900 and 2100.
pub fn date(d: &chrono::NaiveDate) -> Result<(), ValidationError> {
    use chrono::Datelike;
    in_range(d.year())
}

/// An instant between 1900 and 2100 (UTC).
pub fn instant(t: &chrono::DateTime<chrono::Utc>) -> Result<(), ValidationError> {
    use chrono::Datelike;
    in_range(t.year())
}

/// The schema of one link, for lists of links (`web_urls`).
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = "uri", pattern = "^https?://", max_length = 2000)]
#[allow(dead_code)] // a schema only: never built
pub struct WebUrl(String);

/// Every link of a list (see `web_url`), each at most 2000 characters.
pub fn web_urls(v: &[String]) -> Result<(), ValidationError> {
    v.iter().try_for_each(|s| {
        if s.chars().count() > 2000 {
            return Err(error("length", "at most 2000 characters"));
        }
        web_url(s)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_refuse_blank_control_zero_width_and_bidi_characters() {
        assert!(line("Sở Y tế").is_ok());
        for bad in [
            "   ",
            "\t",
            "a\nb",
            "a\u{0}b",
            "Sở\u{200b}Y tế",
            "x\u{202e}gnp.exe",
            "\u{feff}A",
        ] {
            assert!(line(bad).is_err(), "{bad:?}");
        }
        assert!(block("dòng 1\ndòng 2\ttab").is_ok());
        assert!(block("  \n ").is_err());
        assert!(block("a\u{2066}b").is_err());
    }

    /// A JSON Schema pattern for Rust's regex: `\uXXXX` is `\x{XXXX}` there.
    fn rust_regex(p: &str) -> regex::Regex {
        let p = regex::Regex::new(r"\\u([0-9a-f]{4})")
            .unwrap()
            .replace_all(p, r"\x{$1}");
        regex::Regex::new(&p).unwrap()
    }

    #[test]
    fn the_documented_patterns_accept_what_the_checks_accept() {
        let (l, b) = (rust_regex(LINE_PATTERN), rust_regex(BLOCK_PATTERN));
        for s in [
            "Sở Y tế",
            " a ",
            "   ",
            "",
            "\t",
            "a\nb",
            "a\u{0}b",
            "Sở\u{200b}Y",
            "x\u{202e}y",
            "\u{feff}A",
            "dòng 1\ndòng 2\ttab",
            "  \n ",
            "a\u{2066}b",
            "\u{a0}",
            "\u{7f}",
            "ok\u{85}",
        ] {
            assert_eq!(l.is_match(s), line(s).is_ok(), "line {s:?}");
            assert_eq!(b.is_match(s), block(s).is_ok(), "block {s:?}");
        }
        let d = rust_regex(DATE_PATTERN);
        for (s, ok) in [
            ("1900-01-01", true),
            ("2100-12-31", true),
            ("1899-12-31", false),
            ("2101-01-01", false),
            ("0021-04-01", false),
        ] {
            assert_eq!(d.is_match(s), ok, "{s}");
        }
    }

    /// A resource module's source: its file, or every file of its folder.
    fn resource_source(name: &str) -> String {
        let api = format!("{}/src/api", env!("CARGO_MANIFEST_DIR"));
        if let Ok(text) = std::fs::read_to_string(format!("{api}/{name}.rs")) {
            return text;
        }
        let mut files: Vec<_> = std::fs::read_dir(format!("{api}/{name}"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "rs"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect()
    }

    #[test]
    fn every_checked_field_carries_its_pattern_in_the_document() {
        let doc = crate::api::openapi::render();
        for (pattern, check) in [(LINE_PATTERN, "line"), (BLOCK_PATTERN, "block")] {
            let quoted = serde_json::to_string(pattern).unwrap();
            let fields = doc.matches(&format!("\"pattern\": {quoted}")).count();
            assert!(fields > 0, "no field carries the {check} pattern");
        }
        let src: String = [
            "audit",
            "blocs",
            "clients",
            "conferences",
            "evaluation",
            "organizations",
            "people",
            "pledges",
            "titles",
            "users",
        ]
        .iter()
        .map(|f| resource_source(f))
        .collect();
        for (pattern, check) in [
            (LINE_PATTERN, "line"),
            (BLOCK_PATTERN, "block"),
            (DATE_PATTERN, "date"),
        ] {
            let uses = src
                .matches(&format!("crate::api::checks::{check}\""))
                .count()
                + if check == "date" {
                    src.matches("crate::api::checks::instant\"").count()
                } else {
                    0
                };
            let literal = format!("{pattern:?}");
            let patterns = src.matches(&literal).count();
            assert_eq!(
                uses, patterns,
                "{check}: {uses} checked fields, {patterns} patterns"
            );
        }
    }

    #[test]
    fn dates_outside_1900_to_2100_are_refused() {
        let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert!(date(&d(1900, 1, 1)).is_ok());
        assert!(date(&d(2100, 12, 31)).is_ok());
        assert!(date(&d(1899, 12, 31)).is_err());
        assert!(date(&d(2101, 1, 1)).is_err());
        assert!(date(&d(21, 4, 1)).is_err());
        assert!(instant(&chrono::DateTime::<chrono::Utc>::MAX_UTC).is_err());
    }

    #[test]
    fn links_are_http_or_https_only() {
        assert!(web_url("https://vinhphuc.gov.vn/qd-1.pdf").is_ok());
        assert!(web_url("http://10.0.0.1/x").is_ok());
        for bad in [
            "javascript:alert(1)",
            "data:text/html,<b>",
            "file:///etc/passwd",
            "ftp://x/y",
            "https://",
            "not a url",
            // Not a URI (issue 14, item 9: Schemathesis found it accepted).
            "https://Ï",
            "https://a.vn/a b",
        ] {
            assert!(web_url(bad).is_err(), "{bad}");
        }
        assert!(web_urls(&["https://a.vn/1".into(), "javascript:x".into()]).is_err());
    }
}
