//! Signing in: credentials in, a token out, with throttling, the same answer
//! for an unknown email as for a wrong password, and re-hashing of passwords
//! stored with weaker parameters.
//!
//! It belongs to users, not to auth: it reads and rewrites users' rows with
//! auth's passwords, throttles and tokens. A port in auth for the two
//! queries it makes would have one implementation and exist only to turn
//! the dependency around.

use std::net::IpAddr;

use sea_orm::DbErr;

use super::{attributes::normalize_email, store};
use crate::{
    auth::{error::AuthError, password::Password, throttle, token::IssuedToken},
    state::AppState,
};

/// Why a sign-in failed.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// The one answer for an unknown email and for a wrong password.
    #[error("the email address or password is wrong")]
    WrongCredentials,
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Checks the credentials and issues a token.
pub async fn sign_in(
    state: &AppState,
    address: Option<IpAddr>,
    email: &str,
    password: &Password,
) -> Result<IssuedToken, SignInError> {
    if let Some(address) = address {
        state.address_throttle.check(address)?;
    }
    let email_normalized = normalize_email(email);
    throttle::check_email(&state.db, &email_normalized).await?;

    let user = store::find_by_email(&state.db, &email_normalized).await?;
    let verification = state
        .passwords
        .verify(
            password,
            user.as_ref().map(|user| user.password_hash.as_str()),
        )
        .await?;
    let Some(user) = user.filter(|_| verification.matches) else {
        throttle::record_email_failure(&state.db, &email_normalized).await?;
        if let Some(address) = address {
            state.address_throttle.record_failure(address);
        }
        return Err(SignInError::WrongCredentials);
    };

    throttle::clear_email(&state.db, &email_normalized).await?;
    if verification.needs_rehash {
        let hash = state.passwords.hash(password).await?;
        store::replace_password_hash(&state.db, user.id, &user.password_hash, &hash).await?;
    }
    Ok(state.tokens.issue(user.id, user.token_generation)?)
}
