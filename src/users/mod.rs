//! Users: the table, what responses show of a row, the rules of each
//! attribute, who may do what, and the endpoints.

pub mod admin;
pub mod api;
pub mod attribute_patterns;
pub mod attributes;
pub mod counts;
pub mod entity;
pub mod input;
pub mod listing;
pub mod params;
pub mod policy;
pub mod profile;
pub mod role;
pub mod schema;
pub mod service;
pub mod store;

/// The users collection, where users register.
pub const COLLECTION_PATH: &str = "/api/v1/users.json";

/// The URL of user `id`, as `links.self` and `Location` give it.
pub fn resource_path(id: i64) -> String {
    format!("/api/v1/users/{id}.json")
}
