//! What the rules about users refuse, and what fails beneath them, in the
//! domain's own terms: attributes by name, no statuses. The HTTP layer
//! answers each (`crate::api::users::errors`).

use sea_orm::DbErr;

use crate::auth::error::AuthError;

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    /// No user has this id.
    #[error("there is no user {0}")]
    NotFound(i64),
    /// Another user has this email address.
    #[error("this email address is already registered")]
    EmailTaken,
    /// The caller may not do this, for this reason.
    #[error("{0}")]
    Forbidden(Forbidden),
    /// Only an admin may set or change a role.
    #[error("only an admin may choose a role")]
    RoleForbidden,
    /// The current password given with a change of password is wrong.
    #[error("the current password is wrong")]
    WrongCurrentPassword,
    /// The user changed since the version the write was meant for.
    #[error("the user changed since you read it; read it again and retry")]
    PreconditionFailed,
    /// The token names a user who is gone, or a password change ended it.
    #[error("the token's user is gone or the token was revoked")]
    InvalidToken,
    /// Attributes that break their rules, every one of them.
    #[error("{}", details(.0))]
    InvalidAttributes(Vec<AttributeProblem>),
    /// Hashing or checking a password failed.
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Why the caller may not do something, each as the sentence they are told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Forbidden {
    #[error("you may only act on your own account")]
    OthersAccount,
    #[error("only an admin may list users")]
    Listing,
    #[error("only an admin may filter users by email or role; filter by name or q")]
    PrivateFilter,
    #[error("only an admin may sort users by email or updated_at; sort by id, name or created_at")]
    PrivateSort,
}

/// What is wrong with one attribute, named as the domain names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeProblem {
    pub attribute: &'static str,
    pub kind: ProblemKind,
    /// A sentence for the person who sent it.
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// Given, but against its rules.
    Invalid,
    /// Needed, but not given.
    Missing,
}

fn details(problems: &[AttributeProblem]) -> String {
    problems
        .iter()
        .map(|problem| problem.detail.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}
