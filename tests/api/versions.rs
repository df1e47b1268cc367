//! Versions side by side: the index at /api, a 404 for a version the service
//! lacks, each version's own document and Swagger UI, tokens good on both,
//! and what a deprecated version says on every response.

use chrono::{TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::Value;
use users_service::config::{Lifecycle, Settings};
use users_service::startup::Application;

use crate::database::fresh_database;
use crate::helpers::{
    ME_PATH, assert_error, send, spawn_app, spawn_app_with, strong_password, unique_email,
};
use crate::jsonapi_schema::assert_jsonapi;

const V2_ME_PATH: &str = "/api/v2/users/me";

fn deprecated_v1(settings: &mut Settings) {
    settings.api_v1_lifecycle = Lifecycle {
        deprecated_at: Some(Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap()),
        sunset_at: Some(Utc.with_ymd_and_hms(2027, 6, 30, 23, 59, 59).unwrap()),
    };
}

#[tokio::test]
async fn get_api_lists_both_versions_with_their_documents() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let response = app.get("/api", None).await;

    // Assert
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    let index = assert_jsonapi(&response);
    let versions = index["data"].as_array().expect("a list of versions");
    let ids: Vec<&str> = versions.iter().filter_map(|v| v["id"].as_str()).collect();
    assert_eq!(ids, ["v1", "v2"]);
    for version in versions {
        assert_eq!(version["type"], "versions");
        assert_eq!(version["attributes"]["status"], "stable", "{version}");
        assert!(
            version["attributes"].get("sunset_at").is_none(),
            "{version}"
        );
        let described_by = version["links"]["describedby"]
            .as_str()
            .expect("a document link");
        assert!(described_by.starts_with(&app.address), "{described_by}");
        let document = send(app.client.get(described_by)).await;
        assert_eq!(document.status, StatusCode::OK);
        assert!(
            document.json()["openapi"]
                .as_str()
                .is_some_and(|v| v.starts_with("3."))
        );
        let docs = send(app.client.get(version["links"]["docs"].as_str().unwrap())).await;
        assert_eq!(docs.status, StatusCode::OK);
        assert!(docs.text.contains("swagger-ui"), "the docs are Swagger UI");
    }
}

#[tokio::test]
async fn a_version_the_service_lacks_is_a_404_listing_those_it_has() {
    // Arrange
    let app = spawn_app().await;

    for path in ["/api/v3/users", "/api/v0", "/api/latest/users/1"] {
        // Act
        let response = app.get(path, None).await;

        // Assert
        assert_error(&response, 404, "unknown_version");
        assert_eq!(
            response.json()["meta"]["versions"],
            serde_json::json!(["v1", "v2"]),
            "{path}"
        );
    }
}

#[tokio::test]
async fn each_version_serves_its_own_document_with_its_own_paths() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let v1 = app.get("/api/v1/openapi.json", None).await.json();
    let v2 = app.get("/api/v2/openapi.json", None).await.json();

    // Assert
    let paths = |document: &Value| -> Vec<String> {
        document["paths"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    };
    assert!(
        paths(&v1)
            .iter()
            .any(|path| path == "/api/v1/users/{id}.json")
    );
    for path in paths(&v2) {
        assert!(path.starts_with("/api/v2/"), "{path}");
        assert!(!path.ends_with(".json"), "{path}");
    }
    assert!(paths(&v2).iter().any(|path| path == "/api/v2/users/{id}"));
    assert_eq!(
        v2["components"]["securitySchemes"]["oauth2"]["flows"]["password"]["tokenUrl"],
        "/api/v2/auth/token"
    );
    let committed: Value = serde_json::from_str(include_str!("../../openapi/v2.json"))
        .expect("openapi/v2.json is JSON");
    assert!(
        committed == v2,
        "openapi/v2.json is stale: regenerate it with `cargo run -- openapi v2 > openapi/v2.json`"
    );
}

#[tokio::test]
async fn a_token_from_either_version_works_on_both() {
    // Arrange
    let app = spawn_app().await;
    let email = unique_email("ada");
    let password = strong_password();
    app.register_ok("Ada Lovelace", &email, &password).await;
    let form = [
        ("grant_type", "password"),
        ("username", email.as_str()),
        ("password", password.as_str()),
    ];

    for token_path in ["/api/v1/auth/token", "/api/v2/auth/token"] {
        // Act
        let issued = send(app.client.post(app.url(token_path)).form(&form)).await;
        let token = issued.json()["access_token"].as_str().unwrap().to_owned();

        // Assert
        for me in [ME_PATH, V2_ME_PATH] {
            let response = app.get(me, Some(&token)).await;
            assert_eq!(response.status, StatusCode::OK, "{token_path} -> {me}");
            assert_eq!(
                assert_jsonapi(&response)["data"]["attributes"]["email"],
                email
            );
        }
    }
}

#[tokio::test]
async fn a_deprecated_version_says_so_on_every_response_and_in_its_document() {
    // Arrange
    let app = spawn_app_with(deprecated_v1).await;
    let (_, token, _, _) = app.register_and_sign_in().await;

    // Act
    let read = app.get(ME_PATH, Some(&token)).await;
    let refused = app.get("/api/v1/users/999999.json", Some(&token)).await;
    let document = app.get("/api/v1/openapi.json", None).await.json();
    let v2 = app.get(V2_ME_PATH, Some(&token)).await;
    let index = app.get("/api", None).await.json();

    // Assert
    for response in [&read, &refused] {
        assert_eq!(response.header("deprecation"), Some("@1798761600"));
        assert_eq!(
            response.header("sunset"),
            Some("Wed, 30 Jun 2027 23:59:59 GMT")
        );
        assert_eq!(
            response.header("link"),
            Some(format!("<{}/api/v2>; rel=\"successor-version\"", app.address).as_str())
        );
    }
    assert_error(&refused, 403, "forbidden");
    for item in document["paths"].as_object().unwrap().values() {
        for (method, operation) in item.as_object().unwrap() {
            assert_eq!(operation["deprecated"], true, "{method}");
        }
    }
    assert!(v2.header("deprecation").is_none() && v2.header("sunset").is_none());
    let v1 = &index["data"][0]["attributes"];
    assert_eq!(v1["status"], "deprecated");
    assert_eq!(v1["sunset_at"], "2027-06-30T23:59:59+00:00");
    assert_eq!(index["data"][1]["attributes"]["status"], "stable");
}

#[tokio::test]
async fn the_service_refuses_to_start_when_a_version_s_sunset_comes_before_its_deprecation() {
    // Arrange
    let database = fresh_database().await;
    let mut settings = Settings::for_database(database.url());
    settings.api_v2_lifecycle = Lifecycle {
        deprecated_at: Some(Utc.with_ymd_and_hms(2027, 6, 1, 0, 0, 0).unwrap()),
        sunset_at: Some(Utc.with_ymd_and_hms(2027, 5, 1, 0, 0, 0).unwrap()),
    };

    // Act
    let started = Application::build(settings).await;

    // Assert
    let error = started.err().expect("the service refuses to start");
    assert!(error.to_string().contains("API_V2_SUNSET_AT"), "{error}");
}
