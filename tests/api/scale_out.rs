//! Scaling out: two instances of the service on one database, sharing one JWT secret, behave
//! as one service. A token issued by either is accepted by both, a password change through one
//! ends the old token on the other, and what is written through either is read through both.
//!
//! The instances keep nothing that matters in memory, so this holds on any database server; it
//! runs on PostgreSQL and on MariaDB/MySQL. SQLite is for one machine and one instance: there
//! the tests are skipped.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::database::{Backend, backend};
use crate::helpers::{
    ME_PATH, TestApp, USERS_PATH, assert_error, assert_unauthorized, id_of, registration,
    spawn_app, strong_password, unique_email, user_path, user_update,
};
use crate::jsonapi_schema::assert_jsonapi;

/// Two instances on one fresh database with one JWT secret, or `None` on SQLite.
async fn two_instances() -> Option<(TestApp, TestApp)> {
    if backend() == Backend::Sqlite {
        eprintln!(
            "skipped: instances scale out over a database server; set TEST_DATABASE_URL to a \
             PostgreSQL or MariaDB/MySQL server to run this test"
        );
        return None;
    }
    let first = spawn_app().await;
    let second = first.spawn_replica().await;
    assert_ne!(first.address, second.address, "two separate instances");
    Some((first, second))
}

/// Reads `path` with `token`, which must succeed; returns the document.
async fn read(app: &TestApp, path: &str, token: &str) -> Value {
    let response = app.get(path, Some(token)).await;
    assert_eq!(
        response.status,
        StatusCode::OK,
        "GET {path} on {}: {}",
        app.address,
        response.text
    );
    assert_jsonapi(&response)
}

/// The ids in a collection document, in order.
fn ids(document: &Value) -> Vec<String> {
    document["data"]
        .as_array()
        .unwrap_or_else(|| panic!("a data array: {document}"))
        .iter()
        .map(|user| user["id"].as_str().expect("a string id").to_owned())
        .collect()
}

#[tokio::test]
async fn a_token_issued_by_one_instance_is_accepted_by_the_other() {
    let Some((first, second)) = two_instances().await else {
        return;
    };

    // Arrange
    let (id, issued_by_first, email, password) = first.register_and_sign_in().await;
    let issued_by_second = second.sign_in(&email, &password).await;

    // Act
    let me_on_second = second.get(ME_PATH, Some(&issued_by_first)).await;
    let me_on_first = first.get(ME_PATH, Some(&issued_by_second)).await;

    // Assert
    assert_eq!(me_on_second.status, StatusCode::OK, "{}", me_on_second.text);
    assert_eq!(me_on_first.status, StatusCode::OK, "{}", me_on_first.text);
    assert_eq!(id_of(&assert_jsonapi(&me_on_second)), id);
    assert_eq!(id_of(&assert_jsonapi(&me_on_first)), id);
}

#[tokio::test]
async fn a_password_change_through_one_instance_ends_the_old_token_on_the_other() {
    let Some((first, second)) = two_instances().await else {
        return;
    };

    // Arrange
    let (id, old_token, email, old_password) = first.register_and_sign_in().await;
    read(&second, ME_PATH, &old_token).await;
    let new_password = strong_password();
    let mut change = user_update(id, json!({ "password": new_password }));
    change["meta"] = json!({ "current_password": old_password });

    // Act
    let changed = first.patch(&user_path(id), &change, Some(&old_token)).await;

    // Assert
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);
    assert_unauthorized(
        &second.get(ME_PATH, Some(&old_token)).await,
        "invalid_token",
    );
    assert_unauthorized(&first.get(ME_PATH, Some(&old_token)).await, "invalid_token");
    let refused = second
        .request_token(&[
            ("grant_type", "password"),
            ("username", &email),
            ("password", &old_password),
        ])
        .await;
    assert_eq!(
        refused.status,
        StatusCode::BAD_REQUEST,
        "the old password on the other instance: {}",
        refused.text
    );
    let new_token = second.sign_in(&email, &new_password).await;
    assert_eq!(id_of(&read(&first, ME_PATH, &new_token).await), id);
}

#[tokio::test]
async fn writes_through_either_instance_are_read_through_both() {
    let Some((first, second)) = two_instances().await else {
        return;
    };

    // Arrange
    let (admin, admin_token) = first.create_admin_and_sign_in().await;

    // Act
    let ada = first
        .register_ok("Ada Lovelace", &unique_email("ada"), &strong_password())
        .await;
    let grace = second
        .register_ok("Grace Hopper", &unique_email("grace"), &strong_password())
        .await;
    let renamed = second
        .patch(
            &user_path(ada),
            &user_update(ada, json!({ "name": "Augusta Ada King" })),
            Some(&admin_token),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text);
    let deleted = first.delete(&user_path(grace), Some(&admin_token)).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text);

    // Assert
    for app in [&first, &second] {
        let ada_there = read(app, &user_path(ada), &admin_token).await;
        assert_eq!(
            ada_there["data"]["attributes"]["name"], "Augusta Ada King",
            "on {}: {ada_there}",
            app.address
        );
        assert_error(
            &app.get(&user_path(grace), Some(&admin_token)).await,
            404,
            "not_found",
        );
        let listed = read(app, &format!("{USERS_PATH}?sort=id"), &admin_token).await;
        assert_eq!(
            ids(&listed),
            [admin.to_string(), ada.to_string()],
            "on {}: {listed}",
            app.address
        );
        assert_eq!(listed["meta"]["total"], 2, "on {}: {listed}", app.address);
    }
}

#[tokio::test]
async fn an_email_registered_through_one_instance_is_taken_on_the_other() {
    let Some((first, second)) = two_instances().await else {
        return;
    };

    // Arrange
    let email = unique_email("ada");
    first
        .register_ok("Ada Lovelace", &email, &strong_password())
        .await;

    // Act
    let response = second
        .post(
            USERS_PATH,
            &registration("Another Ada", &email.to_uppercase(), &strong_password()),
            None,
        )
        .await;

    // Assert
    assert_error(&response, 409, "email_taken");
}

#[tokio::test]
async fn failed_sign_ins_through_both_instances_add_up_to_one_throttle() {
    let Some((first, second)) = two_instances().await else {
        return;
    };

    // Arrange: five consecutive failures, split between the instances.
    let email = unique_email("ada");
    let password = strong_password();
    first.register_ok("Ada Lovelace", &email, &password).await;
    for (attempt, app) in [&first, &second, &first, &second, &first]
        .into_iter()
        .enumerate()
    {
        let response = app
            .request_token(&[
                ("grant_type", "password"),
                ("username", &email),
                ("password", "a-wrong-password-for-sure"),
            ])
            .await;
        assert_eq!(
            response.status,
            StatusCode::BAD_REQUEST,
            "wrong password, attempt {}: {}",
            attempt + 1,
            response.text
        );
    }

    // Act
    let response = second
        .request_token(&[
            ("grant_type", "password"),
            ("username", &email),
            ("password", &password),
        ])
        .await;

    // Assert
    assert_error(&response, 429, "too_many_requests");
    assert!(
        response.header("retry-after").is_some(),
        "a 429 carries Retry-After"
    );
}
