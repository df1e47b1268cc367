//! Races the database decides: duplicate registrations, concurrent updates
//! of one user, and a burst of writes (SQLite's single writer included).

use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{
    USERS_PATH, assert_error_at, id_of, registration, spawn_app, strong_password, unique_email,
    user_path, user_update,
};
use crate::jsonapi_schema::assert_jsonapi;

#[tokio::test]
async fn twenty_concurrent_registrations_of_one_email_give_one_201_and_nineteen_409s() {
    // Arrange
    let app = spawn_app().await;
    let email = unique_email("race");
    let documents: Vec<_> = (0..20)
        .map(|n| registration(&format!("Racer {n}"), &email, &strong_password()))
        .collect();

    // Act
    let responses = join_all(
        documents
            .iter()
            .map(|document| app.post(USERS_PATH, document, None)),
    )
    .await;

    // Assert
    let created = responses
        .iter()
        .filter(|response| response.status == StatusCode::CREATED)
        .count();
    assert_eq!(created, 1, "exactly one registration wins");
    for response in responses
        .iter()
        .filter(|response| response.status != StatusCode::CREATED)
    {
        assert_error_at(response, 409, "email_taken", "/data/attributes/email");
    }
}

#[tokio::test]
async fn concurrent_patches_of_one_user_apply_whole_and_leave_updated_at_in_commit_order() {
    // Arrange
    let app = spawn_app().await;
    let (_, admin_token) = app.create_admin_and_sign_in().await;
    let id = app
        .register_ok("Patch Target", &unique_email("target"), &strong_password())
        .await;
    let updates: Vec<_> = (0..12)
        .map(|n| {
            user_update(
                id,
                json!({ "name": format!("Writer {n}"), "profession": format!("Profession {n}") }),
            )
        })
        .collect();

    let path = user_path(id);

    // Act
    let responses = join_all(
        updates
            .iter()
            .map(|update| app.patch(&path, update, Some(&admin_token))),
    )
    .await;
    let stored = assert_jsonapi(&app.get(&user_path(id), Some(&admin_token)).await);

    // Assert
    let mut answers: Vec<(String, String, String)> = responses
        .iter()
        .map(|response| {
            assert_eq!(response.status, StatusCode::OK, "{}", response.text);
            let attributes = &response.json()["data"]["attributes"];
            (
                attributes["updated_at"].as_str().unwrap().to_owned(),
                attributes["name"].as_str().unwrap().to_owned(),
                attributes["profession"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    answers.sort();
    answers.dedup_by(|a, b| a.0 == b.0);
    assert_eq!(answers.len(), 12, "every update got its own updated_at");
    for (_, name, profession) in &answers {
        assert_eq!(
            name.replace("Writer", "Profession"),
            *profession,
            "no half-applied update"
        );
    }
    let (last_updated_at, last_name, _) = answers.last().unwrap();
    let attributes = &stored["data"]["attributes"];
    assert_eq!(
        attributes["updated_at"],
        last_updated_at.as_str(),
        "the latest updated_at is stored"
    );
    assert_eq!(
        attributes["name"],
        last_name.as_str(),
        "the latest update is the one that stands"
    );
    assert_eq!(
        attributes["name"]
            .as_str()
            .unwrap()
            .replace("Writer", "Profession"),
        attributes["profession"].as_str().unwrap()
    );
}

#[tokio::test]
async fn two_hundred_concurrent_registrations_all_succeed_and_all_are_stored() {
    // Arrange
    let app = spawn_app().await;
    let (_, admin_token) = app.create_admin_and_sign_in().await;
    let documents: Vec<_> = (0..200)
        .map(|n| {
            registration(
                &format!("Burst {n}"),
                &unique_email("burst"),
                &strong_password(),
            )
        })
        .collect();

    // Act
    let responses = join_all(
        documents
            .iter()
            .map(|document| app.post(USERS_PATH, document, None)),
    )
    .await;

    // Assert
    for response in &responses {
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    }
    let mut acknowledged: Vec<i64> = responses
        .iter()
        .map(|response| id_of(&response.json()))
        .collect();
    acknowledged.sort_unstable();
    acknowledged.dedup();
    assert_eq!(acknowledged.len(), 200, "two hundred distinct users");
    let mut stored = Vec::new();
    for page in 1..=3 {
        let path =
            format!("{USERS_PATH}?page%5Bsize%5D=100&page%5Bnumber%5D={page}&filter%5Bq%5D=burst-");
        let body = assert_jsonapi(&app.get(&path, Some(&admin_token)).await);
        assert_eq!(body["meta"]["total"], 200);
        stored.extend(body["data"].as_array().unwrap().iter().map(id_of_resource));
    }
    stored.sort_unstable();
    assert_eq!(
        stored, acknowledged,
        "every acknowledged registration is stored, once"
    );
}

fn id_of_resource(resource: &serde_json::Value) -> i64 {
    resource["id"].as_str().unwrap().parse().unwrap()
}
