//! Posts as a JSON:API resource type, declared once for the layer to
//! derive the rest from.

use crate::jsonapi::resource::{FieldsParam, IncludeParam, ResourceType, SortParam};

pub struct Posts;

impl ResourceType for Posts {
    const TYPE: &'static str = "posts";
    const ATTRIBUTES: &'static [&'static str] =
        &["title", "body", "pinned", "created_at", "updated_at"];
    const SERVER_OWNED: &'static [&'static str] = &["created_at", "updated_at"];
    const WRITE_ONLY: &'static [&'static str] = &[];
    /// The contract's four, and the id every order ends in.
    const SORTABLE: &'static [&'static str] =
        &["created_at", "updated_at", "title", "pinned", "id"];
    const FILTERABLE: &'static [&'static str] = &["author", "pinned", "q"];
    const RELATIONSHIPS: &'static [&'static str] = &["author"];
    const INCLUDES: &'static [&'static str] = &["author"];
}

/// `sort` on posts.
pub type PostSort = SortParam<Posts>;

/// `fields[posts]`.
pub type PostFields = FieldsParam<Posts>;

/// `include` on posts.
pub type PostInclude = IncludeParam<Posts>;

/// The relationship that names a post's author.
pub const AUTHOR: &str = "author";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::posts::listing::SortField;

    #[test]
    fn every_sortable_field_is_one_the_store_sorts_by() {
        for name in Posts::SORTABLE {
            assert!(SortField::parse(name).is_some(), "{name}");
        }
    }
}
