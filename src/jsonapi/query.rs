//! Parsing of JSON:API query parameters: pagination, sorting and sparse
//! fieldsets. Each error names the parameter it is about.

use std::collections::BTreeSet;

use super::payload::Fieldset;
use crate::{
    collection::{Page, PageError, SortKey},
    jsonapi::error::ApiError,
};

pub const PAGE_NUMBER: &str = "page[number]";
pub const PAGE_SIZE: &str = "page[size]";
pub const SORT: &str = "sort";

/// A page the domain refuses, as an error about the parameter that asked
/// for it.
impl From<PageError> for ApiError {
    fn from(error: PageError) -> Self {
        match error {
            PageError::Number => ApiError::invalid_parameter(
                PAGE_NUMBER,
                format!(
                    "page[number] must be a whole number from 1 to {}",
                    Page::MAX_NUMBER
                ),
            ),
            PageError::Size => ApiError::invalid_parameter(
                PAGE_SIZE,
                format!("page[size] must be from 1 to {}", Page::MAX_SIZE),
            ),
        }
    }
}

/// Parses `sort`: comma-separated field names, each optionally prefixed with
/// `-` for descending order.
pub fn parse_sort<F: Copy + PartialEq>(
    value: &str,
    field: impl Fn(&str) -> Option<F>,
) -> Result<Vec<SortKey<F>>, ApiError> {
    let mut keys: Vec<SortKey<F>> = Vec::new();
    for item in value.split(',') {
        let (name, descending) = match item.strip_prefix('-') {
            Some(name) => (name, true),
            None => (item, false),
        };
        let Some(parsed) = field(name) else {
            return Err(ApiError::invalid_parameter(
                SORT,
                format!("cannot sort by {item:?}"),
            ));
        };
        // A field named again adds nothing: the first mention decides.
        if keys.iter().any(|key| key.field == parsed) {
            continue;
        }
        keys.push(SortKey {
            field: parsed,
            descending,
        });
    }
    Ok(keys)
}

/// Parses `fields[TYPE]`: comma-separated attribute names; an empty value
/// asks for no attributes at all.
pub fn parse_fieldset(
    value: &str,
    resource_type: &'static str,
    attributes: &[&str],
) -> Result<Fieldset, ApiError> {
    let parameter = format!("fields[{resource_type}]");
    let mut chosen = BTreeSet::new();
    for name in value.split(',').filter(|name| !name.is_empty()) {
        if !attributes.contains(&name) {
            return Err(ApiError::invalid_parameter(
                parameter,
                format!("{resource_type} have no attribute {name:?}"),
            ));
        }
        chosen.insert(name.to_owned());
    }
    Ok(Fieldset {
        resource_type,
        attributes: chosen,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Field {
        Name,
        Id,
    }

    fn field(name: &str) -> Option<Field> {
        match name {
            "name" => Some(Field::Name),
            "id" => Some(Field::Id),
            _ => None,
        }
    }

    #[test]
    fn sort_reads_directions_in_order() {
        let keys = parse_sort("-name,id", field).unwrap();
        assert_eq!(
            keys,
            [
                SortKey {
                    field: Field::Name,
                    descending: true
                },
                SortKey {
                    field: Field::Id,
                    descending: false
                },
            ]
        );
    }

    #[test]
    fn an_unknown_sort_field_is_refused() {
        assert!(parse_sort("age", field).is_err());
        assert!(parse_sort("", field).is_err());
    }

    #[test]
    fn a_repeated_sort_field_is_decided_by_its_first_mention() {
        let keys = parse_sort("name,-name,id", field).unwrap();
        assert_eq!(keys.len(), 2);
        assert!(!keys[0].descending);
    }

    #[test]
    fn a_fieldset_names_only_known_attributes() {
        let fieldset = parse_fieldset("name,email", "users", &["name", "email"]).unwrap();
        assert_eq!(fieldset.attributes.len(), 2);
        let error = parse_fieldset("password", "users", &["name"]).unwrap_err();
        assert!(
            matches!(error, ApiError::InvalidParameter { parameter, .. } if parameter == "fields[users]")
        );
    }

    #[test]
    fn an_empty_fieldset_asks_for_no_attributes() {
        assert!(
            parse_fieldset("", "users", &["name"])
                .unwrap()
                .attributes
                .is_empty()
        );
    }
}
