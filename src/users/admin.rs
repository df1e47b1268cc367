//! Creating an admin from the command line (and from tests), outside HTTP.

use anyhow::Context;
use serde_json::Value;

use super::{
    attributes::{parse_email, parse_name, parse_password},
    error::{AttributeProblem, ProblemKind, UserError},
    input::NewUser,
    role::Role,
    service,
};
use crate::state::AppState;

/// Creates an admin with the same rules as a registration and returns its id.
pub async fn create_admin(
    state: &AppState,
    email: &str,
    name: &str,
    password: &str,
) -> anyhow::Result<i64> {
    let new_admin = new_admin(email, name, password)?;
    let user = service::register(state, &state.db, new_admin)
        .await
        .context("could not create the admin")?;
    Ok(user.id)
}

/// The admin, its attributes checked by the rules of a registration, with
/// every problem reported at once.
fn new_admin(email: &str, name: &str, password: &str) -> Result<NewUser, UserError> {
    let name = parse_name(&Value::from(name));
    let email = parse_email(&Value::from(email));
    let password = parse_password(&Value::from(password), "password");
    match (name, email, password) {
        (Ok(name), Ok(email), Ok(password)) => Ok(NewUser {
            name,
            email,
            password,
            dob: None,
            address: None,
            profession: None,
            website: None,
            role: Some(Role::Admin),
        }),
        (name, email, password) => Err(UserError::InvalidAttributes(
            [
                ("name", name.err()),
                ("email", email.err()),
                ("password", password.err()),
            ]
            .into_iter()
            .filter_map(|(attribute, detail)| {
                Some(AttributeProblem {
                    attribute,
                    kind: ProblemKind::Invalid,
                    detail: detail?,
                })
            })
            .collect(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_broken_rule_of_an_admin_is_reported_at_once() {
        let error = new_admin("not an address", "Ada Lovelace", "short").unwrap_err();
        assert_eq!(
            error.to_string(),
            "email is not a valid address; password must be 15 to 128 characters long"
        );
    }

    #[test]
    fn an_admin_within_the_rules_has_the_admin_role() {
        let admin = new_admin("ada@example.com", "Ada Lovelace", "correct horse battery").unwrap();
        assert_eq!(admin.role, Some(Role::Admin));
        assert_eq!(admin.email.normalized, "ada@example.com");
    }
}
