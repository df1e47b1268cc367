//! A users service speaking JSON:API 1.1 and describing itself in OpenAPI 3.

pub mod api;
pub mod auth;
pub mod cli;
pub mod collection;
pub mod config;
pub mod console;
pub mod db;
pub mod idempotency;
pub mod jsonapi;
pub mod platform;
pub mod posts;
pub mod revision;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod users;
