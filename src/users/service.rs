//! What registering, changing and deleting a user involve beyond one query:
//! password hashing, the rules about passwords, and storing.

use super::{
    input::{NewUser, UserChanges},
    policy,
    store::{self, UserRecord, UserUpdate},
};
use crate::{
    auth::caller::{Bearer, Caller},
    error::{ApiError, FieldError, FieldErrorKind},
    state::AppState,
    users::entity::Model as User,
};

/// Registers a user; the role has been authorised by the caller.
pub async fn register(state: &AppState, new: NewUser) -> Result<User, ApiError> {
    let password_hash = state.passwords.hash(&new.password).await?;
    store::insert(
        &state.db,
        UserRecord {
            name: new.name,
            email: new.email.address,
            email_normalized: new.email.normalized,
            password_hash,
            dob: new.dob,
            address: new.address,
            profession: new.profession,
            website: new.website,
            role: new.role.unwrap_or_default(),
        },
    )
    .await
}

/// Applies changes to the user `id`. Users changing their own password
/// must prove they know the current one; an admin resetting someone else's
/// need not. A new password ends every earlier token.
pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: i64,
    changes: UserChanges,
) -> Result<User, ApiError> {
    let password_hash = match &changes.password {
        None => None,
        Some(password) => {
            if caller.id() == id {
                check_current_password(
                    state,
                    &caller.0,
                    changes.current_password.as_ref(),
                    changes.missing_current_password_pointer,
                )
                .await?;
            }
            Some(state.passwords.hash(password).await?)
        }
    };
    let update = UserUpdate {
        name: changes.name,
        email: changes.email.map(|email| (email.address, email.normalized)),
        password_hash,
        dob: changes.dob,
        address: changes.address,
        profession: changes.profession,
        website: changes.website,
        role: changes.role,
    };
    store::update(&state.db, id, update)
        .await?
        .ok_or_else(|| not_found(id))
}

async fn check_current_password(
    state: &AppState,
    user: &User,
    current: Option<&crate::auth::password::Password>,
    missing_pointer: &str,
) -> Result<(), ApiError> {
    let Some(current) = current else {
        return Err(ApiError::InvalidAttributes(vec![FieldError::new(
            FieldErrorKind::Missing,
            missing_pointer,
            "changing your own password needs meta.current_password",
        )]));
    };
    let verification = state
        .passwords
        .verify(current, Some(&user.password_hash))
        .await?;
    if verification.matches {
        Ok(())
    } else {
        Err(ApiError::WrongCurrentPassword)
    }
}

/// Loads the user `id` for the caller behind `bearer`, who must be that
/// user or an admin. One query loads both the caller and the user.
pub async fn find_for(state: &AppState, bearer: &Bearer, id: i64) -> Result<User, ApiError> {
    let mut users = store::find_all(&state.db, [bearer.user_id(), id]).await?;
    let caller_row = users
        .iter()
        .position(|user| user.id == bearer.user_id())
        .map(|index| users[index].clone());
    let caller = bearer.admit(caller_row)?;
    policy::ensure_self_or_admin(&caller, id)?;
    users.retain(|user| user.id == id);
    users.pop().ok_or_else(|| not_found(id))
}

fn not_found(id: i64) -> ApiError {
    ApiError::NotFound(format!("there is no user {id}"))
}

/// Deletes the user `id`; its tokens die with its row.
pub async fn delete(state: &AppState, id: i64) -> Result<(), ApiError> {
    if store::delete(&state.db, id).await? {
        Ok(())
    } else {
        Err(not_found(id))
    }
}
