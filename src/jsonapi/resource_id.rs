//! The id segment of a resource URL: a decimal id followed by `.json`.

use std::borrow::Cow;

use poem_openapi::{
    registry::{MetaSchema, MetaSchemaRef},
    types::{ParseError, ParseFromParameter, ParseResult, Type},
};

use super::routes::SUFFIX;

/// An id as it stands in `/users/42.json`. Anything else there (`42`,
/// `abc.json`, `-1.json`, `1.json.json`, an id beyond 64 bits) names no
/// resource, and the framework error it raises is answered 404.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceId(pub i64);

impl ResourceId {
    fn parse(segment: &str) -> Option<Self> {
        let digits = segment.strip_suffix(SUFFIX)?;
        if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok().map(Self)
    }
}

impl Type for ResourceId {
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

impl ParseFromParameter for ResourceId {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        Self::parse(value).ok_or_else(|| ParseError::custom("not a resource id followed by .json"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decimal_id_with_the_suffix_is_an_id() {
        assert_eq!(ResourceId::parse("42.json"), Some(ResourceId(42)));
        assert_eq!(ResourceId::parse("0.json"), Some(ResourceId(0)));
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
