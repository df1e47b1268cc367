//! Who may do what to users.

use super::{
    caller::Caller,
    error::{Forbidden, UserError},
    listing::{Filters, SortField},
    role::Role,
};
use crate::collection::SortKey;

/// Reading, changing or deleting a user: that user, or an admin.
pub fn ensure_self_or_admin(caller: &Caller, user_id: i64) -> Result<(), UserError> {
    if caller.id() == user_id || caller.is_admin() {
        Ok(())
    } else {
        Err(UserError::Forbidden(Forbidden::OthersAccount))
    }
}

/// Listing users: admins only.
pub fn ensure_admin(caller: &Caller) -> Result<(), UserError> {
    if caller.is_admin() {
        Ok(())
    } else {
        Err(UserError::Forbidden(Forbidden::Listing))
    }
}

/// How much of a user a caller sees: everything of themselves, everything
/// of anyone for an admin, and otherwise the public profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    Everything,
    PublicProfile,
}

pub fn visibility(caller: &Caller, user_id: i64) -> Visibility {
    if caller.id() == user_id || caller.is_admin() {
        Visibility::Everything
    } else {
        Visibility::PublicProfile
    }
}

/// Listing users by filters and a sort: admins by anything; anyone else
/// only by what public profiles show, since filtering or ordering by a
/// private attribute would reveal it. Their `filter[q]` searches names only.
pub fn ensure_may_list_by(
    caller: &Caller,
    filters: &mut Filters,
    sort: &[SortKey<SortField>],
) -> Result<(), UserError> {
    if caller.is_admin() {
        return Ok(());
    }
    filters.q_names_only = true;
    if filters.email.is_some() || filters.role.is_some() {
        return Err(UserError::Forbidden(Forbidden::PrivateFilter));
    }
    if sort.iter().any(|key| !key.field.is_public()) {
        return Err(UserError::Forbidden(Forbidden::PrivateSort));
    }
    Ok(())
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
) -> Result<Option<Role>, UserError> {
    match (requested, caller) {
        (None, _) => Ok(None),
        (Some(_), Some(caller)) if caller.is_admin() => Ok(requested),
        (Some(role), _) if Some(role) == current => Ok(None),
        (Some(_), _) => Err(UserError::RoleForbidden),
    }
}
