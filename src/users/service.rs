//! What registering, changing and deleting a user involve beyond one query:
//! password hashing, the rules about passwords, and storing.

use super::{
    caller::{Bearer, Caller},
    entity::Model as User,
    error::{AttributeProblem, ProblemKind, UserError},
    input::{CURRENT_PASSWORD, NewUser, UserChanges},
    listing::{self, KeysetListing, Listed, Listing},
    policy::{self, Visibility},
    profile::Profile,
    role::Role,
    store::{self, UserRecord, UserUpdate},
};
use crate::{
    auth::password::Password, collection::keyset::KeysetPage, db::Db, revision::Expected,
    state::AppState,
};

/// Registers a user for `caller` (anonymous when `None`), who may set the
/// role only as [`policy::role_to_set`] allows.
pub async fn register_for(
    state: &AppState,
    db: &impl Db,
    caller: Option<&Caller>,
    mut new: NewUser,
) -> Result<User, UserError> {
    new.role = policy::role_to_set(caller, new.role, Some(Role::default()))?;
    register(state, db, new).await
}

/// Registers a user whose role has been authorised.
pub async fn register(state: &AppState, db: &impl Db, new: NewUser) -> Result<User, UserError> {
    let password_hash = state.passwords.hash(&new.password).await?;
    store::insert(
        db,
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

/// Applies changes to the user `id` for the caller behind `bearer`, who
/// must be that user or an admin; `changes` is what parsing the request
/// made of it, whose error, in the caller's own type, is reported as it is.
///
/// Changes that neither set a role nor a password need nothing of the
/// caller but the right to make them, so one statement checks the token,
/// authorises and updates. When it changes nothing, or for any other
/// request, the caller is loaded and every rule applied in turn, which
/// tells a revoked token, a forbidden change, a bad document, a missing
/// user and a stale version apart, in that order. The change applies only
/// to a version `expected` admits, checked in the statement that writes.
pub async fn update_for<E: From<UserError>>(
    state: &AppState,
    db: &impl Db,
    bearer: &Bearer,
    id: i64,
    expected: &Expected,
    changes: Result<UserChanges, E>,
) -> Result<User, E> {
    let unapplied = match changes {
        Ok(changes) if changes.password.is_none() && changes.role.is_none() => {
            let update = stored_changes(changes, None, expected.clone());
            let requester = Some(bearer.requester());
            if let Some(user) = store::update(db, id, update, requester).await? {
                return Ok(user);
            }
            None
        }
        other => Some(other),
    };
    let caller = bearer.caller(db).await?;
    policy::ensure_self_or_admin(&caller, id)?;
    // Changes the statement could not apply for a caller who may make them
    // were for a user that does not exist, or not at the version expected.
    let mut changes = match unapplied {
        Some(changes) => changes?,
        None => return Err(missing_or_changed(db, id).await.into()),
    };
    // Only admins act on others, and they may set any role; anyone else is
    // acting on themselves, so their own role is the stored one.
    let stored_role = (caller.id() == id).then_some(caller.0.role);
    changes.role = policy::role_to_set(Some(&caller), changes.role, stored_role)?;
    Ok(update(state, db, &caller, id, changes, expected).await?)
}

/// Why a write of user `id` that expected a version found no row to
/// change: the user is gone, or is at another version.
async fn missing_or_changed(db: &impl Db, id: i64) -> UserError {
    match store::find(db, id).await {
        Ok(Some(_)) => UserError::PreconditionFailed,
        Ok(None) => UserError::NotFound(id),
        Err(error) => error.into(),
    }
}

/// Applies changes to the user `id`. Users changing their own password
/// must prove they know the current one; an admin resetting someone else's
/// need not. A new password ends every earlier token.
async fn update(
    state: &AppState,
    db: &impl Db,
    caller: &Caller,
    id: i64,
    changes: UserChanges,
    expected: &Expected,
) -> Result<User, UserError> {
    let password_hash = match &changes.password {
        None => None,
        Some(password) => {
            if caller.id() == id {
                check_current_password(state, &caller.0, changes.current_password.as_ref()).await?;
            }
            Some(state.passwords.hash(password).await?)
        }
    };
    let update = stored_changes(changes, password_hash, expected.clone());
    match store::update(db, id, update, None).await? {
        Some(user) => Ok(user),
        None => Err(missing_or_changed(db, id).await),
    }
}

fn stored_changes(
    changes: UserChanges,
    password_hash: Option<String>,
    expected: Expected,
) -> UserUpdate {
    UserUpdate {
        name: changes.name,
        email: changes.email.map(|email| (email.address, email.normalized)),
        password_hash,
        dob: changes.dob,
        address: changes.address,
        profession: changes.profession,
        website: changes.website,
        role: changes.role,
        expected,
    }
}

async fn check_current_password(
    state: &AppState,
    user: &User,
    current: Option<&Password>,
) -> Result<(), UserError> {
    let Some(current) = current else {
        return Err(UserError::InvalidAttributes(vec![AttributeProblem {
            attribute: CURRENT_PASSWORD,
            kind: ProblemKind::Missing,
            detail: "changing your own password needs meta.current_password".to_owned(),
        }]));
    };
    let verification = state
        .passwords
        .verify(current, Some(&user.password_hash))
        .await?;
    if verification.matches {
        Ok(())
    } else {
        Err(UserError::WrongCurrentPassword)
    }
}

/// Loads the user `id` for the caller behind `bearer`, who must be that
/// user or an admin. One query loads both the caller and the user.
pub async fn find_for(state: &AppState, bearer: &Bearer, id: i64) -> Result<User, UserError> {
    let mut users = store::find_two(&state.db, bearer.user_id(), id).await?;
    let caller_row = users
        .iter()
        .position(|user| user.id == bearer.user_id())
        .map(|index| users[index].clone());
    let caller = bearer.admit(caller_row)?;
    policy::ensure_self_or_admin(&caller, id)?;
    users.retain(|user| user.id == id);
    users.pop().ok_or(UserError::NotFound(id))
}

/// Loads the user `id` for any signed-in caller, with how much of it they
/// may see. One query loads both the caller and the user.
pub async fn find_visible(
    state: &AppState,
    bearer: &Bearer,
    id: i64,
) -> Result<(User, Visibility), UserError> {
    let mut users = store::find_two(&state.db, bearer.user_id(), id).await?;
    let caller_row = users
        .iter()
        .find(|user| user.id == bearer.user_id())
        .cloned();
    let caller = bearer.admit(caller_row)?;
    users.retain(|user| user.id == id);
    let user = users.pop().ok_or(UserError::NotFound(id))?;
    Ok((user, policy::visibility(&caller, id)))
}

/// A keyset page of users for `caller`, who may list by what
/// [`policy::ensure_may_list_by`] allows; `None` when the position is not
/// one in this order.
pub async fn keyset_list_for(
    state: &AppState,
    caller: &Caller,
    listing: &mut KeysetListing,
) -> Result<Option<(KeysetPage<Profile>, u64)>, UserError> {
    policy::ensure_may_list_by(caller, &mut listing.filters, &listing.keyset.sort)?;
    Ok(listing::keyset_page(&state.db, listing).await?.ok())
}

/// One page of users for the caller behind `bearer`, who must be an admin;
/// `listing` is what parsing the request made of it, whose error, in the
/// caller's own type, is reported as it is.
///
/// One statement checks the token, authorises, and reads the page with its
/// total. When it finds nobody, the caller is loaded and every rule applied
/// in turn, which tells a revoked token, a forbidden caller and a bad
/// request apart, in that order; an admin's empty page is counted alone.
pub async fn list_for<E: From<UserError>>(
    state: &AppState,
    bearer: &Bearer,
    listing: Result<Listing, E>,
) -> Result<Listed, E> {
    if let Ok(listing) = &listing
        && let Some(listed) = listing::page_for(&state.db, listing, bearer.requester())
            .await
            .map_err(UserError::from)?
    {
        return Ok(listed);
    }
    let caller = bearer.caller(&state.db).await?;
    policy::ensure_admin(&caller)?;
    let listing = listing?;
    Ok(Listed {
        page: listing.page,
        users: Vec::new(),
        total: listing::total(&state.db, &listing)
            .await
            .map_err(UserError::from)?,
    })
}

/// Deletes the user `id` at a version `expected` admits, for `caller`,
/// who must be that user or an admin; its tokens and posts go with its row.
pub async fn delete_for(
    db: &impl Db,
    caller: &Caller,
    id: i64,
    expected: &Expected,
) -> Result<(), UserError> {
    policy::ensure_self_or_admin(caller, id)?;
    if store::delete(db, id, expected).await? {
        Ok(())
    } else {
        Err(missing_or_changed(db, id).await)
    }
}
