//! The envelope of a request document: `data`, its `type` and `id`, its
//! `attributes`, and top-level `meta`. What the attributes mean is left to
//! the resource.

use serde_json::{Map, Value};

use super::error::ApiError;
use super::resource::ResourceType;

/// What a request says about the resource's id.
pub enum IdRule<'a> {
    /// Creating: the server assigns ids, so a client-generated one is refused.
    ServerAssigned,
    /// Updating: `data.id` is required and must equal the id in the URL.
    MustMatch(&'a str),
}

/// The parts of a resource object in a request that resources work with.
#[derive(Debug, Default)]
pub struct ResourceInput {
    pub attributes: Map<String, Value>,
    /// Whether `data.attributes` was sent: a missing attribute is pointed at
    /// through the nearest member that exists, as JSON:API requires.
    pub attributes_sent: bool,
    /// The relationships sent, each one the type declares.
    pub relationships: Map<String, Value>,
    pub meta: Map<String, Value>,
    pub meta_sent: bool,
}

impl ResourceInput {
    /// Where to point for an attribute that is missing.
    pub fn missing_attribute_pointer(&self) -> &'static str {
        if self.attributes_sent {
            "/data/attributes"
        } else {
            "/data"
        }
    }

    /// Where to point for a member of `meta` that is missing.
    pub fn missing_meta_pointer(&self) -> &'static str {
        if self.meta_sent { "/meta" } else { "" }
    }
}

/// Checks a request document's structure for a resource of type `R` and
/// takes it apart.
pub fn parse_resource<R: ResourceType>(
    document: Value,
    id_rule: IdRule<'_>,
) -> Result<ResourceInput, ApiError> {
    let resource_type = R::TYPE;
    let Value::Object(mut document) = document else {
        return Err(ApiError::invalid_document(
            "",
            "the request body must be a JSON object",
        ));
    };
    let meta_sent = matches!(document.get("meta"), Some(Value::Object(_)));
    let meta = match document.remove("meta") {
        None => Map::new(),
        Some(Value::Object(meta)) => meta,
        Some(_) => {
            return Err(ApiError::invalid_document(
                "/meta",
                "meta must be an object",
            ));
        }
    };
    let mut data = match document.remove("data") {
        None => {
            return Err(ApiError::invalid_document(
                "",
                "a request document needs a data member holding the resource object",
            ));
        }
        Some(Value::Object(data)) => data,
        Some(_) => {
            return Err(ApiError::invalid_document(
                "/data",
                "data must be a resource object",
            ));
        }
    };
    match data.get("type") {
        None => return Err(ApiError::invalid_document("/data", "data.type is required")),
        Some(Value::String(given)) if given == resource_type => {}
        Some(Value::String(_)) => {
            return Err(ApiError::TypeMismatch {
                expected: resource_type,
            });
        }
        Some(_) => {
            return Err(ApiError::invalid_document(
                "/data/type",
                "data.type must be a string",
            ));
        }
    }
    check_id(data.get("id"), id_rule)?;
    let relationships = declared_relationships::<R>(data.remove("relationships"))?;
    let attributes_sent = data.contains_key("attributes");
    let attributes = match data.remove("attributes") {
        None => Map::new(),
        Some(Value::Object(attributes)) => attributes,
        Some(_) => {
            return Err(ApiError::invalid_document(
                "/data/attributes",
                "data.attributes must be an object",
            ));
        }
    };
    Ok(ResourceInput {
        attributes,
        attributes_sent,
        relationships,
        meta,
        meta_sent,
    })
}

/// The relationships sent with linkage, each of which the type must
/// declare. An empty `relationships` object is taken from any type: clients
/// that always send one (PyPI's jsonapi-client does) or send back what they
/// read are valid JSON:API. Naming a relationship the type lacks is
/// refused, so nothing sent is silently dropped. A declared relationship
/// sent without `data` (its links and meta, as a resource read and sent
/// back carries them) asks for no change.
fn declared_relationships<R: ResourceType>(
    relationships: Option<Value>,
) -> Result<Map<String, Value>, ApiError> {
    match relationships {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(named)) => {
            if let Some(name) = named
                .keys()
                .find(|name| !R::RELATIONSHIPS.contains(&name.as_str()))
            {
                return Err(ApiError::invalid_document(
                    format!("/data/relationships/{}", escape_pointer(name)),
                    format!("{} have no relationship {name:?}", R::TYPE),
                ));
            }
            let mut linked = Map::new();
            for (name, relationship) in named {
                let pointer = format!("/data/relationships/{}", escape_pointer(&name));
                let Value::Object(members) = &relationship else {
                    return Err(ApiError::invalid_document(
                        pointer,
                        "a relationship must be an object",
                    ));
                };
                if members.contains_key("data") {
                    linked.insert(name, relationship);
                } else if !members.contains_key("links") && !members.contains_key("meta") {
                    return Err(ApiError::invalid_document(
                        pointer,
                        "a relationship object needs data, links or meta",
                    ));
                }
            }
            Ok(linked)
        }
        Some(_) => Err(ApiError::invalid_document(
            "/data/relationships",
            "data.relationships must be an object",
        )),
    }
}

/// Escapes a member name for use in a JSON pointer (RFC 6901).
pub fn escape_pointer(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

fn check_id(id: Option<&Value>, rule: IdRule<'_>) -> Result<(), ApiError> {
    match (rule, id) {
        (IdRule::ServerAssigned, None | Some(Value::Null)) => Ok(()),
        (IdRule::ServerAssigned, Some(_)) => Err(ApiError::ClientGeneratedId),
        (IdRule::MustMatch(_), None | Some(Value::Null)) => Err(ApiError::invalid_document(
            "/data",
            "data.id is required when updating a resource",
        )),
        (IdRule::MustMatch(expected), Some(Value::String(given))) if given == expected => Ok(()),
        (IdRule::MustMatch(_), Some(Value::String(_))) => Err(ApiError::IdMismatch),
        (IdRule::MustMatch(_), Some(_)) => Err(ApiError::invalid_document(
            "/data/id",
            "data.id must be a string",
        )),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    struct Users;

    impl ResourceType for Users {
        const TYPE: &'static str = "users";
        const ATTRIBUTES: &'static [&'static str] = &["name"];
        const SERVER_OWNED: &'static [&'static str] = &[];
        const WRITE_ONLY: &'static [&'static str] = &[];
        const SORTABLE: &'static [&'static str] = &[];
        const FILTERABLE: &'static [&'static str] = &[];
        const RELATIONSHIPS: &'static [&'static str] = &["manager"];
    }

    fn create(document: Value) -> Result<ResourceInput, ApiError> {
        parse_resource::<Users>(document, IdRule::ServerAssigned)
    }

    #[test]
    fn a_document_without_data_is_a_400() {
        assert!(matches!(
            create(json!({"meta": {}})),
            Err(ApiError::InvalidDocument { .. })
        ));
    }

    #[test]
    fn another_type_is_a_409() {
        let result = create(json!({"data": {"type": "posts", "attributes": {}}}));
        assert!(matches!(result, Err(ApiError::TypeMismatch { .. })));
    }

    #[test]
    fn a_client_generated_id_is_a_403() {
        let result = create(json!({"data": {"type": "users", "id": "7"}}));
        assert!(matches!(result, Err(ApiError::ClientGeneratedId)));
    }

    #[test]
    fn a_null_id_on_create_counts_as_absent() {
        assert!(create(json!({"data": {"type": "users", "id": null}})).is_ok());
    }

    #[test]
    fn an_update_needs_the_id_of_the_url() {
        let update = |document| parse_resource::<Users>(document, IdRule::MustMatch("5"));
        assert!(update(json!({"data": {"type": "users", "id": "5"}})).is_ok());
        assert!(matches!(
            update(json!({"data": {"type": "users", "id": "6"}})),
            Err(ApiError::IdMismatch)
        ));
        assert!(matches!(
            update(json!({"data": {"type": "users"}})),
            Err(ApiError::InvalidDocument { .. })
        ));
    }

    #[test]
    fn null_attributes_are_not_an_object() {
        let result = create(json!({"data": {"type": "users", "attributes": null}}));
        assert!(
            matches!(result, Err(ApiError::InvalidDocument { pointer, .. }) if pointer == "/data/attributes")
        );
    }

    #[test]
    fn an_empty_relationships_object_is_accepted() {
        assert!(create(json!({"data": {"type": "users", "relationships": {}}})).is_ok());
    }

    #[test]
    fn a_declared_relationship_is_handed_over() {
        let input = create(json!({"data": {"type": "users",
            "relationships": {"manager": {"data": {"type": "users", "id": "1"}}}}}))
        .unwrap();
        assert_eq!(input.relationships["manager"]["data"]["id"], "1");
    }

    #[test]
    fn a_relationship_sent_back_without_linkage_asks_for_nothing() {
        let input = create(json!({"data": {"type": "users",
            "relationships": {"manager": {"links": {"related": "x"}, "meta": {"total": 1}}}}}))
        .unwrap();
        assert!(input.relationships.is_empty());
    }

    #[test]
    fn a_relationship_that_is_no_relationship_object_is_refused() {
        for relationship in [json!([]), json!({}), json!({"id": "1"})] {
            let result = create(json!({"data": {"type": "users",
                "relationships": {"manager": relationship}}}));
            assert!(
                matches!(&result, Err(ApiError::InvalidDocument { pointer, .. }) if pointer == "/data/relationships/manager"),
                "{result:?}"
            );
        }
    }

    #[test]
    fn a_relationship_the_type_lacks_is_refused_with_its_pointer() {
        let result = create(json!({"data": {"type": "users", "relationships": {"a/b": {}}}}));
        assert!(
            matches!(result, Err(ApiError::InvalidDocument { pointer, .. }) if pointer == "/data/relationships/a~1b")
        );
    }

    #[test]
    fn members_a_round_trip_sends_back_are_ignored() {
        let input = create(json!({
            "jsonapi": {"version": "1.1"},
            "links": {"self": "http://example.com/api/v1/users/5.json"},
            "data": {
                "type": "users",
                "attributes": {"name": "Ada"},
                "links": {"self": "http://example.com/api/v1/users/5.json"},
                "meta": {"note": 1}
            }
        }))
        .unwrap();
        assert_eq!(input.attributes.len(), 1);
    }

    #[test]
    fn attributes_and_meta_are_handed_over() {
        let input = create(json!({
            "data": {"type": "users", "attributes": {"name": "Ada"}},
            "meta": {"current_password": "x"}
        }))
        .unwrap();
        assert_eq!(input.attributes["name"], "Ada");
        assert_eq!(input.meta["current_password"], "x");
    }
}
