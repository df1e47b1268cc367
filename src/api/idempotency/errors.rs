//! How idempotency keys' refusals are answered.

use crate::{idempotency::IdempotencyError, jsonapi::error::ApiError};

impl From<IdempotencyError> for ApiError {
    fn from(error: IdempotencyError) -> Self {
        match error {
            IdempotencyError::InFlight => Self::IdempotencyKeyInFlight,
            IdempotencyError::Reused => Self::IdempotencyKeyReused,
            IdempotencyError::Database(error) => error.into(),
        }
    }
}
