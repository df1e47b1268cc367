//! POST /api/v1/users.json: registering a user, and the rules each attribute follows.

use chrono::{DateTime, Days, Months, TimeDelta, Utc};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{
    USERS_PATH, assert_error, assert_error_at, assert_no_password, error_pointers,
    expected_pointers, new_user, registration, spawn_app, strong_password, unique_email,
};
use crate::jsonapi_schema::assert_jsonapi;

#[tokio::test]
async fn a_valid_registration_is_a_201_with_a_location_equal_to_the_self_link() {
    // Arrange
    let app = spawn_app().await;
    let document = registration("Ada Lovelace", &unique_email("ada"), &strong_password());

    // Act
    let response = app.post(USERS_PATH, &document, None).await;

    // Assert
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    let body = assert_jsonapi(&response);
    let id = body["data"]["id"].as_str().expect("a string id");
    assert_eq!(body["data"]["type"], "users");
    assert_eq!(
        body["data"]["links"]["self"],
        app.url(&format!("/api/v1/users/{id}.json"))
    );
    assert_eq!(
        response.header("location"),
        body["data"]["links"]["self"].as_str()
    );
}

#[tokio::test]
async fn a_new_user_has_every_attribute_null_where_unset_and_the_role_user() {
    // Arrange
    let app = spawn_app().await;
    let email = unique_email("ada");

    // Act
    let (status, body) = app
        .register("Ada Lovelace", &email, &strong_password())
        .await;

    // Assert
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let attributes = &body["data"]["attributes"];
    let mut names: Vec<&str> = attributes
        .as_object()
        .expect("attributes")
        .keys()
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "address",
            "age",
            "created_at",
            "dob",
            "email",
            "name",
            "profession",
            "role",
            "updated_at",
            "website"
        ]
    );
    assert_eq!(attributes["name"], "Ada Lovelace");
    assert_eq!(attributes["email"], email);
    for unset in ["dob", "age", "address", "profession", "website"] {
        assert!(attributes[unset].is_null(), "{unset} is null: {body}");
    }
    assert_eq!(attributes["role"], "user");
}

#[tokio::test]
async fn the_timestamps_are_rfc_3339_utc_and_recent() {
    // Arrange
    let app = spawn_app().await;
    let before = Utc::now() - TimeDelta::seconds(5);

    // Act
    let (_, body) = app
        .register("Ada Lovelace", &unique_email("ada"), &strong_password())
        .await;

    // Assert
    for field in ["created_at", "updated_at"] {
        let text = body["data"]["attributes"][field]
            .as_str()
            .unwrap_or_else(|| panic!("{field} is a string: {body}"));
        let timestamp = DateTime::parse_from_rfc3339(text)
            .unwrap_or_else(|error| panic!("{field} {text:?} is not RFC 3339: {error}"));
        assert_eq!(timestamp.offset().local_minus_utc(), 0, "{field} is UTC");
        assert!(timestamp >= before, "{field} {text} is recent");
        assert!(timestamp <= Utc::now() + TimeDelta::seconds(5));
    }
}

#[tokio::test]
async fn no_response_to_a_registration_carries_the_password() {
    // Arrange
    let app = spawn_app().await;
    let password = strong_password();
    let document = registration("Ada Lovelace", &unique_email("ada"), &password);

    // Act
    let response = app.post(USERS_PATH, &document, None).await;

    // Assert
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    assert_no_password(&response.json());
    assert!(!response.text.contains(&password));
}

#[tokio::test]
async fn every_optional_attribute_is_stored_and_returned() {
    // Arrange
    let app = spawn_app().await;
    let document = new_user(json!({
        "name": "Ada Lovelace",
        "email": unique_email("ada"),
        "password": strong_password(),
        "dob": "1815-12-10",
        "address": "12 St James's Square, London",
        "profession": "Mathematician",
        "website": "https://example.com/ada",
    }));

    // Act
    let response = app.post(USERS_PATH, &document, None).await;

    // Assert
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    let attributes = assert_jsonapi(&response)["data"]["attributes"].clone();
    assert_eq!(attributes["dob"], "1815-12-10");
    assert_eq!(attributes["address"], "12 St James's Square, London");
    assert_eq!(attributes["profession"], "Mathematician");
    assert_eq!(attributes["website"], "https://example.com/ada");
}

#[tokio::test]
async fn the_name_is_trimmed() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let (status, body) = app
        .register(
            "  Ada Lovelace \t",
            &unique_email("ada"),
            &strong_password(),
        )
        .await;

    // Assert
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["data"]["attributes"]["name"], "Ada Lovelace");
}

#[tokio::test]
async fn a_name_of_fewer_than_2_characters_after_trimming_is_a_422() {
    // Arrange
    let app = spawn_app().await;

    for name in ["", "A", "   A   "] {
        // Act
        let response = app
            .post(
                USERS_PATH,
                &registration(name, &unique_email("ada"), &strong_password()),
                None,
            )
            .await;

        // Assert
        assert_eq!(
            response.status.as_u16(),
            422,
            "name {name:?}: {}",
            response.text
        );
        assert_error_at(&response, 422, "invalid_attribute", "/data/attributes/name");
    }
}

#[tokio::test]
async fn a_name_of_100_multibyte_characters_is_accepted() {
    // Arrange
    let app = spawn_app().await;
    let name = "é".repeat(100);

    // Act
    let (status, body) = app
        .register(&name, &unique_email("ada"), &strong_password())
        .await;

    // Assert
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["data"]["attributes"]["name"], name);
}

#[tokio::test]
async fn a_name_of_101_characters_is_a_422() {
    // Arrange
    let app = spawn_app().await;
    let document = registration(&"a".repeat(101), &unique_email("ada"), &strong_password());

    // Act
    let response = app.post(USERS_PATH, &document, None).await;

    // Assert
    assert_error_at(&response, 422, "invalid_attribute", "/data/attributes/name");
}

#[tokio::test]
async fn an_invalid_email_is_a_422() {
    // Arrange
    let app = spawn_app().await;

    for email in [
        "not-an-email",
        "ada@",
        "@example.com",
        "ada lovelace@example.com",
    ] {
        // Act
        let response = app
            .post(
                USERS_PATH,
                &registration("Ada Lovelace", email, &strong_password()),
                None,
            )
            .await;

        // Assert
        assert_eq!(
            response.status.as_u16(),
            422,
            "email {email:?}: {}",
            response.text
        );
        assert_error_at(
            &response,
            422,
            "invalid_attribute",
            "/data/attributes/email",
        );
    }
}

/// A valid address of `length` characters: a 64-character local part and labels of at most 63.
fn email_of_length(length: usize) -> String {
    let local = "a".repeat(64);
    let tail = ".com";
    let mut domain_labels = Vec::new();
    let mut remaining = length - local.len() - 1 - tail.len();
    while remaining > 0 {
        // Each label but the first is preceded by a dot.
        let overhead = usize::from(!domain_labels.is_empty());
        let label = (remaining - overhead).min(63);
        domain_labels.push("b".repeat(label));
        remaining -= label + overhead;
    }
    format!("{local}@{}{tail}", domain_labels.join("."))
}

#[tokio::test]
async fn an_email_of_254_characters_is_accepted() {
    // Arrange
    let app = spawn_app().await;
    let email = email_of_length(254);
    assert_eq!(email.len(), 254);

    // Act
    let (status, body) = app
        .register("Ada Lovelace", &email, &strong_password())
        .await;

    // Assert
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn an_email_of_255_characters_is_a_422() {
    // Arrange
    let app = spawn_app().await;
    let email = email_of_length(255);
    assert_eq!(email.len(), 255);

    // Act
    let response = app
        .post(
            USERS_PATH,
            &registration("Ada Lovelace", &email, &strong_password()),
            None,
        )
        .await;

    // Assert
    assert_error_at(
        &response,
        422,
        "invalid_attribute",
        "/data/attributes/email",
    );
}

#[tokio::test]
async fn a_duplicate_email_is_a_409() {
    // Arrange
    let app = spawn_app().await;
    app.register_ok("Ada Lovelace", "ada@example.com", &strong_password())
        .await;

    // Act
    let response = app
        .post(
            USERS_PATH,
            &registration("Ada Again", "ada@example.com", &strong_password()),
            None,
        )
        .await;

    // Assert
    assert_error_at(&response, 409, "email_taken", "/data/attributes/email");
}

#[tokio::test]
async fn an_email_differing_only_in_case_is_taken_too() {
    // Arrange
    let app = spawn_app().await;
    app.register_ok("Ada Lovelace", "ada@example.com", &strong_password())
        .await;

    // Act
    let response = app
        .post(
            USERS_PATH,
            &registration("Ada Again", "ADA@Example.com", &strong_password()),
            None,
        )
        .await;

    // Assert
    assert_error_at(&response, 409, "email_taken", "/data/attributes/email");
}

#[tokio::test]
async fn a_password_of_15_multibyte_characters_is_accepted_and_signs_in() {
    // Arrange
    let app = spawn_app().await;
    let email = unique_email("ada");
    let password = "ü🔑".repeat(7) + "é";
    assert_eq!(password.chars().count(), 15);

    // Act
    let (status, body) = app.register("Ada Lovelace", &email, &password).await;

    // Assert
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let token = app.sign_in(&email, &password).await;
    assert!(!token.is_empty());
}

#[tokio::test]
async fn a_password_of_14_characters_is_a_422_however_many_bytes_it_has() {
    // Arrange
    let app = spawn_app().await;
    let password = "🔑".repeat(14);

    // Act
    let response = app
        .post(
            USERS_PATH,
            &registration("Ada Lovelace", &unique_email("ada"), &password),
            None,
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
async fn a_password_of_128_characters_is_accepted() {
    // Arrange
    let app = spawn_app().await;
    let email = unique_email("ada");
    let password = "Ω".repeat(128);

    // Act
    let (status, body) = app.register("Ada Lovelace", &email, &password).await;

    // Assert
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app.sign_in(&email, &password).await;
}

#[tokio::test]
async fn a_password_of_129_characters_is_a_422() {
    // Arrange
    let app = spawn_app().await;
    let password = "p".repeat(129);

    // Act
    let response = app
        .post(
            USERS_PATH,
            &registration("Ada Lovelace", &unique_email("ada"), &password),
            None,
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
async fn a_rejected_password_is_not_echoed_in_the_error() {
    // Arrange
    let app = spawn_app().await;
    let password = "short-secret";

    // Act
    let response = app
        .post(
            USERS_PATH,
            &registration("Ada Lovelace", &unique_email("ada"), password),
            None,
        )
        .await;

    // Assert
    assert_error(&response, 422, "invalid_attribute");
    assert!(
        !response.text.contains(password),
        "the password leaked: {}",
        response.text
    );
}

#[tokio::test]
async fn a_long_password_is_never_truncated() {
    // Arrange: two passwords sharing their first 120 characters (bcrypt would keep only 72 bytes).
    let app = spawn_app().await;
    let email = unique_email("ada");
    let prefix = "a-long-shared-prefix-".repeat(6)[..120].to_owned();
    let password = format!("{prefix}-first");
    let other = format!("{prefix}-other");
    app.register_ok("Ada Lovelace", &email, &password).await;

    // Act
    let response = app
        .request_token(&[
            ("grant_type", "password"),
            ("username", &email),
            ("password", &other),
        ])
        .await;

    // Assert
    assert_eq!(
        response.status,
        StatusCode::BAD_REQUEST,
        "{}",
        response.text
    );
    assert_eq!(response.json()["error"], "invalid_grant");
}

#[tokio::test]
async fn the_age_is_derived_from_the_dob_in_whole_years() {
    // Arrange
    let app = spawn_app().await;
    let today = Utc::now().date_naive();
    let thirtieth_birthday_today = today
        .checked_sub_months(Months::new(12 * 30))
        .expect("a date 30 years ago");
    let thirtieth_birthday_tomorrow = thirtieth_birthday_today
        .checked_add_days(Days::new(1))
        .expect("a day later");

    for (dob, age) in [
        (thirtieth_birthday_today, 30),
        (thirtieth_birthday_tomorrow, 29),
    ] {
        // Act
        let document = new_user(json!({
            "name": "Ada Lovelace",
            "email": unique_email("ada"),
            "password": strong_password(),
            "dob": dob.format("%Y-%m-%d").to_string(),
        }));
        let response = app.post(USERS_PATH, &document, None).await;

        // Assert
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
        let attributes = &assert_jsonapi(&response)["data"]["attributes"];
        assert_eq!(attributes["age"], age, "age for dob {dob}");
    }
}

#[tokio::test]
async fn a_dob_in_the_future_is_a_422() {
    // Arrange
    let app = spawn_app().await;
    let in_two_days = Utc::now().date_naive() + Days::new(2);
    let document = new_user(json!({
        "name": "Ada Lovelace",
        "email": unique_email("ada"),
        "password": strong_password(),
        "dob": in_two_days.format("%Y-%m-%d").to_string(),
    }));

    // Act
    let response = app.post(USERS_PATH, &document, None).await;

    // Assert
    assert_error_at(&response, 422, "invalid_attribute", "/data/attributes/dob");
}

#[tokio::test]
async fn a_dob_not_written_yyyy_mm_dd_is_a_422() {
    // Arrange
    let app = spawn_app().await;

    for dob in [
        "10/12/1815",
        "1815-13-10",
        "1815-12-10T00:00:00Z",
        "yesterday",
    ] {
        let document = new_user(json!({
            "name": "Ada Lovelace",
            "email": unique_email("ada"),
            "password": strong_password(),
            "dob": dob,
        }));

        // Act
        let response = app.post(USERS_PATH, &document, None).await;

        // Assert
        assert_eq!(
            response.status.as_u16(),
            422,
            "dob {dob:?}: {}",
            response.text
        );
        assert_error_at(&response, 422, "invalid_attribute", "/data/attributes/dob");
    }
}

#[tokio::test]
async fn a_website_that_is_not_an_absolute_http_or_https_url_is_a_422() {
    // Arrange
    let app = spawn_app().await;

    for website in ["ftp://x", "example.com", "/ada", "javascript:alert(1)"] {
        let document = new_user(json!({
            "name": "Ada Lovelace",
            "email": unique_email("ada"),
            "password": strong_password(),
            "website": website,
        }));

        // Act
        let response = app.post(USERS_PATH, &document, None).await;

        // Assert
        assert_eq!(
            response.status.as_u16(),
            422,
            "website {website:?}: {}",
            response.text
        );
        assert_error_at(
            &response,
            422,
            "invalid_attribute",
            "/data/attributes/website",
        );
    }
}

#[tokio::test]
async fn an_address_and_a_profession_of_500_characters_are_accepted() {
    // Arrange
    let app = spawn_app().await;
    let document = new_user(json!({
        "name": "Ada Lovelace",
        "email": unique_email("ada"),
        "password": strong_password(),
        "address": "a".repeat(500),
        "profession": "p".repeat(500),
    }));

    // Act
    let response = app.post(USERS_PATH, &document, None).await;

    // Assert
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
}

#[tokio::test]
async fn an_address_or_a_profession_of_501_characters_is_a_422_each() {
    // Arrange
    let app = spawn_app().await;
    let document = new_user(json!({
        "name": "Ada Lovelace",
        "email": unique_email("ada"),
        "password": strong_password(),
        "address": "a".repeat(501),
        "profession": "p".repeat(501),
    }));

    // Act
    let response = app.post(USERS_PATH, &document, None).await;

    // Assert
    assert_eq!(response.status.as_u16(), 422, "{}", response.text);
    assert_eq!(
        error_pointers(&response),
        expected_pointers(&[
            ("invalid_attribute", "/data/attributes/address"),
            ("invalid_attribute", "/data/attributes/profession"),
        ])
    );
}

#[tokio::test]
async fn every_invalid_attribute_is_reported_at_once() {
    // Arrange
    let app = spawn_app().await;
    let document = new_user(json!({
        "name": "A",
        "email": "not-an-email",
        "password": "short",
        "website": "ftp://x",
    }));

    // Act
    let response = app.post(USERS_PATH, &document, None).await;

    // Assert
    assert_eq!(response.status.as_u16(), 422, "{}", response.text);
    assert_eq!(
        error_pointers(&response),
        expected_pointers(&[
            ("invalid_attribute", "/data/attributes/name"),
            ("invalid_attribute", "/data/attributes/email"),
            ("invalid_attribute", "/data/attributes/password"),
            ("invalid_attribute", "/data/attributes/website"),
        ])
    );
}

#[tokio::test]
async fn every_missing_required_attribute_is_reported_at_once() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let response = app.post(USERS_PATH, &new_user(json!({})), None).await;

    // Assert
    assert_eq!(response.status.as_u16(), 422, "{}", response.text);
    assert_eq!(
        error_pointers(&response),
        // A pointer must name a value that exists, so each points at the attributes object.
        expected_pointers(&[
            ("missing_attribute", "/data/attributes"),
            ("missing_attribute", "/data/attributes"),
            ("missing_attribute", "/data/attributes"),
        ])
    );
}

#[tokio::test]
async fn an_attribute_of_the_wrong_json_type_is_a_422() {
    // Arrange
    let app = spawn_app().await;
    let document = new_user(json!({
        "name": 42,
        "email": unique_email("ada"),
        "password": strong_password(),
    }));

    // Act
    let response = app.post(USERS_PATH, &document, None).await;

    // Assert
    assert_error_at(&response, 422, "invalid_attribute", "/data/attributes/name");
}

#[tokio::test]
async fn an_unknown_attribute_is_a_422() {
    // Arrange
    let app = spawn_app().await;
    let document = new_user(json!({
        "name": "Ada Lovelace",
        "email": unique_email("ada"),
        "password": strong_password(),
        "nickname": "Enchantress of Numbers",
    }));

    // Act
    let response = app.post(USERS_PATH, &document, None).await;

    // Assert
    assert_error_at(
        &response,
        422,
        "unknown_attribute",
        "/data/attributes/nickname",
    );
}

#[tokio::test]
async fn server_owned_attributes_sent_with_a_registration_are_ignored() {
    // Arrange
    let app = spawn_app().await;
    let document = new_user(json!({
        "name": "Ada Lovelace",
        "email": unique_email("ada"),
        "password": strong_password(),
        "age": 36,
        "created_at": "2000-01-01T00:00:00Z",
        "updated_at": "2000-01-01T00:00:00Z",
    }));

    // Act
    let response = app.post(USERS_PATH, &document, None).await;

    // Assert
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    let attributes = &assert_jsonapi(&response)["data"]["attributes"];
    assert!(attributes["age"].is_null(), "no dob, no age: {attributes}");
    for stamp in ["created_at", "updated_at"] {
        let written = attributes[stamp].as_str().expect("a timestamp");
        assert!(
            written.starts_with("20") && !written.starts_with("2000"),
            "{stamp}: {written}"
        );
    }
}

#[tokio::test]
async fn id_and_type_among_the_attributes_are_a_422() {
    // Arrange
    let app = spawn_app().await;
    let document = new_user(json!({
        "name": "Ada Lovelace",
        "email": unique_email("ada"),
        "password": strong_password(),
        "id": "42",
        "type": "users",
    }));

    // Act
    let response = app.post(USERS_PATH, &document, None).await;

    // Assert
    assert_eq!(response.status.as_u16(), 422, "{}", response.text);
    assert_eq!(
        error_pointers(&response),
        expected_pointers(&[
            ("read_only_attribute", "/data/attributes/id"),
            ("read_only_attribute", "/data/attributes/type"),
        ])
    );
}

#[tokio::test]
async fn a_refused_registration_creates_nothing() {
    // Arrange
    let app = spawn_app().await;
    let email = unique_email("ada");
    let refused = new_user(json!({
        "name": "Ada Lovelace",
        "email": email,
        "password": strong_password(),
        "website": "ftp://x",
    }));
    let refusal = app.post(USERS_PATH, &refused, None).await;
    assert_error(&refusal, 422, "invalid_attribute");

    // Act
    let (status, body) = app
        .register("Ada Lovelace", &email, &strong_password())
        .await;

    // Assert
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn a_client_generated_id_is_a_403() {
    // Arrange
    let app = spawn_app().await;
    let mut document = registration("Ada Lovelace", &unique_email("ada"), &strong_password());
    document["data"]["id"] = json!("42");

    // Act
    let response = app.post(USERS_PATH, &document, None).await;

    // Assert
    assert_error_at(&response, 403, "client_generated_id", "/data/id");
}

#[tokio::test]
async fn a_type_other_than_users_is_a_409() {
    // Arrange
    let app = spawn_app().await;
    let mut document = registration("Ada Lovelace", &unique_email("ada"), &strong_password());
    document["data"]["type"] = json!("people");

    // Act
    let response = app.post(USERS_PATH, &document, None).await;

    // Assert
    assert_error_at(&response, 409, "type_mismatch", "/data/type");
}

#[tokio::test]
async fn an_anonymous_registration_may_send_the_default_role_but_not_admin() {
    // Arrange
    let app = spawn_app().await;
    let registering = |role: &str| {
        new_user(json!({
            "name": "Ada Lovelace",
            "email": unique_email("ada"),
            "password": strong_password(),
            "role": role,
        }))
    };

    // Act
    let as_user = app.post(USERS_PATH, &registering("user"), None).await;
    let as_admin = app.post(USERS_PATH, &registering("admin"), None).await;

    // Assert
    assert_eq!(as_user.status, StatusCode::CREATED, "{}", as_user.text);
    assert_eq!(
        assert_jsonapi(&as_user)["data"]["attributes"]["role"],
        "user"
    );
    assert_error_at(&as_admin, 403, "role_forbidden", "/data/attributes/role");
}

#[tokio::test]
async fn a_signed_in_non_admin_may_not_create_an_admin() {
    // Arrange
    let app = spawn_app().await;
    let (_, token, _, _) = app.register_and_sign_in().await;
    let document = new_user(json!({
        "name": "Mallory",
        "email": unique_email("mallory"),
        "password": strong_password(),
        "role": "admin",
    }));

    // Act
    let response = app.post(USERS_PATH, &document, Some(&token)).await;

    // Assert
    assert_error_at(&response, 403, "role_forbidden", "/data/attributes/role");
}

#[tokio::test]
async fn an_admin_may_create_an_admin() {
    // Arrange
    let app = spawn_app().await;
    let (_, admin_token) = app.create_admin_and_sign_in().await;
    let email = unique_email("grace");
    let password = strong_password();
    let document = new_user(json!({
        "name": "Grace Hopper",
        "email": email,
        "password": password,
        "role": "admin",
    }));

    // Act
    let response = app.post(USERS_PATH, &document, Some(&admin_token)).await;

    // Assert
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    assert_eq!(
        assert_jsonapi(&response)["data"]["attributes"]["role"],
        "admin"
    );
    let new_admin_token = app.sign_in(&email, &password).await;
    let listing = app.get(USERS_PATH, Some(&new_admin_token)).await;
    assert_eq!(
        listing.status,
        StatusCode::OK,
        "the new admin can list users"
    );
}
