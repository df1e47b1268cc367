//! Integration tests: the real service, built from the library, on a fresh database per test.

mod cli;
mod collection;
mod concurrency;
mod content_negotiation;
mod cors;
mod database;
mod deleting;
mod deployment;
mod errors_and_routing;
mod health;
mod helpers;
mod jsonapi_schema;
mod limits;
mod migrations;
mod openapi;
mod outage;
mod reading;
mod registration;
mod scale_out;
mod sign_in;
mod tokens;
mod updating;
