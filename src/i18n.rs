//! Language of human-readable text: Vietnamese by default, English on request
//! (`Accept-Language: en`).

pub use crate::ctx::Lang;

/// The language of the request being served (set by the telemetry middleware).
pub fn current_lang() -> Lang {
    crate::ctx::lang()
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
        "type" => ("sai kiểu dữ liệu", "has the wrong type"),
        "enum" => (
            "không thuộc các giá trị cho phép",
            "is not one of the allowed values",
        ),
        "format" => ("sai định dạng", "has the wrong format"),
        "one_of" => (
            "phải có đúng một trong personId, organizationId (và loại khen thưởng phù hợp)",
            "needs exactly one of personId, organizationId (and an award type of its kind)",
        ),
        "unique" => ("có giá trị bị lặp", "lists a value twice"),
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
    fn nfc_composes_decomposed_vietnamese() {
        let decomposed = "Vie\u{0302}\u{0323}t"; // "Việt" as base letters + combining marks
        assert_eq!(nfc(decomposed), "Việt");
        assert_eq!(camel_case("full_name"), "fullName");
    }
}
