//! CORS: only the configured origins may call the API from a browser.

use reqwest::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN,
};
use reqwest::{Method, StatusCode};

use crate::helpers::{
    TestApp, TestResponse, USERS_PATH, registration, send, spawn_app, spawn_app_with,
    strong_password, unique_email, user_path,
};

const FRONT_END: &str = "http://localhost:3000";

async fn spawn_app_allowing_the_front_end() -> TestApp {
    spawn_app_with(|settings| settings.cors_allowed_origins = vec![FRONT_END.to_owned()]).await
}

/// A browser's preflight for `method` on `path`, with a bearer token and a JSON:API body.
async fn preflight(app: &TestApp, origin: &str, method: &str, path: &str) -> TestResponse {
    let request = app
        .client
        .request(Method::OPTIONS, app.url(path))
        .header(ORIGIN, origin)
        .header(ACCESS_CONTROL_REQUEST_METHOD, method)
        .header(
            ACCESS_CONTROL_REQUEST_HEADERS,
            "authorization, content-type",
        );
    send(request).await
}

/// Whether a comma-separated header value lists `item` (or `*`), ignoring case.
fn lists(response: &TestResponse, header: &str, item: &str) -> bool {
    response.header(header).is_some_and(|value| {
        value
            .split(',')
            .map(str::trim)
            .any(|listed| listed == "*" || listed.eq_ignore_ascii_case(item))
    })
}

#[tokio::test]
async fn a_preflight_from_an_allowed_origin_is_allowed() {
    // Arrange
    let app = spawn_app_allowing_the_front_end().await;

    // Act
    let response = preflight(&app, FRONT_END, "POST", USERS_PATH).await;

    // Assert
    assert!(response.status.is_success(), "{}", response.status);
    assert_eq!(
        response.header(ACCESS_CONTROL_ALLOW_ORIGIN.as_str()),
        Some(FRONT_END)
    );
}

#[tokio::test]
async fn a_preflight_from_another_origin_is_not_allowed() {
    // Arrange
    let app = spawn_app_allowing_the_front_end().await;

    // Act
    let response = preflight(&app, "http://evil.example", "POST", USERS_PATH).await;

    // Assert
    assert_eq!(
        response.header(ACCESS_CONTROL_ALLOW_ORIGIN.as_str()),
        None,
        "status {}",
        response.status
    );
}

#[tokio::test]
async fn no_origin_is_allowed_unless_configured() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let response = preflight(&app, FRONT_END, "POST", USERS_PATH).await;

    // Assert
    assert_eq!(response.header(ACCESS_CONTROL_ALLOW_ORIGIN.as_str()), None);
}

#[tokio::test]
async fn a_preflight_allows_what_a_signed_in_front_end_sends() {
    // Arrange
    let app = spawn_app_allowing_the_front_end().await;

    // Act
    let response = preflight(&app, FRONT_END, "PATCH", &user_path(1)).await;

    // Assert
    assert_eq!(
        response.header(ACCESS_CONTROL_ALLOW_ORIGIN.as_str()),
        Some(FRONT_END)
    );
    assert!(
        lists(&response, ACCESS_CONTROL_ALLOW_METHODS.as_str(), "PATCH"),
        "PATCH allowed: {:?}",
        response.headers
    );
    for header in ["authorization", "content-type"] {
        assert!(
            lists(&response, ACCESS_CONTROL_ALLOW_HEADERS.as_str(), header),
            "{header} allowed: {:?}",
            response.headers
        );
    }
}

#[tokio::test]
async fn a_request_from_an_allowed_origin_is_answered_with_its_origin() {
    // Arrange
    let app = spawn_app_allowing_the_front_end().await;
    let document = registration("Ada Lovelace", &unique_email("ada"), &strong_password());
    let request = app
        .request_with_body(Method::POST, USERS_PATH, &document, None)
        .header(ORIGIN, FRONT_END);

    // Act
    let response = send(request).await;

    // Assert
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    assert_eq!(
        response.header(ACCESS_CONTROL_ALLOW_ORIGIN.as_str()),
        Some(FRONT_END)
    );
}
