//! GET /api/v1/openapi.json and /api/v1/docs: the service describes itself, and the committed
//! copy of that description is kept up to date.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use reqwest::header::ACCEPT;
use serde_json::Value;

use crate::helpers::{TestApp, send, spawn_app};

const OPENAPI_PATH: &str = "/api/v1/openapi.json";
const HTTP_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

async fn served_document(app: &TestApp) -> Value {
    let request = app
        .client
        .get(app.url(OPENAPI_PATH))
        .header(ACCEPT, "application/json");
    let response = send(request).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    response.json()
}

/// Every operation of the document: (path, method, operation).
fn operations(document: &Value) -> Vec<(String, String, Value)> {
    let paths = document["paths"].as_object().expect("a paths object");
    let mut found = Vec::new();
    for (path, item) in paths {
        for method in HTTP_METHODS {
            if let Some(operation) = item.get(method) {
                found.push((path.clone(), method.to_owned(), operation.clone()));
            }
        }
    }
    found
}

/// Follows a local `$ref` (`#/components/...`) if `value` is one.
fn resolve<'a>(document: &'a Value, value: &'a Value) -> &'a Value {
    match value["$ref"].as_str() {
        Some(reference) => document
            .pointer(reference.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("{reference} resolves")),
        None => value,
    }
}

/// The media types a request body or response offers.
fn media_types(document: &Value, body: &Value) -> Vec<String> {
    resolve(document, body)["content"]
        .as_object()
        .map(|content| content.keys().cloned().collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_openapi_document_is_openapi_3() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let document = served_document(&app).await;

    // Assert
    let version = document["openapi"].as_str().expect("an openapi version");
    assert!(version.starts_with("3."), "OpenAPI 3, got {version}");
}

#[tokio::test]
async fn the_openapi_document_describes_exactly_the_api_paths() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let document = served_document(&app).await;

    // Assert
    let paths: BTreeSet<&str> = document["paths"]
        .as_object()
        .expect("a paths object")
        .keys()
        .map(String::as_str)
        .collect();
    let expected = BTreeSet::from([
        "/api/v1/users.json",
        "/api/v1/users/{id}.json",
        "/api/v1/users/me.json",
        "/api/v1/auth/token",
        "/health/live",
        "/health/ready",
    ]);
    assert_eq!(paths, expected);
}

#[tokio::test]
async fn every_operation_has_an_operation_id_and_a_summary() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let document = served_document(&app).await;

    // Assert
    let operations = operations(&document);
    assert_eq!(operations.len(), 9, "the nine operations of the contract");
    let mut ids = BTreeSet::new();
    for (path, method, operation) in &operations {
        let id = operation["operationId"].as_str();
        assert!(
            id.is_some_and(|id| !id.is_empty()),
            "{method} {path} has an operationId"
        );
        assert!(ids.insert(id), "{method} {path}: operationIds are unique");
        assert!(
            operation["summary"]
                .as_str()
                .is_some_and(|summary| !summary.is_empty()),
            "{method} {path} has a summary"
        );
    }
}

#[tokio::test]
async fn the_security_schemes_offer_a_bearer_token_and_the_oauth2_password_flow() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let document = served_document(&app).await;

    // Assert
    let schemes = document["components"]["securitySchemes"]
        .as_object()
        .expect("components.securitySchemes");
    assert!(
        schemes.values().any(|scheme| scheme["type"] == "http"
            && scheme["scheme"]
                .as_str()
                .is_some_and(|name| name.eq_ignore_ascii_case("bearer"))),
        "a bearer scheme: {schemes:?}"
    );
    assert!(
        schemes.values().any(|scheme| scheme["type"] == "oauth2"
            && scheme["flows"]["password"]["tokenUrl"] == "/api/v1/auth/token"),
        "an OAuth 2 password flow with tokenUrl /api/v1/auth/token: {schemes:?}"
    );
}

#[tokio::test]
async fn the_document_names_the_user_and_error_schemas() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let document = served_document(&app).await;

    // Assert
    let schemas = document["components"]["schemas"]
        .as_object()
        .expect("components.schemas");
    for name in [
        "UserDocument",
        "UserCollectionDocument",
        "ErrorDocument",
        "UserAttributes",
    ] {
        assert!(schemas.contains_key(name), "a {name} schema");
    }
}

#[tokio::test]
async fn user_request_and_response_bodies_use_the_json_api_media_type() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let document = served_document(&app).await;

    // Assert
    for (path, method, operation) in operations(&document) {
        if !path.starts_with("/api/v1/users") {
            continue;
        }
        if let Some(body) = operation.get("requestBody") {
            let types = media_types(&document, body);
            assert!(
                types
                    .iter()
                    .any(|media_type| media_type == "application/vnd.api+json"),
                "{method} {path} takes JSON:API: {types:?}"
            );
        }
        let responses = operation["responses"].as_object().expect("responses");
        for (status, response) in responses {
            let types = media_types(&document, response);
            if status.starts_with('2') && !types.is_empty() {
                assert!(
                    types
                        .iter()
                        .any(|media_type| media_type == "application/vnd.api+json"),
                    "{method} {path} {status} answers JSON:API: {types:?}"
                );
            }
        }
    }
}

#[tokio::test]
async fn the_token_endpoint_is_described_with_a_form_body() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let document = served_document(&app).await;

    // Assert
    let body = &document["paths"]["/api/v1/auth/token"]["post"]["requestBody"];
    let types = media_types(&document, body);
    assert!(
        types
            .iter()
            .any(|media_type| media_type == "application/x-www-form-urlencoded"),
        "the token endpoint takes a form: {types:?}"
    );
}

#[tokio::test]
async fn the_committed_openapi_document_is_what_the_service_serves() {
    // Arrange
    let app = spawn_app().await;
    let committed_path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/v1.json");
    let committed: Option<Value> = std::fs::read_to_string(committed_path)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok());

    // Act
    let served = served_document(&app).await;

    // Assert
    assert!(
        committed.as_ref() == Some(&served),
        "openapi/v1.json is stale: regenerate it with `cargo run -- openapi v1 > openapi/v1.json`"
    );
}

#[tokio::test]
async fn swagger_ui_is_served_as_html() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let response = app
        .client
        .get(app.url("/api/v1/docs"))
        .send()
        .await
        .expect("a response");

    // Assert
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        content_type.starts_with("text/html"),
        "HTML, got {content_type}"
    );
    let page = response.text().await.expect("a page");
    assert!(page.to_lowercase().contains("swagger"), "a Swagger UI page");
}
