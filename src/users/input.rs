//! What a registration or an update asks for, each attribute already
//! checked against its rules.

use chrono::NaiveDate;

use super::{attributes::Email, role::Role};
use crate::auth::password::Password;

/// What problems call [`UserChanges::current_password`].
pub const CURRENT_PASSWORD: &str = "current_password";

/// A registration.
#[derive(Debug)]
pub struct NewUser {
    pub name: String,
    pub email: Email,
    pub password: Password,
    pub dob: Option<NaiveDate>,
    pub address: Option<String>,
    pub profession: Option<String>,
    pub website: Option<String>,
    /// Only an admin may choose it.
    pub role: Option<Role>,
}

/// An update: `None` leaves an attribute alone, `Some(None)` clears it.
#[derive(Debug, Default)]
pub struct UserChanges {
    pub name: Option<String>,
    pub email: Option<Email>,
    pub password: Option<Password>,
    pub dob: Option<Option<NaiveDate>>,
    pub address: Option<Option<String>>,
    pub profession: Option<Option<String>>,
    pub website: Option<Option<String>>,
    pub role: Option<Role>,
    /// Needed when users change their own password.
    pub current_password: Option<Password>,
}
