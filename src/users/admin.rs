//! Creating an admin from the command line (and from tests), outside HTTP.

use anyhow::Context;
use serde_json::json;

use super::{input::NewUser, role::Role, service};
use crate::{error::ApiError, jsonapi::request::ResourceInput, state::AppState};

/// Creates an admin with the same rules as a registration and returns its id.
pub async fn create_admin(
    state: &AppState,
    email: &str,
    name: &str,
    password: &str,
) -> anyhow::Result<i64> {
    let attributes = json!({"name": name, "email": email, "password": password});
    let input = ResourceInput {
        attributes: attributes.as_object().cloned().unwrap_or_default(),
        ..ResourceInput::default()
    };
    let mut new_user = NewUser::parse(input).map_err(describe)?;
    new_user.role = Some(Role::Admin);
    let user = service::register(state, new_user)
        .await
        .map_err(describe)
        .context("could not create the admin")?;
    Ok(user.id)
}

/// A sentence for the terminal, listing every problem.
fn describe(error: ApiError) -> anyhow::Error {
    let problems: Vec<String> = error
        .error_objects()
        .into_iter()
        .filter_map(|object| object.detail)
        .collect();
    anyhow::anyhow!(problems.join("; "))
}
