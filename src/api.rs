//! Version 1 of the API, as one OpenAPI service. A `/api/v2` would be a
//! sibling of this module, mounted beside it.

use poem_openapi::{ContactObject, LicenseObject, OpenApiService, ServerObject, Tags};
use serde_json::Value;

use crate::{
    auth::api::AuthApi, health::HealthApi, http::allowed_methods::AllowedMethods,
    jsonapi::routes::JsonApiRoutes, users::api::UsersApi,
};

/// Where version 1 lives.
pub const PREFIX: &str = "/api/v1";

#[derive(Tags)]
pub enum ApiTags {
    /// Registering, reading, listing, changing and deleting users.
    Users,
    /// Signing in for a bearer token.
    Auth,
    /// Probes for orchestrators.
    Health,
}

pub type ApiV1 = AllowedMethods<(JsonApiRoutes<UsersApi>, AuthApi, HealthApi)>;

/// The operations of version 1 and the document that describes them.
pub fn service() -> OpenApiService<ApiV1, ()> {
    OpenApiService::new(
        AllowedMethods((JsonApiRoutes(UsersApi), AuthApi, HealthApi)),
        "Users service",
        env!("CARGO_PKG_VERSION"),
    )
    .description(
        "Users, registered and managed over JSON:API 1.1. Sign in at `POST /api/v1/auth/token` \
         (or with the Authorize button) and send the token as `Authorization: Bearer <token>`.",
    )
    // Paths are absolute, so the service is wherever this document was
    // fetched from; SDKs take the address when they are configured.
    .server(ServerObject::new("/").description("The service that serves this document"))
    .contact(ContactObject::new().name("Users service maintainers"))
    .license(LicenseObject::new("MIT").url("https://spdx.org/licenses/MIT.html"))
}

/// The OpenAPI document, as served at `/api/v1/openapi.json`.
pub fn spec() -> String {
    finish(&service().spec())
}

/// Swagger UI's page, showing [`spec`].
pub fn swagger_ui_html() -> String {
    let service = service();
    service.swagger_ui_html().replace(&service.spec(), &spec())
}

/// Completes what poem-openapi leaves out of the document, and rewrites
/// what it writes in a way SDK generators trip on.
fn finish(generated: &str) -> String {
    let Ok(mut document) = serde_json::from_str::<Value>(generated) else {
        return generated.to_owned();
    };
    declare_oauth_scopes(&mut document);
    declare_public_operations(&mut document);
    simplify_annotated_references(&mut document);
    serde_json::to_string_pretty(&document).unwrap_or_else(|_| generated.to_owned())
}

/// poem-openapi drops an OAuth flow's `scopes` when there are none, but
/// OpenAPI requires the member (an empty map says "no scopes").
fn declare_oauth_scopes(document: &mut Value) {
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
        }
    }
}

/// The methods a path item may hold operations for.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// poem-openapi writes no `security` for an operation that takes no
/// credentials (sign-in, the probes). Say so with an empty list, as linters
/// ask, rather than leave readers to look for a document-wide default.
fn declare_public_operations(document: &mut Value) {
    let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for (_, operation) in item
            .iter_mut()
            .filter(|(method, _)| METHODS.contains(&method.as_str()))
        {
            if let Some(operation) = operation.as_object_mut() {
                operation
                    .entry("security")
                    .or_insert_with(|| Value::Array(Vec::new()));
            }
        }
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
    fn swagger_ui_shows_the_finished_document() {
        assert!(swagger_ui_html().contains("\"scopes\": {}"));
    }
}
