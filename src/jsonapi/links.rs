//! Pagination links, built from the request so that they keep its other
//! query parameters (sort, filters, fieldsets) and follow its order.

use poem_openapi::Object;
use serde::Serialize;

use super::query::PAGE_NUMBER;
use crate::collection::Page;

/// What every link starts with: the scheme and authority clients reach the
/// service at, any path prefix a proxy in front adds, and the prefix of the
/// version answering. Links are absolute because several JSON:API clients
/// (devour-client, Orbit) follow `links.next` only when it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkBase {
    base: String,
    suffix: &'static str,
}

impl LinkBase {
    /// `base` is an absolute URL; a trailing slash is dropped.
    pub fn new(base: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            suffix: "",
        }
    }

    /// The same base, inside the version mounted as `layout`.
    pub fn within(self, layout: UrlLayout) -> Self {
        Self {
            base: format!("{}{}", self.base, layout.prefix),
            suffix: layout.suffix,
        }
    }

    /// The absolute URL of `path`, which starts with `/`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The URL of the collection of resources of type `kind`.
    pub fn collection(&self, kind: &str) -> String {
        format!("{}/{kind}{}", self.base, self.suffix)
    }

    /// The URL of the resource `id` of type `kind`. A compound page writes
    /// hundreds of these, so each is written into a string of its final
    /// size rather than grown by `format!`.
    pub fn resource(&self, kind: &str, id: i64) -> String {
        use std::fmt::Write;
        const DIGITS: usize = 20;
        let mut url =
            String::with_capacity(self.base.len() + kind.len() + DIGITS + 2 + self.suffix.len());
        url.push_str(&self.base);
        url.push('/');
        url.push_str(kind);
        url.push('/');
        // Writing to a String cannot fail.
        let _ = write!(url, "{id}");
        url.push_str(self.suffix);
        url
    }
}

/// Where a version's URLs live: the prefix it is mounted at, and what its
/// collection and resource URLs end with. Declared once per version; routes,
/// documents and links all take it from there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UrlLayout {
    pub prefix: &'static str,
    pub suffix: &'static str,
}

/// A version's layout, as a type, so that the OpenAPI wrappers (whose
/// metadata functions take no value) can read it.
pub trait Mount: Send + Sync + 'static {
    const LAYOUT: UrlLayout;
}

/// Links of a paged collection.
#[derive(Object, Serialize, Debug, Clone)]
#[oai(rename = "PaginationLinks")]
pub struct PaginationLinks {
    /// This page.
    #[oai(rename = "self")]
    #[serde(rename = "self")]
    pub self_: String,
    /// The first page.
    pub first: String,
    /// The last page (the first, when the collection is empty).
    pub last: String,
    /// The page before this one; absent on the first page.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prev: Option<String>,
    /// The page after this one; absent on the last page.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

impl PaginationLinks {
    /// Links for `page` of `total` items, at the collection's `url` with the
    /// request's `query`.
    pub fn new(url: &str, query: &str, page: Page, total: u64) -> Self {
        let others: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .filter(|(name, _)| name != PAGE_NUMBER)
            .map(|(name, value)| (name.into_owned(), value.into_owned()))
            .collect();
        let link = |number: u64| {
            let mut pairs = others.clone();
            pairs.push((PAGE_NUMBER.to_owned(), number.to_string()));
            let query = pairs
                .iter()
                .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
                .collect::<Vec<_>>()
                .join("&");
            format!("{url}?{query}")
        };
        let last = page.last_number(total);
        Self {
            self_: link(page.number),
            first: link(1),
            last: link(last),
            prev: (page.number > 1).then(|| link((page.number - 1).min(last))),
            next: (page.number < last).then(|| link(page.number + 1)),
        }
    }
}

/// Percent-encodes a query component. Brackets are encoded too: links must
/// be URI references (RFC 3986), where `[` and `]` may not stand in a query.
fn encode(component: &str) -> String {
    form_urlencoded::byte_serialize(component.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_base_appends_paths_after_its_prefix() {
        let base = LinkBase::new("https://example.com/users-service/");
        assert_eq!(
            base.url("/api/v1/users/5.json"),
            "https://example.com/users-service/api/v1/users/5.json"
        );
    }

    #[test]
    fn resource_urls_follow_the_version_layout() {
        let v1 = LinkBase::new("https://example.com/").within(UrlLayout {
            prefix: "/api/v1",
            suffix: ".json",
        });
        assert_eq!(
            v1.resource("users", 5),
            "https://example.com/api/v1/users/5.json"
        );
        assert_eq!(
            v1.collection("users"),
            "https://example.com/api/v1/users.json"
        );
        let v2 = LinkBase::new("https://example.com").within(UrlLayout {
            prefix: "/api/v2",
            suffix: "",
        });
        assert_eq!(
            v2.resource("users", 5),
            "https://example.com/api/v2/users/5"
        );
    }

    #[test]
    fn links_keep_the_other_parameters_and_replace_the_page_number() {
        let page = Page::new(Some(2), Some(10)).unwrap();
        let links = PaginationLinks::new(
            "/u.json",
            "sort=-name&page%5Bnumber%5D=2&page[size]=10",
            page,
            35,
        );
        assert_eq!(
            links.self_,
            "/u.json?sort=-name&page%5Bsize%5D=10&page%5Bnumber%5D=2"
        );
        assert_eq!(
            links.first,
            "/u.json?sort=-name&page%5Bsize%5D=10&page%5Bnumber%5D=1"
        );
        assert_eq!(
            links.last,
            "/u.json?sort=-name&page%5Bsize%5D=10&page%5Bnumber%5D=4"
        );
        assert_eq!(
            links.prev.as_deref(),
            Some("/u.json?sort=-name&page%5Bsize%5D=10&page%5Bnumber%5D=1")
        );
        assert_eq!(
            links.next.as_deref(),
            Some("/u.json?sort=-name&page%5Bsize%5D=10&page%5Bnumber%5D=3")
        );
    }

    #[test]
    fn the_only_page_has_neither_prev_nor_next() {
        let links = PaginationLinks::new("/u.json", "", Page::new(None, None).unwrap(), 3);
        assert!(links.prev.is_none() && links.next.is_none());
        assert_eq!(links.last, "/u.json?page%5Bnumber%5D=1");
    }

    #[test]
    fn values_are_percent_encoded() {
        let links = PaginationLinks::new(
            "/u.json",
            "filter[q]=a%26b",
            Page::new(None, None).unwrap(),
            0,
        );
        assert_eq!(
            links.self_,
            "/u.json?filter%5Bq%5D=a%26b&page%5Bnumber%5D=1"
        );
    }
}
