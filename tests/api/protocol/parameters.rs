//! Query parameters, for every resource type: one the endpoint does not
//! have, one given twice, an unknown sort field and a page too large are
//! each a 400 naming the parameter.

use super::served;
use crate::helpers::{assert_error_status, assert_parameter_error};

#[tokio::test]
async fn an_unknown_query_parameter_is_a_400_naming_it() {
    for served in served() {
        // Arrange
        let (app, seeded) = served.spawn(1).await;
        let member = (served.member)(seeded.ids[0]);

        // Act
        let page = app
            .get(
                &format!("{}?colour=blue", served.collection),
                Some(&seeded.token),
            )
            .await;
        let one = app
            .get(&format!("{member}?page[size]=1"), Some(&seeded.token))
            .await;

        // Assert
        assert_parameter_error(&page, "unknown_parameter", "colour");
        assert_parameter_error(&one, "unknown_parameter", "page[size]");
    }
}

#[tokio::test]
async fn a_parameter_given_twice_is_a_400_naming_it() {
    for served in served() {
        // Arrange
        let (app, seeded) = served.spawn(1).await;

        // Act
        let response = app
            .get(
                &format!("{}?sort=id&sort=-id", served.collection),
                Some(&seeded.token),
            )
            .await;

        // Assert
        assert_parameter_error(&response, "invalid_parameter", "sort");
    }
}

#[tokio::test]
async fn sorting_by_a_field_the_type_lacks_is_a_400_naming_sort() {
    for served in served() {
        // Arrange
        let (app, seeded) = served.spawn(1).await;

        // Act
        let response = app
            .get(
                &format!("{}?sort=password", served.collection),
                Some(&seeded.token),
            )
            .await;

        // Assert
        assert_parameter_error(&response, "invalid_parameter", "sort");
    }
}

#[tokio::test]
async fn a_page_larger_than_a_hundred_or_empty_is_a_400_naming_page_size() {
    for served in served() {
        // Arrange
        let (app, seeded) = served.spawn(1).await;

        for size in ["101", "0", "-1", "ten"] {
            // Act
            let response = app
                .get(
                    &format!("{}?page[size]={size}", served.collection),
                    Some(&seeded.token),
                )
                .await;

            // Assert
            let errors = assert_error_status(&response, 400);
            assert!(
                errors
                    .iter()
                    .any(|error| error["source"]["parameter"] == "page[size]"),
                "{} with page[size]={size}: {}",
                served.name,
                response.text
            );
        }
    }
}
