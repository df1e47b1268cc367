//! What every JSON:API resource type of every version must do, written once
//! and run for each (`served()`): sparse fieldsets, unknown parameters,
//! pagination links, content negotiation, error pointers, whole-document
//! round trips. A new resource type joins by adding its entry to
//! `served()`.

mod fieldsets;
mod negotiation;
mod pagination;
mod parameters;
mod requests;

use std::{future::Future, pin::Pin};

use serde_json::{Value, json};
use users_service::{
    api::{posts::resource::Posts, users::resource::Users},
    jsonapi::resource::ResourceType,
};

use crate::helpers::{
    TestApp, id_of, registration, spawn_app, strong_password, unique_email, user_path,
};

/// How a collection is paged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// `page[number]`, `meta.total` (v1).
    Numbered,
    /// The Cursor Pagination profile: `page[after]`, `meta.page.total` (v2).
    Cursor,
}

type Seeding = for<'a> fn(&'a TestApp, usize) -> Pin<Box<dyn Future<Output = Seeded> + 'a>>;

/// A resource type as one version serves it.
pub struct Served {
    /// For messages: `v1 users`.
    pub name: &'static str,
    /// The JSON:API type.
    pub kind: &'static str,
    pub collection: &'static str,
    pub member: fn(i64) -> String,
    /// Attributes `fields[kind]` may name, all shown to the seeded caller.
    pub attributes: &'static [&'static str],
    pub paging: Paging,
    /// Creates this many resources and a caller who sees all of them.
    pub seed: Seeding,
    /// A valid creation document.
    pub creation: fn() -> Value,
    /// An attribute and a value of it the type refuses.
    pub invalid_attribute: (&'static str, fn() -> Value),
}

/// What seeding made: the ids created and a token that may read, change
/// and list them.
pub struct Seeded {
    pub ids: Vec<i64>,
    pub token: String,
}

impl Served {
    /// How many resources the collection holds in all, as a page says.
    pub fn total(&self, page: &Value) -> u64 {
        let total = match self.paging {
            Paging::Numbered => &page["meta"]["total"],
            Paging::Cursor => &page["meta"]["page"]["total"],
        };
        total
            .as_u64()
            .unwrap_or_else(|| panic!("{}: a total in {page}", self.name))
    }

    /// A fresh service with `count` resources of this type.
    pub async fn spawn(&self, count: usize) -> (TestApp, Seeded) {
        let app = spawn_app().await;
        let seeded = (self.seed)(&app, count).await;
        (app, seeded)
    }
}

fn seed_users(app: &TestApp, count: usize) -> Pin<Box<dyn Future<Output = Seeded> + '_>> {
    Box::pin(async move {
        let mut ids = Vec::new();
        for index in 0..count {
            let id = app
                .register_ok(
                    &format!("Member {index:03}"),
                    &unique_email("member"),
                    &strong_password(),
                )
                .await;
            ids.push(id);
        }
        let (admin, token) = app.create_admin_and_sign_in().await;
        ids.push(admin);
        Seeded { ids, token }
    })
}

fn seed_posts(app: &TestApp, count: usize) -> Pin<Box<dyn Future<Output = Seeded> + '_>> {
    Box::pin(async move {
        let (_, token) = app.create_admin_and_sign_in().await;
        let mut ids = Vec::new();
        for index in 0..count {
            let response = app
                .post(
                    "/api/v2/posts",
                    &json!({"data": {"type": "posts", "attributes": {
                        "title": format!("Post {index:03}"), "body": "Text"}}}),
                    Some(&token),
                )
                .await;
            assert_eq!(response.status, 201, "{}", response.text);
            ids.push(id_of(&response.json()));
        }
        Seeded { ids, token }
    })
}

fn post_creation() -> Value {
    json!({"data": {"type": "posts", "attributes": {"title": "Notes", "body": "On the engine"}}})
}

fn user_creation() -> Value {
    registration("Ada Lovelace", &unique_email("ada"), &strong_password())
}

/// Every resource type of every version.
pub fn served() -> Vec<Served> {
    vec![
        Served {
            name: "v1 users",
            kind: "users",
            collection: "/api/v1/users.json",
            member: user_path,
            attributes: Users::ATTRIBUTES,
            paging: Paging::Numbered,
            seed: seed_users,
            creation: user_creation,
            invalid_attribute: ("email", || json!("not an address")),
        },
        Served {
            name: "v2 users",
            kind: "users",
            collection: "/api/v2/users",
            member: |id| format!("/api/v2/users/{id}"),
            attributes: Users::ATTRIBUTES,
            paging: Paging::Cursor,
            seed: seed_users,
            creation: user_creation,
            invalid_attribute: ("email", || json!("not an address")),
        },
        Served {
            name: "v2 posts",
            kind: "posts",
            collection: "/api/v2/posts",
            member: |id| format!("/api/v2/posts/{id}"),
            attributes: Posts::ATTRIBUTES,
            paging: Paging::Cursor,
            seed: seed_posts,
            creation: post_creation,
            invalid_attribute: ("title", || json!("  ")),
        },
    ]
}
