//! How users' errors are answered: each as the JSON:API error the API has
//! always sent, with pointers built here from the attributes' names.

use super::pointers::Members;
use crate::{
    jsonapi::error::{ApiError, Failure, FieldError, FieldErrorKind},
    users::error::{ProblemKind, UserError},
};

impl From<UserError> for ApiError {
    fn from(error: UserError) -> Self {
        answer(error, Members::default())
    }
}

impl<S> From<UserError> for Failure<S> {
    fn from(error: UserError) -> Self {
        ApiError::from(error).into()
    }
}

/// The answer to `error`, about a request document whose members are
/// `members`.
pub fn answer(error: UserError, members: Members) -> ApiError {
    match error {
        UserError::NotFound(_) => ApiError::NotFound(error.to_string()),
        UserError::EmailTaken => ApiError::EmailTaken,
        UserError::Forbidden(reason) => ApiError::Forbidden(reason.to_string()),
        UserError::RoleForbidden => ApiError::RoleForbidden,
        UserError::WrongCurrentPassword => ApiError::WrongCurrentPassword,
        UserError::InvalidToken => ApiError::InvalidToken,
        UserError::PreconditionFailed => ApiError::PreconditionFailed(error.to_string()),
        UserError::InvalidAttributes(problems) => ApiError::InvalidAttributes(
            problems
                .into_iter()
                .map(|problem| {
                    let kind = match problem.kind {
                        ProblemKind::Invalid => FieldErrorKind::Invalid,
                        ProblemKind::Missing => FieldErrorKind::Missing,
                    };
                    FieldError::new(kind, members.pointer(&problem), problem.detail)
                })
                .collect(),
        ),
        UserError::Auth(error) => error.into(),
        UserError::Database(error) => error.into(),
    }
}
