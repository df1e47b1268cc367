//! What every version's users endpoints share: the document types of a
//! user, the patterns the document states for each attribute, and the
//! query parameters.

pub mod attribute_patterns;
pub mod params;
pub mod schema;

use serde_json::Value;

use self::schema::{ATTRIBUTE_NAMES, USERS};
use crate::{
    error::ApiError,
    jsonapi::{
        payload::Fieldset,
        query::parse_fieldset,
        request::{IdRule, parse_resource},
    },
    users::input::UserChanges,
};

/// `fields[users]`, checked against the attributes users have.
pub fn fieldset(fields: Option<&str>) -> Result<Option<Fieldset>, ApiError> {
    fields
        .map(|fields| parse_fieldset(fields, USERS, &ATTRIBUTE_NAMES))
        .transpose()
}

/// The changes an update document asks of user `id`.
pub fn parse_changes(document: Value, id: i64) -> Result<UserChanges, ApiError> {
    let id = id.to_string();
    UserChanges::parse(parse_resource(document, USERS, IdRule::MustMatch(&id))?)
}
