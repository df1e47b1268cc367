//! Parsing of JSON:API query parameters: pagination, sorting and sparse
//! fieldsets. Each error names the parameter it is about.

use std::collections::BTreeSet;

use super::payload::Fieldset;
use crate::error::ApiError;

pub const PAGE_NUMBER: &str = "page[number]";
pub const PAGE_SIZE: &str = "page[size]";
pub const SORT: &str = "sort";

/// One page of a collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// Counted from 1.
    pub number: u64,
    pub size: u64,
}

impl Page {
    pub const DEFAULT_SIZE: u64 = 20;
    pub const MAX_SIZE: u64 = 100;
    /// The highest page number: 10^15, a round number the OpenAPI document, whose
    /// `maximum` is a JSON number many clients read as a double, states
    /// exactly, and small enough that the offset of its last item fits in an i64.
    pub const MAX_NUMBER: u64 = 1_000_000_000_000_000;

    /// The page asked for; the ranges are already checked where the
    /// parameters are declared, and checked again here so no caller can
    /// build a page that overflows.
    pub fn new(number: Option<u64>, size: Option<u64>) -> Result<Self, ApiError> {
        let number = number.unwrap_or(1);
        let size = size.unwrap_or(Self::DEFAULT_SIZE);
        if !(1..=Self::MAX_NUMBER).contains(&number) {
            return Err(ApiError::invalid_parameter(
                PAGE_NUMBER,
                format!(
                    "page[number] must be a whole number from 1 to {}",
                    Self::MAX_NUMBER
                ),
            ));
        }
        if !(1..=Self::MAX_SIZE).contains(&size) {
            return Err(ApiError::invalid_parameter(
                PAGE_SIZE,
                format!("page[size] must be from 1 to {}", Self::MAX_SIZE),
            ));
        }
        Ok(Self { number, size })
    }

    pub fn offset(&self) -> u64 {
        (self.number - 1) * self.size
    }

    /// The number of the last page of `total` items; 1 when there are none.
    pub fn last_number(&self, total: u64) -> u64 {
        total.div_ceil(self.size).max(1)
    }
}

/// One field of a sort order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortKey<F> {
    pub field: F,
    pub descending: bool,
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
    fn a_page_defaults_to_the_first_twenty() {
        let page = Page::new(None, None).unwrap();
        assert_eq!((page.number, page.size, page.offset()), (1, 20, 0));
    }

    #[test]
    fn page_sizes_outside_one_to_a_hundred_are_refused() {
        assert!(Page::new(None, Some(0)).is_err());
        assert!(Page::new(None, Some(101)).is_err());
        assert!(Page::new(None, Some(100)).is_ok());
    }

    #[test]
    fn page_numbers_from_one_to_the_maximum_are_accepted_and_their_offsets_fit_in_i64() {
        assert!(Page::new(Some(0), None).is_err());
        assert!(Page::new(Some(Page::MAX_NUMBER + 1), None).is_err());
        let last = Page::new(Some(Page::MAX_NUMBER), Some(Page::MAX_SIZE)).unwrap();
        assert!(i64::try_from(last.offset()).is_ok());
        // The document's maximum is read as a double: it must be exact.
        assert_eq!(Page::MAX_NUMBER as f64 as u64, Page::MAX_NUMBER);
    }

    #[test]
    fn the_last_page_of_an_empty_collection_is_the_first() {
        let page = Page::new(Some(1), Some(10)).unwrap();
        assert_eq!(page.last_number(0), 1);
        assert_eq!(page.last_number(10), 1);
        assert_eq!(page.last_number(11), 2);
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
