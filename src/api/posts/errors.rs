//! How posts' errors are answered.

use crate::{
    jsonapi::error::{ApiError, Failure},
    posts::error::PostError,
};

impl From<PostError> for ApiError {
    fn from(error: PostError) -> Self {
        match error {
            PostError::NotFound(_) | PostError::AuthorNotFound(_) => {
                ApiError::NotFound(error.to_string())
            }
            PostError::Forbidden(reason) => ApiError::Forbidden(reason.to_string()),
            PostError::PreconditionFailed => ApiError::PreconditionFailed(error.to_string()),
            PostError::User(error) => error.into(),
            PostError::Database(error) => error.into(),
        }
    }
}

impl<S> From<PostError> for Failure<S> {
    fn from(error: PostError) -> Self {
        ApiError::from(error).into()
    }
}
