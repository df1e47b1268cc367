//! The documents of JSON:API Atomic Operations: the request, its
//! operations, and the results. The schemas document their shape; each
//! operation is read by [`super::operation`], and its `data` by the parser
//! of the single-resource endpoint that does the same.

use poem_openapi::{Enum, Object, Union};
use serde::Serialize;
use serde_json::Value;

use crate::{
    api::{
        users::schema::{UserCreateResource, UserUpdateMeta, UserUpdateResource},
        v2::{
            included::IncludedResource,
            posts_schema::{PostCreateResource, PostUpdateResource},
        },
    },
    jsonapi::{
        document::{JsonApiObject, Meta},
        error::ApiError,
        payload::{Atomic, Extension, RequestDocument},
        resource_id::ResourceIdText,
    },
};

/// Where a request's operations are.
pub const OPERATIONS: &str = "atomic:operations";

/// What an operation does.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename = "AtomicOp", rename_all = "lowercase")]
pub enum AtomicOp {
    Add,
    Update,
    Remove,
}

/// The types of resource operations write.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename = "AtomicResourceType", rename_all = "lowercase")]
pub enum AtomicResourceType {
    Users,
    Posts,
}

/// The relationships an operation may name.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename = "AtomicRelationship", rename_all = "lowercase")]
pub enum AtomicRelationship {
    /// A post's author: admins only.
    Author,
    /// A user's posts: always 403, a post's author is changed on the post.
    Posts,
}

/// The resource, or the relationship of one, an operation acts on.
#[derive(Object, Debug)]
#[oai(rename = "AtomicRef")]
pub struct AtomicRef {
    #[oai(rename = "type")]
    pub kind: AtomicResourceType,
    /// The resource's id.
    pub id: Option<ResourceIdText>,
    /// Instead of `id`: the `lid` a resource was added with earlier in the
    /// same request.
    pub lid: Option<String>,
    /// The relationship to change, rather than the resource.
    pub relationship: Option<AtomicRelationship>,
}

/// Names one resource: by `id`, or by the `lid` it was added with earlier
/// in the same request.
#[derive(Object, Debug)]
#[oai(rename = "AtomicIdentifier")]
pub struct AtomicIdentifier {
    #[oai(rename = "type")]
    pub kind: AtomicResourceType,
    pub id: Option<ResourceIdText>,
    pub lid: Option<String>,
}

/// An operation's `data`: a resource to add (with a `lid` of your choosing
/// to name it later in the request), the changes to one (naming it by `id`
/// or `lid`), or the user a post's `author` relationship is to name. A
/// relationship's linkage, here and in a resource, may name a resource by
/// `lid`.
//
// anyOf, not oneOf: an identifier is also a valid update, so a document
// could match two members.
#[derive(Union, Debug)]
#[oai(rename = "AtomicData")]
pub enum AtomicData {
    UserCreate(UserCreateResource),
    UserUpdate(UserUpdateResource),
    PostCreate(PostCreateResource),
    PostUpdate(PostUpdateResource),
    Identifier(AtomicIdentifier),
}

/// One operation. `add` takes `data`, the new resource; `update` takes
/// `data`, and `ref` unless `data` names the resource; `remove` takes
/// `ref`. `href` is not supported (400).
#[derive(Object, Debug)]
#[oai(rename = "AtomicOperation")]
pub struct AtomicOperation {
    pub op: AtomicOp,
    #[oai(rename = "ref")]
    pub target: Option<AtomicRef>,
    pub data: Option<AtomicData>,
    /// For an update of your own password, `current_password`.
    pub meta: Option<UserUpdateMeta>,
}

/// Operations applied in order, all in one transaction: if one fails,
/// none is applied, and the error points at it.
#[derive(Object, Debug)]
#[oai(rename = "AtomicOperationsDocument")]
pub struct AtomicOperationsDocument {
    /// At most `ATOMIC_MAX_OPERATIONS` (100 unless the service is set
    /// otherwise).
    #[oai(rename = "atomic:operations")]
    pub operations: Vec<AtomicOperation>,
    /// Ignored.
    pub jsonapi: Option<Value>,
    pub meta: Option<Meta>,
}

impl RequestDocument for AtomicOperationsDocument {
    type Parsed = Vec<Value>;
    const MEDIA_TYPE: &'static str = Atomic::MEDIA_TYPE;

    /// The operations, each read when its turn comes, so that an error
    /// found there is reported with what came before it in mind.
    fn parse(document: Value) -> Result<Vec<Value>, ApiError> {
        let Value::Object(mut document) = document else {
            return Err(ApiError::invalid_document(
                "",
                "the request body must be a JSON object",
            ));
        };
        if document.contains_key("data") {
            return Err(ApiError::invalid_document(
                "/data",
                format!("an atomic request holds {OPERATIONS}, not data"),
            ));
        }
        if document.get("meta").is_some_and(|meta| !meta.is_object()) {
            return Err(ApiError::invalid_document(
                "/meta",
                "meta must be an object",
            ));
        }
        match document.remove(OPERATIONS) {
            Some(Value::Array(operations)) => Ok(operations),
            Some(_) => Err(ApiError::invalid_document(
                format!("/{OPERATIONS}"),
                format!("{OPERATIONS} must be an array of operations"),
            )),
            None => Err(ApiError::invalid_document(
                "",
                format!("an atomic request needs {OPERATIONS}, an array of operations"),
            )),
        }
    }
}

/// What one operation did: the resource it added or changed, or nothing
/// (`{}`) for a removal or a relationship's change.
#[derive(Object, Serialize, Debug, Clone)]
#[oai(rename = "AtomicResult")]
pub struct AtomicResult {
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<IncludedResource>,
}

/// The result of each operation, in the order they were sent.
#[derive(Object, Serialize, Debug, Clone)]
#[oai(rename = "AtomicResultsDocument")]
pub struct AtomicResultsDocument {
    pub jsonapi: JsonApiObject,
    #[oai(rename = "atomic:results")]
    #[serde(rename = "atomic:results")]
    pub results: Vec<AtomicResult>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn pointer(result: Result<Vec<Value>, ApiError>) -> String {
        match result {
            Err(ApiError::InvalidDocument { pointer, .. }) => pointer,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn operations_are_an_array_under_their_member() {
        let parse = AtomicOperationsDocument::parse;
        assert_eq!(parse(json!({OPERATIONS: [{}, {}]})).unwrap().len(), 2);
        assert_eq!(
            pointer(parse(json!({OPERATIONS: {}}))),
            "/atomic:operations"
        );
        assert_eq!(pointer(parse(json!({"meta": {}}))), "");
        assert_eq!(pointer(parse(json!({"data": {}, OPERATIONS: []}))), "/data");
    }

    #[test]
    fn a_result_of_nothing_is_an_empty_object() {
        let written = serde_json::to_value(AtomicResult { data: None }).unwrap();
        assert_eq!(written, json!({}));
    }
}
