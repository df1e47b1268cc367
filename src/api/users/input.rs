//! A registration or an update read from a JSON:API resource object: each
//! attribute checked by users' rules, every problem reported at once with a
//! pointer into the document.

use chrono::Utc;
use serde_json::Value;

use super::{pointers::meta_pointer, resource::Users};
use crate::{
    auth::password::Password,
    jsonapi::{
        attribute_checker::AttributeChecker,
        error::{ApiError, FieldError, FieldErrorKind},
        request::ResourceInput,
    },
    users::{
        attributes::{
            parse_dob, parse_email, parse_name, parse_password, parse_text, parse_website,
        },
        input::{CURRENT_PASSWORD, NewUser, UserChanges},
        role::Role,
    },
};

fn parse_role(value: &Value) -> Result<Role, String> {
    value
        .as_str()
        .and_then(Role::parse)
        .ok_or_else(|| "role must be \"user\" or \"admin\"".to_owned())
}

// What a registration and an update are is the domain's; reading them from
// a request document is this layer's.
impl NewUser {
    pub fn parse(input: ResourceInput) -> Result<Self, ApiError> {
        let today = Utc::now().date_naive();
        let attributes = &input.attributes;
        let mut checker = AttributeChecker::<Users>::new(&input);
        let name = checker.required(attributes, "name", parse_name);
        let email = checker.required(attributes, "email", parse_email);
        let password = checker.required(attributes, "password", |v| parse_password(v, "password"));
        let dob = checker.nullable(attributes, "dob", |v| parse_dob(v, today));
        let address = checker.nullable(attributes, "address", |v| parse_text(v, "address"));
        let profession =
            checker.nullable(attributes, "profession", |v| parse_text(v, "profession"));
        let website = checker.nullable(attributes, "website", parse_website);
        let role = checker.nullable(attributes, "role", parse_role);
        let user = match (name, email, password) {
            (Some(name), Some(email), Some(password)) => Some(Self {
                name,
                email,
                password,
                dob: dob.flatten(),
                address: address.flatten(),
                profession: profession.flatten(),
                website: website.flatten(),
                role: role.flatten(),
            }),
            _ => None,
        };
        checker.finish(user)
    }
}

impl UserChanges {
    pub fn parse(input: ResourceInput) -> Result<Self, ApiError> {
        let today = Utc::now().date_naive();
        let attributes = &input.attributes;
        let mut checker = AttributeChecker::<Users>::new(&input);
        let changes = Self {
            name: checker.not_null(attributes, "name", parse_name),
            email: checker.not_null(attributes, "email", parse_email),
            password: checker.not_null(attributes, "password", |v| parse_password(v, "password")),
            dob: checker.nullable(attributes, "dob", |v| parse_dob(v, today)),
            address: checker.nullable(attributes, "address", |v| parse_text(v, "address")),
            profession: checker.nullable(attributes, "profession", |v| parse_text(v, "profession")),
            website: checker.nullable(attributes, "website", parse_website),
            role: checker.not_null(attributes, "role", parse_role),
            current_password: match input.meta.get(CURRENT_PASSWORD) {
                None | Some(Value::Null) => None,
                Some(Value::String(password)) => Some(Password::new(password.clone())),
                Some(_) => {
                    checker.push(FieldError::new(
                        FieldErrorKind::Invalid,
                        meta_pointer(CURRENT_PASSWORD),
                        "meta.current_password must be a string",
                    ));
                    None
                }
            },
        };
        checker.finish(Some(changes))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn input(attributes: Value) -> ResourceInput {
        ResourceInput {
            attributes: attributes.as_object().unwrap().clone(),
            attributes_sent: true,
            ..ResourceInput::default()
        }
    }

    fn pointers(error: ApiError) -> Vec<(FieldErrorKind, String)> {
        match error {
            ApiError::InvalidAttributes(errors) => {
                errors.into_iter().map(|e| (e.kind, e.pointer)).collect()
            }
            other => panic!("expected attribute errors, got {other:?}"),
        }
    }

    #[test]
    fn a_complete_registration_parses() {
        let user = NewUser::parse(input(json!({
            "name": "Ada Lovelace", "email": "ada@example.com",
            "password": "correct horse battery staple", "dob": "1815-12-10",
            "website": "https://example.com/ada"
        })))
        .unwrap();
        assert_eq!(user.name, "Ada Lovelace");
        assert!(user.role.is_none());
    }

    #[test]
    fn every_bad_attribute_of_a_registration_is_reported_at_once() {
        let error = NewUser::parse(input(json!({
            "email": "not-an-email", "password": "short", "id": "3", "nickname": "x"
        })))
        .unwrap_err();
        let mut found = pointers(error);
        found.sort_by(|a, b| a.1.cmp(&b.1));
        assert_eq!(
            found,
            [
                (FieldErrorKind::Missing, "/data/attributes".to_owned()),
                (FieldErrorKind::Invalid, "/data/attributes/email".to_owned()),
                (FieldErrorKind::ReadOnly, "/data/attributes/id".to_owned()),
                (
                    FieldErrorKind::Unknown,
                    "/data/attributes/nickname".to_owned()
                ),
                (
                    FieldErrorKind::Invalid,
                    "/data/attributes/password".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn server_owned_attributes_sent_back_are_ignored() {
        let changes = UserChanges::parse(input(json!({
            "age": 36, "created_at": "not even a time", "updated_at": null, "name": "Ada"
        })))
        .unwrap();
        assert_eq!(changes.name.as_deref(), Some("Ada"));
        let user = NewUser::parse(input(json!({
            "name": "Ada Lovelace", "email": "ada@example.com",
            "password": "correct horse battery staple", "age": 3, "created_at": "2001-01-01T00:00:00Z"
        })))
        .unwrap();
        assert_eq!(user.name, "Ada Lovelace");
    }

    #[test]
    fn an_update_tells_absent_from_null() {
        let changes = UserChanges::parse(input(json!({"dob": null, "name": "Ada"}))).unwrap();
        assert_eq!(changes.dob, Some(None));
        assert_eq!(changes.address, None);
        assert_eq!(changes.name.as_deref(), Some("Ada"));
    }

    #[test]
    fn an_update_cannot_null_a_required_attribute() {
        let error = UserChanges::parse(input(json!({"email": null}))).unwrap_err();
        assert_eq!(
            pointers(error),
            [(FieldErrorKind::Invalid, "/data/attributes/email".to_owned())]
        );
    }

    #[test]
    fn pointers_escape_slashes_and_tildes() {
        let error = UserChanges::parse(input(json!({"a/b~c": 1}))).unwrap_err();
        assert_eq!(pointers(error)[0].1, "/data/attributes/a~1b~0c");
    }
}
