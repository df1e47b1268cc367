//! Version 2's compound documents: what `include` adds, each resource once
//! with full linkage, never more of a user than the caller may see, at a
//! fixed number of statements whatever the page size; and cursor pages
//! that neither skip nor repeat while posts come and go.

use std::{
    collections::{BTreeSet, HashSet},
    sync::atomic::Ordering,
};

use reqwest::StatusCode;
use serde_json::Value;
use users_service::{
    posts::store::{PostRecord, insert as insert_post},
    users::{
        role::Role,
        store::{UserRecord, insert as insert_user},
    },
};

use crate::helpers::{TestApp, send, spawn_app, spawn_app_counting_statements};
use crate::jsonapi_schema::assert_jsonapi;
use crate::v2_posts::{POSTS, post_path, write_post};

async fn ok(app: &TestApp, path: &str, token: &str) -> Value {
    let response = app.get(path, Some(token)).await;
    assert_eq!(response.status, StatusCode::OK, "{path}: {}", response.text);
    assert_jsonapi(&response)
}

/// Every resource object of a document: its primary data and `included`.
fn resources(document: &Value) -> Vec<&Value> {
    let mut all: Vec<&Value> = match &document["data"] {
        Value::Array(items) => items.iter().collect(),
        item @ Value::Object(_) => vec![item],
        _ => Vec::new(),
    };
    if let Some(included) = document["included"].as_array() {
        all.extend(included);
    }
    all
}

fn key(resource: &Value) -> (String, String) {
    (
        resource["type"].as_str().unwrap_or_default().to_owned(),
        resource["id"].as_str().unwrap_or_default().to_owned(),
    )
}

/// Each resource once, and every included one reached by a relationship's
/// linkage from the primary data or from another included resource, as
/// JSON:API's full linkage asks.
fn assert_compound(document: &Value) {
    let all = resources(document);
    let keys: Vec<(String, String)> = all.iter().map(|resource| key(resource)).collect();
    let distinct: HashSet<&(String, String)> = keys.iter().collect();
    assert_eq!(distinct.len(), keys.len(), "a resource twice in {document}");
    let mut linked = HashSet::new();
    for resource in &all {
        if let Some(relationships) = resource["relationships"].as_object() {
            for relationship in relationships.values() {
                match &relationship["data"] {
                    Value::Array(items) => linked.extend(items.iter().map(key)),
                    item @ Value::Object(_) => {
                        linked.insert(key(item));
                    }
                    _ => {}
                }
            }
        }
    }
    for included in document["included"].as_array().into_iter().flatten() {
        assert!(
            linked.contains(&key(included)),
            "{:?} is included but nothing links to it",
            key(included)
        );
    }
}

/// Whether a user other than `caller` shows an attribute only they and
/// admins may see, anywhere in `document`.
fn private_attributes_of_others(document: &Value, caller: i64) -> Vec<String> {
    resources(document)
        .into_iter()
        .filter(|resource| resource["type"] == "users")
        .filter(|resource| resource["id"].as_str() != Some(caller.to_string().as_str()))
        .flat_map(|resource| {
            resource["attributes"]
                .as_object()
                .into_iter()
                .flat_map(|attributes| attributes.keys().cloned())
                .filter(|name| {
                    ["email", "dob", "age", "address", "role", "updated_at"]
                        .contains(&name.as_str())
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

#[tokio::test]
async fn a_user_never_sees_another_users_private_attributes_whatever_include_and_fields_ask() {
    // Arrange
    let app = spawn_app().await;
    let (ada, ada_token, _, _) = app.register_and_sign_in().await;
    let (grace, grace_token, _, _) = app.register_and_sign_in().await;
    let post = write_post(&app, &ada_token, "Notes").await;
    let _ = write_post(&app, &grace_token, "Compilers").await;
    let fieldsets = [
        "",
        "&fields[users]=email,name,role,posts",
        "&fields[users]=email&fields[posts]=title,author",
    ];
    let paths = [
        format!("{POSTS}?include=author"),
        format!("{}?include=author", post_path(post)),
        format!("{}/author?", post_path(post)),
        "/api/v2/users?include=posts.author".to_owned(),
        format!("/api/v2/users/{ada}?include=posts"),
        format!("/api/v2/users/{ada}/posts?include=author"),
    ];

    for path in &paths {
        for fields in fieldsets {
            let path = format!("{path}{fields}");
            let path = if path.contains("/author?&") {
                path.replace("fields[posts]=title,author", "")
                    .replace("?&", "?")
            } else {
                path
            };

            // Act
            let document = ok(&app, &path, &grace_token).await;

            // Assert
            assert_eq!(
                private_attributes_of_others(&document, grace),
                Vec::<String>::new(),
                "{path}: {document}"
            );
        }
    }
    let own = ok(
        &app,
        &format!("/api/v2/users/{grace}?include=posts"),
        &grace_token,
    )
    .await;
    assert!(own["data"]["attributes"]["email"].is_string(), "{own}");
}

#[tokio::test]
async fn compound_documents_hold_each_resource_once_with_full_linkage() {
    // Arrange
    let app = spawn_app().await;
    let (_, ada_token, _, _) = app.register_and_sign_in().await;
    let (_, grace_token, _, _) = app.register_and_sign_in().await;
    for index in 0..3 {
        write_post(&app, &ada_token, &format!("Ada {index}")).await;
        write_post(&app, &grace_token, &format!("Grace {index}")).await;
    }

    for path in [
        format!("{POSTS}?include=author"),
        format!("{POSTS}?include=author&page[size]=2"),
        "/api/v2/users?include=posts".to_owned(),
        "/api/v2/users?include=posts,posts.author".to_owned(),
        "/api/v2/users/me?include=posts".to_owned(),
    ] {
        // Act
        let document = ok(&app, &path, &ada_token).await;

        // Assert
        assert_compound(&document);
        assert!(
            !document["included"]
                .as_array()
                .unwrap_or(&Vec::new())
                .is_empty(),
            "{path}: something is included"
        );
    }
}

#[tokio::test]
async fn an_included_users_posts_are_the_ten_newest_with_the_total_and_a_link_to_all() {
    // Arrange
    let app = spawn_app().await;
    let (ada, token, _, _) = app.register_and_sign_in().await;
    let mut written = Vec::new();
    for index in 0..12 {
        written.push(write_post(&app, &token, &format!("Post {index}")).await);
    }

    // Act
    let document = ok(&app, &format!("/api/v2/users/{ada}?include=posts"), &token).await;

    // Assert
    let relationship = &document["data"]["relationships"]["posts"];
    assert_eq!(relationship["meta"]["total"], 12);
    assert_eq!(
        relationship["links"]["related"],
        app.url(&format!("/api/v2/users/{ada}/posts"))
    );
    let linked: Vec<i64> = relationship["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_str().unwrap().parse().unwrap())
        .collect();
    let newest: Vec<i64> = written.iter().rev().take(10).copied().collect();
    assert_eq!(linked, newest);
    let included: BTreeSet<i64> = document["included"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_str().unwrap().parse().unwrap())
        .collect();
    assert_eq!(included, newest.into_iter().collect());
    assert_compound(&document);
}

/// Statements the application runs to answer `path`.
async fn statements_for(
    app: &TestApp,
    counter: &std::sync::atomic::AtomicU64,
    path: &str,
    token: &str,
) -> u64 {
    let before = counter.load(Ordering::SeqCst);
    let document = ok(app, path, token).await;
    assert!(!document["data"].as_array().unwrap().is_empty(), "{path}");
    counter.load(Ordering::SeqCst) - before
}

#[tokio::test]
async fn a_compound_page_takes_as_many_statements_for_a_hundred_as_for_one() {
    // Arrange: 100 users with two posts each, stored directly.
    let (app, counter) = spawn_app_counting_statements().await;
    let (_, token) = app.create_admin_and_sign_in().await;
    let mut first_author = 0;
    for index in 0..100 {
        let user = insert_user(
            &app.state.db,
            UserRecord {
                name: format!("Member {index:03}"),
                email: format!("member{index}@example.com"),
                email_normalized: format!("member{index}@example.com"),
                password_hash: "not a hash".to_owned(),
                dob: None,
                address: None,
                profession: None,
                website: None,
                role: Role::User,
            },
        )
        .await
        .expect("a user");
        first_author = if index == 0 { user.id } else { first_author };
        for title in ["First", "Second"] {
            insert_post(
                &app.state.db,
                PostRecord {
                    author_id: user.id,
                    title: title.to_owned(),
                    body: "Text".to_owned(),
                    pinned: false,
                },
            )
            .await
            .expect("a post");
        }
    }
    let collections = [
        format!("{POSTS}?include=author"),
        "/api/v2/users?include=posts".to_owned(),
        "/api/v2/users?include=posts.author&fields[posts]=title".to_owned(),
        "/api/v2/users".to_owned(),
        format!("{POSTS}?include=author&sort=title"),
    ];

    for collection in collections {
        // Act
        let page = |size: u32| {
            let separator = if collection.contains('?') { '&' } else { '?' };
            format!("{collection}{separator}page[size]={size}")
        };
        let one = statements_for(&app, &counter, &page(1), &token).await;
        let hundred = statements_for(&app, &counter, &page(100), &token).await;

        // Assert
        println!("{collection}: {one} statements for a page of 1, {hundred} for 100");
        assert_eq!(one, hundred, "{collection}");
        assert!(one <= 5, "{collection}: {one} statements");
    }
}

#[tokio::test]
async fn walking_pages_while_posts_come_and_go_skips_and_repeats_none_that_stayed() {
    // Arrange
    let app = spawn_app().await;
    let (_, token, _, _) = app.register_and_sign_in().await;
    let mut seeded = Vec::new();
    for index in 0..40 {
        seeded.push(write_post(&app, &token, &format!("Post {index:02}")).await);
    }
    // Every third seeded post is deleted during the walk; the rest stay.
    let doomed: Vec<i64> = seeded.iter().copied().step_by(3).collect();
    let stayed: BTreeSet<i64> = seeded
        .iter()
        .copied()
        .filter(|id| !doomed.contains(id))
        .collect();

    // Act
    let writer = {
        let (address, client, token, doomed) = (
            app.address.clone(),
            app.client.clone(),
            token.clone(),
            doomed.clone(),
        );
        tokio::spawn(async move {
            for (index, id) in doomed.into_iter().enumerate() {
                let created = send(
                    client
                        .post(format!("{address}{POSTS}"))
                        .bearer_auth(&token)
                        .header("content-type", "application/vnd.api+json")
                        .body(crate::v2_posts::new_post(&format!("New {index}")).to_string()),
                )
                .await;
                assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
                let deleted = send(
                    client
                        .delete(format!("{address}{}", post_path(id)))
                        .bearer_auth(&token),
                )
                .await;
                assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text);
            }
        })
    };
    let mut seen = Vec::new();
    let mut next = Some(app.url(&format!("{POSTS}?page[size]=3")));
    while let Some(url) = next {
        let page = assert_jsonapi(&send(app.client.get(&url).bearer_auth(&token)).await);
        seen.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|item| item["id"].as_str().unwrap().parse::<i64>().unwrap()),
        );
        next = page["links"]["next"].as_str().map(str::to_owned);
        tokio::task::yield_now().await;
    }
    writer.await.expect("the writer finished");

    // Assert
    let distinct: BTreeSet<i64> = seen.iter().copied().collect();
    assert_eq!(distinct.len(), seen.len(), "repeated: {seen:?}");
    let missed: Vec<&i64> = stayed.difference(&distinct).collect();
    assert!(missed.is_empty(), "skipped {missed:?} of those that stayed");
}
