//! Dates and timestamps as documents write them: `YYYY-MM-DD` with the
//! standard `date` format (poem-openapi's own says `naive-date`, which
//! generators do not know), and RFC 3339 UTC timestamps ending in `Z`.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use poem_openapi::{
    registry::{MetaSchema, MetaSchemaRef},
    types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type},
};
use serde::{Serialize, Serializer};
use serde_json::Value;

/// A calendar date, `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

/// An instant in UTC, written as RFC 3339 with microseconds and `Z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp(pub DateTime<Utc>);

macro_rules! string_value_type {
    ($ty:ty, $format:literal) => {
        impl Type for $ty {
            const IS_REQUIRED: bool = true;

            type RawValueType = Self;
            type RawElementValueType = Self;

            fn name() -> Cow<'static, str> {
                concat!("string_", $format).into()
            }

            fn schema_ref() -> MetaSchemaRef {
                MetaSchemaRef::Inline(Box::new(MetaSchema::new_with_format("string", $format)))
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

        impl ParseFromJSON for $ty {
            fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
                match value.unwrap_or_default() {
                    Value::String(text) => Self::parse(&text).ok_or_else(|| {
                        ParseError::custom(concat!("expected a ", $format, " string"))
                    }),
                    other => Err(ParseError::expected_type(other)),
                }
            }
        }

        impl ToJSON for $ty {
            fn to_json(&self) -> Option<Value> {
                Some(Value::String(self.render()))
            }
        }

        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.render())
            }
        }
    };
}

string_value_type!(Date, "date");
string_value_type!(Timestamp, "date-time");

impl Date {
    fn parse(text: &str) -> Option<Self> {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().map(Self)
    }

    fn render(&self) -> String {
        self.0.format("%Y-%m-%d").to_string()
    }
}

impl Timestamp {
    fn parse(text: &str) -> Option<Self> {
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|instant| Self(instant.with_timezone(&Utc)))
    }

    fn render(&self) -> String {
        self.0.to_rfc3339_opts(SecondsFormat::Micros, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timestamp_is_written_in_utc_with_z() {
        let instant = DateTime::parse_from_rfc3339("2026-11-20T10:00:00.5+01:00").unwrap();
        let written = Timestamp(instant.with_timezone(&Utc)).to_json().unwrap();
        assert_eq!(written, "2026-11-20T09:00:00.500000Z");
    }

    #[test]
    fn a_date_round_trips_as_yyyy_mm_dd() {
        let date = Date::parse_from_json(Some(Value::from("1815-12-10"))).unwrap();
        assert_eq!(date.to_json().unwrap(), "1815-12-10");
        assert!(Date::parse_from_json(Some(Value::from("10/12/1815"))).is_err());
    }
}
