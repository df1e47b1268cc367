//! PATCH /api/v1/users/{id}.json: partial updates, who may make them, and password changes.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    ME_PATH, TestApp, USERS_PATH, assert_error, assert_error_at, assert_error_status,
    assert_no_password, assert_unauthorized, new_user, spawn_app, strong_password, unique_email,
    user_path, user_update,
};
use crate::jsonapi_schema::assert_jsonapi;

/// Reads user `id` with `token`, which must be allowed to.
async fn read_user(app: &TestApp, id: i64, token: &str) -> Value {
    let response = app.get(&user_path(id), Some(token)).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_jsonapi(&response)
}

/// A password-change document, with `meta.current_password` when given.
fn password_change(id: i64, new_password: &str, current_password: Option<&str>) -> Value {
    let mut document = user_update(id, json!({ "password": new_password }));
    if let Some(current) = current_password {
        document["meta"] = json!({ "current_password": current });
    }
    document
}

#[tokio::test]
async fn a_patch_changes_only_the_attributes_sent() {
    // Arrange
    let app = spawn_app().await;
    let email = unique_email("ada");
    let password = strong_password();
    let created = app
        .post(
            USERS_PATH,
            &new_user(json!({
                "name": "Ada Lovelace",
                "email": email,
                "password": password,
                "dob": "1815-12-10",
                "address": "12 St James's Square, London",
                "website": "https://example.com/ada",
            })),
            None,
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let before = assert_jsonapi(&created)["data"].clone();
    let id: i64 = before["id"]
        .as_str()
        .expect("an id")
        .parse()
        .expect("numeric");
    let token = app.sign_in(&email, &password).await;
    // Timestamps may have a resolution of a second; make sure the update falls in a later one.
    tokio::time::sleep(Duration::from_millis(1100)).await;

    // Act
    let response = app
        .patch(
            &user_path(id),
            &user_update(id, json!({ "profession": "Mathematician" })),
            Some(&token),
        )
        .await;

    // Assert
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    let after = &assert_jsonapi(&response)["data"]["attributes"];
    let was = &before["attributes"];
    assert_eq!(after["profession"], "Mathematician");
    for unchanged in [
        "name",
        "email",
        "dob",
        "age",
        "address",
        "website",
        "role",
        "created_at",
    ] {
        assert_eq!(after[unchanged], was[unchanged], "{unchanged} is unchanged");
    }
    assert_ne!(after["updated_at"], was["updated_at"], "updated_at moves");
    let stored = read_user(&app, id, &token).await;
    assert_eq!(stored["data"]["attributes"], *after, "the change is stored");
}

#[tokio::test]
async fn a_null_dob_clears_the_dob_and_the_age() {
    // Arrange
    let app = spawn_app().await;
    let (id, token, _, _) = app.register_and_sign_in().await;
    let set = app
        .patch(
            &user_path(id),
            &user_update(id, json!({ "dob": "1990-01-01" })),
            Some(&token),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text);
    assert!(assert_jsonapi(&set)["data"]["attributes"]["age"].is_number());

    // Act
    let response = app
        .patch(
            &user_path(id),
            &user_update(id, json!({ "dob": null })),
            Some(&token),
        )
        .await;

    // Assert
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    let attributes = &assert_jsonapi(&response)["data"]["attributes"];
    assert!(attributes["dob"].is_null(), "{attributes}");
    assert!(attributes["age"].is_null(), "{attributes}");
}

#[tokio::test]
async fn a_data_id_that_differs_from_the_url_is_a_409() {
    // Arrange
    let app = spawn_app().await;
    let (other, _, _, _) = app.register_and_sign_in().await;
    let (id, token, _, _) = app.register_and_sign_in().await;

    // Act
    let response = app
        .patch(
            &user_path(id),
            &user_update(other, json!({ "name": "Someone Else" })),
            Some(&token),
        )
        .await;

    // Assert
    assert_error_at(&response, 409, "id_mismatch", "/data/id");
}

#[tokio::test]
async fn a_patch_without_a_data_id_is_a_400() {
    // Arrange
    let app = spawn_app().await;
    let (id, token, _, _) = app.register_and_sign_in().await;

    // Act
    let response = app
        .patch(
            &user_path(id),
            &new_user(json!({ "name": "Ada Byron" })),
            Some(&token),
        )
        .await;

    // Assert
    // The pointer names the resource object that lacks the id: a pointer must name a value that exists.
    assert_error_at(&response, 400, "invalid_document", "/data");
}

#[tokio::test]
async fn a_patch_with_a_type_other_than_users_is_a_409() {
    // Arrange
    let app = spawn_app().await;
    let (id, token, _, _) = app.register_and_sign_in().await;
    let mut document = user_update(id, json!({ "name": "Ada Byron" }));
    document["data"]["type"] = json!("people");

    // Act
    let response = app.patch(&user_path(id), &document, Some(&token)).await;

    // Assert
    assert_error_at(&response, 409, "type_mismatch", "/data/type");
}

#[tokio::test]
async fn a_user_cannot_patch_another_user() {
    // Arrange
    let app = spawn_app().await;
    let (victim, victim_token, _, _) = app.register_and_sign_in().await;
    let (_, token, _, _) = app.register_and_sign_in().await;

    // Act
    let response = app
        .patch(
            &user_path(victim),
            &user_update(victim, json!({ "name": "Pwned" })),
            Some(&token),
        )
        .await;

    // Assert
    assert_error(&response, 403, "forbidden");
    let stored = read_user(&app, victim, &victim_token).await;
    assert_eq!(stored["data"]["attributes"]["name"], "Test User");
}

#[tokio::test]
async fn a_user_cannot_set_their_own_role() {
    // Arrange
    let app = spawn_app().await;
    let (id, token, _, _) = app.register_and_sign_in().await;

    // Act
    let response = app
        .patch(
            &user_path(id),
            &user_update(id, json!({ "role": "admin" })),
            Some(&token),
        )
        .await;

    // Assert
    assert_error_at(&response, 403, "role_forbidden", "/data/attributes/role");
    let stored = read_user(&app, id, &token).await;
    assert_eq!(stored["data"]["attributes"]["role"], "user");
}

#[tokio::test]
async fn an_admin_can_make_a_user_an_admin() {
    // Arrange
    let app = spawn_app().await;
    let (id, token, _, _) = app.register_and_sign_in().await;
    let (_, admin_token) = app.create_admin_and_sign_in().await;

    // Act
    let response = app
        .patch(
            &user_path(id),
            &user_update(id, json!({ "role": "admin" })),
            Some(&admin_token),
        )
        .await;

    // Assert
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_eq!(
        assert_jsonapi(&response)["data"]["attributes"]["role"],
        "admin"
    );
    let listing = app.get(USERS_PATH, Some(&token)).await;
    assert_eq!(
        listing.status,
        StatusCode::OK,
        "the promoted user can list users"
    );
}

#[tokio::test]
async fn an_admin_can_update_any_user() {
    // Arrange
    let app = spawn_app().await;
    let (id, token, _, _) = app.register_and_sign_in().await;
    let (_, admin_token) = app.create_admin_and_sign_in().await;

    // Act
    let response = app
        .patch(
            &user_path(id),
            &user_update(id, json!({ "name": "Renamed By Admin" })),
            Some(&admin_token),
        )
        .await;

    // Assert
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    let stored = read_user(&app, id, &token).await;
    assert_eq!(stored["data"]["attributes"]["name"], "Renamed By Admin");
}

#[tokio::test]
async fn changing_the_email_to_a_taken_one_is_a_409() {
    // Arrange
    let app = spawn_app().await;
    app.register_ok("Grace Hopper", "grace@example.com", &strong_password())
        .await;
    let (id, token, _, _) = app.register_and_sign_in().await;

    for taken in ["grace@example.com", "GRACE@example.com"] {
        // Act
        let response = app
            .patch(
                &user_path(id),
                &user_update(id, json!({ "email": taken })),
                Some(&token),
            )
            .await;

        // Assert
        assert_eq!(
            response.status.as_u16(),
            409,
            "taken {taken:?}: {}",
            response.text
        );
        assert_error_at(&response, 409, "email_taken", "/data/attributes/email");
    }
}

#[tokio::test]
async fn sending_ones_own_email_unchanged_is_not_a_conflict() {
    // Arrange
    let app = spawn_app().await;
    let (id, token, email, _) = app.register_and_sign_in().await;

    // Act
    let response = app
        .patch(
            &user_path(id),
            &user_update(id, json!({ "email": email, "name": "Same Address" })),
            Some(&token),
        )
        .await;

    // Assert
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
}

#[tokio::test]
async fn an_invalid_attribute_on_patch_is_a_422_and_changes_nothing() {
    // Arrange
    let app = spawn_app().await;
    let (id, token, _, _) = app.register_and_sign_in().await;

    // Act
    let response = app
        .patch(
            &user_path(id),
            &user_update(id, json!({ "name": "Valid Name", "website": "ftp://x" })),
            Some(&token),
        )
        .await;

    // Assert
    assert_error_at(
        &response,
        422,
        "invalid_attribute",
        "/data/attributes/website",
    );
    let stored = read_user(&app, id, &token).await;
    assert_eq!(stored["data"]["attributes"]["name"], "Test User");
}

#[tokio::test]
async fn a_sent_created_at_or_age_changes_nothing() {
    // Arrange
    let app = spawn_app().await;
    let (id, token, _, _) = app.register_and_sign_in().await;
    let before = read_user(&app, id, &token).await["data"]["attributes"].clone();

    // Act
    let response = app
        .patch(
            &user_path(id),
            &user_update(
                id,
                json!({
                    "created_at": "2000-01-01T00:00:00Z",
                    "updated_at": "2000-01-01T00:00:00Z",
                    "age": 99,
                }),
            ),
            Some(&token),
        )
        .await;

    // Assert
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    let after = read_user(&app, id, &token).await["data"]["attributes"].clone();
    assert_eq!(after["created_at"], before["created_at"]);
    assert!(after["age"].is_null(), "{after}");
    assert_ne!(after["updated_at"], "2000-01-01T00:00:00Z");
}

#[tokio::test]
async fn patching_a_user_that_does_not_exist_is_a_404() {
    // Arrange
    let app = spawn_app().await;
    let (_, admin_token) = app.create_admin_and_sign_in().await;

    // Act
    let response = app
        .patch(
            &user_path(999_999),
            &user_update(999_999, json!({ "name": "Nobody" })),
            Some(&admin_token),
        )
        .await;

    // Assert
    assert_error(&response, 404, "not_found");
}

#[tokio::test]
async fn patching_without_a_token_is_a_401() {
    // Arrange
    let app = spawn_app().await;
    let (id, _, _, _) = app.register_and_sign_in().await;

    // Act
    let response = app
        .patch(
            &user_path(id),
            &user_update(id, json!({ "name": "Anonymous" })),
            None,
        )
        .await;

    // Assert
    assert_unauthorized(&response, "unauthenticated");
}

#[tokio::test]
async fn changing_ones_own_password_without_the_current_one_is_a_422() {
    // Arrange
    let app = spawn_app().await;
    let (id, token, _, _) = app.register_and_sign_in().await;

    // Act
    let response = app
        .patch(
            &user_path(id),
            &password_change(id, &strong_password(), None),
            Some(&token),
        )
        .await;

    // Assert
    // No `meta` was sent, so the pointer names the whole document.
    assert_error_at(&response, 422, "missing_attribute", "");
}

#[tokio::test]
async fn changing_ones_own_password_with_a_wrong_current_one_is_a_403() {
    // Arrange
    let app = spawn_app().await;
    let (id, token, email, password) = app.register_and_sign_in().await;

    // Act
    let response = app
        .patch(
            &user_path(id),
            &password_change(id, &strong_password(), Some("not-my-current-password")),
            Some(&token),
        )
        .await;

    // Assert
    assert_error_at(
        &response,
        403,
        "wrong_current_password",
        "/meta/current_password",
    );
    app.sign_in(&email, &password).await;
}

#[tokio::test]
async fn a_too_short_new_password_is_a_422() {
    // Arrange
    let app = spawn_app().await;
    let (id, token, _, password) = app.register_and_sign_in().await;

    // Act
    let response = app
        .patch(
            &user_path(id),
            &password_change(id, "too-short", Some(&password)),
            Some(&token),
        )
        .await;

    // Assert
    assert_error_at(
        &response,
        422,
        "invalid_attribute",
        "/data/attributes/password",
    );
}

#[tokio::test]
async fn changing_ones_password_ends_the_old_token_and_the_new_password_signs_in() {
    // Arrange
    let app = spawn_app().await;
    let (id, old_token, email, old_password) = app.register_and_sign_in().await;
    let new_password = strong_password();

    // Act
    let response = app
        .patch(
            &user_path(id),
            &password_change(id, &new_password, Some(&old_password)),
            Some(&old_token),
        )
        .await;

    // Assert
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_no_password(&assert_jsonapi(&response));
    assert_unauthorized(&app.get(ME_PATH, Some(&old_token)).await, "invalid_token");
    let new_token = app.sign_in(&email, &new_password).await;
    let me = app.get(ME_PATH, Some(&new_token)).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text);
    let old_password_sign_in = app
        .request_token(&[
            ("grant_type", "password"),
            ("username", &email),
            ("password", &old_password),
        ])
        .await;
    assert_eq!(old_password_sign_in.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn an_admin_resets_a_password_without_the_current_one_and_ends_the_users_tokens() {
    // Arrange
    let app = spawn_app().await;
    let (id, user_token, email, _) = app.register_and_sign_in().await;
    let (_, admin_token) = app.create_admin_and_sign_in().await;
    let new_password = strong_password();

    // Act
    let response = app
        .patch(
            &user_path(id),
            &password_change(id, &new_password, None),
            Some(&admin_token),
        )
        .await;

    // Assert
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_unauthorized(&app.get(ME_PATH, Some(&user_token)).await, "invalid_token");
    let admin_me = app.get(ME_PATH, Some(&admin_token)).await;
    assert_eq!(
        admin_me.status,
        StatusCode::OK,
        "the admin's own token lives on"
    );
    app.sign_in(&email, &new_password).await;
}

#[tokio::test]
async fn a_user_patching_another_user_with_a_bad_document_is_told_403_not_422() {
    // Arrange
    let app = spawn_app().await;
    let (victim, _, _, _) = app.register_and_sign_in().await;
    let (_, token, _, _) = app.register_and_sign_in().await;

    // Act
    let response = app
        .patch(
            &user_path(victim),
            &user_update(victim, json!({ "name": "" , "unknown": 1 })),
            Some(&token),
        )
        .await;

    // Assert
    assert_error(&response, 403, "forbidden");
}

#[tokio::test]
async fn a_deleted_users_token_cannot_patch_their_own_id() {
    // Arrange
    let app = spawn_app().await;
    let (id, token, _, _) = app.register_and_sign_in().await;
    let deletion = app.delete(&user_path(id), Some(&token)).await;
    assert_eq!(deletion.status, StatusCode::NO_CONTENT, "{}", deletion.text);

    // Act
    let response = app
        .patch(
            &user_path(id),
            &user_update(id, json!({ "name": "Ghost" })),
            Some(&token),
        )
        .await;

    // Assert
    assert_unauthorized(&response, "invalid_token");
}

#[tokio::test]
async fn an_admins_revoked_token_cannot_patch_another_user_and_changes_nothing() {
    // Arrange
    let app = spawn_app().await;
    let (id, token, _, _) = app.register_and_sign_in().await;
    let (_, old_admin_token) = app
        .admin_changed_since_signing_in(json!({"password": strong_password()}))
        .await;

    // Act
    let response = app
        .patch(
            &user_path(id),
            &user_update(id, json!({ "name": "Changed By A Revoked Token" })),
            Some(&old_admin_token),
        )
        .await;

    // Assert
    assert_unauthorized(&response, "invalid_token");
    let stored = read_user(&app, id, &token).await;
    assert_eq!(stored["data"]["attributes"]["name"], "Test User");
}

#[tokio::test]
async fn an_admin_demoted_since_signing_in_can_no_longer_patch_others() {
    // Arrange
    let app = spawn_app().await;
    let (id, token, _, _) = app.register_and_sign_in().await;
    let (admin_id, admin_token) = app
        .admin_changed_since_signing_in(json!({"role": "user"}))
        .await;

    // Act
    let response = app
        .patch(
            &user_path(id),
            &user_update(id, json!({ "name": "Changed By A Former Admin" })),
            Some(&admin_token),
        )
        .await;

    // Assert
    assert_error(&response, 403, "forbidden");
    let stored = read_user(&app, id, &token).await;
    assert_eq!(stored["data"]["attributes"]["name"], "Test User");
    let own = app
        .patch(
            &user_path(admin_id),
            &user_update(admin_id, json!({ "name": "Still Myself" })),
            Some(&admin_token),
        )
        .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.text);
}

#[tokio::test]
async fn a_bad_document_for_a_user_that_does_not_exist_is_a_422_for_an_admin() {
    // Arrange
    let app = spawn_app().await;
    let (_, admin_token) = app.create_admin_and_sign_in().await;

    // Act
    let response = app
        .patch(
            &user_path(999_999),
            &user_update(999_999, json!({ "name": "" })),
            Some(&admin_token),
        )
        .await;

    // Assert
    assert_error_status(&response, 422);
}

#[tokio::test]
async fn a_user_giving_another_user_a_taken_email_is_told_403_not_409() {
    // Arrange
    let app = spawn_app().await;
    let (victim, victim_token, _, _) = app.register_and_sign_in().await;
    let (_, token, taken, _) = app.register_and_sign_in().await;

    // Act
    let response = app
        .patch(
            &user_path(victim),
            &user_update(victim, json!({ "email": taken })),
            Some(&token),
        )
        .await;

    // Assert
    assert_error(&response, 403, "forbidden");
    let stored = read_user(&app, victim, &victim_token).await;
    assert_ne!(stored["data"]["attributes"]["email"], taken);
}
