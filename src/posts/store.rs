//! Reading and writing the `posts` table.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set, SqlErr,
    sea_query::{Expr, ExprTrait},
};

use super::{
    entity::{ActiveModel, Column, Entity as Posts, Model as Post},
    error::PostError,
};
use crate::{db::now, revision::Expected};

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
    /// The versions of the row the change is meant for.
    pub expected: Expected,
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
        version: Set(1),
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

/// Applies `update` to `post` as it was read, at a version the update
/// expects, bumping the version; `None` when no row was at such a version
/// (or there is none). `updated_at` moves on even when two writes fall in
/// the same microsecond.
pub async fn update(
    db: &impl ConnectionTrait,
    post: Post,
    update: PostUpdate,
) -> Result<Option<Post>, PostError> {
    let author_id = update.author_id.unwrap_or(post.author_id);
    let updated_at = Ord::max(now(), post.updated_at + chrono::Duration::microseconds(1));
    let mut statement = Posts::update_many()
        .filter(Column::Id.eq(post.id))
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .col_expr(Column::UpdatedAt, Expr::value(updated_at));
    if let Some(condition) = update.expected.condition(Column::Version) {
        statement = statement.filter(condition);
    }
    if let Some(author_id) = update.author_id {
        statement = statement.col_expr(Column::AuthorId, Expr::value(author_id));
    }
    if let Some(title) = update.title {
        statement = statement.col_expr(Column::Title, Expr::value(title));
    }
    if let Some(body) = update.body {
        statement = statement.col_expr(Column::Body, Expr::value(body));
    }
    if let Some(pinned) = update.pinned {
        statement = statement.col_expr(Column::Pinned, Expr::value(pinned));
    }
    let written = statement
        .exec(db)
        .await
        .map_err(|error| missing_author(error, author_id))?;
    if written.rows_affected == 0 {
        return Ok(None);
    }
    Ok(find(db, post.id).await?)
}

/// Deletes post `id` at a version `expected` admits; whether there was
/// such a row.
pub async fn delete(
    db: &impl ConnectionTrait,
    id: i64,
    expected: &Expected,
) -> Result<bool, DbErr> {
    let mut statement = Posts::delete_many().filter(Column::Id.eq(id));
    if let Some(condition) = expected.condition(Column::Version) {
        statement = statement.filter(condition);
    }
    Ok(statement.exec(db).await?.rows_affected > 0)
}
