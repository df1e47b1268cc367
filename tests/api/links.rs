//! Links are absolute: from PUBLIC_URL when it is set, else from the
//! request's scheme and Host; a proxy's headers count only when trusted.

use reqwest::{StatusCode, header::HOST};
use serde_json::Value;

use crate::helpers::{
    TestApp, TestResponse, USERS_PATH, registration, send, spawn_app, spawn_app_with,
    strong_password, unique_email, user_path,
};
use crate::jsonapi_schema::assert_jsonapi;

/// Registers a user, sending `headers` too.
async fn register_with(app: &TestApp, headers: &[(&str, &str)]) -> TestResponse {
    let document = registration("Ada Lovelace", &unique_email("ada"), &strong_password());
    let mut request = app.request_with_body(reqwest::Method::POST, USERS_PATH, &document, None);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = send(request).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    response
}

/// The self link of the user a document holds, and the Location header.
fn self_and_location(response: &TestResponse) -> (String, String) {
    let document = assert_jsonapi(response);
    let self_link = document["data"]["links"]["self"]
        .as_str()
        .expect("a self link");
    assert_eq!(document["links"]["self"], self_link);
    (
        self_link.to_owned(),
        response
            .header("location")
            .expect("a Location header")
            .to_owned(),
    )
}

/// A page of users, with `headers`.
async fn page(app: &TestApp, token: &str, headers: &[(&str, &str)]) -> Value {
    let mut request = app.request(
        reqwest::Method::GET,
        "/api/v1/users.json?page[size]=1",
        Some(token),
    );
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = send(request).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_jsonapi(&response)
}

#[tokio::test]
async fn links_and_location_are_absolute_urls_of_the_host_the_client_called() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let response = register_with(&app, &[]).await;

    // Assert
    let (self_link, location) = self_and_location(&response);
    let id = assert_jsonapi(&response)["data"]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(self_link, app.url(&user_path(id)));
    assert_eq!(location, self_link);
}

#[tokio::test]
async fn pagination_links_are_absolute() {
    // Arrange
    let app = spawn_app().await;
    let (_, token) = app.create_admin_and_sign_in().await;
    register_with(&app, &[]).await;

    // Act
    let document = page(&app, &token, &[]).await;

    // Assert
    for name in ["self", "first", "last", "next"] {
        let link = document["links"][name].as_str().expect(name);
        assert!(link.starts_with(&app.url(USERS_PATH)), "{name}: {link}");
    }
    let member = document["data"][0]["links"]["self"].as_str().unwrap();
    assert!(member.starts_with(&app.url("/api/v1/users/")), "{member}");
}

#[tokio::test]
async fn a_configured_public_url_builds_every_link_whatever_the_request_says() {
    // Arrange
    let app = spawn_app_with(|settings| {
        settings.public_url = Some("https://api.example.com/users-service".to_owned());
    })
    .await;
    let (_, token) = app.create_admin_and_sign_in().await;
    let forged = [
        ("x-forwarded-host", "evil.example"),
        ("x-forwarded-proto", "http"),
    ];

    // Act
    let created = register_with(&app, &forged).await;
    let listed = page(&app, &token, &forged).await;

    // Assert
    let (self_link, location) = self_and_location(&created);
    assert!(
        self_link.starts_with("https://api.example.com/users-service/api/v1/users/"),
        "{self_link}"
    );
    assert_eq!(location, self_link);
    let next = listed["links"]["next"].as_str().expect("a next page");
    assert!(
        next.starts_with("https://api.example.com/users-service/api/v1/users.json?"),
        "{next}"
    );
}

#[tokio::test]
async fn forwarded_headers_choose_nothing_unless_the_proxy_is_trusted() {
    // Arrange
    let app = spawn_app().await;
    let forged = [
        ("x-forwarded-host", "evil.example"),
        ("x-forwarded-proto", "https"),
        ("forwarded", "proto=https;host=evil.example"),
    ];

    // Act
    let response = register_with(&app, &forged).await;

    // Assert
    let (self_link, location) = self_and_location(&response);
    assert!(
        self_link.starts_with(&app.url("/api/v1/users/")),
        "{self_link}"
    );
    assert!(!location.contains("evil"), "{location}");
}

#[tokio::test]
async fn a_trusted_proxy_s_headers_choose_the_links() {
    // Arrange
    let app = spawn_app_with(|settings| settings.trust_forwarded_headers = true).await;

    // Act
    let response = register_with(
        &app,
        &[
            ("x-forwarded-host", "api.example.com"),
            ("x-forwarded-proto", "https"),
        ],
    )
    .await;

    // Assert
    let (self_link, _) = self_and_location(&response);
    assert!(
        self_link.starts_with("https://api.example.com/api/v1/users/"),
        "{self_link}"
    );
}

#[tokio::test]
async fn a_host_header_links_cannot_be_built_on_falls_back_to_the_service_address() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let response = register_with(&app, &[(HOST.as_str(), "user@evil.example")]).await;

    // Assert
    let (self_link, _) = self_and_location(&response);
    assert!(
        self_link.starts_with(&app.url("/api/v1/users/")),
        "{self_link}"
    );
}
