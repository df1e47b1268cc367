//! GET /api/v1/users.json: pagination, sorting, filtering and sparse fieldsets, for admins.

use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};
use url::Url;

use crate::helpers::{
    TestApp, TestResponse, USERS_PATH, assert_bad_parameter, assert_error, assert_no_password,
    assert_parameter_error, assert_unauthorized, new_user, spawn_app, strong_password, user_path,
    user_update,
};
use crate::jsonapi_schema::assert_jsonapi;

/// The people most listing tests start from, besides the admin ("Admin Istrator").
const PEOPLE: [(&str, &str); 4] = [
    ("Ada Lovelace", "ada@example.com"),
    ("Grace Hopper", "grace@example.org"),
    ("Alan Turing", "alan@example.net"),
    ("Barbara Liskov", "barbara@example.com"),
];

/// Creates an admin and `people`; returns the admin's token.
async fn seed(app: &TestApp, people: &[(&str, &str)]) -> String {
    let (_, token) = app.create_admin_and_sign_in().await;
    for (name, email) in people {
        app.register_ok(name, email, &strong_password()).await;
    }
    token
}

/// Lists users with this query string, which must succeed; returns the document.
async fn list(app: &TestApp, token: &str, query: &str) -> Value {
    let response = app.get(&format!("{USERS_PATH}?{query}"), Some(token)).await;
    assert_eq!(
        response.status,
        StatusCode::OK,
        "?{query}: {}",
        response.text
    );
    assert_jsonapi(&response)
}

/// Follows a link the service published; it must succeed.
async fn follow(app: &TestApp, token: &str, link: &Value) -> Value {
    let url = resolve(app, link);
    let response = app
        .get(&url[url::Position::BeforePath..], Some(token))
        .await;
    assert_eq!(response.status, StatusCode::OK, "{link}: {}", response.text);
    assert_jsonapi(&response)
}

/// A published link (a string or a link object) as an absolute URL.
fn resolve(app: &TestApp, link: &Value) -> Url {
    let href = link
        .as_str()
        .or_else(|| link["href"].as_str())
        .unwrap_or_else(|| panic!("a link: {link}"));
    Url::parse(&app.address)
        .and_then(|base| base.join(href))
        .unwrap_or_else(|error| panic!("{href} is a URL: {error}"))
}

/// The decoded query parameters of a link, sorted.
fn parameters(app: &TestApp, link: &Value) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = resolve(app, link)
        .query_pairs()
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    pairs.sort();
    pairs
}

/// One decoded query parameter of a link.
fn parameter(app: &TestApp, link: &Value, name: &str) -> Option<String> {
    parameters(app, link)
        .into_iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value)
}

fn attribute<'a>(document: &'a Value, name: &str) -> Vec<&'a str> {
    document["data"]
        .as_array()
        .unwrap_or_else(|| panic!("data is an array: {document}"))
        .iter()
        .map(|user| user["attributes"][name].as_str().unwrap_or_default())
        .collect()
}

fn ids(document: &Value) -> Vec<i64> {
    document["data"]
        .as_array()
        .unwrap_or_else(|| panic!("data is an array: {document}"))
        .iter()
        .map(|user| {
            user["id"]
                .as_str()
                .and_then(|id| id.parse().ok())
                .unwrap_or_else(|| panic!("a numeric string id: {user}"))
        })
        .collect()
}

/// A link that does not exist is either left out or null.
fn assert_no_link(document: &Value, name: &str) {
    assert!(
        document["links"][name].is_null(),
        "no {name} link expected: {}",
        document["links"]
    );
}

#[tokio::test]
async fn listing_users_is_for_admins_only() {
    // Arrange
    let app = spawn_app().await;
    let (_, token, _, _) = app.register_and_sign_in().await;

    // Act
    let response = app.get(USERS_PATH, Some(&token)).await;

    // Assert
    assert_error(&response, 403, "forbidden");
}

#[tokio::test]
async fn listing_users_without_a_token_is_a_401() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let response = app.get(USERS_PATH, None).await;

    // Assert
    assert_unauthorized(&response, "unauthenticated");
}

#[tokio::test]
async fn a_token_revoked_by_a_password_change_cannot_list_users() {
    // Arrange
    let app = spawn_app().await;
    let (_, old_admin_token) = app
        .admin_changed_since_signing_in(json!({"password": strong_password()}))
        .await;

    // Act
    let response = app.get(USERS_PATH, Some(&old_admin_token)).await;

    // Assert
    assert_unauthorized(&response, "invalid_token");
}

#[tokio::test]
async fn an_admin_demoted_since_signing_in_can_no_longer_list_users() {
    // Arrange
    let app = spawn_app().await;
    let (_, admin_token) = app
        .admin_changed_since_signing_in(json!({"role": "user"}))
        .await;

    // Act
    let response = app.get(USERS_PATH, Some(&admin_token)).await;

    // Assert
    assert_error(&response, 403, "forbidden");
}

#[tokio::test]
async fn a_deleted_admins_token_cannot_list_users() {
    // Arrange
    let app = spawn_app().await;
    let (admin_id, admin_token) = app.create_admin_and_sign_in().await;
    let deleted = app.delete(&user_path(admin_id), Some(&admin_token)).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text);

    // Act
    let response = app.get(USERS_PATH, Some(&admin_token)).await;

    // Assert
    assert_unauthorized(&response, "invalid_token");
}

#[tokio::test]
async fn a_non_admin_asking_for_a_page_past_the_last_is_forbidden_not_shown_an_empty_page() {
    // Arrange
    let app = spawn_app().await;
    let (_, token, _, _) = app.register_and_sign_in().await;

    // Act
    let response = app
        .get(&format!("{USERS_PATH}?page[number]=50"), Some(&token))
        .await;

    // Assert
    assert_error(&response, 403, "forbidden");
}

#[tokio::test]
async fn a_page_past_the_last_is_empty_and_still_counts_every_user() {
    // Arrange
    let app = spawn_app().await;
    let token = seed(&app, &PEOPLE).await;

    // Act
    let document = list(&app, &token, "page[number]=4&page[size]=2").await;

    // Assert
    assert_eq!(document["data"], json!([]));
    assert_eq!(document["meta"]["total"], 5);
    assert_eq!(
        parameter(&app, &document["links"]["last"], "page[number]").as_deref(),
        Some("3")
    );
}

/// What a listing with `filter` says it counts, and how many users it holds.
async fn total_and_held(app: &TestApp, token: &str, filter: &str) -> (u64, usize) {
    let document = list(app, token, &format!("page[size]=100&{filter}")).await;
    let total = document["meta"]["total"]
        .as_u64()
        .unwrap_or_else(|| panic!("meta.total is a count: {document}"));
    (total, ids(&document).len())
}

/// Sends a PATCH of user `id` with these attributes.
async fn change(app: &TestApp, token: &str, id: i64, attributes: Value) -> TestResponse {
    app.patch(&user_path(id), &user_update(id, attributes), Some(token))
        .await
}

#[tokio::test]
async fn totals_stay_exact_through_role_changes_deletions_and_other_changes() {
    // Arrange
    let app = spawn_app().await;
    let (_, token) = app.create_admin_and_sign_in().await;
    let mut people = Vec::new();
    for (name, email) in PEOPLE {
        people.push(app.register_ok(name, email, &strong_password()).await);
    }

    // Act
    let changes = [
        change(&app, &token, people[0], json!({"role": "admin"})).await,
        change(&app, &token, people[1], json!({"role": "admin"})).await,
        change(&app, &token, people[1], json!({"role": "user"})).await,
        change(
            &app,
            &token,
            people[2],
            json!({"name": "Renamed", "role": "user"}),
        )
        .await,
    ];
    let deleted = app.delete(&user_path(people[3]), Some(&token)).await;

    // Assert
    for response in &changes {
        assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    }
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text);
    assert_eq!(total_and_held(&app, &token, "").await, (4, 4));
    assert_eq!(
        total_and_held(&app, &token, "filter[role]=user").await,
        (2, 2)
    );
    assert_eq!(
        total_and_held(&app, &token, "filter[role]=admin").await,
        (2, 2)
    );
}

#[tokio::test]
async fn concurrent_registrations_are_all_counted() {
    // Arrange
    let app = spawn_app().await;
    let (_, token) = app.create_admin_and_sign_in().await;
    let emails: Vec<String> = (0..12)
        .map(|n| format!("at-once-{n}@example.com"))
        .collect();

    // Act
    join_all(
        emails
            .iter()
            .map(|email| app.register_ok("At Once", email, "a shared passphrase 123")),
    )
    .await;

    // Assert
    assert_eq!(total_and_held(&app, &token, "").await, (13, 13));
    assert_eq!(
        total_and_held(&app, &token, "filter[role]=user").await,
        (12, 12)
    );
}

#[tokio::test]
async fn concurrent_opposite_role_changes_all_succeed_and_are_counted() {
    // Arrange
    let app = spawn_app().await;
    let (_, token) = app.create_admin_and_sign_in().await;
    let mut people = Vec::new();
    for n in 0..8 {
        let email = format!("swap-{n}@example.com");
        people.push(app.register_ok("Swap", &email, &strong_password()).await);
    }
    for &id in &people[..4] {
        let promoted = change(&app, &token, id, json!({"role": "admin"})).await;
        assert_eq!(promoted.status, StatusCode::OK, "{}", promoted.text);
    }

    // Act
    let responses = join_all(people.iter().enumerate().map(|(n, &id)| {
        let role = if n < 4 { "user" } else { "admin" };
        change(&app, &token, id, json!({ "role": role }))
    }))
    .await;

    // Assert
    for response in &responses {
        assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    }
    assert_eq!(
        total_and_held(&app, &token, "filter[role]=admin").await,
        (5, 5)
    );
    assert_eq!(
        total_and_held(&app, &token, "filter[role]=user").await,
        (4, 4)
    );
}

#[tokio::test]
async fn the_collection_holds_every_user_and_the_exact_total() {
    // Arrange
    let app = spawn_app().await;
    let token = seed(&app, &PEOPLE).await;

    // Act
    let response = app.get(USERS_PATH, Some(&token)).await;

    // Assert
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    let document = assert_jsonapi(&response);
    assert_eq!(document["meta"]["total"], 5);
    let users = document["data"].as_array().expect("an array");
    assert_eq!(users.len(), 5);
    for user in users {
        assert_eq!(user["type"], "users");
        let id = user["id"].as_str().expect("a string id");
        assert_eq!(
            user["links"]["self"],
            app.url(&format!("/api/v1/users/{id}.json"))
        );
    }
    assert_no_password(&document);
    for link in ["self", "first", "last"] {
        assert!(document["links"][link].is_string(), "a {link} link");
    }
    assert_no_link(&document, "prev");
    assert_no_link(&document, "next");
}

#[tokio::test]
async fn a_listed_user_reads_as_the_user_does_alone() {
    // Arrange: one user with every optional attribute, one with none
    let app = spawn_app().await;
    let token = seed(&app, &PEOPLE[..1]).await;
    let full = app
        .post(
            USERS_PATH,
            &new_user(json!({
                "name": "Katherine Johnson",
                "email": "Katherine@Example.org",
                "password": strong_password(),
                "dob": "1918-08-26",
                "address": "Hampton, Virginia",
                "profession": "Mathematician",
                "website": "https://example.org/katherine",
            })),
            None,
        )
        .await;
    assert_eq!(full.status, StatusCode::CREATED, "{}", full.text);

    // Act
    let document = list(&app, &token, "sort=id").await;

    // Assert
    let listed = document["data"].as_array().expect("an array");
    assert_eq!(listed.len(), 3);
    assert_eq!(listed[2]["attributes"]["dob"], "1918-08-26");
    for (user, id) in listed.iter().zip(ids(&document)) {
        let alone = app.get(&user_path(id), Some(&token)).await;
        assert_eq!(alone.status, StatusCode::OK, "{}", alone.text);
        assert_eq!(*user, alone.json()["data"], "user {id}");
    }
}

#[tokio::test]
async fn the_default_page_size_is_20() {
    // Arrange
    let app = spawn_app().await;
    let (_, token) = app.create_admin_and_sign_in().await;
    for number in 1..=21 {
        app.register_ok(
            &format!("User Number {number:02}"),
            &format!("user{number}@example.com"),
            &strong_password(),
        )
        .await;
    }

    // Act
    let document = list(&app, &token, "").await;

    // Assert
    assert_eq!(document["data"].as_array().map(Vec::len), Some(20));
    assert_eq!(document["meta"]["total"], 22);
    let last = &document["links"]["last"];
    assert_eq!(parameter(&app, last, "page[number]").as_deref(), Some("2"));
    assert!(document["links"]["next"].is_string(), "a next page");
}

#[tokio::test]
async fn a_middle_page_links_to_its_neighbours() {
    // Arrange
    let app = spawn_app().await;
    let token = seed(&app, &PEOPLE).await;

    // Act
    let document = list(&app, &token, "page[number]=2&page[size]=2").await;

    // Assert
    assert_eq!(document["data"].as_array().map(Vec::len), Some(2));
    assert_eq!(document["meta"]["total"], 5);
    let links = &document["links"];
    let page = |name: &str| parameter(&app, &links[name], "page[number]");
    assert_eq!(page("self").as_deref(), Some("2"));
    assert_eq!(page("first").as_deref(), Some("1"));
    assert_eq!(page("prev").as_deref(), Some("1"));
    assert_eq!(page("next").as_deref(), Some("3"));
    assert_eq!(page("last").as_deref(), Some("3"));
    for name in ["self", "first", "prev", "next", "last"] {
        assert_eq!(
            parameter(&app, &links[name], "page[size]").as_deref(),
            Some("2"),
            "{name} keeps the page size"
        );
    }
}

#[tokio::test]
async fn the_first_page_has_no_prev_link_and_the_last_no_next_link() {
    // Arrange
    let app = spawn_app().await;
    let token = seed(&app, &PEOPLE).await;

    // Act
    let first = list(&app, &token, "page[number]=1&page[size]=2").await;
    let last = list(&app, &token, "page[number]=3&page[size]=2").await;

    // Assert
    assert_no_link(&first, "prev");
    assert!(first["links"]["next"].is_string());
    assert_no_link(&last, "next");
    assert!(last["links"]["prev"].is_string());
    assert_eq!(last["data"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn following_next_links_visits_every_user_once_in_sort_order() {
    // Arrange
    let app = spawn_app().await;
    let token = seed(&app, &PEOPLE).await;
    let mut expected: Vec<&str> = PEOPLE.iter().map(|(name, _)| *name).collect();
    expected.push("Admin Istrator");
    expected.sort_unstable();

    // Act
    let mut names = Vec::new();
    let mut page = list(&app, &token, "sort=name&page[size]=2").await;
    loop {
        names.extend(attribute(&page, "name").into_iter().map(str::to_owned));
        if page["links"]["next"].is_null() {
            break;
        }
        assert!(names.len() < 10, "the next links never end");
        let next = page["links"]["next"].clone();
        page = follow(&app, &token, &next).await;
    }

    // Assert
    assert_eq!(names, expected);
}

#[tokio::test]
async fn pagination_links_keep_the_sort_and_the_filters() {
    // Arrange
    let app = spawn_app().await;
    let token = seed(&app, &PEOPLE).await;

    // Act
    let document = list(
        &app,
        &token,
        "sort=-name&filter[name]=ce&page[size]=1&page[number]=2",
    )
    .await;

    // Assert
    assert_eq!(document["meta"]["total"], 2, "Grace and Ada: {document}");
    for name in ["self", "first", "last", "prev"] {
        let link = &document["links"][name];
        assert_eq!(
            parameter(&app, link, "sort").as_deref(),
            Some("-name"),
            "{name}"
        );
        assert_eq!(
            parameter(&app, link, "filter[name]").as_deref(),
            Some("ce"),
            "{name}"
        );
    }
    assert_no_link(&document, "next");
    let previous = follow(&app, &token, &document["links"]["prev"]).await;
    assert_eq!(attribute(&previous, "name"), ["Grace Hopper"]);
    assert_eq!(attribute(&document, "name"), ["Ada Lovelace"]);
}

#[tokio::test]
async fn the_total_counts_every_match_not_just_the_page() {
    // Arrange
    let app = spawn_app().await;
    let token = seed(&app, &PEOPLE).await;

    // Act
    let document = list(&app, &token, "filter[role]=user&page[size]=1").await;

    // Assert
    assert_eq!(document["meta"]["total"], 4);
    assert_eq!(document["data"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn a_page_size_of_100_is_accepted() {
    // Arrange
    let app = spawn_app().await;
    let token = seed(&app, &[]).await;

    // Act
    let document = list(&app, &token, "page[size]=100").await;

    // Assert
    assert_eq!(document["data"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn a_page_size_outside_1_to_100_or_not_a_number_is_a_400() {
    // Arrange
    let app = spawn_app().await;
    let token = seed(&app, &[]).await;

    for size in ["0", "101", "abc", "-1", ""] {
        // Act
        let response = app
            .get(&format!("{USERS_PATH}?page[size]={size}"), Some(&token))
            .await;

        // Assert
        assert_eq!(
            response.status.as_u16(),
            400,
            "size {size:?}: {}",
            response.text
        );
        assert_parameter_error(&response, "invalid_parameter", "page[size]");
    }
}

#[tokio::test]
async fn a_page_number_below_1_or_not_a_number_is_a_400() {
    // Arrange
    let app = spawn_app().await;
    let token = seed(&app, &[]).await;

    for number in ["0", "-1", "abc", "1.5"] {
        // Act
        let response = app
            .get(&format!("{USERS_PATH}?page[number]={number}"), Some(&token))
            .await;

        // Assert
        assert_eq!(
            response.status.as_u16(),
            400,
            "number {number:?}: {}",
            response.text
        );
        assert_parameter_error(&response, "invalid_parameter", "page[number]");
    }
}

#[tokio::test]
async fn percent_encoded_brackets_mean_the_same_parameter() {
    // Arrange
    let app = spawn_app().await;
    let token = seed(&app, &PEOPLE).await;

    // Act
    let document = list(&app, &token, "page%5Bsize%5D=1").await;

    // Assert
    assert_eq!(document["data"].as_array().map(Vec::len), Some(1));
    assert_eq!(document["meta"]["total"], 5);
}

#[tokio::test]
async fn sorting_by_name_goes_up_and_with_a_minus_down() {
    // Arrange
    let app = spawn_app().await;
    let token = seed(&app, &PEOPLE).await;
    let ascending = [
        "Ada Lovelace",
        "Admin Istrator",
        "Alan Turing",
        "Barbara Liskov",
        "Grace Hopper",
    ];
    let mut descending = ascending;
    descending.reverse();

    // Act
    let up = list(&app, &token, "sort=name").await;
    let down = list(&app, &token, "sort=-name").await;

    // Assert
    assert_eq!(attribute(&up, "name"), ascending);
    assert_eq!(attribute(&down, "name"), descending);
}

#[tokio::test]
async fn a_comma_separated_sort_breaks_ties_with_the_later_fields() {
    // Arrange
    let app = spawn_app().await;
    let token = seed(
        &app,
        &[
            ("Same Name", "b@example.com"),
            ("Same Name", "c@example.com"),
            ("Same Name", "a@example.com"),
            ("Other Name", "z@example.com"),
        ],
    )
    .await;

    // Act
    let up = list(&app, &token, "sort=name,email&filter[name]=name").await;
    let down = list(&app, &token, "sort=-name,-email&filter[name]=name").await;

    // Assert
    let ascending = [
        "z@example.com",
        "a@example.com",
        "b@example.com",
        "c@example.com",
    ];
    assert_eq!(attribute(&up, "email"), ascending);
    let mut descending = ascending;
    descending.reverse();
    assert_eq!(attribute(&down, "email"), descending);
}

#[tokio::test]
async fn ties_are_broken_by_id_in_the_direction_of_the_last_sort_field() {
    // Arrange
    let app = spawn_app().await;
    let token = seed(
        &app,
        &[
            ("Same Name", "first@example.com"),
            ("Same Name", "second@example.com"),
            ("Same Name", "third@example.com"),
        ],
    )
    .await;

    // Act
    let up = list(&app, &token, "sort=name&filter[name]=same").await;
    let down = list(&app, &token, "sort=-name&filter[name]=same").await;

    // Assert
    let ascending = ids(&up);
    assert!(ascending.is_sorted(), "{ascending:?}");
    assert_eq!(ascending.len(), 3);
    let mut descending = ascending.clone();
    descending.reverse();
    assert_eq!(ids(&down), descending);
}

#[tokio::test]
async fn sorting_by_id_and_timestamps_is_supported() {
    // Arrange
    let app = spawn_app().await;
    let token = seed(&app, &PEOPLE).await;

    // Act
    let by_id = list(&app, &token, "sort=-id").await;
    let by_created = list(&app, &token, "sort=created_at").await;
    let by_updated = list(&app, &token, "sort=-updated_at,email").await;

    // Assert
    let mut descending = ids(&by_id);
    descending.sort_unstable();
    descending.reverse();
    assert_eq!(ids(&by_id), descending);
    assert_eq!(ids(&by_created).len(), 5);
    assert_eq!(ids(&by_updated).len(), 5);
}

#[tokio::test]
async fn an_unknown_sort_field_is_a_400_naming_sort() {
    // Arrange
    let app = spawn_app().await;
    let token = seed(&app, &[]).await;

    for sort in ["nickname", "password", "name,-shoe_size", "role"] {
        // Act
        let response = app
            .get(&format!("{USERS_PATH}?sort={sort}"), Some(&token))
            .await;

        // Assert
        assert_eq!(
            response.status.as_u16(),
            400,
            "sort {sort:?}: {}",
            response.text
        );
        assert_parameter_error(&response, "invalid_parameter", "sort");
    }
}

#[tokio::test]
async fn filtering_by_email_is_exact_and_case_insensitive() {
    // Arrange
    let app = spawn_app().await;
    let token = seed(&app, &PEOPLE).await;

    // Act
    let exact = list(&app, &token, "filter[email]=ADA@Example.COM").await;
    let partial = list(&app, &token, "filter[email]=ada@example").await;

    // Assert
    assert_eq!(attribute(&exact, "name"), ["Ada Lovelace"]);
    assert_eq!(exact["meta"]["total"], 1);
    assert_eq!(partial["data"].as_array().map(Vec::len), Some(0));
    assert_eq!(partial["meta"]["total"], 0);
}

#[tokio::test]
async fn filtering_by_name_matches_a_case_insensitive_substring() {
    // Arrange
    let app = spawn_app().await;
    let token = seed(&app, &PEOPLE).await;

    // Act
    let document = list(&app, &token, "filter[name]=LOVE&sort=name").await;

    // Assert
    assert_eq!(attribute(&document, "name"), ["Ada Lovelace"]);
}

#[tokio::test]
async fn filtering_by_role_keeps_that_role_only() {
    // Arrange
    let app = spawn_app().await;
    let token = seed(&app, &PEOPLE).await;

    // Act
    let admins = list(&app, &token, "filter[role]=admin").await;
    let users = list(&app, &token, "filter[role]=user").await;

    // Assert
    assert_eq!(attribute(&admins, "name"), ["Admin Istrator"]);
    assert_eq!(users["meta"]["total"], 4);
    assert!(attribute(&users, "role").iter().all(|role| *role == "user"));
}

#[tokio::test]
async fn filtering_by_an_unknown_role_is_a_400() {
    // Arrange
    let app = spawn_app().await;
    let token = seed(&app, &[]).await;

    // Act
    let response = app
        .get(
            &format!("{USERS_PATH}?filter[role]=superuser"),
            Some(&token),
        )
        .await;

    // Assert
    assert_parameter_error(&response, "invalid_parameter", "filter[role]");
}

#[tokio::test]
async fn filter_q_matches_a_substring_of_the_name_or_the_email() {
    // Arrange
    let app = spawn_app().await;
    let token = seed(&app, &PEOPLE).await;

    // Act
    let by_name = list(&app, &token, "filter[q]=HOPPER").await;
    let by_email = list(&app, &token, "filter[q]=Example.NET").await;

    // Assert
    assert_eq!(attribute(&by_name, "name"), ["Grace Hopper"]);
    assert_eq!(attribute(&by_email, "name"), ["Alan Turing"]);
}

#[tokio::test]
async fn a_sparse_fieldset_returns_only_the_named_attributes() {
    // Arrange
    let app = spawn_app().await;
    let token = seed(&app, &PEOPLE).await;

    // Act
    let document = list(&app, &token, "fields[users]=name,email").await;

    // Assert
    for user in document["data"].as_array().expect("an array") {
        let mut names: Vec<&str> = user["attributes"]
            .as_object()
            .expect("attributes")
            .keys()
            .map(String::as_str)
            .collect();
        names.sort();
        assert_eq!(names, ["email", "name"], "{user}");
        assert_eq!(user["type"], "users");
        assert!(user["id"].is_string());
    }
}

#[tokio::test]
async fn an_unknown_field_in_a_sparse_fieldset_is_a_400() {
    // Arrange
    let app = spawn_app().await;
    let token = seed(&app, &[]).await;

    for fields in ["name,shoe_size", "password"] {
        // Act
        let response = app
            .get(
                &format!("{USERS_PATH}?fields[users]={fields}"),
                Some(&token),
            )
            .await;

        // Assert
        assert_eq!(
            response.status.as_u16(),
            400,
            "fields {fields:?}: {}",
            response.text
        );
        assert_parameter_error(&response, "invalid_parameter", "fields[users]");
    }
}

#[tokio::test]
async fn an_unknown_query_parameter_is_a_400_naming_it() {
    // Arrange
    let app = spawn_app().await;
    let token = seed(&app, &[]).await;

    // Act
    let response = app.get(&format!("{USERS_PATH}?foo=1"), Some(&token)).await;

    // Assert
    assert_parameter_error(&response, "unknown_parameter", "foo");
}

#[tokio::test]
async fn an_unknown_filter_is_a_400_naming_it() {
    // Arrange
    let app = spawn_app().await;
    let token = seed(&app, &[]).await;

    // Act
    let response = app
        .get(&format!("{USERS_PATH}?filter[nickname]=ada"), Some(&token))
        .await;

    // Assert
    assert_bad_parameter(&response, "filter[nickname]");
}

#[tokio::test]
async fn include_is_a_400_until_there_is_a_relationship() {
    // Arrange
    let app = spawn_app().await;
    let token = seed(&app, &[]).await;

    // Act
    let response = app
        .get(&format!("{USERS_PATH}?include=posts"), Some(&token))
        .await;

    // Assert
    assert_bad_parameter(&response, "include");
}

#[tokio::test]
async fn a_filter_matching_nobody_is_an_empty_page() {
    // Arrange
    let app = spawn_app().await;
    let token = seed(&app, &PEOPLE).await;

    // Act
    let document = list(&app, &token, "filter[q]=nobody-has-this").await;

    // Assert
    assert_eq!(document["data"], json!([]));
    assert_eq!(document["meta"]["total"], 0);
    assert!(document["links"]["self"].is_string());
    assert!(document["links"]["first"].is_string());
    assert!(document["links"]["last"].is_string());
    assert_no_link(&document, "next");
    assert_no_link(&document, "prev");
}
