//! What the users endpoints' list-valued query parameters may hold, as
//! patterns the spec publishes and requests are checked against.

use std::sync::LazyLock;

use regex::Regex;

use crate::jsonapi::pattern_param::{Matching, Pattern, compile};

/// `sort`: sortable fields, each optionally prefixed with `-`.
pub struct SortFields;

impl Pattern for SortFields {
    const PATTERN: &'static str =
        r"^-?(id|name|email|created_at|updated_at)(,-?(id|name|email|created_at|updated_at))*$";

    fn regex() -> &'static Regex {
        static REGEX: LazyLock<Regex> = LazyLock::new(|| compile(SortFields::PATTERN));
        &REGEX
    }
}

/// `fields[users]`: attribute names, or nothing for no attributes.
pub struct AttributeNames;

impl Pattern for AttributeNames {
    const PATTERN: &'static str = r"^((name|email|dob|age|address|profession|website|role|created_at|updated_at)(,(name|email|dob|age|address|profession|website|role|created_at|updated_at))*)?$";

    fn regex() -> &'static Regex {
        static REGEX: LazyLock<Regex> = LazyLock::new(|| compile(AttributeNames::PATTERN));
        &REGEX
    }
}

pub type SortParam = Matching<SortFields>;
pub type FieldsParam = Matching<AttributeNames>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{api::users::schema::ATTRIBUTE_NAMES, users::listing::SortField};

    #[test]
    fn every_attribute_and_nothing_else_matches_the_fieldset_pattern() {
        for name in ATTRIBUTE_NAMES {
            assert!(AttributeNames::regex().is_match(name), "{name}");
        }
        assert!(AttributeNames::regex().is_match(""));
        assert!(AttributeNames::regex().is_match("name,email"));
        assert!(!AttributeNames::regex().is_match("password"));
        assert!(!AttributeNames::regex().is_match("name,"));
    }

    #[test]
    fn every_sortable_field_and_nothing_else_matches_the_sort_pattern() {
        for name in ["id", "name", "email", "created_at", "updated_at"] {
            assert!(SortField::parse(name).is_some(), "{name}");
            assert!(SortFields::regex().is_match(name), "{name}");
            assert!(
                SortFields::regex().is_match(&format!("-{name},id")),
                "{name}"
            );
        }
        assert!(!SortFields::regex().is_match("password"));
        assert!(!SortFields::regex().is_match("--name"));
        assert!(!SortFields::regex().is_match(""));
    }
}
