//! Clients that read a user, change a field and save the whole object back
//! ($resource, kitsu, Orbit, jsonapi-requests), and clients that always send
//! an empty `relationships` (PyPI's jsonapi-client).

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, USERS_PATH, assert_error, assert_error_at, full_registration, spawn_app,
    strong_password, unique_email, user_path,
};
use crate::jsonapi_schema::assert_jsonapi;

/// Registers a user with every optional attribute: (id, token).
async fn full_user(app: &TestApp) -> (i64, String) {
    let email = unique_email("ada");
    let password = strong_password();
    let created = app
        .post(USERS_PATH, &full_registration(&email, &password), None)
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = assert_jsonapi(&created)["data"]["id"]
        .as_str()
        .expect("an id")
        .parse()
        .expect("numeric");
    (id, app.sign_in(&email, &password).await)
}

/// The document GET answers for user `id`, as a client keeps it.
async fn fetched(app: &TestApp, id: i64, token: &str) -> Value {
    let response = app.get(&user_path(id), Some(token)).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_jsonapi(&response)
}

/// Saves `document` back as it is and returns what the service then holds.
async fn save_back(app: &TestApp, id: i64, document: &Value, token: &str) -> Value {
    // Timestamps may have a resolution of a second; the save falls in a later one.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let response = app.patch(&user_path(id), document, Some(token)).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_jsonapi(&response);
    fetched(app, id, token).await
}

/// Only `changed` and `updated_at` differ between the two attribute sets.
fn assert_only_changed(before: &Value, after: &Value, changed: &str) {
    let before = before["data"]["attributes"]
        .as_object()
        .expect("attributes");
    let after = &after["data"]["attributes"];
    for (name, value) in before {
        if name != changed && name != "updated_at" {
            assert_eq!(&after[name], value, "{name} stayed as it was");
        }
    }
    assert_ne!(after["updated_at"], before["updated_at"]);
}

#[tokio::test]
async fn a_user_saves_back_the_whole_document_they_read_with_one_attribute_changed() {
    // Arrange
    let app = spawn_app().await;
    let (id, token) = full_user(&app).await;
    let before = fetched(&app, id, &token).await;
    let mut document = before.clone();
    document["data"]["attributes"]["profession"] = json!("Engineer");

    // Act
    let after = save_back(&app, id, &document, &token).await;

    // Assert
    assert_eq!(after["data"]["attributes"]["profession"], "Engineer");
    assert_only_changed(&before, &after, "profession");
}

#[tokio::test]
async fn an_admin_saves_back_another_user_s_whole_document() {
    // Arrange
    let app = spawn_app().await;
    let (id, _) = full_user(&app).await;
    let (_, admin_token) = app.create_admin_and_sign_in().await;
    let before = fetched(&app, id, &admin_token).await;
    let mut document = before.clone();
    document["data"]["attributes"]["address"] = json!("Ockham Park, Surrey");

    // Act
    let after = save_back(&app, id, &document, &admin_token).await;

    // Assert
    assert_eq!(
        after["data"]["attributes"]["address"],
        "Ockham Park, Surrey"
    );
    assert_only_changed(&before, &after, "address");
}

#[tokio::test]
async fn a_saved_back_document_may_carry_empty_relationships_and_top_level_members() {
    // Arrange
    let app = spawn_app().await;
    let (id, token) = full_user(&app).await;
    let before = fetched(&app, id, &token).await;
    let mut document = before.clone();
    document["data"]["attributes"]["name"] = json!("Augusta Ada King");
    document["data"]["relationships"] = json!({});
    document["data"]["meta"] = json!({ "seen": true });
    document["meta"] = json!({ "client": "jsonapi-client" });
    assert!(document["jsonapi"].is_object() && document["links"].is_object());

    // Act
    let after = save_back(&app, id, &document, &token).await;

    // Assert
    assert_eq!(after["data"]["attributes"]["name"], "Augusta Ada King");
    assert_only_changed(&before, &after, "name");
}

#[tokio::test]
async fn a_registration_with_empty_relationships_and_top_level_members_is_created() {
    // Arrange
    let app = spawn_app().await;
    let document = json!({
        "jsonapi": { "version": "1.1" },
        "links": { "self": app.url(USERS_PATH) },
        "meta": {},
        "data": {
            "type": "users",
            "attributes": {
                "name": "Grace Hopper",
                "email": unique_email("grace"),
                "password": strong_password(),
            },
            "relationships": {},
            "links": {},
            "meta": {},
        },
    });

    // Act
    let response = app.post(USERS_PATH, &document, None).await;

    // Assert
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
}

#[tokio::test]
async fn a_named_relationship_is_still_refused() {
    // Arrange
    let app = spawn_app().await;
    let (id, token) = full_user(&app).await;
    let mut document = fetched(&app, id, &token).await;
    document["data"]["relationships"] = json!({ "posts": { "data": [] } });

    // Act
    let response = app.patch(&user_path(id), &document, Some(&token)).await;

    // Assert
    assert_error_at(
        &response,
        400,
        "invalid_document",
        "/data/relationships/posts",
    );
}

#[tokio::test]
async fn a_user_echoing_their_own_role_changes_nothing_but_another_role_is_a_403() {
    // Arrange
    let app = spawn_app().await;
    let (id, token) = full_user(&app).await;
    let mut document = fetched(&app, id, &token).await;
    assert_eq!(document["data"]["attributes"]["role"], "user");
    let echoed = app.patch(&user_path(id), &document, Some(&token)).await;
    document["data"]["attributes"]["role"] = json!("admin");

    // Act
    let promoted = app.patch(&user_path(id), &document, Some(&token)).await;

    // Assert
    assert_eq!(echoed.status, StatusCode::OK, "{}", echoed.text);
    assert_error_at(&promoted, 403, "role_forbidden", "/data/attributes/role");
    let stored = fetched(&app, id, &token).await;
    assert_eq!(stored["data"]["attributes"]["role"], "user");
}

#[tokio::test]
async fn server_owned_attributes_saved_back_with_other_values_are_never_written() {
    // Arrange
    let app = spawn_app().await;
    let (id, token) = full_user(&app).await;
    let before = fetched(&app, id, &token).await;
    let mut document = before.clone();
    let attributes = &mut document["data"]["attributes"];
    attributes["age"] = json!(3);
    attributes["created_at"] = json!("1999-01-01T00:00:00Z");
    attributes["updated_at"] = json!("1999-01-01T00:00:00Z");

    // Act
    let after = save_back(&app, id, &document, &token).await;

    // Assert
    assert_eq!(
        after["data"]["attributes"]["age"],
        before["data"]["attributes"]["age"]
    );
    assert_eq!(
        after["data"]["attributes"]["created_at"],
        before["data"]["attributes"]["created_at"]
    );
    assert_ne!(
        after["data"]["attributes"]["updated_at"],
        "1999-01-01T00:00:00Z"
    );
}

#[tokio::test]
async fn an_unknown_attribute_in_a_saved_back_document_is_still_a_422() {
    // Arrange
    let app = spawn_app().await;
    let (id, token) = full_user(&app).await;
    let mut document = fetched(&app, id, &token).await;
    document["data"]["attributes"]["nickname"] = json!("Ada");

    // Act
    let response = app.patch(&user_path(id), &document, Some(&token)).await;

    // Assert
    assert_error(&response, 422, "unknown_attribute");
}
