//! Top-level document members shared by every JSON:API response.

use poem_openapi::{Object, types::ToJSON};
use serde::Serialize;

/// The version of JSON:API every document is written in.
pub const JSONAPI_VERSION: &str = "1.1";

/// Describes the server's implementation of JSON:API.
#[derive(Object, Serialize, Debug, Clone)]
#[oai(rename = "JsonApiObject")]
pub struct JsonApiObject {
    /// Always `1.1`.
    pub version: String,
    /// The profiles the document follows, such as cursor pagination.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<Vec<String>>,
}

impl Default for JsonApiObject {
    fn default() -> Self {
        Self {
            version: JSONAPI_VERSION.to_owned(),
            profile: None,
        }
    }
}

impl JsonApiObject {
    /// The object of a document that follows `profile`.
    pub fn with_profile(profile: &str) -> Self {
        Self {
            profile: Some(vec![profile.to_owned()]),
            ..Self::default()
        }
    }
}

/// Links of a resource object.
#[derive(Object, Serialize, Debug, Clone)]
#[oai(rename = "ResourceLinks")]
pub struct ResourceLinks {
    /// Where this resource lives, as an absolute URL.
    #[oai(rename = "self")]
    #[serde(rename = "self")]
    pub self_: String,
}

/// A resource's `meta`: the version its `ETag` names, so that a client that
/// read a page can send `If-Match` without reading each resource again.
#[derive(Object, Serialize, Debug, Clone)]
#[oai(rename = "ResourceVersionMeta")]
pub struct VersionMeta {
    /// Bumped by every write of the resource.
    pub version: i64,
}

/// A resource's `meta` in a cursor-paginated version: its version, and in
/// a page, the cursor that falls on it.
#[derive(Object, Serialize, Debug, Clone)]
#[oai(rename = "ResourceMeta")]
pub struct ResourceMeta {
    /// Bumped by every write of the resource; its `ETag` names it.
    pub version: i64,
    /// In a page: the cursor that falls on this resource.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<super::cursor::ItemPage>,
}

impl ResourceMeta {
    pub fn new(version: i64) -> Self {
        Self {
            version,
            page: None,
        }
    }
}

/// Links of a single-resource document.
#[derive(Object, Serialize, Debug, Clone)]
#[oai(rename = "SelfLinks")]
pub struct SelfLinks {
    /// The URL of this document.
    #[oai(rename = "self")]
    #[serde(rename = "self")]
    pub self_: String,
}

/// The relationships of a resource type that has none: an empty object,
/// which clients that always send the member, or send back what they read,
/// need. Naming a relationship is 400.
//
// The document limits this schema to no member (`maxProperties: 0`), which
// poem-openapi cannot write.
#[derive(Object, Debug, Clone)]
#[oai(rename = "NoRelationships")]
pub struct NoRelationships {}

/// Non-standard meta-information a request may carry; its members are
/// ignored, but it must be an object.
#[derive(Object, Debug, Clone)]
#[oai(rename = "Meta")]
pub struct Meta {}

/// An error document: the `errors` member and nothing else.
#[derive(Object, Debug, Clone)]
#[oai(rename = "ErrorDocument")]
pub struct ErrorDocument {
    pub jsonapi: JsonApiObject,
    /// One entry for each problem found; all problems are reported at once.
    pub errors: Vec<ErrorObject>,
    /// Facts about the failure as a whole: for a version the service does
    /// not have, the versions it has.
    #[oai(skip_serializing_if_is_none)]
    pub meta: Option<serde_json::Value>,
}

/// One problem with a request.
#[derive(Object, Debug, Clone)]
#[oai(rename = "ErrorObject")]
pub struct ErrorObject {
    /// The HTTP status code, as a string.
    pub status: String,
    /// A stable, machine-readable code for the kind of problem.
    pub code: String,
    /// A short summary of the kind of problem; the same for every occurrence.
    pub title: String,
    /// What went wrong in this occurrence.
    #[oai(skip_serializing_if_is_none)]
    pub detail: Option<String>,
    /// The part of the request the problem is in.
    #[oai(skip_serializing_if_is_none)]
    pub source: Option<ErrorSource>,
    /// Where the kind of problem is described, for problems a profile
    /// defines.
    #[oai(skip_serializing_if_is_none)]
    pub links: Option<ErrorLinks>,
    /// Facts about the problem, such as the largest page size allowed.
    #[oai(skip_serializing_if_is_none)]
    pub meta: Option<serde_json::Value>,
}

/// Links of an error object.
#[derive(Object, Debug, Clone)]
#[oai(rename = "ErrorLinks")]
pub struct ErrorLinks {
    /// The URI of the kind of error, as the profile that defines it says.
    #[oai(rename = "type")]
    pub type_: String,
}

/// Where in the request a problem is.
#[derive(Object, Debug, Clone, Default, PartialEq, Eq)]
#[oai(rename = "ErrorSource")]
pub struct ErrorSource {
    /// A JSON Pointer (RFC 6901) to the value in the request document.
    #[oai(skip_serializing_if_is_none)]
    pub pointer: Option<String>,
    /// The query parameter that caused the problem.
    #[oai(skip_serializing_if_is_none)]
    pub parameter: Option<String>,
    /// The request header that caused the problem.
    #[oai(skip_serializing_if_is_none)]
    pub header: Option<String>,
}

impl ErrorSource {
    pub fn pointer(pointer: impl Into<String>) -> Self {
        Self {
            pointer: Some(pointer.into()),
            ..Self::default()
        }
    }

    pub fn parameter(parameter: impl Into<String>) -> Self {
        Self {
            parameter: Some(parameter.into()),
            ..Self::default()
        }
    }

    pub fn header(header: impl Into<String>) -> Self {
        Self {
            header: Some(header.into()),
            ..Self::default()
        }
    }
}

/// Serialises a document to bytes; `ToJSON` output always serialises.
pub fn to_body<T: ToJSON>(document: &T) -> Vec<u8> {
    serde_json::to_vec(&document.to_json()).unwrap_or_default()
}
