//! What every version's users endpoints share: the declaration of users as
//! a resource type, the document types of a user, the patterns the document
//! states for each attribute, reading a registration or an update, and
//! answering users' errors.

pub mod attribute_patterns;
pub mod errors;
pub mod input;
pub mod pointers;
pub mod resource;
pub mod responses;
pub mod schema;

use serde_json::Value;

use self::{errors::answer, pointers::Members};
use crate::{
    db::Db,
    jsonapi::error::ApiError,
    jsonapi::request::{IdRule, parse_resource},
    jsonapi::resource::ResourceType,
    revision::Expected,
    state::AppState,
    users::{caller::Bearer, entity::Model as User, error::UserError, input::UserChanges, service},
};

/// An update document as read: the changes it asks for, or why it cannot
/// be read, and where it points problems with its members.
pub struct RequestedChanges {
    changes: Result<UserChanges, ApiError>,
    members: Members,
}

/// The changes an update document asks of user `id`, users being declared
/// as `R` in the version that asks. A user's relationships are read-only:
/// linkage sent in one is refused.
pub fn parse_changes<R: ResourceType>(document: Value, id: i64) -> RequestedChanges {
    let id = id.to_string();
    match parse_resource::<R>(document, IdRule::MustMatch(&id)) {
        Ok(input) if !input.relationships.is_empty() => RequestedChanges {
            changes: Err(ApiError::Forbidden(
                "a user's posts are changed on each post: change a post's author relationship"
                    .to_owned(),
            )),
            members: Members::default(),
        },
        Ok(input) => RequestedChanges {
            members: Members::of(&input),
            changes: UserChanges::parse(input),
        },
        Err(error) => RequestedChanges {
            changes: Err(error),
            members: Members::default(),
        },
    }
}

/// Why an update was refused: its document, or the rules about users.
enum Refusal {
    Document(ApiError),
    Domain(UserError),
}

impl From<UserError> for Refusal {
    fn from(error: UserError) -> Self {
        Self::Domain(error)
    }
}

impl RequestedChanges {
    /// Applies the changes to user `id`, at a version `expected` admits,
    /// for the caller behind `bearer`; a refusal points into this document.
    pub async fn apply(
        self,
        state: &AppState,
        db: &impl Db,
        bearer: &Bearer,
        id: i64,
        expected: &Expected,
    ) -> Result<User, ApiError> {
        let changes = self.changes.map_err(Refusal::Document);
        service::update_for(state, db, bearer, id, expected, changes)
            .await
            .map_err(|refusal| match refusal {
                Refusal::Document(error) => error,
                Refusal::Domain(error) => answer(error, self.members),
            })
    }
}
