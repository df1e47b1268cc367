//! Writing and reading posts for a caller, each rule applied in the order
//! that tells a missing post from a forbidden change.

use super::{
    entity::Model as Post,
    error::{Forbidden, PostError},
    input::{NewPost, PostChanges},
    listing::{self, PostListing},
    policy,
    store::{self, PostRecord, PostUpdate},
};
use crate::{
    collection::keyset::KeysetPage,
    db::Db,
    revision::Expected,
    users::{caller::Caller, error::UserError, store as users},
};

/// A post by `caller`, or by the author it names if `caller` may name them.
pub async fn create_for(db: &impl Db, caller: &Caller, new: NewPost) -> Result<Post, PostError> {
    let author_id = policy::author_to_set(caller, new.author, caller.id())?;
    store::insert(
        db,
        PostRecord {
            author_id,
            title: new.title,
            body: new.body,
            pinned: new.pinned,
        },
    )
    .await
}

/// Any post, for any signed-in caller.
pub async fn find(db: &impl Db, id: i64) -> Result<Post, PostError> {
    store::find(db, id).await?.ok_or(PostError::NotFound(id))
}

/// Changes post `id` at a version `expected` admits, for `caller`, its
/// author or an admin; only an admin may move it to another author.
pub async fn update_for(
    db: &impl Db,
    caller: &Caller,
    id: i64,
    expected: &Expected,
    changes: PostChanges,
) -> Result<Post, PostError> {
    let post = find(db, id).await?;
    policy::ensure_author_or_admin(caller, post.author_id)?;
    let author_id = match changes.author {
        None => None,
        requested => Some(policy::author_to_set(caller, requested, post.author_id)?),
    };
    let update = PostUpdate {
        author_id,
        title: changes.title,
        body: changes.body,
        pinned: changes.pinned,
        expected: expected.clone(),
    };
    written(db, id, store::update(db, post, update).await?).await
}

/// The post a write left, or why it left none: the post is gone, or is at
/// a version the write did not expect.
async fn written(db: &impl Db, id: i64, post: Option<Post>) -> Result<Post, PostError> {
    match post {
        Some(post) => Ok(post),
        None => Err(missing_or_changed(db, id).await),
    }
}

async fn missing_or_changed(db: &impl Db, id: i64) -> PostError {
    match store::find(db, id).await {
        Ok(Some(_)) => PostError::PreconditionFailed,
        Ok(None) => PostError::NotFound(id),
        Err(error) => error.into(),
    }
}

/// Moves post `id`, at a version `expected` admits, to `author_id`:
/// admins only.
pub async fn change_author_for(
    db: &impl Db,
    caller: &Caller,
    id: i64,
    expected: &Expected,
    author_id: i64,
) -> Result<Post, PostError> {
    policy::ensure_may_change_author(caller)?;
    let post = find(db, id).await?;
    let update = PostUpdate {
        author_id: Some(author_id),
        expected: expected.clone(),
        ..PostUpdate::default()
    };
    written(db, id, store::update(db, post, update).await?).await
}

/// Deletes post `id`, at a version `expected` admits, for `caller`, its
/// author or an admin.
pub async fn delete_for(
    db: &impl Db,
    caller: &Caller,
    id: i64,
    expected: &Expected,
) -> Result<(), PostError> {
    let post = find(db, id).await?;
    policy::ensure_author_or_admin(caller, post.author_id)?;
    if store::delete(db, id, expected).await? {
        Ok(())
    } else {
        Err(missing_or_changed(db, id).await)
    }
}

/// A keyset page of posts with how many match; `None` when the position is
/// not one in this order.
pub async fn list(
    db: &impl Db,
    listing: &PostListing,
) -> Result<Option<(KeysetPage<Post>, u64)>, PostError> {
    Ok(listing::page(db, listing).await?.ok())
}

/// A keyset page of user `author`'s posts; the user must exist.
pub async fn list_by(
    db: &impl Db,
    author: i64,
    listing: &mut PostListing,
) -> Result<Option<(KeysetPage<Post>, u64)>, PostError> {
    ensure_user_exists(db, author).await?;
    listing.filters.author = Some(author);
    list(db, listing).await
}

/// Why a change to user `user`'s posts through the user is refused: each
/// post's author is changed on the post. A user that does not exist is
/// not found first.
pub async fn refuse_users_posts_change(db: &impl Db, user: i64) -> PostError {
    match ensure_user_exists(db, user).await {
        Ok(()) => PostError::Forbidden(Forbidden::UsersPosts),
        Err(error) => error,
    }
}

pub async fn ensure_user_exists(db: &impl Db, id: i64) -> Result<(), PostError> {
    if users::find_all(db, [id]).await?.is_empty() {
        Err(UserError::NotFound(id).into())
    } else {
        Ok(())
    }
}
