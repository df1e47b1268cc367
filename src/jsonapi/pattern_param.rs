//! Strings that must match a regular expression, which the spec publishes as
//! the `pattern` (and, where one fits, the `format`) of a query parameter or
//! of a request attribute. poem-openapi's own `pattern` validator compiles
//! its expression on every request (over 100 µs for a sort list); these
//! compile theirs once.

use std::{borrow::Cow, marker::PhantomData};

use poem_openapi::{
    registry::{MetaSchema, MetaSchemaRef},
    types::{ParseError, ParseFromJSON, ParseFromParameter, ParseResult, ToJSON, Type},
};
use regex::Regex;
use serde_json::Value;

/// A regular expression a parameter must match.
pub trait Pattern: Send + Sync + 'static {
    /// The expression, as the document publishes it.
    fn pattern() -> &'static str;

    /// The JSON Schema `format` the matching strings also have, so that
    /// generators pick a type or a value generator for it.
    const FORMAT: Option<&'static str> = None;

    /// A value that matches, for the document: generators that cannot
    /// draw an example from a pattern take it instead.
    const EXAMPLE: Option<&'static str> = None;

    /// [`Pattern::pattern`], compiled once per implementation (a static in
    /// a generic function would be shared by all of them).
    fn regex() -> &'static Regex;

    /// What a value that does not match is told.
    fn mismatch() -> String {
        format!("verification failed. pattern(\"{}\")", Self::pattern())
    }
}

/// Compiles a pattern, which tests prove valid.
pub fn compile(pattern: &str) -> Regex {
    Regex::new(pattern).expect("a parameter pattern is a valid regex")
}

/// A string parameter that matched `P`.
#[derive(Debug)]
pub struct Matching<P> {
    value: String,
    pattern: PhantomData<P>,
}

impl<P> Matching<P> {
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

impl<P: Pattern> Type for Matching<P> {
    const IS_REQUIRED: bool = true;

    type RawValueType = String;

    type RawElementValueType = String;

    fn name() -> Cow<'static, str> {
        "string".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            pattern: Some(P::pattern().to_owned()),
            format: P::FORMAT,
            example: P::EXAMPLE.map(Value::from),
            ..MetaSchema::new("string")
        }))
    }

    fn as_raw_value(&self) -> Option<&String> {
        Some(&self.value)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a String> + 'a> {
        Box::new(std::iter::once(&self.value))
    }
}

impl<P: Pattern> Matching<P> {
    fn parse(value: String) -> ParseResult<Self> {
        if P::regex().is_match(&value) {
            Ok(Self {
                value,
                pattern: PhantomData,
            })
        } else {
            Err(ParseError::custom(P::mismatch()))
        }
    }
}

impl<P: Pattern> ParseFromParameter for Matching<P> {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        Self::parse(value.to_owned())
    }
}

/// Request documents are parsed attribute by attribute elsewhere, to report
/// every problem with a pointer; an object field of this type still needs
/// these to derive its schema.
impl<P: Pattern> ParseFromJSON for Matching<P> {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value.unwrap_or_default() {
            Value::String(text) => Self::parse(text),
            other => Err(ParseError::expected_type(other)),
        }
    }
}

impl<P: Pattern> ToJSON for Matching<P> {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.value.clone()))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::LazyLock;

    use super::*;

    struct Digits;

    impl Pattern for Digits {
        fn pattern() -> &'static str {
            "^[0-9]+$"
        }

        fn regex() -> &'static Regex {
            static REGEX: LazyLock<Regex> = LazyLock::new(|| compile(Digits::pattern()));
            &REGEX
        }
    }

    #[test]
    fn a_value_matching_the_pattern_is_taken_as_it_is() {
        let parsed = Matching::<Digits>::parse_from_parameter("042");
        assert_eq!(parsed.ok().as_ref().map(Matching::as_str), Some("042"));
    }

    #[test]
    fn a_value_not_matching_the_pattern_is_refused_naming_the_pattern() {
        let error = Matching::<Digits>::parse_from_parameter("42a")
            .err()
            .unwrap();
        assert!(error.into_message().contains("^[0-9]+$"));
    }

    #[test]
    fn a_json_string_is_checked_against_the_pattern_too() {
        assert!(Matching::<Digits>::parse_from_json(Some(Value::from("42"))).is_ok());
        assert!(Matching::<Digits>::parse_from_json(Some(Value::from("4 2"))).is_err());
        assert!(Matching::<Digits>::parse_from_json(Some(Value::from(42))).is_err());
    }

    #[test]
    fn the_schema_publishes_the_pattern() {
        let schema = Matching::<Digits>::schema_ref();
        assert_eq!(schema.unwrap_inline().pattern.as_deref(), Some("^[0-9]+$"));
        assert_eq!(schema.unwrap_inline().ty, "string");
    }
}
