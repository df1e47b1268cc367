//! POST /api/v1/auth/token: the OAuth 2 password grant, its errors, and its throttling.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{
    ME_PATH, TOKEN_PATH, TestApp, TestResponse, assert_error, id_of, send, spawn_app,
    strong_password, unique_email,
};
use crate::jsonapi_schema::assert_jsonapi;

/// Token responses and their errors are plain JSON (RFC 6749), not JSON:API.
fn assert_plain_json(response: &TestResponse) {
    let content_type = response.header("content-type").unwrap_or_default();
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    assert_eq!(
        essence, "application/json",
        "an OAuth 2 answer is application/json; body: {}",
        response.text
    );
}

async fn password_grant(app: &TestApp, email: &str, password: &str) -> TestResponse {
    app.request_token(&[
        ("grant_type", "password"),
        ("username", email),
        ("password", password),
    ])
    .await
}

/// Signs in with a wrong password `times` times, checking each is an ordinary refusal.
async fn fail_to_sign_in(app: &TestApp, email: &str, times: usize) {
    for attempt in 1..=times {
        let response = password_grant(app, email, "a-wrong-password-for-sure").await;
        assert_eq!(
            response.status,
            StatusCode::BAD_REQUEST,
            "wrong password, attempt {attempt}: {}",
            response.text
        );
    }
}

#[tokio::test]
async fn a_password_grant_sent_as_a_form_returns_a_bearer_token() {
    // Arrange
    let app = spawn_app().await;
    let email = unique_email("ada");
    let password = strong_password();
    app.register_ok("Ada Lovelace", &email, &password).await;

    // Act
    let response = password_grant(&app, &email, &password).await;

    // Assert
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_plain_json(&response);
    assert_eq!(response.header("cache-control"), Some("no-store"));
    let body = response.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    let token = body["access_token"].as_str().expect("an access token");
    assert_eq!(token.split('.').count(), 3, "a JWT: {token}");
}

#[tokio::test]
async fn a_password_grant_sent_as_json_returns_a_bearer_token() {
    // Arrange
    let app = spawn_app().await;
    let email = unique_email("ada");
    let password = strong_password();
    app.register_ok("Ada Lovelace", &email, &password).await;
    let request = app.client.post(app.url(TOKEN_PATH)).json(&json!({
        "grant_type": "password",
        "username": email,
        "password": password,
    }));

    // Act
    let response = send(request).await;

    // Assert
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_plain_json(&response);
    assert_eq!(response.json()["token_type"], "Bearer");
}

#[tokio::test]
async fn the_token_identifies_the_user_who_signed_in() {
    // Arrange
    let app = spawn_app().await;
    let email = unique_email("ada");
    let password = strong_password();
    let id = app.register_ok("Ada Lovelace", &email, &password).await;
    let token = app.sign_in(&email, &password).await;

    // Act
    let response = app.get(ME_PATH, Some(&token)).await;

    // Assert
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_eq!(id_of(&assert_jsonapi(&response)), id);
}

#[tokio::test]
async fn the_email_is_matched_case_insensitively_at_sign_in() {
    // Arrange
    let app = spawn_app().await;
    let password = strong_password();
    app.register_ok("Grace Hopper", "grace@example.com", &password)
        .await;

    // Act
    let response = password_grant(&app, "Grace@Example.COM", &password).await;

    // Assert
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_byte_identical_invalid_grant_answers() {
    // Arrange
    let app = spawn_app().await;
    let email = unique_email("ada");
    app.register_ok("Ada Lovelace", &email, &strong_password())
        .await;

    // Act
    let wrong_password = password_grant(&app, &email, "not-the-right-password").await;
    let unknown_email =
        password_grant(&app, &unique_email("nobody"), "not-the-right-password").await;

    // Assert
    for response in [&wrong_password, &unknown_email] {
        assert_eq!(
            response.status,
            StatusCode::BAD_REQUEST,
            "{}",
            response.text
        );
        assert_plain_json(response);
        assert_eq!(response.json()["error"], "invalid_grant");
    }
    assert_eq!(wrong_password.text, unknown_email.text);
}

#[tokio::test]
async fn a_missing_field_is_an_invalid_request() {
    // Arrange
    let app = spawn_app().await;
    let incomplete_form = [("grant_type", "password"), ("username", "ada@example.com")];
    let incomplete_json = app
        .client
        .post(app.url(TOKEN_PATH))
        .json(&json!({ "grant_type": "password", "password": strong_password() }));

    // Act
    let from_form = app.request_token(&incomplete_form).await;
    let from_json = send(incomplete_json).await;

    // Assert
    for response in [&from_form, &from_json] {
        assert_eq!(
            response.status,
            StatusCode::BAD_REQUEST,
            "{}",
            response.text
        );
        assert_plain_json(response);
        assert_eq!(response.json()["error"], "invalid_request");
    }
}

#[tokio::test]
async fn a_grant_type_other_than_password_is_unsupported() {
    // Arrange
    let app = spawn_app().await;
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", "someone"),
        ("client_secret", "something"),
    ];

    // Act
    let response = app.request_token(&form).await;

    // Assert
    assert_eq!(
        response.status,
        StatusCode::BAD_REQUEST,
        "{}",
        response.text
    );
    assert_plain_json(&response);
    assert_eq!(response.json()["error"], "unsupported_grant_type");
}

#[tokio::test]
async fn after_five_wrong_passwords_even_the_right_one_is_a_429_with_retry_after() {
    // Arrange
    let app = spawn_app().await;
    let email = unique_email("ada");
    let password = strong_password();
    app.register_ok("Ada Lovelace", &email, &password).await;
    fail_to_sign_in(&app, &email, 5).await;

    // Act
    let response = password_grant(&app, &email, &password).await;

    // Assert
    assert_error(&response, 429, "too_many_requests");
    let retry_after: u64 = response
        .header("retry-after")
        .expect("a Retry-After header")
        .parse()
        .expect("Retry-After in whole seconds");
    assert!(retry_after >= 1, "Retry-After is at least a second");
}

#[tokio::test]
async fn a_success_before_the_fifth_failure_resets_the_count() {
    // Arrange
    let app = spawn_app().await;
    let email = unique_email("ada");
    let password = strong_password();
    app.register_ok("Ada Lovelace", &email, &password).await;
    fail_to_sign_in(&app, &email, 4).await;
    app.sign_in(&email, &password).await;
    fail_to_sign_in(&app, &email, 4).await;

    // Act
    let response = password_grant(&app, &email, &password).await;

    // Assert
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
}

#[tokio::test]
async fn a_throttled_account_does_not_throttle_another() {
    // Arrange
    let app = spawn_app().await;
    let locked = unique_email("locked");
    app.register_ok("Locked Out", &locked, &strong_password())
        .await;
    fail_to_sign_in(&app, &locked, 5).await;
    let email = unique_email("ada");
    let password = strong_password();
    app.register_ok("Ada Lovelace", &email, &password).await;

    // Act
    let response = password_grant(&app, &email, &password).await;

    // Assert
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
}

#[tokio::test]
async fn a_password_stored_with_weaker_parameters_is_rehashed_at_the_next_sign_in() {
    use argon2::{
        Algorithm, Argon2, Params, PasswordHasher, Version,
        password_hash::{SaltString, rand_core::OsRng},
    };
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    use users_service::users::{entity, store};

    // Arrange
    let app = spawn_app().await;
    let (id, old_token, email, password) = app.register_and_sign_in().await;
    let weak = Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(4096, 1, 1, None).unwrap(),
    )
    .hash_password(password.as_bytes(), &SaltString::generate(&mut OsRng))
    .unwrap()
    .to_string();
    entity::Entity::update_many()
        .col_expr(entity::Column::PasswordHash, Expr::value(weak.clone()))
        .filter(entity::Column::Id.eq(id))
        .exec(&app.state.db)
        .await
        .unwrap();

    // Act
    app.sign_in(&email, &password).await;

    // Assert
    let stored = store::find(&app.state.db, id).await.unwrap().unwrap();
    assert!(
        stored
            .password_hash
            .starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "rehashed at the current parameters: {}",
        stored.password_hash
    );
    assert_ne!(stored.password_hash, weak);
    app.sign_in(&email, &password).await;
    let me = app.get(ME_PATH, Some(&old_token)).await;
    assert_eq!(
        me.status,
        StatusCode::OK,
        "a rehash is not a password change: tokens live on"
    );
}
