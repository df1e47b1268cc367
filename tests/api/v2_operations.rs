//! JSON:API Atomic Operations at `POST /api/v2/operations`: several writes
//! in one transaction, `lid`s, results in order, every rule of the
//! single-resource endpoints applied to each operation, errors pointing at
//! the operation that failed, the limit, negotiation and idempotency keys.

use reqwest::{
    RequestBuilder, StatusCode,
    header::{ACCEPT, CONTENT_TYPE},
};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};
use users_service::{posts::entity as posts, users::entity as users};
use uuid::Uuid;

use crate::helpers::{
    JSONAPI_MEDIA_TYPE, TestApp, TestResponse, assert_error, assert_error_at, send, spawn_app,
    spawn_app_with, strong_password, unique_email,
};
use crate::jsonapi_schema::{assert_jsonapi, assert_valid_document};
use crate::v2_posts::{POSTS, new_post, post_path, write_post};

const OPERATIONS: &str = "/api/v2/operations";
const ATOMIC: &str = "application/vnd.api+json; ext=\"https://jsonapi.org/ext/atomic\"";

/// A POST to the operations endpoint sent as `content_type`, accepting
/// `accept`, with `body`.
fn atomic_request(
    app: &TestApp,
    token: Option<&str>,
    content_type: &str,
    accept: &str,
    body: &Value,
) -> RequestBuilder {
    let request = app
        .client
        .post(app.url(OPERATIONS))
        .header(CONTENT_TYPE, content_type)
        .header(ACCEPT, accept)
        .body(body.to_string());
    match token {
        Some(token) => request.bearer_auth(token),
        None => request,
    }
}

/// Sends `operations` as an atomic request, with these media types.
async fn send_atomic(
    app: &TestApp,
    operations: &Value,
    token: Option<&str>,
    content_type: &str,
    accept: &str,
) -> TestResponse {
    let body = json!({"atomic:operations": operations});
    send(atomic_request(app, token, content_type, accept, &body)).await
}

/// Sends `operations` with an `Idempotency-Key`.
async fn send_keyed(app: &TestApp, operations: &Value, token: &str, key: &str) -> TestResponse {
    let body = json!({"atomic:operations": operations});
    send(atomic_request(app, Some(token), ATOMIC, ATOMIC, &body).header("Idempotency-Key", key))
        .await
}

async fn atomic(app: &TestApp, operations: Value, token: Option<&str>) -> TestResponse {
    send_atomic(app, &operations, token, ATOMIC, ATOMIC).await
}

/// The results of a successful request, each resource valid JSON:API.
/// The official schema predates the extension, so each result's `data` is
/// checked as the primary data of a document of its own.
fn assert_results(response: &TestResponse) -> Vec<Value> {
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_eq!(response.header("content-type"), Some(ATOMIC));
    let body = response.json();
    assert_eq!(body["jsonapi"]["version"], "1.1");
    let results = body["atomic:results"]
        .as_array()
        .unwrap_or_else(|| panic!("atomic:results: {body}"))
        .clone();
    for result in &results {
        if let Some(data) = result.get("data") {
            assert_valid_document(&json!({"data": data}));
        }
    }
    results
}

fn id(result: &Value) -> i64 {
    result["data"]["id"].as_str().unwrap().parse().unwrap()
}

fn add_user(lid: &str, email: &str) -> Value {
    json!({"op": "add", "data": {"type": "users", "lid": lid, "attributes": {
        "name": "Batch User", "email": email, "password": strong_password()}}})
}

fn add_post_by(lid: &str, author_lid: &str, title: &str) -> Value {
    json!({"op": "add", "data": {"type": "posts", "lid": lid,
        "attributes": {"title": title, "body": "Text"},
        "relationships": {"author": {"data": {"type": "users", "lid": author_lid}}}}})
}

fn add_post(title: &str) -> Value {
    json!({"op": "add", "data": new_post(title)["data"]})
}

fn remove_post(id: i64) -> Value {
    json!({"op": "remove", "ref": {"type": "posts", "id": id.to_string()}})
}

/// How many users and posts there are.
async fn rows(app: &TestApp) -> (u64, u64) {
    let db = &app.state.db;
    (
        users::Entity::find().count(db).await.unwrap(),
        posts::Entity::find().count(db).await.unwrap(),
    )
}

#[tokio::test]
async fn an_admin_adds_a_user_and_three_posts_by_them_in_one_request() {
    // Arrange
    let app = spawn_app().await;
    let (_, admin) = app.create_admin_and_sign_in().await;
    let email = unique_email("batch");
    let operations = json!([
        add_user("ada", &email),
        add_post_by("p1", "ada", "First"),
        add_post_by("p2", "ada", "Second"),
        add_post_by("p3", "ada", "Third"),
    ]);

    // Act
    let response = atomic(&app, operations, Some(&admin)).await;

    // Assert
    let results = assert_results(&response);
    assert_eq!(results.len(), 4);
    assert_eq!(results[0]["data"]["type"], "users");
    assert_eq!(results[0]["data"]["attributes"]["email"], email);
    assert_eq!(
        results[0]["data"]["relationships"]["posts"]["meta"]["total"],
        3
    );
    let user = id(&results[0]);
    for (result, title) in results[1..].iter().zip(["First", "Second", "Third"]) {
        assert_eq!(result["data"]["type"], "posts");
        assert_eq!(result["data"]["attributes"]["title"], title);
        assert_eq!(
            result["data"]["relationships"]["author"]["data"]["id"],
            user.to_string()
        );
        let stored = app.get(&post_path(id(result)), Some(&admin)).await;
        assert_eq!(stored.status, StatusCode::OK, "{}", stored.text);
        assert_eq!(
            assert_jsonapi(&stored)["data"]["attributes"]["title"],
            title
        );
    }
    let listed = app
        .get(&format!("/api/v2/users/{user}/posts"), Some(&admin))
        .await;
    assert_eq!(listed.json()["meta"]["page"]["total"], 3);
}

#[tokio::test]
async fn a_request_that_fails_at_its_last_operation_leaves_nothing_behind() {
    // Arrange
    let app = spawn_app().await;
    let (_, admin) = app.create_admin_and_sign_in().await;
    let before = rows(&app).await;
    let operations = json!([
        add_user("ada", &unique_email("batch")),
        add_post_by("p1", "ada", "First"),
        add_post_by("p2", "ada", "   "),
    ]);

    // Act
    let response = atomic(&app, operations, Some(&admin)).await;

    // Assert
    assert_error_at(
        &response,
        422,
        "invalid_attribute",
        "/atomic:operations/2/data/attributes/title",
    );
    assert_eq!(rows(&app).await, before);
}

#[tokio::test]
async fn a_user_cannot_remove_anothers_post_by_putting_it_third() {
    // Arrange
    let app = spawn_app().await;
    let (_, owner, _, _) = app.register_and_sign_in().await;
    let (_, intruder, _, _) = app.register_and_sign_in().await;
    let theirs = write_post(&app, &owner, "Theirs").await;
    let mine = write_post(&app, &intruder, "Mine").await;
    let before = rows(&app).await;
    let operations = json!([add_post("Cover"), remove_post(mine), remove_post(theirs)]);

    // Act
    let response = atomic(&app, operations, Some(&intruder)).await;

    // Assert
    assert_error_at(&response, 403, "forbidden", "/atomic:operations/2");
    assert_eq!(rows(&app).await, before);
    for id in [mine, theirs] {
        let post = app.get(&post_path(id), Some(&owner)).await;
        assert_eq!(post.status, StatusCode::OK, "{}", post.text);
    }
}

#[tokio::test]
async fn resources_added_by_lid_are_updated_and_removed_by_lid() {
    // Arrange
    let app = spawn_app().await;
    let (me, token, _, _) = app.register_and_sign_in().await;
    let operations = json!([
        {"op": "add", "data": {"type": "posts", "lid": "draft",
            "attributes": {"title": "Draft", "body": "Text"}}},
        {"op": "update", "ref": {"type": "posts", "lid": "draft"},
            "data": {"type": "posts", "lid": "draft", "attributes": {"title": "Final"}}},
        {"op": "add", "data": {"type": "posts", "lid": "scratch",
            "attributes": {"title": "Scratch", "body": "Text"}}},
        {"op": "update", "data": {"type": "posts", "lid": "scratch",
            "attributes": {"pinned": true}}},
        {"op": "remove", "ref": {"type": "posts", "lid": "scratch"}},
        {"op": "update", "ref": {"type": "users", "id": me.to_string()},
            "data": {"type": "users", "id": me.to_string(),
                "attributes": {"profession": "Editor"}}},
    ]);

    // Act
    let response = atomic(&app, operations, Some(&token)).await;

    // Assert
    let results = assert_results(&response);
    let draft = id(&results[0]);
    assert_eq!(results[1]["data"]["id"], draft.to_string());
    assert_eq!(results[1]["data"]["attributes"]["title"], "Final");
    assert_eq!(results[3]["data"]["attributes"]["pinned"], true);
    assert_eq!(results[4], json!({}));
    assert_eq!(results[5]["data"]["attributes"]["profession"], "Editor");
    assert_eq!(
        results[5]["data"]["relationships"]["posts"]["meta"]["total"],
        1
    );
    let stored = app.get(&post_path(draft), Some(&token)).await;
    assert_eq!(stored.json()["data"]["attributes"]["title"], "Final");
    let scratch = app.get(&post_path(id(&results[2])), Some(&token)).await;
    assert_eq!(scratch.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn only_an_admin_changes_a_posts_author_relationship() {
    // Arrange
    let app = spawn_app().await;
    let (author, token, _, _) = app.register_and_sign_in().await;
    let (other, _, _, _) = app.register_and_sign_in().await;
    let (_, admin) = app.create_admin_and_sign_in().await;
    let post = write_post(&app, &token, "Moved").await;
    let change = |to: i64| {
        json!([{"op": "update",
            "ref": {"type": "posts", "id": post.to_string(), "relationship": "author"},
            "data": {"type": "users", "id": to.to_string()}}])
    };

    // Act
    let refused = atomic(&app, change(other), Some(&token)).await;
    let changed = atomic(&app, change(other), Some(&admin)).await;
    let users_posts = atomic(
        &app,
        json!([{"op": "add",
            "ref": {"type": "users", "id": author.to_string(), "relationship": "posts"},
            "data": [{"type": "posts", "id": post.to_string()}]}]),
        Some(&admin),
    )
    .await;

    // Assert
    assert_error_at(&refused, 403, "forbidden", "/atomic:operations/0");
    assert_eq!(assert_results(&changed), [json!({})]);
    let stored = app.get(&post_path(post), Some(&token)).await;
    assert_eq!(
        stored.json()["data"]["relationships"]["author"]["data"]["id"],
        other.to_string()
    );
    assert_error_at(&users_posts, 403, "forbidden", "/atomic:operations/0");
}

#[tokio::test]
async fn an_author_named_by_lid_gets_a_post_moved_to_them() {
    // Arrange
    let app = spawn_app().await;
    let (_, admin) = app.create_admin_and_sign_in().await;
    let post = write_post(&app, &admin, "Handed over").await;
    let operations = json!([
        add_user("heir", &unique_email("heir")),
        {"op": "update",
            "ref": {"type": "posts", "id": post.to_string(), "relationship": "author"},
            "data": {"type": "users", "lid": "heir"}},
    ]);

    // Act
    let response = atomic(&app, operations, Some(&admin)).await;

    // Assert
    let results = assert_results(&response);
    let stored = app.get(&post_path(post), Some(&admin)).await;
    assert_eq!(
        stored.json()["data"]["relationships"]["author"]["data"]["id"],
        results[0]["data"]["id"]
    );
}

#[tokio::test]
async fn an_unknown_lid_is_a_400_at_its_pointer() {
    // Arrange
    let app = spawn_app().await;
    let (_, admin) = app.create_admin_and_sign_in().await;
    let before = rows(&app).await;

    // Act
    let in_linkage = atomic(
        &app,
        json!([
            add_user("ada", &unique_email("a")),
            add_post_by("p", "bob", "T")
        ]),
        Some(&admin),
    )
    .await;
    let in_ref = atomic(
        &app,
        json!([{"op": "remove", "ref": {"type": "posts", "lid": "nope"}}]),
        Some(&admin),
    )
    .await;

    // Assert
    assert_error_at(
        &in_linkage,
        400,
        "invalid_document",
        "/atomic:operations/1/data/relationships/author/data/lid",
    );
    assert_error_at(
        &in_ref,
        400,
        "invalid_document",
        "/atomic:operations/0/ref/lid",
    );
    assert_eq!(rows(&app).await, before);
}

#[tokio::test]
async fn malformed_operations_are_400s_at_their_pointers() {
    // Arrange
    let app = spawn_app().await;
    let (_, token, _, _) = app.register_and_sign_in().await;
    let post = write_post(&app, &token, "Kept").await;
    let cases = [
        (
            json!({"op": "replace", "data": {}}),
            "/atomic:operations/1/op",
        ),
        (json!({"data": {}}), "/atomic:operations/1"),
        (
            json!({"op": "remove", "href": post_path(post)}),
            "/atomic:operations/1/href",
        ),
        (
            json!({"op": "remove", "ref": {"type": "comments", "id": "1"}}),
            "/atomic:operations/1/ref/type",
        ),
        (
            json!({"op": "remove", "ref": {"type": "posts"}}),
            "/atomic:operations/1/ref",
        ),
        (
            json!({"op": "update", "ref": {"type": "posts", "id": post.to_string(),
                "relationship": "likes"}, "data": null}),
            // Not found, as its URL would be, at the operation.
            "/atomic:operations/1",
        ),
        (
            json!({"op": "add", "data": {"type": "posts", "attributes": {"title": "T"}}}),
            "/atomic:operations/1/data/attributes",
        ),
    ];

    for (operation, pointer) in cases {
        // Act
        let response = atomic(&app, json!([remove_post(post), operation]), Some(&token)).await;

        // Assert
        let error = crate::helpers::assert_error_status(&response, response.status.as_u16());
        assert!(response.status.is_client_error(), "{}", response.text);
        assert_eq!(error[0]["source"]["pointer"], pointer, "{}", response.text);
    }
    let kept = app.get(&post_path(post), Some(&token)).await;
    assert_eq!(kept.status, StatusCode::OK);
}

#[tokio::test]
async fn a_document_of_anything_but_operations_is_a_400() {
    // Arrange
    let app = spawn_app().await;
    let (_, token, _, _) = app.register_and_sign_in().await;
    let request = |body: Value| atomic_request(&app, Some(&token), ATOMIC, ATOMIC, &body);

    // Act
    let data = send(request(new_post("Not atomic"))).await;
    let not_array = send(request(json!({"atomic:operations": {}}))).await;

    // Assert
    assert_error_at(&data, 400, "invalid_document", "/data");
    assert_error_at(&not_array, 400, "invalid_document", "/atomic:operations");
}

#[tokio::test]
async fn anyone_may_register_in_a_batch_but_anything_else_needs_a_token() {
    // Arrange
    let app = spawn_app().await;
    let before = rows(&app).await;

    // Act
    let registered = atomic(&app, json!([add_user("me", &unique_email("anon"))]), None).await;
    let after_registering = rows(&app).await;
    let posted = atomic(
        &app,
        json!([add_user("me", &unique_email("anon")), add_post("Anonymous")]),
        None,
    )
    .await;

    // Assert
    let results = assert_results(&registered);
    assert_eq!(results[0]["data"]["attributes"]["role"], "user");
    assert_eq!(after_registering, (before.0 + 1, before.1));
    assert_error_at(&posted, 401, "unauthenticated", "/atomic:operations/1");
    assert!(posted.header("www-authenticate").is_some());
    assert_eq!(rows(&app).await, after_registering);
}

#[tokio::test]
async fn more_operations_than_the_setting_allows_are_refused_whole() {
    // Arrange
    let app = spawn_app_with(|settings| settings.atomic_max_operations = 2).await;
    let (_, token, _, _) = app.register_and_sign_in().await;
    let before = rows(&app).await;
    let three = json!([add_post("1"), add_post("2"), add_post("3")]);

    // Act
    let refused = atomic(&app, three, Some(&token)).await;
    let two = atomic(&app, json!([add_post("1"), add_post("2")]), Some(&token)).await;

    // Assert
    assert_error_at(&refused, 400, "too_many_operations", "/atomic:operations");
    assert!(refused.text.contains("at most 2"), "{}", refused.text);
    assert_eq!(rows(&app).await.1 - before.1, 2, "{}", two.text);
    assert_eq!(assert_results(&two).len(), 2);
}

#[tokio::test]
async fn the_request_must_name_the_extension_and_only_this_endpoint_takes_it() {
    // Arrange
    let app = spawn_app().await;
    let (_, token, _, _) = app.register_and_sign_in().await;
    let operations = json!([add_post("Negotiated")]);
    let post_with = |content_type: &'static str| {
        app.client
            .post(app.url(POSTS))
            .bearer_auth(&token)
            .header(CONTENT_TYPE, content_type)
            .body(new_post("Single").to_string())
    };

    // Act
    let plain = send_atomic(&app, &operations, Some(&token), JSONAPI_MEDIA_TYPE, ATOMIC).await;
    let json = send_atomic(&app, &operations, Some(&token), "application/json", ATOMIC).await;
    let other_ext = send_atomic(
        &app,
        &operations,
        Some(&token),
        "application/vnd.api+json; ext=\"https://example.com/ext\"",
        ATOMIC,
    )
    .await;
    let refused_accept = send_atomic(
        &app,
        &operations,
        Some(&token),
        ATOMIC,
        "application/vnd.api+json; ext=\"https://example.com/ext\"",
    )
    .await;
    let any = send_atomic(&app, &operations, Some(&token), ATOMIC, "*/*").await;
    let on_posts = send(post_with(ATOMIC)).await;
    let accepting_atomic_on_posts =
        send(post_with(JSONAPI_MEDIA_TYPE).header(ACCEPT, ATOMIC)).await;

    // Assert
    for refused in [&plain, &json, &other_ext, &on_posts] {
        assert_error(refused, 415, "unsupported_media_type");
    }
    assert_error(&refused_accept, 406, "not_acceptable");
    assert_error(&accepting_atomic_on_posts, 406, "not_acceptable");
    assert_eq!(assert_results(&any).len(), 1);
    let posts = app
        .get(&format!("{POSTS}?filter[q]=Negotiated"), Some(&token))
        .await;
    assert_eq!(posts.json()["meta"]["page"]["total"], 1);
}

#[tokio::test]
async fn a_keyed_batch_retried_gets_the_same_answer_and_writes_once() {
    // Arrange
    let app = spawn_app().await;
    let (_, token, _, _) = app.register_and_sign_in().await;
    let key = Uuid::new_v4().to_string();
    let operations = json!([add_post("Once"), add_post("Twice?")]);
    let before = rows(&app).await;

    // Act
    let first = send_keyed(&app, &operations, &token, &key).await;
    let retried = send_keyed(&app, &operations, &token, &key).await;

    // Assert
    assert_results(&first);
    assert_eq!(retried.status, first.status);
    assert_eq!(retried.json(), first.json());
    assert_eq!(retried.header("content-type"), Some(ATOMIC));
    assert_eq!(retried.header("idempotent-replayed"), Some("true"));
    assert_eq!(rows(&app).await.1, before.1 + 2);
}

#[tokio::test]
async fn a_keyed_batch_that_fails_writes_nothing() {
    // Arrange
    let app = spawn_app().await;
    let (_, token, _, _) = app.register_and_sign_in().await;
    let before = rows(&app).await;
    let operations = json!([add_post("Kept?"), remove_post(i64::from(i32::MAX))]);
    let key = Uuid::new_v4().to_string();

    // Act
    let response = send_keyed(&app, &operations, &token, &key).await;

    // Assert
    assert_error_at(&response, 404, "not_found", "/atomic:operations/1");
    assert_eq!(rows(&app).await, before);
}

#[tokio::test]
async fn with_if_match_required_a_batch_may_add_but_not_change_or_remove() {
    // Arrange
    let app = spawn_app_with(|settings| settings.if_match_required = true).await;
    let (_, token, _, _) = app.register_and_sign_in().await;
    let post = write_post(&app, &token, "Versioned").await;
    let before = rows(&app).await;

    // Act
    let added = atomic(&app, json!([add_post("Fresh")]), Some(&token)).await;
    let removed = atomic(
        &app,
        json!([add_post("Lost"), remove_post(post)]),
        Some(&token),
    )
    .await;

    // Assert
    assert_eq!(assert_results(&added).len(), 1);
    assert_error_at(
        &removed,
        428,
        "precondition_required",
        "/atomic:operations/1",
    );
    assert_eq!(rows(&app).await.1, before.1 + 1);
}
