//! The JSON:API Cursor Pagination profile
//! (<https://jsonapi.org/profiles/ethanresnick/cursor-pagination/>):
//! `page[size]`, `page[after]` and `page[before]`, opaque cursors, and the
//! links, item cursors and total it asks responses to carry.
//!
//! A cursor holds the sort it was made for and the sort-key values of the
//! item it falls on, so the next page is the items past those values: a
//! keyset, which costs the same at any depth and neither skips nor repeats
//! items when others are added or removed.

use std::borrow::Cow;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use poem_openapi::{
    Object,
    registry::{MetaSchema, MetaSchemaRef},
    types::{ParseError, ParseFromParameter, ParseResult, Type},
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::ApiError;
use super::query::PAGE_SIZE;
use crate::collection::keyset::{KeysetPage, Seek};

/// The profile's URI, as responses name it.
pub const PROFILE: &str = "https://jsonapi.org/profiles/ethanresnick/cursor-pagination";
pub const PAGE_AFTER: &str = "page[after]";
pub const PAGE_BEFORE: &str = "page[before]";

/// One page asked for: how many items, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct CursorPage {
    pub size: u64,
    pub seek: Seek,
}

impl CursorPage {
    pub const DEFAULT_SIZE: u64 = 20;
    pub const MAX_SIZE: u64 = 100;

    /// Reads the profile's parameters for a collection sorted by `sort`
    /// (the sort's canonical text): a cursor made for another sort is
    /// refused, since its values mean nothing in this order.
    pub fn parse(
        size: Option<u64>,
        after: Option<&str>,
        before: Option<&str>,
        sort: &str,
    ) -> Result<Self, ApiError> {
        let size = size.unwrap_or(Self::DEFAULT_SIZE);
        if size == 0 {
            return Err(ApiError::invalid_parameter(
                PAGE_SIZE,
                "page[size] must be a positive whole number",
            ));
        }
        if size > Self::MAX_SIZE {
            return Err(ApiError::PageSizeExceeded {
                max: Self::MAX_SIZE,
            });
        }
        let seek = match (after, before) {
            (Some(_), Some(_)) => return Err(ApiError::RangePaginationNotSupported),
            (Some(cursor), None) => Seek::After(decode(cursor, sort, PAGE_AFTER)?),
            (None, Some(cursor)) => Seek::Before(decode(cursor, sort, PAGE_BEFORE)?),
            (None, None) => Seek::First,
        };
        Ok(Self { size, seek })
    }
}

/// `page[size]` as a query parameter. The document states the profile's
/// range, but parsing takes any whole number, so that a size past the
/// largest is answered with the profile's own error rather than a generic
/// one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageSize(pub u64);

impl Type for PageSize {
    const IS_REQUIRED: bool = true;

    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "cursor_page_size".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            minimum: Some(1.0),
            maximum: Some(CursorPage::MAX_SIZE as f64),
            default: Some(Value::from(CursorPage::DEFAULT_SIZE)),
            ..MetaSchema::new_with_format("integer", "int64")
        }))
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl ParseFromParameter for PageSize {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        value
            .bytes()
            .all(|byte| byte.is_ascii_digit())
            .then(|| value.parse().ok())
            .flatten()
            .map(Self)
            .ok_or_else(|| ParseError::custom("page[size] must be a positive whole number"))
    }
}

#[derive(Serialize, Deserialize)]
struct Encoded {
    /// The sort the cursor was made for.
    s: String,
    /// The sort-key values of the item it falls on, the id last.
    k: Vec<Value>,
}

/// The cursor that falls on an item with these sort-key values.
pub fn encode(sort: &str, keys: Vec<Value>) -> String {
    let encoded = Encoded {
        s: sort.to_owned(),
        k: keys,
    };
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&encoded).unwrap_or_default())
}

fn decode(cursor: &str, sort: &str, parameter: &str) -> Result<Vec<Value>, ApiError> {
    let invalid = |detail: &str| ApiError::invalid_parameter(parameter, detail.to_owned());
    let encoded: Encoded = URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| invalid("this is not a cursor this service made"))?;
    if encoded.s != sort {
        return Err(invalid(
            "this cursor was made for another sort order; follow the links of a page sorted \
             this way",
        ));
    }
    Ok(encoded.k)
}

/// The links a paginated collection carries: `prev` and `next` are always
/// there, null where there is no such page.
#[derive(Object, Serialize, Debug, Clone)]
#[oai(rename = "CursorPaginationLinks")]
pub struct CursorLinks {
    /// This page.
    #[oai(rename = "self")]
    #[serde(rename = "self")]
    pub self_: String,
    /// The first page.
    pub first: String,
    /// The items before this page; null when there are none.
    #[oai(nullable)]
    pub prev: Option<String>,
    /// The items after this page; null when there are none.
    #[oai(nullable)]
    pub next: Option<String>,
}

impl CursorLinks {
    /// Links for a page at the collection's `url` with the request's
    /// `query`, whose first and last items fall on the cursors in `edges`;
    /// `more_before` and `more_after` say whether items lie beyond them. A page after a cursor links back to the items before its
    /// first, which may be empty when the items before were removed, as
    /// the profile allows; likewise a page before a cursor links forward.
    pub fn new(
        url: &str,
        query: &str,
        edges: Option<(String, String)>,
        more_before: bool,
        more_after: bool,
    ) -> Self {
        let others: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .filter(|(name, _)| name != PAGE_AFTER && name != PAGE_BEFORE)
            .map(|(name, value)| (name.into_owned(), value.into_owned()))
            .collect();
        let link = |cursor: Option<(&str, &str)>| {
            let mut pairs = others.clone();
            pairs.extend(cursor.map(|(name, value)| (name.to_owned(), value.to_owned())));
            let query = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(&pairs)
                .finish();
            if query.is_empty() {
                url.to_owned()
            } else {
                format!("{url}?{query}")
            }
        };
        let asked = form_urlencoded::parse(query.as_bytes())
            .find(|(name, _)| name == PAGE_AFTER || name == PAGE_BEFORE);
        let asked = asked
            .as_ref()
            .map(|(name, value)| (name.as_ref(), value.as_ref()));
        let (prev, next) = match (&edges, asked) {
            (Some((first, last)), _) => (
                more_before.then(|| link(Some((PAGE_BEFORE, first)))),
                more_after.then(|| link(Some((PAGE_AFTER, last)))),
            ),
            // An empty page past a cursor still has the items on the
            // cursor's other side.
            (None, Some((PAGE_AFTER, cursor))) => (Some(link(Some((PAGE_BEFORE, cursor)))), None),
            (None, Some((_, cursor))) => (None, Some(link(Some((PAGE_AFTER, cursor))))),
            (None, None) => (None, None),
        };
        let self_ = link(asked);
        Self {
            self_,
            first: link(None),
            prev,
            next,
        }
    }
}

/// A keyset page as the profile shows it: each item with the cursor that
/// falls on it (from `keys_of`, in the order of `sort`), and the links of
/// the collection at `url` asked with `query`.
pub fn paged<T>(
    seek: &Seek,
    sort: &str,
    page: KeysetPage<T>,
    keys_of: impl Fn(&T) -> Vec<Value>,
    url: &str,
    query: &str,
) -> (Vec<(T, ItemMeta)>, CursorLinks) {
    let (more_before, more_after) = page.beyond(seek);
    let items: Vec<(T, ItemMeta)> = page
        .items
        .into_iter()
        .map(|item| {
            let cursor = encode(sort, keys_of(&item));
            (
                item,
                ItemMeta {
                    page: ItemPage { cursor },
                },
            )
        })
        .collect();
    let edges = match (items.first(), items.last()) {
        (Some((_, first)), Some((_, last))) => {
            Some((first.page.cursor.clone(), last.page.cursor.clone()))
        }
        _ => None,
    };
    let links = CursorLinks::new(url, query, edges, more_before, more_after);
    (items, links)
}

/// The error for a cursor whose values are not those of its collection's
/// order, named by the parameter that carried it.
pub fn unusable_cursor(seek: &Seek) -> ApiError {
    let parameter = match seek {
        Seek::Before(_) => PAGE_BEFORE,
        _ => PAGE_AFTER,
    };
    ApiError::invalid_parameter(parameter, "this is not a cursor of this collection")
}

/// The profile's members of a paginated collection's `meta`.
#[derive(Object, Serialize, Debug, Clone)]
#[oai(rename = "CursorPageMeta")]
pub struct PageMeta {
    /// How many items match, on all pages.
    pub total: u64,
}

/// A collection's `meta`.
#[derive(Object, Serialize, Debug, Clone)]
#[oai(rename = "CursorCollectionMeta")]
pub struct CollectionMeta {
    pub page: PageMeta,
}

/// The profile's member of an item's `meta`: the cursor that falls on it.
#[derive(Object, Serialize, Debug, Clone)]
#[oai(rename = "CursorItemPage")]
pub struct ItemPage {
    /// Send it as `page[after]` or `page[before]` to page from this item.
    pub cursor: String,
}

/// An item's `meta` in a paginated collection.
#[derive(Object, Serialize, Debug, Clone)]
#[oai(rename = "CursorItemMeta")]
pub struct ItemMeta {
    pub page: ItemPage,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_cursor_reads_back_for_its_own_sort_only() {
        let cursor = encode("-created_at", vec![json!("2026-12-01T10:00:00Z"), json!(7)]);
        let page = CursorPage::parse(None, Some(&cursor), None, "-created_at").unwrap();
        assert_eq!(
            page.seek,
            Seek::After(vec![json!("2026-12-01T10:00:00Z"), json!(7)])
        );
        assert_eq!(page.size, 20);
        let error = CursorPage::parse(None, Some(&cursor), None, "name").unwrap_err();
        assert!(
            matches!(error, ApiError::InvalidParameter { parameter, .. } if parameter == PAGE_AFTER)
        );
    }

    #[test]
    fn a_cursor_the_service_did_not_make_is_refused_by_its_parameter() {
        for cursor in ["", "not base64!", "bm90IGpzb24", "e30"] {
            let error = CursorPage::parse(None, None, Some(cursor), "id").unwrap_err();
            assert!(
                matches!(&error, ApiError::InvalidParameter { parameter, .. } if parameter == PAGE_BEFORE),
                "{cursor}: {error:?}"
            );
        }
    }

    #[test]
    fn sizes_past_the_maximum_and_ranges_have_errors_of_their_own() {
        assert!(matches!(
            CursorPage::parse(Some(101), None, None, "id"),
            Err(ApiError::PageSizeExceeded { max: 100 })
        ));
        assert!(CursorPage::parse(Some(0), None, None, "id").is_err());
        let cursor = encode("id", vec![json!(1)]);
        assert!(matches!(
            CursorPage::parse(None, Some(&cursor), Some(&cursor), "id"),
            Err(ApiError::RangePaginationNotSupported)
        ));
    }

    #[test]
    fn links_replace_the_cursor_and_keep_the_rest() {
        let links = CursorLinks::new(
            "https://x/users",
            "sort=name&page[after]=abc&page[size]=2",
            Some(("F".to_owned(), "L".to_owned())),
            true,
            false,
        );
        assert_eq!(
            links.self_,
            "https://x/users?sort=name&page%5Bsize%5D=2&page%5Bafter%5D=abc"
        );
        assert_eq!(links.first, "https://x/users?sort=name&page%5Bsize%5D=2");
        assert_eq!(
            links.prev.as_deref(),
            Some("https://x/users?sort=name&page%5Bsize%5D=2&page%5Bbefore%5D=F")
        );
        assert_eq!(links.next, None);
    }

    #[test]
    fn an_empty_first_page_links_to_neither_side() {
        let links = CursorLinks::new("https://x/users", "", None, false, false);
        assert_eq!(links.self_, "https://x/users");
        assert!(links.prev.is_none() && links.next.is_none());
    }

    #[test]
    fn an_empty_page_after_a_cursor_links_back_before_it() {
        let links = CursorLinks::new("https://x/users", "page[after]=C", None, false, false);
        assert_eq!(
            links.prev.as_deref(),
            Some("https://x/users?page%5Bbefore%5D=C")
        );
        assert!(links.next.is_none());
    }
}
