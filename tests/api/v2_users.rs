//! Version 2's users: public profiles for other users, who may list by
//! public attributes only, and cursor pages that stay stable while users
//! come and go.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, assert_error, assert_parameter_error, full_registration, id_of, send, spawn_app,
    strong_password, unique_email,
};
use crate::jsonapi_schema::assert_jsonapi;

const USERS: &str = "/api/v2/users";
const PUBLIC_PROFILE: [&str; 4] = ["created_at", "name", "profession", "website"];
const CURSOR_PROFILE: &str = "https://jsonapi.org/profiles/ethanresnick/cursor-pagination";

fn user(id: i64) -> String {
    format!("{USERS}/{id}")
}

fn attribute_names(resource: &Value) -> Vec<String> {
    resource["attributes"]
        .as_object()
        .unwrap_or_else(|| panic!("attributes: {resource}"))
        .keys()
        .cloned()
        .collect()
}

/// Registers a user with every attribute set and signs them in.
async fn full_user(app: &TestApp) -> (i64, String) {
    let email = unique_email("full");
    let password = strong_password();
    let response = app
        .post(USERS, &full_registration(&email, &password), None)
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    let id = id_of(&response.json());
    (id, app.sign_in(&email, &password).await)
}

async fn ok(app: &TestApp, path: &str, token: &str) -> Value {
    let response = app.get(path, Some(token)).await;
    assert_eq!(response.status, StatusCode::OK, "{path}: {}", response.text);
    assert_jsonapi(&response)
}

#[tokio::test]
async fn another_user_sees_the_public_profile_and_the_user_everything() {
    // Arrange
    let app = spawn_app().await;
    let (ada, ada_token) = full_user(&app).await;
    let (_, other_token) = full_user(&app).await;

    // Act
    let as_other = ok(&app, &user(ada), &other_token).await;
    let as_self = ok(&app, &user(ada), &ada_token).await;
    let page_as_other = ok(&app, &format!("{USERS}?page[size]=100"), &other_token).await;

    // Assert
    assert_eq!(attribute_names(&as_other["data"]), PUBLIC_PROFILE);
    assert_eq!(attribute_names(&as_self["data"]).len(), 10);
    let listed = page_as_other["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["id"].as_str() == Some(ada.to_string().as_str()))
        .expect("Ada is listed");
    assert_eq!(attribute_names(listed), PUBLIC_PROFILE);
}

#[tokio::test]
async fn an_admin_sees_every_attribute_of_everyone() {
    // Arrange
    let app = spawn_app().await;
    let (ada, _) = full_user(&app).await;
    let (_, admin_token) = app.create_admin_and_sign_in().await;

    // Act
    let read = ok(&app, &user(ada), &admin_token).await;

    // Assert
    assert_eq!(attribute_names(&read["data"]).len(), 10);
    assert!(read["data"]["attributes"]["email"].is_string());
}

#[tokio::test]
async fn a_fieldset_never_reveals_what_the_profile_hides() {
    // Arrange
    let app = spawn_app().await;
    let (ada, _) = full_user(&app).await;
    let (other, other_token) = full_user(&app).await;

    // Act
    let read = ok(
        &app,
        &format!("{}?fields[users]=email,dob,name", user(ada)),
        &other_token,
    )
    .await;
    let page = ok(
        &app,
        &format!("{USERS}?fields[users]=email,role"),
        &other_token,
    )
    .await;

    // Assert
    assert_eq!(attribute_names(&read["data"]), ["name"]);
    let items = page["data"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    for item in items {
        let expected: &[&str] = if item["id"].as_str() == Some(other.to_string().as_str()) {
            &["email", "role"]
        } else {
            &[]
        };
        assert_eq!(attribute_names(item), expected, "{item}");
    }
}

#[tokio::test]
async fn another_user_may_not_change_or_delete_a_user() {
    // Arrange
    let app = spawn_app().await;
    let (ada, _) = full_user(&app).await;
    let (_, other_token) = full_user(&app).await;
    let change = json!({"data": {"type": "users", "id": ada.to_string(),
        "attributes": {"name": "Not Ada"}}});

    // Act
    let patched = app.patch(&user(ada), &change, Some(&other_token)).await;
    let deleted = app.delete(&user(ada), Some(&other_token)).await;

    // Assert
    assert_error(&patched, 403, "forbidden");
    assert_error(&deleted, 403, "forbidden");
}

#[tokio::test]
async fn a_non_admin_lists_by_public_attributes_only() {
    // Arrange
    let app = spawn_app().await;
    let (_, token) = full_user(&app).await;

    for query in [
        "filter[email]=ada@example.com",
        "filter[role]=admin",
        "sort=email",
        "sort=name,-updated_at",
    ] {
        // Act
        let response = app.get(&format!("{USERS}?{query}"), Some(&token)).await;

        // Assert
        assert_error(&response, 403, "forbidden");
    }
    for query in ["filter[name]=a", "filter[q]=a", "sort=-name,created_at,id"] {
        let response = app.get(&format!("{USERS}?{query}"), Some(&token)).await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "{query}: {}",
            response.text
        );
    }
}

#[tokio::test]
async fn a_non_admin_s_search_matches_names_not_email_addresses() {
    // Arrange
    let app = spawn_app().await;
    app.register_ok(
        "Plain Name",
        &unique_email("zebracrossing"),
        &strong_password(),
    )
    .await;
    let (_, token) = full_user(&app).await;
    let (_, admin_token) = app.create_admin_and_sign_in().await;

    // Act
    let as_user = ok(&app, &format!("{USERS}?filter[q]=zebracrossing"), &token).await;
    let as_admin = ok(
        &app,
        &format!("{USERS}?filter[q]=zebracrossing"),
        &admin_token,
    )
    .await;

    // Assert
    assert_eq!(as_user["data"], json!([]));
    assert_eq!(as_user["meta"]["page"]["total"], 0);
    assert_eq!(as_admin["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_page_names_the_cursor_pagination_profile_and_gives_each_item_its_cursor() {
    // Arrange
    let app = spawn_app().await;
    let (_, token) = full_user(&app).await;

    // Act
    let response = app.get(USERS, Some(&token)).await;

    // Assert
    assert_eq!(
        response.header("content-type"),
        Some(format!("application/vnd.api+json; profile=\"{CURSOR_PROFILE}\"").as_str())
    );
    let page = assert_jsonapi(&response);
    assert_eq!(page["jsonapi"]["profile"], json!([CURSOR_PROFILE]));
    assert!(page["links"]["prev"].is_null() && page["links"]["next"].is_null());
    for item in page["data"].as_array().unwrap() {
        assert!(item["meta"]["page"]["cursor"].is_string(), "{item}");
    }
}

#[tokio::test]
async fn cursors_the_service_did_not_make_for_this_sort_are_400s_naming_their_parameter() {
    // Arrange
    let app = spawn_app().await;
    let (_, token) = full_user(&app).await;
    app.create_admin_and_sign_in().await;
    let page = ok(&app, &format!("{USERS}?page[size]=1&sort=name"), &token).await;
    let cursor = page["data"][0]["meta"]["page"]["cursor"]
        .as_str()
        .unwrap()
        .to_owned();

    for (query, parameter) in [
        ("page[after]=garbage".to_owned(), "page[after]"),
        ("page[before]=e30".to_owned(), "page[before]"),
        (format!("page[after]={cursor}&sort=-name"), "page[after]"),
        (format!("page[before]={cursor}"), "page[before]"),
    ] {
        // Act
        let response = app.get(&format!("{USERS}?{query}"), Some(&token)).await;

        // Assert
        assert_parameter_error(&response, "invalid_parameter", parameter);
    }
}

#[tokio::test]
async fn a_page_past_the_largest_and_a_range_have_the_profile_s_errors() {
    // Arrange
    let app = spawn_app().await;
    let (_, token) = full_user(&app).await;
    let page = ok(&app, &format!("{USERS}?page[size]=1"), &token).await;
    let cursor = page["data"][0]["meta"]["page"]["cursor"]
        .as_str()
        .unwrap()
        .to_owned();

    // Act
    let too_large = app
        .get(&format!("{USERS}?page[size]=101"), Some(&token))
        .await;
    let range = app
        .get(
            &format!("{USERS}?page[after]={cursor}&page[before]={cursor}"),
            Some(&token),
        )
        .await;

    // Assert
    let error = assert_error(&too_large, 400, "max_size_exceeded");
    assert_eq!(error["source"]["parameter"], "page[size]");
    assert_eq!(error["meta"]["page"]["maxSize"], 100);
    assert_eq!(
        error["links"]["type"],
        format!("{CURSOR_PROFILE}/max-size-exceeded")
    );
    let error = assert_error(&range, 400, "range_pagination_not_supported");
    assert_eq!(
        error["links"]["type"],
        format!("{CURSOR_PROFILE}/range-pagination-not-supported")
    );
}

#[tokio::test]
async fn pages_neither_skip_nor_repeat_users_while_others_come_and_go() {
    // Arrange
    let app = spawn_app().await;
    let (_, admin_token) = app.create_admin_and_sign_in().await;
    let mut throughout = BTreeSet::new();
    let mut doomed = Vec::new();
    for index in 0..12 {
        let id = app
            .register_ok(
                &format!("Stable {index:02}"),
                &unique_email("stable"),
                &strong_password(),
            )
            .await;
        if index % 3 == 0 {
            doomed.push(id);
        } else {
            throughout.insert(id.to_string());
        }
    }
    let mut next = Some(app.url(&format!("{USERS}?page[size]=3&sort=name")));

    // Act
    let mut seen = Vec::new();
    let mut churn = 0;
    while let Some(url) = next {
        let response = send(
            app.client
                .get(&url)
                .bearer_auth(&admin_token)
                .header("accept", "application/vnd.api+json"),
        )
        .await;
        let page = assert_jsonapi(&response);
        seen.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|item| item["id"].as_str().unwrap().to_owned()),
        );
        // Between pages: one user joins, sorting before and after the
        // walk's position, and one of those that will go goes.
        app.register_ok(
            &format!("Aaron {churn}"),
            &unique_email("early"),
            &strong_password(),
        )
        .await;
        app.register_ok(
            &format!("Zed {churn}"),
            &unique_email("late"),
            &strong_password(),
        )
        .await;
        if let Some(id) = doomed.pop() {
            let deleted = app.delete(&user(id), Some(&admin_token)).await;
            assert_eq!(deleted.status, StatusCode::NO_CONTENT);
        }
        churn += 1;
        next = page["links"]["next"].as_str().map(str::to_owned);
        assert!(churn < 50, "the walk ends");
    }

    // Assert
    let distinct: BTreeSet<&String> = seen.iter().collect();
    assert_eq!(distinct.len(), seen.len(), "no user twice: {seen:?}");
    for id in &throughout {
        assert!(
            seen.contains(id),
            "user {id}, there throughout, was seen: {seen:?}"
        );
    }
}
