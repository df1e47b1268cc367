//! The id segment of a resource URL: a decimal id followed by the suffix
//! of the version's layout (`.json` in v1, nothing in v2).

use super::pattern_param::{Matching, Pattern, compile};
use regex::Regex;
use std::sync::LazyLock;
use std::{borrow::Cow, marker::PhantomData};

use poem_openapi::{
    registry::{MetaSchema, MetaSchemaRef},
    types::{ParseError, ParseFromParameter, ParseResult, Type},
};

use super::links::Mount;

/// An id as it stands in `/users/42.json` (v1) or `/users/42` (v2).
/// Anything else there (`abc.json`, `-1.json`, `1.json.json`, an id beyond
/// 64 bits, a v1 id without its suffix) names no resource, and the
/// framework error it raises is answered 404.
#[derive(Debug, PartialEq, Eq)]
pub struct ResourceId<M>(pub i64, PhantomData<M>);

impl<M: Mount> ResourceId<M> {
    fn parse(segment: &str) -> Option<Self> {
        let digits = segment.strip_suffix(M::LAYOUT.suffix)?;
        if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok().map(|id| Self(id, PhantomData))
    }
}

impl<M: Mount> Type for ResourceId<M> {
    const IS_REQUIRED: bool = true;

    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "integer_int64".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            minimum: Some(0.0),
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

impl<M: Mount> ParseFromParameter for ResourceId<M> {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        Self::parse(value).ok_or_else(|| ParseError::custom("not a resource id"))
    }
}

/// An id as a request document's resource identifier writes it: a whole
/// number in a string, short enough to be one the service can have made.
#[derive(Debug)]
pub struct IdTextPattern;

impl Pattern for IdTextPattern {
    fn pattern() -> &'static str {
        "^[0-9]{1,18}$"
    }

    const EXAMPLE: Option<&'static str> = Some("42");

    fn regex() -> &'static Regex {
        static REGEX: LazyLock<Regex> = LazyLock::new(|| compile(IdTextPattern::pattern()));
        &REGEX
    }
}

/// `id` in a request's resource identifier.
pub type ResourceIdText = Matching<IdTextPattern>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jsonapi::links::UrlLayout;

    #[derive(Debug, PartialEq, Eq)]
    struct Suffixed;
    impl Mount for Suffixed {
        const LAYOUT: UrlLayout = UrlLayout {
            prefix: "/v",
            suffix: ".json",
        };
    }

    #[derive(Debug, PartialEq, Eq)]
    struct Plain;
    impl Mount for Plain {
        const LAYOUT: UrlLayout = UrlLayout {
            prefix: "/w",
            suffix: "",
        };
    }

    type ResourceId = super::ResourceId<Suffixed>;

    fn id(value: i64) -> Option<ResourceId> {
        Some(super::ResourceId(value, PhantomData))
    }

    #[test]
    fn without_a_suffix_a_decimal_id_is_an_id() {
        assert_eq!(
            super::ResourceId::<Plain>::parse("42").map(|id| id.0),
            Some(42)
        );
        assert!(super::ResourceId::<Plain>::parse("42.json").is_none());
    }

    #[test]
    fn a_decimal_id_with_the_suffix_is_an_id() {
        assert_eq!(ResourceId::parse("42.json"), id(42));
        assert_eq!(ResourceId::parse("0.json"), id(0));
    }

    #[test]
    fn anything_else_is_not() {
        for segment in [
            "42",
            "abc.json",
            "-1.json",
            "+1.json",
            "1.json.json",
            ".json",
            "1e3.json",
        ] {
            assert_eq!(ResourceId::parse(segment), None, "{segment}");
        }
        assert_eq!(ResourceId::parse(&format!("{}.json", "9".repeat(30))), None);
    }
}
