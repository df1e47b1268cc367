//! Routing (404, 405) and request documents the service cannot read (400), all answered
//! with JSON:API error documents.

use reqwest::Method;
use reqwest::header::CONTENT_TYPE;
use serde_json::json;

use crate::helpers::{
    JSONAPI_MEDIA_TYPE, TestApp, TestResponse, USERS_PATH, assert_error, assert_error_at, send,
    spawn_app, unique_email,
};
use crate::jsonapi_schema::assert_jsonapi;

/// Registers with a raw body, as a client with a bug might send it.
async fn register_raw(app: &TestApp, body: &str) -> TestResponse {
    let request = app
        .request(Method::POST, USERS_PATH, None)
        .header(CONTENT_TYPE, JSONAPI_MEDIA_TYPE)
        .body(body.to_owned());
    send(request).await
}

#[tokio::test]
async fn user_paths_that_do_not_name_a_user_resource_are_404s() {
    // Arrange
    let app = spawn_app().await;
    let (id, admin_token) = app.create_admin_and_sign_in().await;
    let paths = [
        format!("/api/v1/users/{id}"),
        "/api/v1/users/abc.json".to_owned(),
        "/api/v1/users/-1.json".to_owned(),
        format!("/api/v1/users/{id}.json.json"),
        format!("/api/v1/users/{}.json", "1".repeat(30)),
        "/api/v1/users/.json".to_owned(),
        "/api/v1/users".to_owned(),
    ];

    for path in paths {
        // Act
        let response = app.get(&path, Some(&admin_token)).await;

        // Assert
        assert_eq!(
            response.status.as_u16(),
            404,
            "GET {path}: {}",
            response.text
        );
        assert_error(&response, 404, "not_found");
    }
}

#[tokio::test]
async fn an_unknown_route_is_a_404_json_api_error() {
    // Arrange
    let app = spawn_app().await;

    for path in [
        "/api/v1/nothing-here",
        "/api/v2/users.json",
        "/nothing-here",
    ] {
        // Act
        let response = app.get(path, None).await;

        // Assert
        assert_eq!(
            response.status.as_u16(),
            404,
            "GET {path}: {}",
            response.text
        );
        assert_error(&response, 404, "not_found");
    }
}

#[tokio::test]
async fn a_method_the_path_does_not_have_is_a_405_json_api_error() {
    // Arrange
    let app = spawn_app().await;
    let (id, admin_token) = app.create_admin_and_sign_in().await;
    let cases = [
        (
            Method::PUT,
            format!("/api/v1/users/{id}.json"),
            "GET, HEAD, PATCH, DELETE",
        ),
        (
            Method::POST,
            format!("/api/v1/users/{id}.json"),
            "GET, HEAD, PATCH, DELETE",
        ),
        (Method::DELETE, USERS_PATH.to_owned(), "GET, HEAD, POST"),
        (Method::PATCH, USERS_PATH.to_owned(), "GET, HEAD, POST"),
        (Method::GET, "/api/v1/auth/token".to_owned(), "POST"),
        (Method::TRACE, "/health/live".to_owned(), "GET, HEAD"),
        (
            Method::OPTIONS,
            "/api/v1/users/me.json".to_owned(),
            "GET, HEAD",
        ),
    ];

    for (method, path, allow) in cases {
        // Act
        let response = send(app.request(method.clone(), &path, Some(&admin_token))).await;

        // Assert
        assert_eq!(
            response.status.as_u16(),
            405,
            "{method} {path}: {}",
            response.text
        );
        assert_error(&response, 405, "method_not_allowed");
        assert_eq!(
            response.header("allow"),
            Some(allow),
            "{method} {path}: Allow"
        );
    }
}

#[tokio::test]
async fn a_key_given_twice_in_a_body_is_a_400_not_a_silent_choice() {
    // Arrange
    let app = spawn_app().await;
    let body = format!(
        r#"{{"data": {{"type": "users", "attributes": {{"name": "Ada Lovelace", "email": "{}",
        "password": "a-perfectly-fine-password", "role": "user", "role": "admin"}}}}}}"#,
        unique_email("twice")
    );

    // Act
    let response = register_raw(&app, &body).await;

    // Assert
    assert_error(&response, 400, "malformed_json");
}

#[tokio::test]
async fn hostile_bodies_are_4xx_json_api_errors_never_500s() {
    // Arrange
    let app = spawn_app().await;
    let deep = format!("{}{}", "[".repeat(5_000), "]".repeat(5_000));
    let cases: [(&str, &[u8]); 5] = [
        ("deeply nested arrays", deep.as_bytes()),
        ("invalid UTF-8", b"{\"data\": {\"type\": \"users\xff\"}}"),
        ("null where the document belongs", b"null"),
        ("null data", br#"{"data": null}"#),
        (
            "a number beyond 64 bits",
            br#"{"data": {"type": "users", "attributes": {"name": 123456789012345678901234567890}}}"#,
        ),
    ];

    for (label, body) in cases {
        // Act
        let request = app
            .request(Method::POST, USERS_PATH, None)
            .header(CONTENT_TYPE, JSONAPI_MEDIA_TYPE)
            .body(body.to_vec());
        let response = send(request).await;

        // Assert
        let status = response.status.as_u16();
        assert!(
            (400..500).contains(&status),
            "{label}: {status} {}",
            response.text
        );
        assert_jsonapi(&response);
    }
}

#[tokio::test]
async fn an_error_document_has_the_contracted_shape() {
    // Arrange
    let app = spawn_app().await;
    let document = json!({ "data": { "type": "users", "attributes": {
        "name": "Ada Lovelace", "email": "not-an-email", "password": "a-perfectly-fine-password"
    } } });

    // Act
    let response = app.post(USERS_PATH, &document, None).await;

    // Assert
    assert_eq!(response.status.as_u16(), 422, "{}", response.text);
    let body = assert_jsonapi(&response);
    assert_eq!(body["jsonapi"], json!({ "version": "1.1" }));
    let errors = body["errors"].as_array().expect("an errors array");
    assert_eq!(errors.len(), 1, "{body}");
    let error = &errors[0];
    assert_eq!(error["status"], "422");
    assert_eq!(error["code"], "invalid_attribute");
    assert!(
        error["title"]
            .as_str()
            .is_some_and(|title| !title.is_empty())
    );
    assert!(
        error["detail"]
            .as_str()
            .is_some_and(|detail| !detail.is_empty())
    );
    assert_eq!(
        error["source"],
        json!({ "pointer": "/data/attributes/email" })
    );
    assert!(body.get("data").is_none(), "no data beside errors");
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_400() {
    // Arrange
    let app = spawn_app().await;

    for body in ["{\"data\": {", "not json at all", ""] {
        // Act
        let response = register_raw(&app, body).await;

        // Assert
        assert_eq!(
            response.status.as_u16(),
            400,
            "body {body:?}: {}",
            response.text
        );
        assert_error(&response, 400, "malformed_json");
    }
}

#[tokio::test]
async fn a_document_without_data_is_a_400() {
    // Arrange
    let app = spawn_app().await;
    let email = unique_email("ada");
    let document = json!({ "attributes": { "name": "Ada Lovelace", "email": email } });

    // Act
    let response = app.post(USERS_PATH, &document, None).await;

    // Assert
    let error = assert_error(&response, 400, "invalid_document");
    assert!(error["source"]["pointer"].is_string(), "a pointer: {error}");
}

#[tokio::test]
async fn a_data_member_that_is_not_an_object_is_a_400() {
    // Arrange
    let app = spawn_app().await;

    for data in [json!([]), json!("users"), json!(null), json!(42)] {
        // Act
        let response = app.post(USERS_PATH, &json!({ "data": data }), None).await;

        // Assert
        assert_eq!(
            response.status.as_u16(),
            400,
            "data {data:?}: {}",
            response.text
        );
        assert_error_at(&response, 400, "invalid_document", "/data");
    }
}

#[tokio::test]
async fn attributes_that_are_not_an_object_are_a_400() {
    // Arrange
    let app = spawn_app().await;

    for attributes in [json!([]), json!("name=Ada"), json!(null)] {
        // Act
        let document = json!({ "data": { "type": "users", "attributes": attributes } });
        let response = app.post(USERS_PATH, &document, None).await;

        // Assert
        assert_eq!(
            response.status.as_u16(),
            400,
            "attributes {attributes:?}: {}",
            response.text
        );
        assert_error_at(&response, 400, "invalid_document", "/data/attributes");
    }
}
