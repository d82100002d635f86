//! The `eventTypes` filters of a webhook: the check and what the document
//! says of it (the same rule, `domain::webhooks::valid_type_filter`).

use validator::ValidationError;

use crate::domain::webhooks::valid_type_filter;

/// What `domain::webhooks::valid_type_filter` accepts, for the document:
/// an event type (`pledge.signed`) or a prefix ending in `.` (`pledge.`).
pub const TYPE_FILTER_PATTERN: &str = r"^[a-z0-9_]+(\.[a-z0-9_]+)*\.?$";

/// The `eventTypes` array as the document shows it: 1–50 filters, each
/// matching `TYPE_FILTER_PATTERN`, at most 100 characters.
pub(super) fn type_filters_schema() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(TYPE_FILTER_PATTERN))
                .max_length(Some(100)),
        )
        .min_items(Some(1))
        .max_items(Some(50))
        .examples([serde_json::json!(["pledge.", "user.created"])])
        .build()
}

/// The same, or `null` (a PATCH leaves the filters as they are).
pub(super) fn type_filters_or_null_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
    OneOfBuilder::new()
        .item(type_filters_schema())
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .build()
        .into()
}

pub(super) fn type_filters(v: &[String]) -> Result<(), ValidationError> {
    if v.iter().all(|f| valid_type_filter(f)) {
        Ok(())
    } else {
        let mut e = ValidationError::new("event_type_filter");
        e.message = Some(
            "each is an event type (pledge.signed) or a prefix ending in '.' (pledge.)".into(),
        );
        Err(e)
    }
}

#[cfg(test)]
mod tests {
    use super::TYPE_FILTER_PATTERN;
    use super::valid_type_filter;

    #[test]
    fn the_documented_type_filter_pattern_accepts_what_the_check_accepts() {
        let pattern = regex::Regex::new(TYPE_FILTER_PATTERN).unwrap();
        for f in [
            "pledge.",
            "pledge.signed",
            "user.created",
            "a",
            "a_b.c1.",
            "",
            ".",
            "a..b",
            "A.b",
            "pledge..",
            ".pledge",
            "a b",
            "đ",
        ] {
            assert_eq!(pattern.is_match(f), valid_type_filter(f), "{f:?}");
        }
    }
}
