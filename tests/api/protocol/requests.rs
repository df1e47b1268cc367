//! Request documents, for every resource type: each error points at the
//! member at fault, a created resource says where it lives, and a resource
//! read and sent back whole is accepted.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::served;
use crate::helpers::{assert_error, assert_error_at, id_of};
use crate::jsonapi_schema::assert_jsonapi;

#[tokio::test]
async fn a_created_resource_is_a_201_whose_location_is_its_self_link() {
    for served in served() {
        // Arrange
        let (app, seeded) = served.spawn(0).await;

        // Act
        let response = app
            .post(served.collection, &(served.creation)(), Some(&seeded.token))
            .await;

        // Assert
        assert_eq!(
            response.status,
            StatusCode::CREATED,
            "{}: {}",
            served.name,
            response.text
        );
        let document = assert_jsonapi(&response);
        let location = response.header("location").expect("a Location header");
        assert_eq!(
            document["data"]["links"]["self"], location,
            "{}",
            served.name
        );
        assert_eq!(
            location,
            app.url(&(served.member)(id_of(&document))),
            "{}",
            served.name
        );
        assert_eq!(document["data"]["type"], served.kind, "{}", served.name);
    }
}

#[tokio::test]
async fn each_error_of_a_creation_points_at_the_member_at_fault() {
    for served in served() {
        // Arrange
        let (app, seeded) = served.spawn(0).await;
        let (attribute, bad_value) = served.invalid_attribute;
        let with = |change: &dyn Fn(&mut Value)| {
            let mut document = (served.creation)();
            change(&mut document);
            document
        };
        let cases: Vec<(Value, u16, &str, String)> = vec![
            (
                with(&|document| document["data"]["type"] = json!("things")),
                409,
                "type_mismatch",
                "/data/type".to_owned(),
            ),
            (
                with(&|document| document["data"]["id"] = json!("7")),
                403,
                "client_generated_id",
                "/data/id".to_owned(),
            ),
            (
                with(&|document| document["data"]["attributes"][attribute] = bad_value()),
                422,
                "invalid_attribute",
                format!("/data/attributes/{attribute}"),
            ),
            (
                with(&|document| document["data"]["attributes"]["colour"] = json!("blue")),
                422,
                "unknown_attribute",
                "/data/attributes/colour".to_owned(),
            ),
        ];

        for (document, status, code, pointer) in cases {
            // Act
            let response = app
                .post(served.collection, &document, Some(&seeded.token))
                .await;

            // Assert
            assert_error_at(&response, status, code, &pointer);
        }
    }
}

#[tokio::test]
async fn a_resource_read_and_sent_back_whole_is_accepted_unchanged() {
    for served in served() {
        // Arrange
        let (app, seeded) = served.spawn(1).await;
        let member = (served.member)(seeded.ids[0]);
        let read = assert_jsonapi(&app.get(&member, Some(&seeded.token)).await);

        // Act
        let response = app.patch(&member, &read, Some(&seeded.token)).await;

        // Assert
        assert_eq!(
            response.status,
            StatusCode::OK,
            "{}: {}",
            served.name,
            response.text
        );
        let mut saved = assert_jsonapi(&response);
        let mut read = read;
        for document in [&mut saved, &mut read] {
            let attributes = document["data"]["attributes"]
                .as_object_mut()
                .expect("attributes");
            // A save is a write, whatever it changes.
            attributes.remove("updated_at");
        }
        assert_eq!(
            saved["data"]["attributes"], read["data"]["attributes"],
            "{}",
            served.name
        );
    }
}

#[tokio::test]
async fn an_update_naming_another_id_is_a_409_at_data_id() {
    for served in served() {
        // Arrange
        let (app, seeded) = served.spawn(1).await;
        let member = (served.member)(seeded.ids[0]);
        let mut read = assert_jsonapi(&app.get(&member, Some(&seeded.token)).await);
        read["data"]["id"] = json!((seeded.ids[0] + 1000).to_string());

        // Act
        let response = app.patch(&member, &read, Some(&seeded.token)).await;

        // Assert
        assert_error_at(&response, 409, "id_mismatch", "/data/id");
    }
}

#[tokio::test]
async fn a_resource_that_does_not_exist_is_a_404_error_document() {
    for served in served() {
        // Arrange
        let (app, seeded) = served.spawn(0).await;
        let missing = (served.member)(seeded.ids.iter().max().copied().unwrap_or(0) + 1000);

        // Act
        let read = app.get(&missing, Some(&seeded.token)).await;
        let deleted = app.delete(&missing, Some(&seeded.token)).await;

        // Assert
        assert_error(&read, 404, "not_found");
        assert_error(&deleted, 404, "not_found");
    }
}
