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

/// Setting or changing a role: admins only.
pub fn ensure_may_set_role(caller: Option<&Caller>, role: Option<Role>) -> Result<(), ApiError> {
    match (role, caller) {
        (None, _) => Ok(()),
        (Some(_), Some(caller)) if caller.is_admin() => Ok(()),
        (Some(_), _) => Err(ApiError::RoleForbidden),
    }
}
