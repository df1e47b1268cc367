//! DELETE /api/v1/users/{id}.json: who may delete whom, and what is left afterwards.

use reqwest::StatusCode;

use crate::helpers::{ME_PATH, assert_error, assert_unauthorized, spawn_app, user_path};

#[tokio::test]
async fn a_user_can_delete_themselves_with_a_204_and_no_body() {
    // Arrange
    let app = spawn_app().await;
    let (id, token, _, _) = app.register_and_sign_in().await;

    // Act
    let response = app.delete(&user_path(id), Some(&token)).await;

    // Assert
    assert_eq!(response.status, StatusCode::NO_CONTENT, "{}", response.text);
    assert!(response.text.is_empty(), "a 204 has no body");
}

#[tokio::test]
async fn a_deleted_users_token_is_a_401() {
    // Arrange
    let app = spawn_app().await;
    let (id, token, _, _) = app.register_and_sign_in().await;

    // Act
    let deletion = app.delete(&user_path(id), Some(&token)).await;

    // Assert
    assert_eq!(deletion.status, StatusCode::NO_CONTENT, "{}", deletion.text);
    assert_unauthorized(&app.get(ME_PATH, Some(&token)).await, "invalid_token");
}

#[tokio::test]
async fn a_deleted_user_cannot_sign_in() {
    // Arrange
    let app = spawn_app().await;
    let (id, token, email, password) = app.register_and_sign_in().await;
    let deletion = app.delete(&user_path(id), Some(&token)).await;
    assert_eq!(deletion.status, StatusCode::NO_CONTENT, "{}", deletion.text);

    // Act
    let response = app
        .request_token(&[
            ("grant_type", "password"),
            ("username", &email),
            ("password", &password),
        ])
        .await;

    // Assert
    assert_eq!(
        response.status,
        StatusCode::BAD_REQUEST,
        "{}",
        response.text
    );
    assert_eq!(response.json()["error"], "invalid_grant");
}

#[tokio::test]
async fn an_admin_can_delete_a_user_who_is_then_a_404() {
    // Arrange
    let app = spawn_app().await;
    let (id, _, _, _) = app.register_and_sign_in().await;
    let (_, admin_token) = app.create_admin_and_sign_in().await;

    // Act
    let response = app.delete(&user_path(id), Some(&admin_token)).await;

    // Assert
    assert_eq!(response.status, StatusCode::NO_CONTENT, "{}", response.text);
    assert_error(
        &app.get(&user_path(id), Some(&admin_token)).await,
        404,
        "not_found",
    );
}

#[tokio::test]
async fn a_user_cannot_delete_another_user() {
    // Arrange
    let app = spawn_app().await;
    let (victim, victim_token, _, _) = app.register_and_sign_in().await;
    let (_, token, _, _) = app.register_and_sign_in().await;

    // Act
    let response = app.delete(&user_path(victim), Some(&token)).await;

    // Assert
    assert_error(&response, 403, "forbidden");
    let still_there = app.get(&user_path(victim), Some(&victim_token)).await;
    assert_eq!(still_there.status, StatusCode::OK, "{}", still_there.text);
}

#[tokio::test]
async fn deleting_a_user_that_does_not_exist_is_a_404() {
    // Arrange
    let app = spawn_app().await;
    let (_, admin_token) = app.create_admin_and_sign_in().await;

    // Act
    let response = app.delete(&user_path(999_999), Some(&admin_token)).await;

    // Assert
    assert_error(&response, 404, "not_found");
}

#[tokio::test]
async fn deleting_without_a_token_is_a_401() {
    // Arrange
    let app = spawn_app().await;
    let (id, _, _, _) = app.register_and_sign_in().await;

    // Act
    let response = app.delete(&user_path(id), None).await;

    // Assert
    assert_unauthorized(&response, "unauthenticated");
}

#[tokio::test]
async fn deleting_a_user_twice_is_a_404_the_second_time() {
    // Arrange
    let app = spawn_app().await;
    let (id, _, _, _) = app.register_and_sign_in().await;
    let (_, admin_token) = app.create_admin_and_sign_in().await;
    let first = app.delete(&user_path(id), Some(&admin_token)).await;
    assert_eq!(first.status, StatusCode::NO_CONTENT, "{}", first.text);

    // Act
    let second = app.delete(&user_path(id), Some(&admin_token)).await;

    // Assert
    assert_error(&second, 404, "not_found");
}
