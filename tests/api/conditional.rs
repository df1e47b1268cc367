//! Conditional requests on users (v1 and v2) and posts: an `ETag` on every
//! single-resource response, named for the row's version; `If-None-Match`
//! answered with 304; `If-Match` checked in the write's own statement, so
//! that of concurrent writers holding one tag exactly one succeeds.

use futures_util::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, assert_error, send, spawn_app, spawn_app_with, user_path, user_update,
};
use crate::jsonapi_schema::assert_jsonapi;
use crate::v2_posts::{post_path, write_post};

fn etag(response: &crate::helpers::TestResponse) -> String {
    response
        .header("etag")
        .unwrap_or_else(|| panic!("an ETag on {}: {}", response.status, response.text))
        .to_owned()
}

/// The members a PATCH changes a resource of each kind with.
fn change(path: &str, id: i64, value: &str) -> Value {
    if path.contains("/posts/") {
        json!({"data": {"type": "posts", "id": id.to_string(), "attributes": {"title": value}}})
    } else {
        user_update(id, json!({"profession": value}))
    }
}

/// A resource of each kind, its path and a token that may change it, each
/// of its own user, so that deleting one leaves the others.
async fn resources(app: &TestApp) -> Vec<(String, i64, String)> {
    let (v1_user, v1_token, _, _) = app.register_and_sign_in().await;
    let (v2_user, v2_token, _, _) = app.register_and_sign_in().await;
    let (_, author_token, _, _) = app.register_and_sign_in().await;
    let post = write_post(app, &author_token, "Notes").await;
    vec![
        (user_path(v1_user), v1_user, v1_token),
        (post_path(post), post, author_token),
        (format!("/api/v2/users/{v2_user}"), v2_user, v2_token),
    ]
}

async fn with_header(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    header: (&str, &str),
    body: Option<&Value>,
) -> crate::helpers::TestResponse {
    let mut request = app
        .request(method, path, Some(token))
        .header(header.0, header.1);
    if let Some(body) = body {
        request = request
            .header("content-type", "application/vnd.api+json")
            .body(body.to_string());
    }
    send(request).await
}

/// PATCH `path` with `body`, naming `tag` in `If-Match`.
async fn patch_if(
    app: &TestApp,
    path: &str,
    token: &str,
    tag: &str,
    body: &Value,
) -> crate::helpers::TestResponse {
    with_header(
        app,
        Method::PATCH,
        path,
        token,
        ("if-match", tag),
        Some(body),
    )
    .await
}

/// DELETE `path`, naming `tag` in `If-Match`.
async fn delete_if(
    app: &TestApp,
    path: &str,
    token: &str,
    tag: &str,
) -> crate::helpers::TestResponse {
    with_header(app, Method::DELETE, path, token, ("if-match", tag), None).await
}

#[tokio::test]
async fn a_stale_if_match_is_a_412_that_changes_nothing_and_the_current_one_writes() {
    // Arrange
    let app = spawn_app().await;

    for (path, id, token) in resources(&app).await {
        let read = app.get(&path, Some(&token)).await;
        let tag = etag(&read);
        let first = patch_if(&app, &path, &token, &tag, &change(&path, id, "First")).await;

        // Act
        let stale = patch_if(&app, &path, &token, &tag, &change(&path, id, "Stale")).await;
        let stale_delete = delete_if(&app, &path, &token, &tag).await;
        let weak = with_header(
            &app,
            Method::PATCH,
            &path,
            &token,
            ("if-match", &format!("W/{}", etag(&first))),
            Some(&change(&path, id, "Weak")),
        )
        .await;
        let current = with_header(
            &app,
            Method::DELETE,
            &path,
            &token,
            ("if-match", &etag(&first)),
            None,
        )
        .await;

        // Assert
        assert_eq!(first.status, StatusCode::OK, "{path}: {}", first.text);
        assert_ne!(etag(&first), tag, "{path}: a write moves the ETag");
        let error = assert_error(&stale, 412, "precondition_failed");
        assert_eq!(error["source"]["header"], "If-Match", "{path}");
        assert_error(&stale_delete, 412, "precondition_failed");
        assert_error(&weak, 412, "precondition_failed");
        assert_eq!(
            current.status,
            StatusCode::NO_CONTENT,
            "{path}: {}",
            current.text
        );
    }
}

#[tokio::test]
async fn the_etag_names_the_version_whatever_fieldset_or_profile_the_body_shows() {
    // Arrange
    let app = spawn_app().await;
    let (ada, ada_token, _, _) = app.register_and_sign_in().await;
    let (_, grace_token, _, _) = app.register_and_sign_in().await;
    let (_, admin_token) = app.create_admin_and_sign_in().await;
    let v2 = format!("/api/v2/users/{ada}");

    // Act
    let tags: Vec<String> = join_all([
        app.get(&v2, Some(&ada_token)),
        app.get(&v2, Some(&grace_token)),
        app.get(&format!("{v2}?fields[users]=name"), Some(&grace_token)),
        app.get(&user_path(ada), Some(&admin_token)),
        app.get("/api/v1/users/me.json", Some(&ada_token)),
        app.get("/api/v2/users/me", Some(&ada_token)),
    ])
    .await
    .iter()
    .map(etag)
    .collect();
    let v1_page = assert_jsonapi(
        &app.get("/api/v1/users.json?page[size]=100", Some(&admin_token))
            .await,
    );
    let listed = assert_jsonapi(
        &app.get("/api/v2/users?page[size]=100", Some(&grace_token))
            .await,
    );

    // Assert
    assert!(tags.iter().all(|tag| *tag == tags[0]), "{tags:?}");
    for page in [&v1_page, &listed] {
        let member = page["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|user| user["id"].as_str() == Some(ada.to_string().as_str()))
            .expect("Ada is listed");
        assert_eq!(format!("\"{}\"", member["meta"]["version"]), tags[0]);
    }
}

#[tokio::test]
async fn if_none_match_with_the_current_etag_is_a_304_without_a_body() {
    // Arrange
    let app = spawn_app().await;

    for (path, id, token) in resources(&app).await {
        let tag = etag(&app.get(&path, Some(&token)).await);

        // Act
        let unchanged = with_header(
            &app,
            Method::GET,
            &path,
            &token,
            ("if-none-match", &tag),
            None,
        )
        .await;
        let written = app
            .patch(&path, &change(&path, id, "Later"), Some(&token))
            .await;
        let changed = with_header(
            &app,
            Method::GET,
            &path,
            &token,
            ("if-none-match", &tag),
            None,
        )
        .await;

        // Assert
        assert_eq!(unchanged.status, StatusCode::NOT_MODIFIED, "{path}");
        assert_eq!(etag(&unchanged), tag);
        assert!(unchanged.text.is_empty(), "{path}: {}", unchanged.text);
        assert_eq!(written.status, StatusCode::OK, "{}", written.text);
        assert_eq!(changed.status, StatusCode::OK, "{path}");
        assert_eq!(etag(&changed), etag(&written));
    }
}

#[tokio::test]
async fn when_the_service_requires_if_match_a_write_without_it_is_a_428() {
    // Arrange
    let app = spawn_app_with(|settings| settings.if_match_required = true).await;

    for (path, id, token) in resources(&app).await {
        let tag = etag(&app.get(&path, Some(&token)).await);

        // Act
        let without = app
            .patch(&path, &change(&path, id, "Blind"), Some(&token))
            .await;
        let with_tag = patch_if(&app, &path, &token, &tag, &change(&path, id, "Seen")).await;
        let delete_without = app.delete(&path, Some(&token)).await;
        let any = delete_if(&app, &path, &token, "*").await;

        // Assert
        let error = assert_error(&without, 428, "precondition_required");
        assert_eq!(error["source"]["header"], "If-Match");
        assert_eq!(with_tag.status, StatusCode::OK, "{path}: {}", with_tag.text);
        assert_error(&delete_without, 428, "precondition_required");
        assert_eq!(any.status, StatusCode::NO_CONTENT, "{path}: {}", any.text);
    }
}

#[tokio::test]
async fn of_concurrent_writes_holding_one_etag_exactly_one_succeeds() {
    // Arrange
    const WRITERS: usize = 12;
    let app = spawn_app().await;
    // Deleting a user ends their own token: an admin deletes.
    let (_, admin) = app.create_admin_and_sign_in().await;

    for (path, id, token) in resources(&app).await {
        let tag = etag(&app.get(&path, Some(&token)).await);

        // Act
        let patches = join_all((0..WRITERS).map(|writer| {
            let body = change(&path, id, &format!("Writer {writer}"));
            let (app, path, token, tag) = (&app, path.clone(), token.clone(), tag.clone());
            async move {
                with_header(
                    app,
                    Method::PATCH,
                    &path,
                    &token,
                    ("if-match", &tag),
                    Some(&body),
                )
                .await
                .status
            }
        }))
        .await;
        let after_patches = etag(&app.get(&path, Some(&token)).await);
        let deletes = join_all((0..WRITERS).map(|_| {
            let (app, path, token, tag) =
                (&app, path.clone(), admin.clone(), after_patches.clone());
            async move {
                with_header(app, Method::DELETE, &path, &token, ("if-match", &tag), None)
                    .await
                    .status
            }
        }))
        .await;

        // Assert
        let count = |statuses: &[StatusCode], status: StatusCode| {
            statuses.iter().filter(|got| **got == status).count()
        };
        println!(
            "{path}: {WRITERS} PATCHes with one tag: {} 200, {} 412; {WRITERS} DELETEs: {} 204, {} 412, {} 404",
            count(&patches, StatusCode::OK),
            count(&patches, StatusCode::PRECONDITION_FAILED),
            count(&deletes, StatusCode::NO_CONTENT),
            count(&deletes, StatusCode::PRECONDITION_FAILED),
            count(&deletes, StatusCode::NOT_FOUND),
        );
        assert_eq!(count(&patches, StatusCode::OK), 1, "{path}: {patches:?}");
        assert_eq!(
            count(&patches, StatusCode::PRECONDITION_FAILED),
            WRITERS - 1,
            "{path}: {patches:?}"
        );
        assert_eq!(
            count(&deletes, StatusCode::NO_CONTENT),
            1,
            "{path}: {deletes:?}"
        );
        assert_eq!(
            count(&deletes, StatusCode::PRECONDITION_FAILED)
                + count(&deletes, StatusCode::NOT_FOUND),
            WRITERS - 1,
            "{path}: {deletes:?}"
        );
    }
}
