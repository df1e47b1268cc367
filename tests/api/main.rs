//! Integration tests: the real service, built from the library, on a fresh database per test.

mod collection;
mod content_negotiation;
mod cors;
mod database;
mod deleting;
mod errors_and_routing;
mod health;
mod helpers;
mod jsonapi_schema;
mod limits;
mod openapi;
mod reading;
mod registration;
mod sign_in;
mod tokens;
mod updating;
