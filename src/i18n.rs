//! Language of human-readable text: Vietnamese by default, English on request
//! (`Accept-Language: en`).

/// The two languages the API speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    /// First supported language of an `Accept-Language` header, honouring
    /// q-values; Vietnamese when nothing matches.
    pub fn from_accept_language(header: Option<&str>) -> Lang {
        let Some(h) = header else { return Lang::Vi };
        let mut best: Option<(f32, Lang)> = None;
        for part in h.split(',') {
            let mut it = part.trim().split(';');
            let tag = it.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = it
                .find_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|v| v.parse::<f32>().ok())
                })
                .unwrap_or(1.0);
            let lang = if tag == "vi" || tag.starts_with("vi-") {
                Lang::Vi
            } else if tag == "en" || tag.starts_with("en-") {
                Lang::En
            } else {
                continue;
            };
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }

    pub fn pick<'a>(self, vi: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }
}

/// The language of the request being served (set by the telemetry middleware).
pub fn current_lang() -> Lang {
    crate::telemetry::current_ctx()
        .map(|c| c.lang)
        .unwrap_or_default()
}

/// Text of a field-level validation error by its code. A message set on the
/// `#[validate]` attribute is used for English when present.
pub fn field_message(code: &str, lang: Lang, custom: &str) -> String {
    let (vi, en) = match code {
        "length" => ("độ dài không hợp lệ", "length is out of bounds"),
        "range" => ("giá trị nằm ngoài khoảng cho phép", "value is out of range"),
        "required" => ("bắt buộc", "is required"),
        "email" => ("email không hợp lệ", "is not a valid email"),
        "url" => ("URL không hợp lệ", "is not a valid URL"),
        "regex" | "pattern" => ("sai định dạng", "has the wrong format"),
        "blank" => ("không được để trống", "must not be blank"),
        "unknown_field" => ("trường không được phép", "unknown field"),
        _ => ("không hợp lệ", "is invalid"),
    };
    match lang {
        Lang::Vi => vi.to_string(),
        Lang::En if !custom.is_empty() => custom.to_string(),
        Lang::En => en.to_string(),
    }
}

/// `snake_case` → `camelCase`, so field errors name the JSON field.
pub fn camel_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut up = false;
    for c in s.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Vietnamese text is stored NFC-normalised and trimmed.
pub fn nfc(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.trim().nfc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_prefers_highest_q() {
        assert_eq!(Lang::from_accept_language(None), Lang::Vi);
        assert_eq!(Lang::from_accept_language(Some("en")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(
            Lang::from_accept_language(Some("fr, en;q=0.5, vi;q=0.8")),
            Lang::Vi
        );
        assert_eq!(Lang::from_accept_language(Some("fr")), Lang::Vi);
        assert_eq!(Lang::from_accept_language(Some("en;q=0")), Lang::Vi);
    }

    #[test]
    fn nfc_composes_decomposed_vietnamese() {
        let decomposed = "Vie\u{0302}\u{0323}t"; // "Việt" as base letters + combining marks
        assert_eq!(nfc(decomposed), "Việt");
        assert_eq!(camel_case("full_name"), "fullName");
    }
}
