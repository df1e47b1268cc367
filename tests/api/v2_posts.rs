//! Version 2's posts: who may do what at every endpoint, the rules of the
//! author relationship, a user's posts, and deleting a user with theirs.

use reqwest::{Method, StatusCode};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, assert_bad_parameter, assert_error, assert_error_at, assert_parameter_error, id_of,
    send, spawn_app,
};
use crate::jsonapi_schema::assert_jsonapi;

pub const POSTS: &str = "/api/v2/posts";

pub fn post_path(id: i64) -> String {
    format!("{POSTS}/{id}")
}

pub fn new_post(title: &str) -> Value {
    json!({"data": {"type": "posts", "attributes": {"title": title, "body": "Text"}}})
}

/// Writes a post as the holder of `token`; returns its id.
pub async fn write_post(app: &TestApp, token: &str, title: &str) -> i64 {
    let response = app.post(POSTS, &new_post(title), Some(token)).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    id_of(&assert_jsonapi(&response))
}

fn author_linkage(id: i64) -> Value {
    json!({"data": {"type": "users", "id": id.to_string()}})
}

/// An author, another user and an admin, each signed in.
struct Cast {
    author: (i64, String),
    other: (i64, String),
    admin: (i64, String),
}

async fn cast(app: &TestApp) -> Cast {
    let (author, author_token, _, _) = app.register_and_sign_in().await;
    let (other, other_token, _, _) = app.register_and_sign_in().await;
    Cast {
        author: (author, author_token),
        other: (other, other_token),
        admin: app.create_admin_and_sign_in().await,
    }
}

#[derive(Clone, Copy, Debug)]
enum Who {
    Author,
    Other,
    Admin,
    Anonymous,
}

#[tokio::test]
async fn every_endpoint_answers_the_author_another_user_an_admin_and_anyone_as_the_contract_says() {
    // Arrange
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let author = cast.author.0;
    let user_posts = format!("/api/v2/users/{author}/posts");
    let user_linkage = format!("/api/v2/users/{author}/relationships/posts");
    let title = json!({"data": {"type": "posts", "id": "{id}", "attributes": {"title": "New"}}});
    // Method, path (with {id} for a fresh post of the author's), body, and
    // the statuses for the author, another user, an admin and anyone.
    let cases: Vec<(Method, String, Option<Value>, [u16; 4])> = vec![
        (Method::GET, POSTS.to_owned(), None, [200, 200, 200, 401]),
        (
            Method::POST,
            POSTS.to_owned(),
            Some(new_post("Mine")),
            [201, 201, 201, 401],
        ),
        (
            Method::GET,
            format!("{POSTS}/{{id}}"),
            None,
            [200, 200, 200, 401],
        ),
        (
            Method::PATCH,
            format!("{POSTS}/{{id}}"),
            Some(title),
            [200, 403, 200, 401],
        ),
        (
            Method::DELETE,
            format!("{POSTS}/{{id}}"),
            None,
            [204, 403, 204, 401],
        ),
        (
            Method::GET,
            format!("{POSTS}/{{id}}/author"),
            None,
            [200, 200, 200, 401],
        ),
        (
            Method::GET,
            format!("{POSTS}/{{id}}/relationships/author"),
            None,
            [200, 200, 200, 401],
        ),
        (
            Method::PATCH,
            format!("{POSTS}/{{id}}/relationships/author"),
            Some(author_linkage(cast.other.0)),
            [403, 403, 200, 401],
        ),
        (Method::GET, user_posts, None, [200, 200, 200, 401]),
        (
            Method::GET,
            user_linkage.clone(),
            None,
            [200, 200, 200, 401],
        ),
        (
            Method::POST,
            user_linkage.clone(),
            Some(json!({"data": []})),
            [403, 403, 403, 401],
        ),
        (
            Method::PATCH,
            user_linkage.clone(),
            Some(json!({"data": []})),
            [403, 403, 403, 401],
        ),
        (
            Method::DELETE,
            user_linkage,
            Some(json!({"data": []})),
            [403, 403, 403, 401],
        ),
    ];

    for (method, path, body, statuses) in cases {
        for (who, expected) in [Who::Author, Who::Other, Who::Admin, Who::Anonymous]
            .into_iter()
            .zip(statuses)
        {
            let post = write_post(&app, &cast.author.1, "Notes").await;
            let path = path.replace("{id}", &post.to_string());
            let token = match who {
                Who::Author => Some(cast.author.1.as_str()),
                Who::Other => Some(cast.other.1.as_str()),
                Who::Admin => Some(cast.admin.1.as_str()),
                Who::Anonymous => None,
            };
            let body = body
                .as_ref()
                .map(|body| body.to_string().replace("{id}", &post.to_string()));

            // Act
            let request = match body {
                Some(body) => app
                    .request(method.clone(), &path, token)
                    .header("content-type", "application/vnd.api+json")
                    .body(body),
                None => app.request(method.clone(), &path, token),
            };
            let response = send(request).await;

            // Assert
            assert_eq!(
                response.status.as_u16(),
                expected,
                "{method} {path} as {who:?}: {}",
                response.text
            );
            if expected >= 400 {
                assert_error(
                    &response,
                    expected,
                    response.json()["errors"][0]["code"].as_str().unwrap(),
                );
            } else if expected != 204 {
                assert_jsonapi(&response);
            }
        }
    }
}

#[tokio::test]
async fn a_post_is_written_by_its_caller_unless_an_admin_names_another_author() {
    // Arrange
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let naming = |author: i64| {
        let mut document = new_post("Theirs");
        document["data"]["relationships"] = json!({"author": author_linkage(author)});
        document
    };

    // Act
    let own = app
        .post(POSTS, &new_post("Mine"), Some(&cast.author.1))
        .await;
    let as_self = app
        .post(POSTS, &naming(cast.author.0), Some(&cast.author.1))
        .await;
    let for_other = app
        .post(POSTS, &naming(cast.other.0), Some(&cast.author.1))
        .await;
    let by_admin = app
        .post(POSTS, &naming(cast.other.0), Some(&cast.admin.1))
        .await;
    let for_nobody = app
        .post(POSTS, &naming(cast.other.0 + 1000), Some(&cast.admin.1))
        .await;

    // Assert
    let author_of = |response: &crate::helpers::TestResponse| {
        assert_jsonapi(response)["data"]["relationships"]["author"]["data"]["id"].clone()
    };
    assert_eq!(author_of(&own), cast.author.0.to_string());
    assert_eq!(author_of(&as_self), cast.author.0.to_string());
    assert_error(&for_other, 403, "forbidden");
    assert_eq!(by_admin.status, StatusCode::CREATED, "{}", by_admin.text);
    assert_eq!(author_of(&by_admin), cast.other.0.to_string());
    assert_error(&for_nobody, 404, "not_found");
}

#[tokio::test]
async fn only_an_admin_moves_a_post_to_another_author_and_a_missing_one_is_a_404() {
    // Arrange
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let post = write_post(&app, &cast.author.1, "Notes").await;
    let relationship = format!("{POSTS}/{post}/relationships/author");
    let mut update = json!({"data": {"type": "posts", "id": post.to_string(),
        "relationships": {"author": author_linkage(cast.other.0)}}});

    // Act
    let by_author = app
        .patch(&post_path(post), &update, Some(&cast.author.1))
        .await;
    let missing = app
        .patch(
            &relationship,
            &author_linkage(cast.other.0 + 1000),
            Some(&cast.admin.1),
        )
        .await;
    let wrong_type = app
        .patch(
            &relationship,
            &json!({"data": {"type": "posts", "id": "1"}}),
            Some(&cast.admin.1),
        )
        .await;
    let moved = app
        .patch(
            &relationship,
            &author_linkage(cast.other.0),
            Some(&cast.admin.1),
        )
        .await;
    update["data"]["relationships"]["author"] = author_linkage(cast.author.0);
    let moved_back = app
        .patch(&post_path(post), &update, Some(&cast.admin.1))
        .await;

    // Assert
    assert_error(&by_author, 403, "forbidden");
    assert_error(&missing, 404, "not_found");
    assert_error_at(&wrong_type, 400, "invalid_document", "/data/type");
    assert_eq!(
        assert_jsonapi(&moved)["data"]["id"],
        cast.other.0.to_string()
    );
    assert_eq!(
        assert_jsonapi(&moved_back)["data"]["relationships"]["author"]["data"]["id"],
        cast.author.0.to_string()
    );
}

#[tokio::test]
async fn a_users_posts_relationship_is_changed_only_on_the_posts() {
    // Arrange
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let post = write_post(&app, &cast.author.1, "Notes").await;
    let user = format!("/api/v2/users/{}", cast.author.0);
    let mut read = assert_jsonapi(&app.get(&user, Some(&cast.author.1)).await);
    let sent_back = app.patch(&user, &read, Some(&cast.author.1)).await;
    read["data"]["relationships"]["posts"]["data"] =
        json!([{"type": "posts", "id": post.to_string()}]);

    // Act
    let with_linkage = app.patch(&user, &read, Some(&cast.author.1)).await;
    let missing_user = app
        .post(
            &format!("/api/v2/users/{}/relationships/posts", cast.other.0 + 1000),
            &json!({"data": []}),
            Some(&cast.admin.1),
        )
        .await;

    // Assert
    assert_eq!(sent_back.status, StatusCode::OK, "{}", sent_back.text);
    assert_error(&with_linkage, 403, "forbidden");
    assert_error(&missing_user, 404, "not_found");
}

#[tokio::test]
async fn deleting_a_user_deletes_their_posts_and_no_one_elses() {
    // Arrange
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let theirs = [
        write_post(&app, &cast.author.1, "One").await,
        write_post(&app, &cast.author.1, "Two").await,
    ];
    let others = write_post(&app, &cast.other.1, "Kept").await;

    // Act
    let deleted = app
        .delete(
            &format!("/api/v2/users/{}", cast.author.0),
            Some(&cast.admin.1),
        )
        .await;

    // Assert
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text);
    for post in theirs {
        assert_error(
            &app.get(&post_path(post), Some(&cast.admin.1)).await,
            404,
            "not_found",
        );
    }
    assert_eq!(
        app.get(&post_path(others), Some(&cast.admin.1))
            .await
            .status,
        200
    );
    let page = assert_jsonapi(&app.get(POSTS, Some(&cast.admin.1)).await);
    assert_eq!(page["meta"]["page"]["total"], 1);
}

#[tokio::test]
async fn each_bad_attribute_of_a_post_is_reported_at_its_pointer() {
    // Arrange
    let app = spawn_app().await;
    let (_, token, _, _) = app.register_and_sign_in().await;
    let document = json!({"data": {"type": "posts", "attributes": {
        "title": " ", "body": "x".repeat(20_001), "pinned": "yes", "colour": "red"}}});

    // Act
    let response = app.post(POSTS, &document, Some(&token)).await;
    let missing = app
        .post(
            POSTS,
            &json!({"data": {"type": "posts", "attributes": {}}}),
            Some(&token),
        )
        .await;

    // Assert
    let mut pointers = crate::helpers::error_pointers(&response);
    pointers.sort();
    assert_eq!(
        pointers,
        crate::helpers::expected_pointers(&[
            ("invalid_attribute", "/data/attributes/body"),
            ("invalid_attribute", "/data/attributes/pinned"),
            ("invalid_attribute", "/data/attributes/title"),
            ("unknown_attribute", "/data/attributes/colour"),
        ])
    );
    assert_eq!(crate::helpers::error_pointers(&missing).len(), 2);
}

#[tokio::test]
async fn a_users_posts_are_paged_newest_first_and_pinned_before_them() {
    // Arrange
    let app = spawn_app().await;
    let (author, token, _, _) = app.register_and_sign_in().await;
    let mut written = Vec::new();
    for title in ["a", "b", "c", "d", "e"] {
        written.push(write_post(&app, &token, title).await);
    }
    let pin = json!({"data": {"type": "posts", "id": written[1].to_string(),
        "attributes": {"pinned": true}}});
    assert_eq!(
        app.patch(&post_path(written[1]), &pin, Some(&token))
            .await
            .status,
        200
    );

    // Act
    let mut seen = Vec::new();
    let mut linkage = Vec::new();
    for (collection, into) in [
        (
            format!("/api/v2/users/{author}/posts?page[size]=2"),
            &mut seen,
        ),
        (
            format!("/api/v2/users/{author}/relationships/posts?page[size]=2"),
            &mut linkage,
        ),
    ] {
        let mut next = Some(app.url(&collection));
        while let Some(url) = next {
            let response = send(app.client.get(&url).bearer_auth(&token)).await;
            let page = assert_jsonapi(&response);
            assert_eq!(page["meta"]["page"]["total"], 5, "{page}");
            into.extend(page["data"].as_array().unwrap().iter().map(|item| {
                assert_eq!(item["type"], "posts");
                item["id"].as_str().unwrap().parse::<i64>().unwrap()
            }));
            next = page["links"]["next"].as_str().map(str::to_owned);
        }
    }

    // Assert
    let expected = vec![written[1], written[4], written[3], written[2], written[0]];
    assert_eq!(seen, expected);
    assert_eq!(linkage, expected);
}

#[tokio::test]
async fn posts_filter_by_author_pinned_and_text() {
    // Arrange
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let engine = write_post(&app, &cast.author.1, "On the Analytical ENGINE").await;
    let _ = write_post(&app, &cast.author.1, "Looms").await;
    let others = write_post(&app, &cast.other.1, "Compilers").await;
    let pin = json!({"data": {"type": "posts", "id": others.to_string(), "attributes": {"pinned": true}}});
    assert_eq!(
        app.patch(&post_path(others), &pin, Some(&cast.other.1))
            .await
            .status,
        200
    );
    let ids = |page: Value| -> Vec<i64> {
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["id"].as_str().unwrap().parse().unwrap())
            .collect()
    };
    let token = Some(cast.other.1.as_str());

    // Act
    let by_author = app
        .get(&format!("{POSTS}?filter[author]={}", cast.author.0), token)
        .await;
    let pinned = app
        .get(&format!("{POSTS}?filter[pinned]=true"), token)
        .await;
    let text = app.get(&format!("{POSTS}?filter[q]=engine"), token).await;
    let bad = app
        .get(&format!("{POSTS}?filter[pinned]=maybe"), token)
        .await;
    let unknown_include = app.get(&format!("{POSTS}?include=comments"), token).await;
    let users_include = app.get("/api/v2/users?include=author", token).await;

    // Assert
    assert_eq!(ids(assert_jsonapi(&by_author)).len(), 2);
    assert_eq!(ids(assert_jsonapi(&pinned)), [others]);
    assert_eq!(ids(assert_jsonapi(&text)), [engine]);
    assert_parameter_error(&bad, "invalid_parameter", "filter[pinned]");
    assert_bad_parameter(&unknown_include, "include");
    assert_bad_parameter(&users_include, "include");
}

/// The total of an unfiltered page is kept by the database rather than
/// counted: it must stay the number of posts through writes, moves to
/// authors of other counters, deletes, and a deleted user's posts going
/// with them.
#[tokio::test]
async fn the_total_of_all_posts_stays_exact_through_every_kind_of_write() {
    // Arrange
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let (doomed, doomed_token, _, _) = app.register_and_sign_in().await;
    let total = || async {
        let page = app.get(POSTS, Some(&cast.admin.1)).await.json();
        page["meta"]["page"]["total"].as_i64().expect("a total")
    };
    let stored = || async {
        let db = &app.state.db;
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT COUNT(*) FROM posts",
            ))
            .await
            .expect("the count runs")
            .expect("a count");
        row.try_get_by_index::<i64>(0).expect("a number")
    };

    // Act and assert, after each step
    let mut posts = Vec::new();
    for (token, title) in [
        (&cast.author.1, "One"),
        (&cast.author.1, "Two"),
        (&cast.other.1, "Three"),
        (&doomed_token, "Four"),
        (&doomed_token, "Five"),
    ] {
        posts.push(write_post(&app, token, title).await);
    }
    assert_eq!((total().await, stored().await), (5, 5));
    for author in [cast.other.0, doomed, cast.admin.0] {
        let moved = app
            .patch(
                &format!("{POSTS}/{}/relationships/author", posts[0]),
                &author_linkage(author),
                Some(&cast.admin.1),
            )
            .await;
        assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);
        assert_eq!((total().await, stored().await), (5, 5));
    }
    let deleted = app.delete(&post_path(posts[1]), Some(&cast.author.1)).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!((total().await, stored().await), (4, 4));
    let gone = app
        .delete(&format!("/api/v2/users/{doomed}"), Some(&cast.admin.1))
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT, "{}", gone.text);
    assert_eq!((total().await, stored().await), (2, 2));
}
