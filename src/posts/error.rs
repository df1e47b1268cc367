//! What the rules about posts refuse, in the domain's own terms.

use sea_orm::DbErr;

use crate::users::error::UserError;

#[derive(Debug, thiserror::Error)]
pub enum PostError {
    /// No post has this id.
    #[error("there is no post {0}")]
    NotFound(i64),
    /// A relationship names a user who does not exist.
    #[error("there is no user {0} to be the author")]
    AuthorNotFound(i64),
    #[error("{0}")]
    Forbidden(Forbidden),
    /// The post changed since the version the write was meant for.
    #[error("the post changed since you read it; read it again and retry")]
    PreconditionFailed,
    /// About the caller or a user: an ended token, a user that is gone.
    #[error(transparent)]
    User(#[from] UserError),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Why the caller may not do something to a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Forbidden {
    #[error("only its author or an admin may change or delete a post")]
    NotYours,
    #[error("only an admin may name an author other than themselves")]
    OtherAuthor,
    #[error("only an admin may change a post's author")]
    ChangeAuthor,
    #[error("a user's posts are changed on each post: change a post's author relationship")]
    UsersPosts,
}
