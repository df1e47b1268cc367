//! A new post or changes to one, read from a JSON:API resource object: each
//! attribute checked by posts' rules, the author read from its
//! relationship, every problem reported at once with a pointer.

use serde_json::Value;

use super::resource::{AUTHOR, Posts};
use crate::{
    api::users::resource::Users,
    jsonapi::{
        attribute_checker::AttributeChecker, error::ApiError, relationship::to_one_id,
        request::ResourceInput, resource::ResourceType,
    },
    posts::input::{NewPost, PostChanges, parse_body, parse_pinned, parse_title},
};

/// The author a request names, if it sends the relationship with linkage.
fn author(input: &ResourceInput) -> Result<Option<i64>, ApiError> {
    input
        .relationships
        .get(AUTHOR)
        .map(|relationship| to_one_id(relationship, Users::TYPE, "/data/relationships/author"))
        .transpose()
}

// What a post and its changes are is the domain's; reading them from a
// request document is this layer's.
impl NewPost {
    pub fn parse(input: ResourceInput) -> Result<Self, ApiError> {
        let author = author(&input)?;
        let attributes = &input.attributes;
        let mut checker = AttributeChecker::<Posts>::new(&input);
        let title = checker.required(attributes, "title", parse_title);
        let body = checker.required(attributes, "body", parse_body);
        let pinned = checker.not_null(attributes, "pinned", parse_pinned);
        let post = match (title, body) {
            (Some(title), Some(body)) => Some(Self {
                title,
                body,
                pinned: pinned.unwrap_or(false),
                author,
            }),
            _ => None,
        };
        checker.finish(post)
    }
}

impl PostChanges {
    pub fn parse(input: ResourceInput) -> Result<Self, ApiError> {
        let author = author(&input)?;
        let attributes = &input.attributes;
        let mut checker = AttributeChecker::<Posts>::new(&input);
        let changes = Self {
            title: checker.not_null(attributes, "title", parse_title),
            body: checker.not_null(attributes, "body", parse_body),
            pinned: checker.not_null(attributes, "pinned", parse_pinned),
            author,
        };
        checker.finish(Some(changes))
    }
}

/// Reads an update document of post `id`.
pub fn parse_changes(document: Value, id: i64) -> Result<PostChanges, ApiError> {
    let id = id.to_string();
    PostChanges::parse(crate::jsonapi::request::parse_resource::<Posts>(
        document,
        crate::jsonapi::request::IdRule::MustMatch(&id),
    )?)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::jsonapi::request::{IdRule, parse_resource};

    fn new_post(document: Value) -> Result<NewPost, ApiError> {
        NewPost::parse(parse_resource::<Posts>(document, IdRule::ServerAssigned)?)
    }

    #[test]
    fn a_post_needs_a_title_and_a_body_and_may_name_its_author() {
        let post = new_post(json!({"data": {"type": "posts",
            "attributes": {"title": " Notes ", "body": "Text"},
            "relationships": {"author": {"data": {"type": "users", "id": "4"}}}}}))
        .unwrap();
        assert_eq!(
            (post.title.as_str(), post.pinned, post.author),
            ("Notes", false, Some(4))
        );
        let error = new_post(json!({"data": {"type": "posts", "attributes": {"title": "x"}}}));
        assert!(matches!(error, Err(ApiError::InvalidAttributes(_))));
    }

    #[test]
    fn a_relationship_sent_back_without_linkage_changes_nothing() {
        let changes = parse_changes(
            json!({"data": {"type": "posts", "id": "2", "attributes": {"pinned": true},
                "relationships": {"author": {"links": {"related": "x"}}}}}),
            2,
        )
        .unwrap();
        assert_eq!((changes.pinned, changes.author), (Some(true), None));
    }
}
