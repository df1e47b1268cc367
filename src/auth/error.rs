//! What passwords, tokens and throttling can fail with, in their own terms;
//! the HTTP layer decides how each is answered.

use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Too many failed sign-ins for an email or from an address.
    #[error("too many attempts; retry after {retry_after_seconds} seconds")]
    TooManyAttempts { retry_after_seconds: u64 },
    /// A token that is malformed, forged or expired.
    #[error("the token is malformed, forged or expired")]
    InvalidToken,
    /// The table of failed sign-ins could not be read or written.
    #[error(transparent)]
    Database(#[from] DbErr),
    /// A bug, or hashers that stopped; the message is for the log.
    #[error("{0}")]
    Internal(String),
}

impl AuthError {
    pub fn internal(error: impl std::fmt::Display) -> Self {
        Self::Internal(error.to_string())
    }
}
