//! Sparse fieldsets, for every resource type: only the attributes asked
//! for, in single documents and pages alike; an unknown one is a 400.

use reqwest::StatusCode;
use serde_json::Value;

use super::served;
use crate::helpers::assert_parameter_error;
use crate::jsonapi_schema::assert_jsonapi;

fn attribute_names(resource: &Value) -> Vec<String> {
    let mut names: Vec<String> = resource["attributes"]
        .as_object()
        .unwrap_or_else(|| panic!("attributes: {resource}"))
        .keys()
        .cloned()
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_fieldset_keeps_only_the_attributes_asked_for_in_a_resource_and_a_page() {
    for served in served() {
        // Arrange
        let (app, seeded) = served.spawn(2).await;
        let chosen = &served.attributes[..2];
        let mut expected: Vec<String> = chosen.iter().map(|name| (*name).to_owned()).collect();
        expected.sort();
        let fields = format!("fields[{}]={}", served.kind, chosen.join(","));

        // Act
        let one = app
            .get(
                &format!("{}?{fields}", (served.member)(seeded.ids[0])),
                Some(&seeded.token),
            )
            .await;
        let page = app
            .get(
                &format!("{}?{fields}", served.collection),
                Some(&seeded.token),
            )
            .await;

        // Assert
        assert_eq!(one.status, StatusCode::OK, "{}: {}", served.name, one.text);
        let one = assert_jsonapi(&one);
        assert_eq!(attribute_names(&one["data"]), expected, "{}", served.name);
        assert_eq!(
            page.status,
            StatusCode::OK,
            "{}: {}",
            served.name,
            page.text
        );
        let page = assert_jsonapi(&page);
        let items = page["data"].as_array().expect("a page holds an array");
        assert!(!items.is_empty(), "{}", served.name);
        for item in items {
            assert_eq!(attribute_names(item), expected, "{}", served.name);
            assert!(item["links"]["self"].is_string(), "{}", served.name);
        }
    }
}

#[tokio::test]
async fn an_empty_fieldset_leaves_no_attribute() {
    for served in served() {
        // Arrange
        let (app, seeded) = served.spawn(1).await;

        // Act
        let response = app
            .get(
                &format!(
                    "{}?fields[{}]=",
                    (served.member)(seeded.ids[0]),
                    served.kind
                ),
                Some(&seeded.token),
            )
            .await;

        // Assert
        assert_eq!(response.status, StatusCode::OK, "{}", served.name);
        let document = assert_jsonapi(&response);
        assert_eq!(
            attribute_names(&document["data"]),
            Vec::<String>::new(),
            "{}",
            served.name
        );
    }
}

#[tokio::test]
async fn a_fieldset_naming_an_attribute_the_type_lacks_is_a_400_naming_the_parameter() {
    for served in served() {
        // Arrange
        let (app, seeded) = served.spawn(1).await;
        let parameter = format!("fields[{}]", served.kind);

        // Act
        let one = app
            .get(
                &format!("{}?{parameter}=password", (served.member)(seeded.ids[0])),
                Some(&seeded.token),
            )
            .await;
        let page = app
            .get(
                &format!("{}?{parameter}=nonsense", served.collection),
                Some(&seeded.token),
            )
            .await;

        // Assert
        assert_parameter_error(&one, "invalid_parameter", &parameter);
        assert_parameter_error(&page, "invalid_parameter", &parameter);
    }
}
