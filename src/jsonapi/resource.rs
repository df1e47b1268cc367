//! A resource type, declared once: its `type`, its attributes (and which
//! the server keeps or never shows), what collections of it sort and
//! filter by, and its relationships. The JSON:API layer derives from the
//! declaration what every resource type shares: the request checker, the
//! `fields`, `sort` and `include` parameters and their patterns in the
//! document, error messages and links.

use std::{
    any::TypeId,
    collections::HashMap,
    marker::PhantomData,
    sync::{LazyLock, Mutex},
};

use regex::Regex;

use super::error::ApiError;
use super::{
    pattern_param::{Matching, Pattern},
    payload::Fieldset,
    query::parse_fieldset,
};

pub trait ResourceType: Send + Sync + 'static {
    /// The `type` member of its resource objects.
    const TYPE: &'static str;
    /// Every attribute a response may show, in the document's order.
    const ATTRIBUTES: &'static [&'static str];
    /// Attributes the server keeps: ignored when a client sends them back
    /// with a document it read, never written.
    const SERVER_OWNED: &'static [&'static str];
    /// Attributes a request may set and no response shows.
    const WRITE_ONLY: &'static [&'static str];
    /// Fields `sort` may name.
    const SORTABLE: &'static [&'static str];
    /// Fields `filter[...]` may name.
    const FILTERABLE: &'static [&'static str];
    /// Its relationships.
    const RELATIONSHIPS: &'static [&'static str];
    /// The relationship paths `include` may name.
    const INCLUDES: &'static [&'static str] = &[];
}

/// An API whose operations serve one resource type.
pub trait ServesResource {
    type Resource: ResourceType;
}

/// `fields[TYPE]`, checked against the type's attributes and relationships.
pub fn fieldset<R: ResourceType>(value: Option<&str>) -> Result<Option<Fieldset>, ApiError> {
    value
        .map(|value| parse_fieldset(value, R::TYPE, &fields::<R>()))
        .transpose()
}

/// What `fields[TYPE]` may name.
pub fn fields<R: ResourceType>() -> Vec<&'static str> {
    R::ATTRIBUTES
        .iter()
        .chain(R::RELATIONSHIPS)
        .copied()
        .collect()
}

/// `sort` on a collection of `R`: its sortable fields, each optionally
/// prefixed with `-`.
pub type SortParam<R> = Matching<SortFields<R>>;

/// `fields[TYPE]` of `R`: its attributes and relationships, or nothing.
pub type FieldsParam<R> = Matching<FieldNames<R>>;

/// `include` on `R`: comma-separated paths it may include.
pub type IncludeParam<R> = Matching<IncludePaths<R>>;

pub struct IncludePaths<R>(PhantomData<R>);

impl<R: ResourceType> IncludePaths<R> {
    fn derived() -> &'static DerivedPattern {
        derived_pattern::<Self>(|| list_pattern(R::INCLUDES))
    }
}

impl<R: ResourceType> Pattern for IncludePaths<R> {
    fn pattern() -> &'static str {
        Self::derived().pattern
    }

    fn regex() -> &'static Regex {
        &Self::derived().regex
    }

    fn mismatch() -> String {
        format!(
            "include may name, separated by commas, only: {}",
            R::INCLUDES.join(", ")
        )
    }
}

/// The paths an `include` names, each once.
pub fn include_paths(value: Option<&str>) -> Vec<&str> {
    let mut paths: Vec<&str> = Vec::new();
    for path in value.unwrap_or_default().split(',') {
        if !path.is_empty() && !paths.contains(&path) {
            paths.push(path);
        }
    }
    paths
}

pub struct SortFields<R>(PhantomData<R>);

impl<R: ResourceType> SortFields<R> {
    fn derived() -> &'static DerivedPattern {
        derived_pattern::<Self>(|| sort_pattern(R::SORTABLE))
    }
}

impl<R: ResourceType> Pattern for SortFields<R> {
    fn pattern() -> &'static str {
        Self::derived().pattern
    }

    fn regex() -> &'static Regex {
        &Self::derived().regex
    }
}

pub struct FieldNames<R>(PhantomData<R>);

impl<R: ResourceType> FieldNames<R> {
    fn derived() -> &'static DerivedPattern {
        derived_pattern::<Self>(|| list_pattern(&fields::<R>()))
    }
}

impl<R: ResourceType> Pattern for FieldNames<R> {
    fn pattern() -> &'static str {
        Self::derived().pattern
    }

    fn regex() -> &'static Regex {
        &Self::derived().regex
    }
}

/// Attributes a request may set: those shown that the server does not keep,
/// and the write-only ones.
pub fn writable<R: ResourceType>() -> impl Iterator<Item = &'static str> {
    R::ATTRIBUTES
        .iter()
        .filter(|name| !R::SERVER_OWNED.contains(name))
        .chain(R::WRITE_ONLY)
        .copied()
}

/// Whether a request may send attribute `name`: one it may set, or one the
/// server keeps, which is ignored as a document read and sent back whole
/// carries it.
pub fn accepts_attribute<R: ResourceType>(name: &str) -> bool {
    writable::<R>().any(|writable| writable == name) || R::SERVER_OWNED.contains(&name)
}

/// A pattern derived from a declaration, with its compiled form.
pub struct DerivedPattern {
    pub pattern: &'static str,
    pub regex: Regex,
}

/// The pattern `build` makes for the type `K`, built and compiled once per
/// `K` (a static in a generic function would be one for all of them).
pub fn derived_pattern<K: 'static>(build: fn() -> String) -> &'static DerivedPattern {
    static CACHE: LazyLock<Mutex<HashMap<TypeId, &'static DerivedPattern>>> =
        LazyLock::new(Mutex::default);
    let mut cache = CACHE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    cache.entry(TypeId::of::<K>()).or_insert_with(|| {
        let pattern: &'static str = Box::leak(build().into_boxed_str());
        Box::leak(Box::new(DerivedPattern {
            pattern,
            regex: Regex::new(pattern).expect("a derived pattern is a valid regex"),
        }))
    })
}

/// `a|b|c`, for names that are plain words.
fn alternatives(names: &[&str]) -> String {
    names
        .iter()
        .map(|name| regex::escape(name))
        .collect::<Vec<_>>()
        .join("|")
}

/// Comma-separated `names`, each optionally prefixed with `-`.
pub fn sort_pattern(names: &[&str]) -> String {
    let names = alternatives(names);
    format!("^-?({names})(,-?({names}))*$")
}

/// Comma-separated `names`, or nothing.
pub fn list_pattern(names: &[&str]) -> String {
    let names = alternatives(names);
    format!("^(({names})(,({names}))*)?$")
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Things;

    impl ResourceType for Things {
        const TYPE: &'static str = "things";
        const ATTRIBUTES: &'static [&'static str] = &["name", "size"];
        const SERVER_OWNED: &'static [&'static str] = &[];
        const WRITE_ONLY: &'static [&'static str] = &[];
        const SORTABLE: &'static [&'static str] = &["name"];
        const FILTERABLE: &'static [&'static str] = &[];
        const RELATIONSHIPS: &'static [&'static str] = &["owner"];
    }

    #[test]
    fn a_fieldset_may_name_attributes_and_relationships_only() {
        let chosen = fieldset::<Things>(Some("size,owner")).unwrap().unwrap();
        assert_eq!(chosen.attributes.len(), 2);
        assert!(fieldset::<Things>(Some("colour")).is_err());
        assert!(fieldset::<Things>(None).unwrap().is_none());
    }

    #[test]
    fn requests_may_send_what_is_writable_and_what_the_server_keeps() {
        struct Accounts;
        impl ResourceType for Accounts {
            const TYPE: &'static str = "accounts";
            const ATTRIBUTES: &'static [&'static str] = &["name", "created_at"];
            const SERVER_OWNED: &'static [&'static str] = &["created_at"];
            const WRITE_ONLY: &'static [&'static str] = &["secret"];
            const SORTABLE: &'static [&'static str] = &[];
            const FILTERABLE: &'static [&'static str] = &[];
            const RELATIONSHIPS: &'static [&'static str] = &[];
        }
        assert_eq!(
            writable::<Accounts>().collect::<Vec<_>>(),
            ["name", "secret"]
        );
        assert!(accepts_attribute::<Accounts>("created_at"));
        assert!(!accepts_attribute::<Accounts>("colour"));
    }

    #[test]
    fn derived_patterns_match_lists_of_the_names_and_nothing_else() {
        let sort = Regex::new(&sort_pattern(&["id", "created_at"])).unwrap();
        assert!(sort.is_match("-created_at,id"));
        assert!(!sort.is_match("created_at,"));
        assert!(!sort.is_match(""));
        let list = Regex::new(&list_pattern(&["a", "b"])).unwrap();
        assert!(list.is_match("") && list.is_match("a,b"));
        assert!(!list.is_match("a,c"));
    }

    #[test]
    fn a_derived_pattern_is_built_once_per_type() {
        let first = derived_pattern::<Things>(|| list_pattern(Things::ATTRIBUTES));
        let again = derived_pattern::<Things>(|| unreachable!("built once"));
        assert!(std::ptr::eq(first, again));
        assert_eq!(first.pattern, "^((name|size)(,(name|size))*)?$");
    }
}
