//! Version 2's declaration of users: v1's attributes and rules, with the
//! `posts` relationship v1 does not have.

use crate::{
    api::users::resource::Users,
    jsonapi::resource::{FieldsParam, IncludeParam, ResourceType},
};

pub struct UsersWithPosts;

impl ResourceType for UsersWithPosts {
    const TYPE: &'static str = Users::TYPE;
    const ATTRIBUTES: &'static [&'static str] = Users::ATTRIBUTES;
    const SERVER_OWNED: &'static [&'static str] = Users::SERVER_OWNED;
    const WRITE_ONLY: &'static [&'static str] = Users::WRITE_ONLY;
    const SORTABLE: &'static [&'static str] = Users::SORTABLE;
    const FILTERABLE: &'static [&'static str] = Users::FILTERABLE;
    const RELATIONSHIPS: &'static [&'static str] = &[POSTS];
    const INCLUDES: &'static [&'static str] = &[POSTS, POSTS_AUTHOR];
}

pub const POSTS: &str = "posts";
/// The authors of the included posts: the users they are included with,
/// so asking for it adds no resource, only the linkage it always has.
pub const POSTS_AUTHOR: &str = "posts.author";

/// `fields[users]` in v2, which may name `posts`.
pub type UserFields = FieldsParam<UsersWithPosts>;

/// `include` on users.
pub type UserInclude = IncludeParam<UsersWithPosts>;
