//! Finishing touches on a version's OpenAPI document: what poem-openapi
//! leaves out of it, and what it writes in a way SDK generators trip on.

use std::borrow::Cow;

use poem_openapi::types::Type;
use serde_json::{Map, Value, json};

use crate::{
    api::users::schema::{UserCreateAttributes, UserUpdateAttributes},
    api::v2::posts_schema::{PostCreateAttributes, PostUpdateAttributes, PostWriteRelationships},
    jsonapi::document::{Meta, NoRelationships},
};

/// What a document says of the version it describes.
pub struct VersionFacts<'a> {
    /// Where the version's token endpoint is.
    pub token_url: &'a str,
    /// Whether every operation of the version is deprecated.
    pub deprecated: bool,
}

/// Completes what poem-openapi leaves out of the document, and rewrites
/// what it writes in a way SDK generators trip on.
pub fn finish(generated: &str, facts: &VersionFacts) -> String {
    let Ok(mut document) = serde_json::from_str::<Value>(generated) else {
        return generated.to_owned();
    };
    declare_oauth_scopes(&mut document, facts.token_url);
    if facts.deprecated {
        deprecate_operations(&mut document);
    }
    declare_public_operations(&mut document);
    simplify_annotated_references(&mut document);
    type_nullable_references(&mut document);
    close_schemas(&mut document, &closed_schemas());
    declare_free_form_schemas(&mut document);
    discriminate_resource_unions(&mut document);
    link_created_user(&mut document);
    serde_json::to_string_pretty(&document).unwrap_or_else(|_| generated.to_owned())
}

/// poem-openapi drops an OAuth flow's `scopes` when there are none, but
/// OpenAPI requires the member (an empty map says "no scopes"). The token
/// URL is the version's own, which the security scheme, shared by every
/// version, cannot know.
fn declare_oauth_scopes(document: &mut Value, token_url: &str) {
    if let Some(schemes) = document
        .pointer_mut("/components/securitySchemes")
        .and_then(Value::as_object_mut)
    {
        for flow in schemes
            .values_mut()
            .filter_map(|scheme| scheme.get_mut("flows"))
            .filter_map(Value::as_object_mut)
            .flat_map(|flows| flows.values_mut())
            .filter_map(Value::as_object_mut)
        {
            flow.entry("scopes")
                .or_insert_with(|| Value::Object(serde_json::Map::new()));
            if flow.contains_key("tokenUrl") {
                flow.insert("tokenUrl".to_owned(), json!(token_url));
            }
        }
    }
}

/// A deprecated version says so on each of its operations, which is where
/// Swagger UI and SDK generators look.
fn deprecate_operations(document: &mut Value) {
    for operation in operations_mut(document) {
        operation.insert("deprecated".to_owned(), Value::Bool(true));
    }
}

fn operations_mut(document: &mut Value) -> impl Iterator<Item = &mut Map<String, Value>> {
    document
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.iter_mut())
        .filter(|(method, _)| METHODS.contains(&method.as_str()))
        .filter_map(|(_, operation)| operation.as_object_mut())
}

/// The methods a path item may hold operations for.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// poem-openapi writes no `security` for an operation that takes no
/// credentials (sign-in, the probes). Say so with an empty list, as linters
/// ask, rather than leave readers to look for a document-wide default.
fn declare_public_operations(document: &mut Value) {
    for operation in operations_mut(document) {
        operation
            .entry("security")
            .or_insert_with(|| Value::Array(Vec::new()));
    }
}

/// Schemas of objects that take no member they do not name: the service
/// refuses an unknown attribute (422), so the document says so, and
/// generators produce no values it refuses. Documents and resource objects
/// stay open, since JSON:API servers ignore members they do not know.
fn closed_schemas() -> [Cow<'static, str>; 5] {
    [
        UserCreateAttributes::name(),
        UserUpdateAttributes::name(),
        PostCreateAttributes::name(),
        PostUpdateAttributes::name(),
        PostWriteRelationships::name(),
    ]
}

/// poem-openapi writes no `additionalProperties: false` (its
/// `deny_unknown_fields` changes parsing only).
fn close_schemas(document: &mut Value, names: &[Cow<'static, str>]) {
    for name in names {
        if let Some(schema) = schema_mut(document, name) {
            schema.insert("additionalProperties".to_owned(), Value::Bool(false));
        }
    }
}

/// poem-openapi writes a struct with no fields as `{type: object}`, which
/// openapi-generator reads as a map of values of no type, and warns. These
/// say what the object holds: any members (`meta`), or none
/// (`relationships` of users, which the service refuses with 400).
fn declare_free_form_schemas(document: &mut Value) {
    for (name, max_properties) in [(Meta::name(), None), (NoRelationships::name(), Some(0))] {
        if let Some(schema) = schema_mut(document, &name) {
            schema.insert("additionalProperties".to_owned(), json!({}));
            if let Some(max) = max_properties {
                schema.insert("maxProperties".to_owned(), json!(max));
            }
        }
    }
}

/// poem-openapi writes a `oneOf` of resource objects (`included`) without a
/// discriminator, and typescript-fetch then reads each member as the first
/// alternative whose required members it has: every included user became a
/// post, its attributes lost. A resource object's `type` tells them apart,
/// so it is the discriminator, mapped from each alternative's one `type`; a
/// `oneOf` whose alternatives have no such `type` is left as it is.
fn discriminate_resource_unions(document: &mut Value) {
    let Some(schemas) = document
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return;
    };
    let unions: Vec<(String, Map<String, Value>)> = schemas
        .iter()
        .filter_map(|(name, schema)| {
            let mapping = schema
                .get("oneOf")?
                .as_array()?
                .iter()
                .map(|member| {
                    let reference = member.get("$ref")?.as_str()?;
                    let kind = resource_type(schemas, reference)?;
                    Some((kind, json!(reference)))
                })
                .collect::<Option<Map<String, Value>>>()?;
            Some((name.clone(), mapping))
        })
        .collect();
    for (name, mapping) in unions {
        if let Some(schema) = schema_mut(document, &name) {
            schema.insert(
                "discriminator".to_owned(),
                json!({"propertyName": "type", "mapping": mapping}),
            );
        }
    }
}

/// The one value the `type` member of the schema at `reference` may take.
fn resource_type(schemas: &Map<String, Value>, reference: &str) -> Option<String> {
    let named = |reference: &str| schemas.get(reference.strip_prefix("#/components/schemas/")?);
    let kind = &named(reference)?["properties"]["type"];
    let kind = match kind.get("$ref").and_then(Value::as_str) {
        Some(reference) => named(reference)?,
        None => kind,
    };
    match kind.get("enum")?.as_array()?.as_slice() {
        [Value::String(only)] => Some(only.clone()),
        _ => None,
    }
}

fn schema_mut<'a>(document: &'a mut Value, name: &str) -> Option<&'a mut Map<String, Value>> {
    document
        .pointer_mut(&format!("/components/schemas/{name}"))
        .and_then(Value::as_object_mut)
}

/// The operation with this operationId.
fn operation_mut<'a>(
    document: &'a mut Value,
    operation_id: &str,
) -> Option<&'a mut Map<String, Value>> {
    operations_mut(document).find(|operation| operation["operationId"] == operation_id)
}

/// OpenAPI `links` from a registration's answer to the operations that take
/// the new user's id, which poem-openapi cannot declare. Clients follow
/// them, and so does schemathesis's stateful phase, to read, change and
/// delete the users it creates.
fn link_created_user(document: &mut Value) {
    let link = |operation_id: &str, description: &str| {
        json!({
            "operationId": operation_id,
            "parameters": {"id": "$response.body#/data/id"},
            "description": description,
        })
    };
    let links: Map<String, Value> = [
        ("getUser", "Read the user just registered."),
        (
            "updateUser",
            "Change the user just registered; `data.id` must be its id too.",
        ),
        ("deleteUser", "Delete the user just registered."),
    ]
    .into_iter()
    .map(|(operation_id, description)| (operation_id.to_owned(), link(operation_id, description)))
    .collect();
    if let Some(created) = operation_mut(document, "createUser")
        .and_then(|operation| operation.get_mut("responses"))
        .and_then(|responses| responses.get_mut("201"))
        .and_then(Value::as_object_mut)
    {
        created.insert("links".to_owned(), Value::Object(links));
    }
}

/// poem-openapi writes a nullable field of a named type as `allOf: [{$ref}]`
/// with `nullable: true` beside it and no `type`; OpenAPI 3.0.3 gives
/// `nullable` no effect without a `type`, and linters refuse it. The type of
/// the schema referred to says the same.
fn type_nullable_references(document: &mut Value) {
    let types: Map<String, Value> = document
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(name, schema)| {
            Some((
                format!("#/components/schemas/{name}"),
                schema.get("type")?.clone(),
            ))
        })
        .collect();
    add_referenced_types(document, &types);
}

fn add_referenced_types(value: &mut Value, types: &Map<String, Value>) {
    match value {
        Value::Object(object) => {
            let referenced = match object.get("allOf").and_then(Value::as_array) {
                Some(all_of) if all_of.len() == 1 => all_of[0]["$ref"].as_str(),
                _ => None,
            };
            if object.get("nullable") == Some(&Value::Bool(true))
                && !object.contains_key("type")
                && let Some(ty) = referenced
                    .and_then(|reference| types.get(reference))
                    .cloned()
            {
                object.insert("type".to_owned(), ty);
            }
            object
                .values_mut()
                .for_each(|value| add_referenced_types(value, types));
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|value| add_referenced_types(value, types)),
        _ => {}
    }
}

/// poem-openapi writes a field whose type is a named schema, when the field
/// has its own description, as `allOf: [{$ref}, {description}]` with the
/// description repeated beside the `allOf`. The inner copy says nothing new,
/// and generators trip on it: openapi-python-client cannot take `allOf` of an
/// enum and an untyped schema, and drops every schema and operation that uses
/// one. `allOf: [{$ref}]` with the annotations beside it says the same thing.
fn simplify_annotated_references(value: &mut Value) {
    match value {
        Value::Object(object) => {
            let redundant = match object.get("allOf").and_then(Value::as_array) {
                Some(all_of) if all_of.len() == 2 && all_of[0].get("$ref").is_some() => {
                    all_of[1].as_object().is_some_and(|annotations| {
                        annotations
                            .iter()
                            .all(|(name, value)| object.get(name) == Some(value))
                    })
                }
                _ => false,
            };
            if redundant && let Some(Value::Array(all_of)) = object.get_mut("allOf") {
                all_of.truncate(1);
            }
            object.values_mut().for_each(simplify_annotated_references);
        }
        Value::Array(items) => items.iter_mut().for_each(simplify_annotated_references),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::v1::{spec, swagger_ui_html};

    #[test]
    fn every_oauth_flow_declares_its_scopes() {
        let document: serde_json::Value = serde_json::from_str(&spec()).unwrap();
        let flow = &document["components"]["securitySchemes"]["oauth2"]["flows"]["password"];
        assert_eq!(flow["scopes"], serde_json::json!({}));
        assert_eq!(flow["tokenUrl"], "/api/v1/auth/token");
    }

    fn operations(document: &Value) -> Vec<(String, &Value)> {
        let paths = document["paths"].as_object().unwrap();
        paths
            .iter()
            .flat_map(|(path, item)| {
                METHODS.iter().filter_map(move |method| {
                    item.get(*method)
                        .map(|operation| (format!("{method} {path}"), operation))
                })
            })
            .collect()
    }

    #[test]
    fn every_operation_declares_its_security_and_public_ones_none() {
        let document: Value = serde_json::from_str(&spec()).unwrap();
        for (name, operation) in operations(&document) {
            assert!(operation["security"].is_array(), "{name} declares security");
        }
        let token = &document["paths"]["/api/v1/auth/token"]["post"];
        assert_eq!(token["security"], serde_json::json!([]));
    }

    #[test]
    fn an_annotated_reference_is_an_all_of_with_the_reference_alone() {
        let mut schema = serde_json::json!({
            "allOf": [{"$ref": "#/components/schemas/Role"}, {"description": "Only admins."}],
            "description": "Only admins."
        });
        simplify_annotated_references(&mut schema);
        assert_eq!(
            schema,
            serde_json::json!({
                "allOf": [{"$ref": "#/components/schemas/Role"}],
                "description": "Only admins."
            })
        );
    }

    #[test]
    fn no_schema_of_the_document_is_an_all_of_of_several() {
        fn widest_all_of(value: &Value) -> usize {
            match value {
                Value::Object(object) => object
                    .iter()
                    .map(|(name, value)| match (name.as_str(), value) {
                        ("allOf", Value::Array(items)) => items.len(),
                        _ => widest_all_of(value),
                    })
                    .max()
                    .unwrap_or(0),
                Value::Array(items) => items.iter().map(widest_all_of).max().unwrap_or(0),
                _ => 0,
            }
        }
        let document: Value = serde_json::from_str(&spec()).unwrap();
        assert_eq!(widest_all_of(&document), 1);
    }

    #[test]
    fn a_registration_links_to_reading_changing_and_deleting_the_new_user() {
        let document: Value = serde_json::from_str(&spec()).unwrap();
        let links = &document["paths"]["/api/v1/users.json"]["post"]["responses"]["201"]["links"];
        let targets: Vec<(String, &Value)> = operations(&document)
            .into_iter()
            .filter(|(name, _)| name.ends_with(" /api/v1/users/{id}.json"))
            .collect();
        assert_eq!(targets.len(), 3, "get, patch and delete of a user");
        for (name, operation) in targets {
            let operation_id = operation["operationId"].as_str().unwrap();
            let link = &links[operation_id];
            assert_eq!(link["operationId"], operation_id, "{name}");
            assert_eq!(
                link["parameters"]["id"], "$response.body#/data/id",
                "{name}"
            );
            let parameters = operation["parameters"].as_array().unwrap();
            assert!(
                parameters
                    .iter()
                    .any(|p| p["name"] == "id" && p["in"] == "path")
            );
        }
    }

    #[test]
    fn a_nullable_reference_carries_the_type_of_the_schema_it_refers_to() {
        let mut document = json!({
            "components": {"schemas": {"Role": {"type": "string", "enum": ["user"]}}},
            "role": {"allOf": [{"$ref": "#/components/schemas/Role"}], "nullable": true},
            "plain": {"allOf": [{"$ref": "#/components/schemas/Role"}]}
        });
        type_nullable_references(&mut document);
        assert_eq!(document["role"]["type"], "string");
        assert!(document["plain"].get("type").is_none());
    }

    #[test]
    fn attributes_and_relationships_are_closed_and_documents_open() {
        let document: Value = serde_json::from_str(&spec()).unwrap();
        let schemas = &document["components"]["schemas"];
        let latest: Value =
            serde_json::from_str(&crate::api::spec("v2").expect("v2's document")).unwrap();
        for name in closed_schemas() {
            assert_eq!(
                latest["components"]["schemas"][name.as_ref()]["additionalProperties"],
                false,
                "{name}"
            );
        }
        assert_eq!(schemas["NoRelationships"]["maxProperties"], 0);
        assert_eq!(schemas["Meta"]["additionalProperties"], json!({}));
        for name in [
            "UserCreateDocument",
            "UserCreateResource",
            "UserUpdateDocument",
            "UserUpdateResource",
            "UserUpdateMeta",
        ] {
            assert!(schemas[name]["type"] == "object", "{name}");
            assert!(
                schemas[name].get("additionalProperties").is_none(),
                "{name}"
            );
        }
    }

    #[test]
    fn included_resources_are_told_apart_by_their_type() {
        let document: Value =
            serde_json::from_str(&crate::api::spec("v2").expect("v2's document")).unwrap();
        assert_eq!(
            document["components"]["schemas"]["IncludedResource"]["discriminator"],
            json!({
                "propertyName": "type",
                "mapping": {
                    "users": "#/components/schemas/UserResource",
                    "posts": "#/components/schemas/PostResource"
                }
            })
        );
    }

    #[test]
    fn swagger_ui_shows_the_finished_document() {
        assert!(swagger_ui_html().contains("\"scopes\": {}"));
    }
}
