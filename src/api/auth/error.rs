//! How auth's errors are answered.

use crate::{auth::error::AuthError, jsonapi::error::ApiError};

impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        match error {
            AuthError::TooManyAttempts {
                retry_after_seconds,
            } => Self::TooManyRequests {
                retry_after_seconds,
            },
            AuthError::InvalidToken => Self::InvalidToken,
            AuthError::Database(error) => error.into(),
            AuthError::Internal(cause) => Self::Internal(cause),
        }
    }
}
