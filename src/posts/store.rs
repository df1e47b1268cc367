//! Reading and writing the `posts` table.

use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, Set, SqlErr,
};

use super::{
    entity::{ActiveModel, Entity as Posts, Model as Post},
    error::PostError,
};
use crate::db::now;

/// A post ready to be stored, its author authorised.
pub struct PostRecord {
    pub author_id: i64,
    pub title: String,
    pub body: String,
    pub pinned: bool,
}

/// Changes ready to be stored: `None` leaves a column alone.
#[derive(Default)]
pub struct PostUpdate {
    pub author_id: Option<i64>,
    pub title: Option<String>,
    pub body: Option<String>,
    pub pinned: Option<bool>,
}

/// A foreign key violation names an author who is gone: the only foreign
/// key of posts is its author's.
fn missing_author(error: DbErr, author_id: i64) -> PostError {
    match error.sql_err() {
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => PostError::AuthorNotFound(author_id),
        _ => error.into(),
    }
}

pub async fn insert(db: &impl ConnectionTrait, record: PostRecord) -> Result<Post, PostError> {
    let now = now();
    let author_id = record.author_id;
    ActiveModel {
        author_id: Set(record.author_id),
        title: Set(record.title),
        body: Set(record.body),
        pinned: Set(record.pinned),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(|error| missing_author(error, author_id))
}

pub async fn find(db: &impl ConnectionTrait, id: i64) -> Result<Option<Post>, DbErr> {
    Posts::find_by_id(id).one(db).await
}

/// Applies `update` to `post` as it was read; `updated_at` moves on even
/// when two writes fall in the same microsecond.
pub async fn update(
    db: &impl ConnectionTrait,
    post: Post,
    update: PostUpdate,
) -> Result<Option<Post>, PostError> {
    let author_id = update.author_id.unwrap_or(post.author_id);
    let updated_at = Ord::max(now(), post.updated_at + chrono::Duration::microseconds(1));
    let mut row = post.into_active_model();
    if let Some(author_id) = update.author_id {
        row.author_id = Set(author_id);
    }
    if let Some(title) = update.title {
        row.title = Set(title);
    }
    if let Some(body) = update.body {
        row.body = Set(body);
    }
    if let Some(pinned) = update.pinned {
        row.pinned = Set(pinned);
    }
    row.updated_at = Set(updated_at);
    match row.update(db).await {
        Ok(post) => Ok(Some(post)),
        Err(DbErr::RecordNotUpdated) => Ok(None),
        Err(error) => Err(missing_author(error, author_id)),
    }
}

/// Whether there was such a post to delete.
pub async fn delete(db: &impl ConnectionTrait, id: i64) -> Result<bool, DbErr> {
    Ok(Posts::delete_by_id(id).exec(db).await?.rows_affected > 0)
}
