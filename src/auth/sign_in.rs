//! Signing in: credentials in, a token out, with throttling, the same answer
//! for an unknown email as for a wrong password, and re-hashing of passwords
//! stored with weaker parameters.

use std::net::IpAddr;

use super::{
    oauth::{OAuthError, OAuthErrorCode, TokenFailure, TokenParams},
    password::Password,
    throttle,
    token::IssuedToken,
};
use crate::{
    state::AppState,
    users::{attributes::normalize_email, store},
};

/// Checks the credentials and issues a token.
pub async fn sign_in(
    state: &AppState,
    address: Option<IpAddr>,
    params: TokenParams,
) -> Result<IssuedToken, TokenFailure> {
    let (email, password) = credentials(params)?;
    if let Some(address) = address {
        state.address_throttle.check(address)?;
    }
    let email_normalized = normalize_email(&email);
    throttle::check_email(&state.db, &email_normalized).await?;

    let user = store::find_by_email(&state.db, &email_normalized).await?;
    let verification = state
        .passwords
        .verify(
            &password,
            user.as_ref().map(|user| user.password_hash.as_str()),
        )
        .await?;
    let Some(user) = user.filter(|_| verification.matches) else {
        throttle::record_email_failure(&state.db, &email_normalized).await?;
        if let Some(address) = address {
            state.address_throttle.record_failure(address);
        }
        return Err(TokenFailure::OAuth(OAuthError::invalid_grant()));
    };

    throttle::clear_email(&state.db, &email_normalized).await?;
    if verification.needs_rehash {
        let hash = state.passwords.hash(&password).await?;
        store::replace_password_hash(&state.db, user.id, &user.password_hash, &hash).await?;
    }
    Ok(state.tokens.issue(user.id, user.token_generation)?)
}

fn credentials(params: TokenParams) -> Result<(String, Password), TokenFailure> {
    let invalid = |description: &str| {
        TokenFailure::OAuth(OAuthError::new(OAuthErrorCode::InvalidRequest, description))
    };
    match params.grant_type.as_deref() {
        None => return Err(invalid("grant_type is required")),
        Some("password") => {}
        Some(_) => {
            return Err(TokenFailure::OAuth(OAuthError::new(
                OAuthErrorCode::UnsupportedGrantType,
                "only the password grant is supported",
            )));
        }
    }
    let email = params
        .username
        .filter(|username| !username.trim().is_empty())
        .ok_or_else(|| invalid("username (the email address) is required"))?;
    let password = params
        .password
        .filter(|password| !password.is_empty())
        .ok_or_else(|| invalid("password is required"))?;
    Ok((email, Password::new(password)))
}
