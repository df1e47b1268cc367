//! GET /api/v1/users/{id}.json and /api/v1/users/me.json: who may read whom.

use chrono::NaiveDate;
use reqwest::StatusCode;
use sea_orm::EntityTrait;
use serde_json::json;
use users_service::users::{
    entity::{Entity as Users, Model as User},
    role::Role,
    store::{self, UserRecord},
};

use crate::helpers::{
    ME_PATH, assert_bad_parameter, assert_error, assert_no_password, assert_parameter_error,
    assert_unauthorized, id_of, spawn_app, strong_password, unique_email, user_path,
};
use crate::jsonapi_schema::assert_jsonapi;

#[tokio::test]
async fn a_user_can_read_themselves() {
    // Arrange
    let app = spawn_app().await;
    let (id, token, email, _) = app.register_and_sign_in().await;

    // Act
    let response = app.get(&user_path(id), Some(&token)).await;

    // Assert
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    let body = assert_jsonapi(&response);
    assert_eq!(id_of(&body), id);
    assert_eq!(body["data"]["type"], "users");
    assert_eq!(body["data"]["attributes"]["email"], email);
    assert_eq!(body["data"]["links"]["self"], app.url(&user_path(id)));
    assert_no_password(&body);
}

#[tokio::test]
async fn a_user_cannot_read_another_user() {
    // Arrange
    let app = spawn_app().await;
    let (other, _, _, _) = app.register_and_sign_in().await;
    let (_, token, _, _) = app.register_and_sign_in().await;

    // Act
    let response = app.get(&user_path(other), Some(&token)).await;

    // Assert
    assert_error(&response, 403, "forbidden");
}

#[tokio::test]
async fn an_admin_can_read_any_user() {
    // Arrange
    let app = spawn_app().await;
    let (id, _, _, _) = app.register_and_sign_in().await;
    let (_, admin_token) = app.create_admin_and_sign_in().await;

    // Act
    let response = app.get(&user_path(id), Some(&admin_token)).await;

    // Assert
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_eq!(id_of(&assert_jsonapi(&response)), id);
}

#[tokio::test]
async fn reading_a_user_without_a_token_is_a_401() {
    // Arrange
    let app = spawn_app().await;
    let (id, _, _, _) = app.register_and_sign_in().await;

    // Act
    let response = app.get(&user_path(id), None).await;

    // Assert
    assert_unauthorized(&response, "unauthenticated");
}

#[tokio::test]
async fn a_user_that_does_not_exist_is_a_404() {
    // Arrange
    let app = spawn_app().await;
    let (_, admin_token) = app.create_admin_and_sign_in().await;

    // Act
    let response = app.get(&user_path(999_999), Some(&admin_token)).await;

    // Assert
    assert_error(&response, 404, "not_found");
}

// Reading one user loads the caller in the same query as the user read, so
// the caller's row must still decide everything it decided on its own.

#[tokio::test]
async fn a_user_asking_for_a_missing_user_is_a_403_not_a_404() {
    // Arrange
    let app = spawn_app().await;
    let (_, token, _, _) = app.register_and_sign_in().await;

    // Act
    let response = app.get(&user_path(999_999), Some(&token)).await;

    // Assert
    assert_error(&response, 403, "forbidden");
}

#[tokio::test]
async fn a_deleted_users_token_cannot_read_their_own_id() {
    // Arrange
    let app = spawn_app().await;
    let (id, token, _, _) = app.register_and_sign_in().await;
    let deletion = app.delete(&user_path(id), Some(&token)).await;
    assert_eq!(deletion.status, StatusCode::NO_CONTENT, "{}", deletion.text);

    // Act
    let response = app.get(&user_path(id), Some(&token)).await;

    // Assert
    assert_unauthorized(&response, "invalid_token");
}

#[tokio::test]
async fn an_admins_revoked_token_cannot_read_another_user() {
    // Arrange
    let app = spawn_app().await;
    let (id, _, _, _) = app.register_and_sign_in().await;
    let (_, old_admin_token) = app
        .admin_changed_since_signing_in(json!({"password": strong_password()}))
        .await;

    // Act
    let response = app.get(&user_path(id), Some(&old_admin_token)).await;

    // Assert
    assert_unauthorized(&response, "invalid_token");
}

#[tokio::test]
async fn an_admin_demoted_since_signing_in_can_no_longer_read_others() {
    // Arrange
    let app = spawn_app().await;
    let (id, _, _, _) = app.register_and_sign_in().await;
    let (_, admin_token) = app
        .admin_changed_since_signing_in(json!({"role": "user"}))
        .await;

    // Act
    let response = app.get(&user_path(id), Some(&admin_token)).await;

    // Assert
    assert_error(&response, 403, "forbidden");
}

#[tokio::test]
async fn me_is_the_caller() {
    // Arrange
    let app = spawn_app().await;
    app.register_and_sign_in().await;
    let (id, token, email, _) = app.register_and_sign_in().await;

    // Act
    let response = app.get(ME_PATH, Some(&token)).await;

    // Assert
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    let body = assert_jsonapi(&response);
    assert_eq!(id_of(&body), id);
    assert_eq!(body["data"]["attributes"]["email"], email);
    assert_eq!(body["data"]["links"]["self"], app.url(&user_path(id)));
}

#[tokio::test]
async fn me_is_the_caller_for_an_admin_too() {
    // Arrange
    let app = spawn_app().await;
    let (id, admin_token) = app.create_admin_and_sign_in().await;

    // Act
    let response = app.get(ME_PATH, Some(&admin_token)).await;

    // Assert
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    let body = assert_jsonapi(&response);
    assert_eq!(id_of(&body), id);
    assert_eq!(body["data"]["attributes"]["role"], "admin");
}

#[tokio::test]
async fn me_without_a_token_is_a_401() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let response = app.get(ME_PATH, None).await;

    // Assert
    assert_unauthorized(&response, "unauthenticated");
}

#[tokio::test]
async fn an_unknown_query_parameter_on_one_user_is_a_400() {
    // Arrange
    let app = spawn_app().await;
    let (id, token, _, _) = app.register_and_sign_in().await;

    for path in [
        format!("{}?foo=1", user_path(id)),
        format!("{ME_PATH}?foo=1"),
    ] {
        // Act
        let response = app.get(&path, Some(&token)).await;

        // Assert
        assert_eq!(
            response.status.as_u16(),
            400,
            "path {path:?}: {}",
            response.text
        );
        assert_parameter_error(&response, "unknown_parameter", "foo");
    }
}

#[tokio::test]
async fn include_on_one_user_is_a_400() {
    // Arrange
    let app = spawn_app().await;
    let (id, token, _, _) = app.register_and_sign_in().await;

    // Act
    let response = app
        .get(&format!("{}?include=posts", user_path(id)), Some(&token))
        .await;

    // Assert
    assert_bad_parameter(&response, "include");
}

#[tokio::test]
async fn the_store_reads_users_by_position_as_seaorm_reads_them_by_name() {
    // Arrange: every column set, the nullable ones included, so that a
    // column read from the wrong position cannot go unnoticed.
    let app = spawn_app().await;
    let db = &app.state.db;
    let stored = store::insert(
        db,
        UserRecord {
            name: "Ada Lovelace".to_owned(),
            email: "Ada@Example.com".to_owned(),
            email_normalized: "ada@example.com".to_owned(),
            password_hash: "$argon2id$not-a-real-hash".to_owned(),
            dob: NaiveDate::from_ymd_opt(1815, 12, 10),
            address: Some("St James's Square".to_owned()),
            profession: Some("Mathematician".to_owned()),
            website: Some("https://example.com/ada".to_owned()),
            role: Role::Admin,
        },
    )
    .await
    .unwrap();
    let other = app
        .register_ok("Other", &unique_email("other"), &strong_password())
        .await;
    let by_name = |id| Users::find_by_id(id).one(db);
    let (ada, other) = (
        by_name(stored.id).await.unwrap().unwrap(),
        by_name(other).await.unwrap().unwrap(),
    );

    // Act
    let one = store::find(db, ada.id).await.unwrap();
    let two = store::find_two(db, ada.id, other.id).await.unwrap();
    let same_twice = store::find_two(db, ada.id, ada.id).await.unwrap();
    let all = store::find_all(db, [other.id, ada.id]).await.unwrap();
    let missing = store::find(db, other.id + 1000).await.unwrap();

    // Assert
    assert!(one == Some(ada.clone()), "find read another row: {one:?}");
    let sorted = |mut users: Vec<User>| {
        users.sort_by_key(|user| user.id);
        users
    };
    assert!(sorted(two) == vec![ada.clone(), other.clone()]);
    assert!(same_twice == vec![ada.clone()]);
    assert!(sorted(all) == vec![ada, other]);
    assert!(missing.is_none());
}
