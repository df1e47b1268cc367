//! Version 2's post documents: a post, its author relationship, and the
//! documents that create, change and link posts.

use poem_openapi::{Enum, Object};
use serde::{Serialize, Serializer};
use serde_json::Value;

use super::{included::IncludedResource, schema::UserIdentifier};
use crate::api::users::schema::UserType;
use crate::{
    api::posts::{
        attribute_patterns::{Body, Title},
        resource::{AUTHOR, Posts},
    },
    api::users::resource::Users,
    jsonapi::{
        cursor::{CollectionMeta, CursorLinks, ItemMeta, PROFILE, PageMeta},
        document::{JsonApiObject, Meta, ResourceLinks, ResourceMeta},
        error::ApiError,
        links::LinkBase,
        payload::RequestDocument,
        relationship::{RelationshipLinks, to_one_id},
        request::{IdRule, parse_resource},
        resource::ResourceType,
        resource_id::ResourceIdText,
        values::Timestamp,
    },
    posts::{entity::Model as Post, input::NewPost},
    resource_documents,
};

/// The type member of a post resource: always `posts`.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename = "PostType", rename_all = "lowercase")]
pub enum PostType {
    Posts,
}

impl Serialize for PostType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(Posts::TYPE)
    }
}

/// Names one post.
#[derive(Object, Serialize, Debug, Clone, PartialEq, Eq)]
#[oai(rename = "PostIdentifier")]
pub struct PostIdentifier {
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub kind: PostType,
    /// The post's id.
    pub id: String,
}

impl PostIdentifier {
    pub fn new(id: i64) -> Self {
        Self {
            kind: PostType::Posts,
            id: id.to_string(),
        }
    }
}

/// A post's attributes. Responses carry all of them unless `fields[posts]`
/// names only some, so none is required.
#[derive(Object, Serialize, Debug, Clone)]
#[oai(rename = "PostAttributes")]
pub struct PostAttributes {
    /// 1 to 200 characters, trimmed.
    pub title: Option<String>,
    /// At most 20,000 characters.
    pub body: Option<String>,
    /// Pinned posts come first in the default order.
    pub pinned: Option<bool>,
    /// When the post was written (RFC 3339, UTC).
    #[oai(read_only)]
    pub created_at: Option<Timestamp>,
    /// When the post last changed (RFC 3339, UTC).
    #[oai(read_only)]
    pub updated_at: Option<Timestamp>,
}

/// Who wrote a post.
#[derive(Object, Serialize, Debug, Clone)]
#[oai(rename = "PostAuthorRelationship")]
pub struct PostAuthorRelationship {
    pub links: RelationshipLinks,
    pub data: UserIdentifier,
}

/// A post's relationships.
#[derive(Object, Serialize, Debug, Clone)]
#[oai(rename = "PostRelationships")]
pub struct PostRelationships {
    /// Left out when `fields[posts]` does not name it.
    pub author: Option<PostAuthorRelationship>,
}

/// A post as a JSON:API resource object.
#[derive(Object, Serialize, Debug, Clone)]
#[oai(rename = "PostResource")]
pub struct PostResource {
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub kind: PostType,
    /// The post's id, a decimal number as a string.
    pub id: String,
    pub attributes: PostAttributes,
    /// Left out when `fields[posts]` names no relationship.
    pub relationships: Option<PostRelationships>,
    pub links: ResourceLinks,
    pub meta: ResourceMeta,
}

impl PostResource {
    pub fn new(post: Post, base: &LinkBase) -> Self {
        let id = post.id;
        Self {
            kind: PostType::Posts,
            id: id.to_string(),
            attributes: PostAttributes {
                title: Some(post.title),
                body: Some(post.body),
                pinned: Some(post.pinned),
                created_at: Some(Timestamp(post.created_at)),
                updated_at: Some(Timestamp(post.updated_at)),
            },
            relationships: Some(PostRelationships {
                author: Some(PostAuthorRelationship {
                    links: RelationshipLinks::of(base, Posts::TYPE, id, AUTHOR),
                    data: UserIdentifier::new(post.author_id),
                }),
            }),
            links: ResourceLinks {
                self_: base.resource(Posts::TYPE, id),
            },
            meta: ResourceMeta::new(post.version),
        }
    }
}

resource_documents!(
    PostResource,
    included = IncludedResource,
    PostDocument = "PostDocument",
    PostCollectionDocument = "PostCollectionDocument",
);

/// A post's author relationship: who wrote it.
#[derive(Object, Serialize, Debug, Clone)]
#[oai(rename = "AuthorLinkageDocument")]
pub struct AuthorLinkageDocument {
    pub jsonapi: JsonApiObject,
    pub links: RelationshipLinks,
    pub data: UserIdentifier,
}

impl AuthorLinkageDocument {
    pub fn new(post: &Post, base: &LinkBase) -> Self {
        Self {
            jsonapi: JsonApiObject::default(),
            links: RelationshipLinks::of(base, Posts::TYPE, post.id, AUTHOR),
            data: UserIdentifier::new(post.author_id),
        }
    }
}

/// A page of a user's posts relationship: linkage to each post.
#[derive(Object, Serialize, Debug, Clone)]
#[oai(rename = "PostLinkageCollectionDocument")]
pub struct PostLinkageCollectionDocument {
    pub jsonapi: JsonApiObject,
    pub data: Vec<PostIdentifierItem>,
    pub links: CursorLinks,
    pub meta: CollectionMeta,
}

impl PostLinkageCollectionDocument {
    pub fn new(data: Vec<PostIdentifierItem>, links: CursorLinks, total: u64) -> Self {
        Self {
            jsonapi: JsonApiObject::with_profile(PROFILE),
            data,
            links,
            meta: CollectionMeta {
                page: PageMeta { total },
            },
        }
    }
}

/// Names one post of a page of linkage, with the cursor that falls on it.
#[derive(Object, Serialize, Debug, Clone)]
#[oai(rename = "PostIdentifierItem")]
pub struct PostIdentifierItem {
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub kind: PostType,
    pub id: String,
    pub meta: ItemMeta,
}

/// Names one user in a request.
#[derive(Object, Debug)]
#[oai(rename = "UserIdentifierInput")]
pub struct UserIdentifierInput {
    #[oai(rename = "type")]
    pub kind: UserType,
    /// The user's id.
    pub id: ResourceIdText,
}

/// Who a post names as its author, in a request.
#[derive(Object, Debug)]
#[oai(rename = "AuthorLinkage")]
pub struct AuthorLinkage {
    pub data: UserIdentifierInput,
}

/// A post's relationships in a request. Naming an author other than
/// yourself takes an admin (403); a user that does not exist is 404.
#[derive(Object, Debug)]
#[oai(rename = "PostWriteRelationships")]
pub struct PostWriteRelationships {
    pub author: Option<AuthorLinkage>,
}

/// Attributes of a new post. Any other attribute is refused (422).
#[derive(Object, Debug)]
#[oai(rename = "PostCreateAttributes")]
pub struct PostCreateAttributes {
    /// 1 to 200 characters once trimmed (it is, before storing), no
    /// control characters.
    pub title: Title,
    /// At most 20,000 characters; line breaks and tabs allowed, no other
    /// control characters.
    #[oai(validator(max_length = 20000))]
    pub body: Body,
    /// False by default.
    pub pinned: Option<bool>,
    /// Kept by the server: ignored when sent.
    #[oai(read_only)]
    pub created_at: Option<Timestamp>,
    /// Kept by the server: ignored when sent.
    #[oai(read_only)]
    pub updated_at: Option<Timestamp>,
}

/// A new post as a resource object; the server assigns the id.
#[derive(Object, Debug)]
#[oai(rename = "PostCreateResource")]
pub struct PostCreateResource {
    #[oai(rename = "type")]
    pub kind: PostType,
    pub attributes: PostCreateAttributes,
    /// Without an author, the post is the caller's.
    #[oai(nullable)]
    pub relationships: Option<PostWriteRelationships>,
    /// Ignored, as a resource read and sent back carries it.
    pub links: Option<Value>,
    /// Ignored.
    pub meta: Option<Value>,
}

/// A new post.
//
// Parsed by [`RequestDocument::parse`], which reports every invalid
// attribute at once with a pointer; this type documents its shape.
#[derive(Object, Debug)]
#[oai(rename = "PostCreateDocument")]
pub struct PostCreateDocument {
    pub data: PostCreateResource,
    /// Ignored, as a document read and sent back carries it.
    pub jsonapi: Option<Value>,
    /// Ignored, as a document read and sent back carries it.
    pub links: Option<Value>,
    pub meta: Option<Meta>,
}

impl RequestDocument for PostCreateDocument {
    type Parsed = NewPost;

    fn parse(document: Value) -> Result<NewPost, ApiError> {
        NewPost::parse(parse_resource::<Posts>(document, IdRule::ServerAssigned)?)
    }
}

/// The attributes to change; those not sent keep their values.
#[derive(Object, Debug)]
#[oai(rename = "PostUpdateAttributes")]
pub struct PostUpdateAttributes {
    /// 1 to 200 characters once trimmed, no control characters.
    pub title: Option<Title>,
    /// At most 20,000 characters; line breaks and tabs allowed.
    #[oai(validator(max_length = 20000))]
    pub body: Option<Body>,
    pub pinned: Option<bool>,
    /// Kept by the server: ignored when sent.
    #[oai(read_only)]
    pub created_at: Option<Timestamp>,
    /// Kept by the server: ignored when sent.
    #[oai(read_only)]
    pub updated_at: Option<Timestamp>,
}

/// Changes to a post as a resource object.
#[derive(Object, Debug)]
#[oai(rename = "PostUpdateResource")]
pub struct PostUpdateResource {
    #[oai(rename = "type")]
    pub kind: PostType,
    /// The post's id, as in the URL.
    pub id: String,
    pub attributes: Option<PostUpdateAttributes>,
    #[oai(nullable)]
    pub relationships: Option<PostWriteRelationships>,
    /// Ignored, as a resource read and sent back carries it.
    pub links: Option<Value>,
    /// Ignored.
    pub meta: Option<Value>,
}

/// Changes to a post; a post read and sent back whole is a valid one.
#[derive(Object, Debug)]
#[oai(rename = "PostUpdateDocument")]
pub struct PostUpdateDocument {
    pub data: PostUpdateResource,
    /// Ignored, as a document read and sent back carries it.
    pub jsonapi: Option<Value>,
    /// Ignored, as a document read and sent back carries it.
    pub links: Option<Value>,
    pub meta: Option<Meta>,
}

impl RequestDocument for PostUpdateDocument {
    type Parsed = Value;

    fn parse(document: Value) -> Result<Value, ApiError> {
        Ok(document)
    }
}

/// A new author for a post: admins only.
#[derive(Object, Debug)]
#[oai(rename = "AuthorLinkageRequest")]
pub struct AuthorLinkageRequest {
    pub data: UserIdentifierInput,
}

impl RequestDocument for AuthorLinkageRequest {
    type Parsed = i64;

    fn parse(document: Value) -> Result<i64, ApiError> {
        if !document.is_object() {
            return Err(ApiError::invalid_document(
                "",
                "the request body must be a JSON object",
            ));
        }
        to_one_id(&document, Users::TYPE, "")
    }
}
