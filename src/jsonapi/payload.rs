//! Request and response bodies in the JSON:API media type.
//!
//! poem-openapi's `Json` answers `application/json; charset=utf-8` and takes
//! any `application/*+json` with any parameters; JSON:API forbids both, so
//! documents travel in these payloads instead.

use std::{collections::BTreeSet, marker::PhantomData};

use poem::{IntoResponse, Request, RequestBody, Response, http::StatusCode};
use poem_openapi::{
    ApiExtractor, ApiExtractorType, ApiResponse, ExtractParamOptions,
    payload::{ParsePayload, Payload},
    registry::{MetaMediaType, MetaRequest, MetaResponse, MetaResponses, MetaSchemaRef, Registry},
    types::{ToJSON, Type},
};
use serde::Serialize;
use serde_json::Value;

use super::error::ApiError;
use super::{
    MEDIA_TYPE,
    negotiation::{extensions_of, takes_body},
    strict_json,
};

/// The JSON:API media type a kind of document travels in: plain, or naming
/// the extension its documents follow.
pub trait Extension: Send + Sync + 'static {
    const MEDIA_TYPE: &'static str;
}

/// Plain JSON:API, no extension.
pub struct NoExtension;

impl Extension for NoExtension {
    const MEDIA_TYPE: &'static str = MEDIA_TYPE;
}

/// The Atomic Operations extension.
pub struct Atomic;

impl Extension for Atomic {
    const MEDIA_TYPE: &'static str =
        "application/vnd.api+json; ext=\"https://jsonapi.org/ext/atomic\"";
}

/// A JSON:API document sent as `application/vnd.api+json`, with the
/// extension `E` names, if any.
pub struct JsonApi<T, E = NoExtension> {
    document: T,
    fieldsets: Vec<Fieldset>,
    profile: Option<&'static str>,
    extension: PhantomData<E>,
}

/// The fields (attributes and relationships) a client asked for with
/// `fields[TYPE]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fieldset {
    pub resource_type: &'static str,
    pub attributes: BTreeSet<String>,
}

impl<T> JsonApi<T> {
    pub fn new(document: T) -> Self {
        Self::in_extension(document)
    }
}

impl<T, E: Extension> JsonApi<T, E> {
    /// A document that follows extension `E`.
    pub fn in_extension(document: T) -> Self {
        Self {
            document,
            fieldsets: Vec::new(),
            profile: None,
            extension: PhantomData,
        }
    }

    /// Names a profile the document follows in its media type, as JSON:API
    /// asks of a server applying one.
    pub fn with_profile(mut self, profile: &'static str) -> Self {
        self.profile = Some(profile);
        self
    }

    /// Leaves out every field of the fieldset's type not in it, wherever
    /// a resource of that type appears: primary data and `included`.
    pub fn with_fieldset(mut self, fieldset: Option<Fieldset>) -> Self {
        self.fieldsets.extend(fieldset);
        self
    }
}

impl<T: Type, E: Extension> Payload for JsonApi<T, E> {
    const CONTENT_TYPE: &'static str = E::MEDIA_TYPE;

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

/// Documents are written by serde straight from their types. Going through
/// poem-openapi's `ToJSON` first builds a `serde_json::Value` tree, hundreds
/// of allocations for a page of 20; only a fieldset, which drops attributes
/// by name, still takes that way. Both must write the same JSON, which the
/// documents' tests check.
impl<T: ToJSON + Serialize, E: Extension> IntoResponse for JsonApi<T, E> {
    fn into_response(self) -> Response {
        let body = if self.fieldsets.is_empty() {
            serde_json::to_vec(&self.document)
        } else {
            let mut value = self.document.to_json().unwrap_or(Value::Null);
            for fieldset in &self.fieldsets {
                apply_fieldset(&mut value, fieldset);
            }
            serde_json::to_vec(&value)
        };
        match body {
            Ok(body) => match self.profile {
                None => Response::builder().content_type(E::MEDIA_TYPE).body(body),
                Some(profile) => Response::builder()
                    .content_type(format!("{}; profile=\"{profile}\"", E::MEDIA_TYPE))
                    .body(body),
            },
            Err(error) => ApiError::internal(error).into_response(),
        }
    }
}

impl<T: ToJSON + Serialize, E: Extension> ApiResponse for JsonApi<T, E> {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![MetaResponse {
                description: "A JSON:API document.",
                status: Some(StatusCode::OK.as_u16()),
                status_range: None,
                content: vec![MetaMediaType {
                    content_type: E::MEDIA_TYPE,
                    schema: T::schema_ref(),
                }],
                headers: vec![],
            }],
        }
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

fn apply_fieldset(document: &mut Value, fieldset: &Fieldset) {
    let Value::Object(members) = document else {
        return;
    };
    let mut resources: Vec<&mut Value> = Vec::new();
    for (name, member) in members.iter_mut() {
        match (name.as_str(), member) {
            ("data" | "included", Value::Array(items)) => resources.extend(items.iter_mut()),
            ("data", item @ Value::Object(_)) => resources.push(item),
            _ => {}
        }
    }
    for resource in resources {
        if resource.get("type").and_then(Value::as_str) != Some(fieldset.resource_type) {
            continue;
        }
        for member in ["attributes", "relationships"] {
            if let Some(Value::Object(fields)) = resource.get_mut(member) {
                fields.retain(|name, _| fieldset.attributes.contains(name));
            }
        }
        // A resource with no relationship left has no relationships member,
        // as one that never had any.
        if let Value::Object(members) = resource
            && members
                .get("relationships")
                .and_then(Value::as_object)
                .is_some_and(|r| r.is_empty())
        {
            members.remove("relationships");
        }
    }
}

/// A request document type: its schema documents the body, and `parse`
/// turns the JSON into what the handler works with, reporting every problem
/// with a JSON Pointer (which poem-openapi's own parsing cannot do).
pub trait RequestDocument: Type {
    type Parsed: Send;
    /// The media type the document is sent in: an extension's, for a
    /// document that follows one.
    const MEDIA_TYPE: &'static str = MEDIA_TYPE;

    fn parse(document: Value) -> Result<Self::Parsed, ApiError>;
}

/// A request body in the JSON:API media type, or plain `application/json`
/// as AngularJS and most hand-written clients send it.
pub struct JsonApiBody<D: RequestDocument>(pub D::Parsed);

impl<D: RequestDocument> Payload for JsonApiBody<D> {
    const CONTENT_TYPE: &'static str = D::MEDIA_TYPE;

    fn check_content_type(content_type: &str) -> bool {
        takes_body(content_type, D::MEDIA_TYPE)
    }

    fn schema_ref() -> MetaSchemaRef {
        D::schema_ref()
    }

    fn register(registry: &mut Registry) {
        D::register(registry);
    }
}

impl<D: RequestDocument> ParsePayload for JsonApiBody<D> {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let bytes = <Vec<u8> as poem::FromRequest>::from_request(request, body).await?;
        Ok(Self(D::parse(parse_json(&bytes)?)?))
    }
}

impl<D: RequestDocument> JsonApiBody<D> {
    /// Whether the document follows no extension, and so may come as plain
    /// `application/json` too.
    fn plain() -> bool {
        extensions_of(D::MEDIA_TYPE).is_empty()
    }

    /// The media types a body is taken in, as a refusal names them.
    fn taken() -> String {
        if Self::plain() {
            format!("{MEDIA_TYPE} or application/json")
        } else {
            D::MEDIA_TYPE.to_owned()
        }
    }
}

/// Parses a request body as JSON, refusing duplicate keys and nesting
/// deeper than serde_json's recursion limit.
pub fn parse_json(bytes: &[u8]) -> Result<Value, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::MalformedJson("the body is empty".to_owned()));
    }
    strict_json::parse(bytes).map_err(|error| ApiError::MalformedJson(error.to_string()))
}

impl<'a, D: RequestDocument> ApiExtractor<'a> for JsonApiBody<D> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        D::register(registry);
    }

    /// Documents the JSON:API media type only. Plain `application/json` is
    /// taken too, and the description says so; but offering the same schema
    /// under two media types makes some SDK generators (openapi-python-client)
    /// write a parameter typed as a union of the same class twice.
    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: Some(if Self::plain() {
                "A JSON:API document. The body may also be sent as `application/json`."
            } else {
                "A JSON:API document in the media type of its extension, as shown."
            }),
            content: vec![MetaMediaType {
                content_type: D::MEDIA_TYPE,
                schema: D::schema_ref(),
            }],
            required: true,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        match request.content_type() {
            Some(content_type) if Self::check_content_type(content_type) => {
                <Self as ParsePayload>::from_request(request, body).await
            }
            Some(content_type) => Err(ApiError::UnsupportedMediaType(format!(
                "send the body as {}, not {content_type}",
                Self::taken()
            ))
            .into()),
            None => Err(ApiError::UnsupportedMediaType(format!(
                "send the body with Content-Type: {}",
                D::MEDIA_TYPE
            ))
            .into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_fieldset_keeps_only_the_named_attributes_of_its_type() {
        let mut document = json!({"data": [
            {"type": "users", "id": "1", "attributes": {"name": "A", "email": "a@x.io"}},
            {"type": "users", "id": "2", "attributes": {"name": "B", "email": "b@x.io"}}
        ]});
        let fieldset = Fieldset {
            resource_type: "users",
            attributes: ["name".to_owned()].into(),
        };
        apply_fieldset(&mut document, &fieldset);
        assert_eq!(document["data"][0]["attributes"], json!({"name": "A"}));
        assert_eq!(document["data"][1]["attributes"], json!({"name": "B"}));
    }

    #[test]
    fn a_fieldset_reaches_included_resources_and_relationships() {
        let mut document = json!({
            "data": {"type": "posts", "id": "1", "attributes": {"title": "T"},
                "relationships": {"author": {"data": {"type": "users", "id": "2"}}}},
            "included": [{"type": "users", "id": "2", "attributes": {"name": "A", "website": null},
                "relationships": {"posts": {"meta": {"total": 1}}}}]
        });
        let fieldset = Fieldset {
            resource_type: "users",
            attributes: ["name".to_owned()].into(),
        };
        apply_fieldset(&mut document, &fieldset);
        assert_eq!(document["included"][0]["attributes"], json!({"name": "A"}));
        assert!(document["included"][0].get("relationships").is_none());
        assert_eq!(
            document["data"]["relationships"]["author"]["data"]["id"],
            "2"
        );
    }

    #[test]
    fn the_atomic_media_type_names_the_extension_alone() {
        assert_eq!(
            extensions_of(Atomic::MEDIA_TYPE),
            ["https://jsonapi.org/ext/atomic"]
        );
        assert!(extensions_of(NoExtension::MEDIA_TYPE).is_empty());
    }

    #[test]
    fn an_empty_body_is_malformed_json() {
        assert!(matches!(parse_json(b"  "), Err(ApiError::MalformedJson(_))));
    }
}
