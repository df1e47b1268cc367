//! Who may do what to users.

use super::role::Role;
use crate::{auth::caller::Caller, error::ApiError};

/// Reading, changing or deleting a user: that user, or an admin.
pub fn ensure_self_or_admin(caller: &Caller, user_id: i64) -> Result<(), ApiError> {
    if caller.id() == user_id || caller.is_admin() {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "you may only act on your own account".to_owned(),
        ))
    }
}

/// Listing users: admins only.
pub fn ensure_admin(caller: &Caller) -> Result<(), ApiError> {
    if caller.is_admin() {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "only an admin may list users".to_owned(),
        ))
    }
}

/// A role sent with a registration or a change, against `current`, the
/// role the user has (for a registration, the default one). An admin may
/// set any role. Anyone else may send only `current`, which is no change:
/// clients that save back a whole object they read echo it. The result is
/// the role to write, if any.
pub fn role_to_set(
    caller: Option<&Caller>,
    requested: Option<Role>,
    current: Option<Role>,
) -> Result<Option<Role>, ApiError> {
    match (requested, caller) {
        (None, _) => Ok(None),
        (Some(_), Some(caller)) if caller.is_admin() => Ok(requested),
        (Some(role), _) if Some(role) == current => Ok(None),
        (Some(_), _) => Err(ApiError::RoleForbidden),
    }
}
