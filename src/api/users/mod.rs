//! What every version's users endpoints share: the declaration of users as
//! a resource type, the document types of a user and the patterns the
//! document states for each attribute.

pub mod attribute_patterns;
pub mod resource;
pub mod schema;

use serde_json::Value;

use self::resource::Users;
use crate::{
    error::ApiError,
    jsonapi::request::{IdRule, parse_resource},
    users::input::UserChanges,
};

/// The changes an update document asks of user `id`.
pub fn parse_changes(document: Value, id: i64) -> Result<UserChanges, ApiError> {
    let id = id.to_string();
    UserChanges::parse(parse_resource::<Users>(document, IdRule::MustMatch(&id))?)
}
