//! The JSON:API 1.1 layer: documents, payloads, content negotiation, request
//! parsing and query parameters, independent of any one resource type.

pub mod attribute_checker;
pub mod cursor;
pub mod document;
pub mod error;
pub mod links;
pub mod negotiation;
pub mod pattern_param;
pub mod payload;
pub mod query;
pub mod relationship;
pub mod request;
pub mod resource;
pub mod resource_documents;
pub mod resource_id;
pub mod routes;
pub mod strict_json;
pub mod values;

/// The JSON:API media type, with no parameters.
pub const MEDIA_TYPE: &str = "application/vnd.api+json";
