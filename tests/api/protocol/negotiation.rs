//! Content negotiation, for every resource type: JSON:API's media type
//! out, 406 for an `Accept` the service cannot honour, 415 for a body in a
//! type it does not read.

use reqwest::header::{ACCEPT, CONTENT_TYPE};

use super::served;
use crate::helpers::{JSONAPI_MEDIA_TYPE, assert_error, send};

#[tokio::test]
async fn documents_come_in_the_json_api_media_type() {
    for served in served() {
        // Arrange
        let (app, seeded) = served.spawn(1).await;

        for path in [served.collection.to_owned(), (served.member)(seeded.ids[0])] {
            // Act
            let response = app.get(&path, Some(&seeded.token)).await;

            // Assert
            let content_type = response.header("content-type").unwrap_or_default();
            assert!(
                content_type.starts_with(JSONAPI_MEDIA_TYPE),
                "{} {path}: {content_type}",
                served.name
            );
        }
    }
}

#[tokio::test]
async fn an_accept_with_only_unknown_media_type_parameters_is_a_406() {
    for served in served() {
        // Arrange
        let (app, seeded) = served.spawn(1).await;

        for path in [served.collection.to_owned(), (served.member)(seeded.ids[0])] {
            // Act
            let response = send(
                app.client
                    .get(app.url(&path))
                    .bearer_auth(&seeded.token)
                    .header(ACCEPT, format!("{JSONAPI_MEDIA_TYPE}; charset=utf-8")),
            )
            .await;

            // Assert
            assert_error(&response, 406, "not_acceptable");
        }
    }
}

#[tokio::test]
async fn a_body_in_a_media_type_the_service_does_not_read_is_a_415() {
    for served in served() {
        // Arrange
        let (app, seeded) = served.spawn(0).await;

        // Act
        let response = send(
            app.client
                .post(app.url(served.collection))
                .bearer_auth(&seeded.token)
                .header(ACCEPT, JSONAPI_MEDIA_TYPE)
                .header(CONTENT_TYPE, "text/plain")
                .body((served.creation)().to_string()),
        )
        .await;

        // Assert
        assert_error(&response, 415, "unsupported_media_type");
    }
}
