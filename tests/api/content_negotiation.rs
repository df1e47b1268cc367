//! Content negotiation: which request media types are read (else 415) and which `Accept`
//! headers can be satisfied (else 406).

use reqwest::StatusCode;
use reqwest::header::{ACCEPT, CONTENT_TYPE};

use crate::helpers::{
    JSONAPI_MEDIA_TYPE, ME_PATH, TestApp, TestResponse, USERS_PATH, assert_error, registration,
    send, spawn_app, strong_password, unique_email, user_path, user_update,
};
use crate::jsonapi_schema::assert_jsonapi;

/// Registers a user, sending the document with this `Content-Type`.
async fn register_as(app: &TestApp, content_type: &str) -> TestResponse {
    let document = registration("Ada Lovelace", &unique_email("ada"), &strong_password());
    let request = app
        .client
        .post(app.url(USERS_PATH))
        .header(CONTENT_TYPE, content_type)
        .header(ACCEPT, JSONAPI_MEDIA_TYPE)
        .body(document.to_string());
    send(request).await
}

/// Reads the caller, sending this `Accept` header.
async fn me_accepting(app: &TestApp, token: &str, accept: &str) -> TestResponse {
    let request = app
        .client
        .get(app.url(ME_PATH))
        .bearer_auth(token)
        .header(ACCEPT, accept);
    send(request).await
}

#[tokio::test]
async fn a_body_in_the_json_api_media_type_is_accepted() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let response = register_as(&app, JSONAPI_MEDIA_TYPE).await;

    // Assert
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    assert_jsonapi(&response);
}

#[tokio::test]
async fn a_body_in_plain_application_json_is_accepted() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let response = register_as(&app, "application/json").await;

    // Assert
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    assert_jsonapi(&response);
}

#[tokio::test]
async fn a_body_in_application_json_with_a_charset_as_angularjs_sends_it_is_accepted() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let response = register_as(&app, "application/json;charset=utf-8").await;

    // Assert
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
}

#[tokio::test]
async fn a_body_in_the_json_api_media_type_with_a_profile_is_accepted() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let response = register_as(&app, "application/vnd.api+json; profile=\"x\"").await;

    // Assert
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
}

#[tokio::test]
async fn a_body_in_the_json_api_media_type_with_a_charset_is_a_415() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let response = register_as(&app, "application/vnd.api+json; charset=utf-8").await;

    // Assert
    assert_error(&response, 415, "unsupported_media_type");
}

#[tokio::test]
async fn a_body_naming_an_unsupported_extension_is_a_415() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let response = register_as(
        &app,
        "application/vnd.api+json; ext=\"https://jsonapi.org/ext/atomic\"",
    )
    .await;

    // Assert
    assert_error(&response, 415, "unsupported_media_type");
}

#[tokio::test]
async fn a_body_in_text_plain_is_a_415() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let response = register_as(&app, "text/plain").await;

    // Assert
    assert_error(&response, 415, "unsupported_media_type");
}

#[tokio::test]
async fn a_patch_in_text_plain_is_a_415_too() {
    // Arrange
    let app = spawn_app().await;
    let (id, token, _, _) = app.register_and_sign_in().await;
    let request = app
        .client
        .patch(app.url(&user_path(id)))
        .bearer_auth(token)
        .header(CONTENT_TYPE, "text/plain")
        .body(user_update(id, serde_json::json!({ "name": "Ada Byron" })).to_string());

    // Act
    let response = send(request).await;

    // Assert
    assert_error(&response, 415, "unsupported_media_type");
}

#[tokio::test]
async fn accepting_the_json_api_media_type_only_with_a_charset_is_a_406() {
    // Arrange
    let app = spawn_app().await;
    let (_, token, _, _) = app.register_and_sign_in().await;

    // Act
    let response = me_accepting(&app, &token, "application/vnd.api+json; charset=utf-8").await;

    // Assert
    assert_error(&response, 406, "not_acceptable");
}

#[tokio::test]
async fn accept_headers_the_service_can_satisfy_get_json_api() {
    // Arrange
    let app = spawn_app().await;
    let (_, token, _, _) = app.register_and_sign_in().await;
    let satisfiable = [
        "*/*",
        "application/json",
        JSONAPI_MEDIA_TYPE,
        "application/vnd.api+json; charset=x, application/vnd.api+json",
        "application/vnd.api+json; profile=\"x\"",
    ];

    for accept in satisfiable {
        // Act
        let response = me_accepting(&app, &token, accept).await;

        // Assert
        assert_eq!(
            response.status,
            StatusCode::OK,
            "Accept: {accept}: {}",
            response.text
        );
        assert_jsonapi(&response);
    }
}
