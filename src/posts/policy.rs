//! Who may do what to posts. Any signed-in user may read any post; its
//! author and admins may change or delete it; only admins write posts for
//! others or move a post to another author.

use super::error::{Forbidden, PostError};
use crate::users::caller::Caller;

pub fn ensure_author_or_admin(caller: &Caller, author_id: i64) -> Result<(), PostError> {
    if caller.id() == author_id || caller.is_admin() {
        Ok(())
    } else {
        Err(PostError::Forbidden(Forbidden::NotYours))
    }
}

/// The author a write names, against `current` (for a new post, the
/// caller): naming yourself, or the author the post has, is no change
/// anyone may send; naming someone else takes an admin.
pub fn author_to_set(
    caller: &Caller,
    requested: Option<i64>,
    current: i64,
) -> Result<i64, PostError> {
    match requested {
        None => Ok(current),
        Some(author) if author == current || author == caller.id() || caller.is_admin() => {
            Ok(author)
        }
        Some(_) => Err(PostError::Forbidden(Forbidden::OtherAuthor)),
    }
}

/// Moving a post to another author through its relationship: admins only.
pub fn ensure_may_change_author(caller: &Caller) -> Result<(), PostError> {
    if caller.is_admin() {
        Ok(())
    } else {
        Err(PostError::Forbidden(Forbidden::ChangeAuthor))
    }
}
