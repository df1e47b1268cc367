//! Collections of posts: filters, sort orders and keyset pages, and the
//! newest posts of many authors at once, each a fixed number of statements
//! whatever the page size.

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, DeriveIden, EntityTrait, FromQueryResult, PaginatorTrait,
    QueryFilter, QuerySelect, Select, Value,
    sea_query::{Asterisk, Expr, ExprTrait, Func, Order, Query},
};
use serde_json::Value as JsonValue;

use super::entity::{Column, Entity as Posts, Model as Post};
use crate::{
    collection::{
        SortKey,
        filter::contains,
        keyset::{KeyField, Keyset, KeysetPage, UnusablePosition},
    },
    users::listing::{parse_timestamp_key, timestamp_key},
};

/// Fields a collection of posts can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortField {
    Id,
    CreatedAt,
    UpdatedAt,
    Title,
    Pinned,
}

impl SortField {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "id" => Some(Self::Id),
            "created_at" => Some(Self::CreatedAt),
            "updated_at" => Some(Self::UpdatedAt),
            "title" => Some(Self::Title),
            "pinned" => Some(Self::Pinned),
            _ => None,
        }
    }
}

/// Pinned posts first, then the newest.
pub const DEFAULT_SORT: [SortKey<SortField>; 2] = [
    SortKey {
        field: SortField::Pinned,
        descending: true,
    },
    SortKey {
        field: SortField::CreatedAt,
        descending: true,
    },
];

impl KeyField for SortField {
    type Item = Post;
    type Column = Column;

    const ID: Self = Self::Id;

    fn column(self) -> Column {
        match self {
            Self::Id => Column::Id,
            Self::CreatedAt => Column::CreatedAt,
            Self::UpdatedAt => Column::UpdatedAt,
            Self::Title => Column::Title,
            Self::Pinned => Column::Pinned,
        }
    }

    fn key_of(self, post: &Post) -> JsonValue {
        match self {
            Self::Id => JsonValue::from(post.id),
            Self::CreatedAt => JsonValue::from(timestamp_key(post.created_at)),
            Self::UpdatedAt => JsonValue::from(timestamp_key(post.updated_at)),
            Self::Title => JsonValue::from(post.title.clone()),
            Self::Pinned => JsonValue::from(post.pinned),
        }
    }

    fn parse_key(self, key: &JsonValue) -> Option<Value> {
        Some(match self {
            Self::Id => Value::from(key.as_i64()?),
            Self::CreatedAt | Self::UpdatedAt => parse_timestamp_key(key)?,
            Self::Title => Value::from(key.as_str()?.to_owned()),
            Self::Pinned => Value::from(key.as_bool()?),
        })
    }
}

/// What a client filters posts by; all given filters must match.
#[derive(Debug, Default, Clone)]
pub struct Filters {
    pub author: Option<i64>,
    pub pinned: Option<bool>,
    /// Case-insensitive substring of the title or the body.
    pub q: Option<String>,
}

fn filtered(filters: &Filters) -> Select<Posts> {
    let mut select = Posts::find();
    if let Some(author) = filters.author {
        select = select.filter(Column::AuthorId.eq(author));
    }
    if let Some(pinned) = filters.pinned {
        select = select.filter(Column::Pinned.eq(pinned));
    }
    if let Some(q) = &filters.q {
        select = select.filter(
            Expr::expr(Func::lower(Expr::col(Column::Title)))
                .like(contains(q))
                .or(Expr::expr(Func::lower(Expr::col(Column::Body))).like(contains(q))),
        );
    }
    select
}

/// A keyset page of the posts that match.
#[derive(Debug)]
pub struct PostListing {
    pub filters: Filters,
    pub keyset: Keyset<SortField>,
}

impl PostListing {
    /// A listing in `keyset`'s order, or the default order when it names
    /// none.
    pub fn new(filters: Filters, mut keyset: Keyset<SortField>) -> Self {
        if keyset.sort.is_empty() {
            keyset.sort = DEFAULT_SORT.to_vec();
        }
        Self { filters, keyset }
    }
}

/// One keyset page with how many posts match in all: two statements.
pub async fn page(
    db: &impl ConnectionTrait,
    listing: &PostListing,
) -> Result<Result<(KeysetPage<Post>, u64), UnusablePosition>, DbErr> {
    let select = match listing.keyset.select(filtered(&listing.filters)) {
        Ok(select) => select,
        Err(unusable) => return Ok(Err(unusable)),
    };
    let posts = select.all(db).await?;
    let total = filtered(&listing.filters).count(db).await?;
    Ok(Ok((listing.keyset.page(posts), total)))
}

#[derive(DeriveIden)]
enum Ranked {
    Table,
    Newest,
    AuthorPosts,
}

/// The newest posts of each author, at most `limit` each, newest first,
/// with how many posts each author has: one statement, whatever the number
/// of authors.
pub async fn newest_by_authors(
    db: &impl ConnectionTrait,
    authors: &[i64],
    limit: u64,
) -> Result<(Vec<Post>, HashMap<i64, u64>), DbErr> {
    if authors.is_empty() {
        return Ok((Vec::new(), HashMap::new()));
    }
    let ranked = Query::select()
        .columns([
            Column::Id,
            Column::AuthorId,
            Column::Title,
            Column::Body,
            Column::Pinned,
            Column::CreatedAt,
            Column::UpdatedAt,
            Column::Version,
        ])
        .expr_as(
            Expr::cust(
                "ROW_NUMBER() OVER (PARTITION BY author_id ORDER BY created_at DESC, id DESC)",
            ),
            Ranked::Newest,
        )
        .expr_as(
            Expr::cust("COUNT(*) OVER (PARTITION BY author_id)"),
            Ranked::AuthorPosts,
        )
        .from(Posts)
        .and_where(Expr::col(Column::AuthorId).is_in(authors.iter().copied()))
        .to_owned();
    let statement = Query::select()
        .column(Asterisk)
        .from_subquery(ranked, Ranked::Table)
        .and_where(Expr::col(Ranked::Newest).lte(limit))
        .order_by(Column::AuthorId, Order::Asc)
        .order_by(Ranked::Newest, Order::Asc)
        .to_owned();
    let rows = db.query_all(&statement).await?;
    let mut posts = Vec::with_capacity(rows.len());
    let mut totals = HashMap::new();
    for row in &rows {
        let post = Post::from_query_result(row, "")?;
        let total: i64 = row.try_get("", "author_posts")?;
        totals.insert(post.author_id, u64::try_from(total).unwrap_or_default());
        posts.push(post);
    }
    Ok((posts, totals))
}

/// How many posts each of `authors` has, those with none left out: one
/// statement over the author index.
pub async fn counts_by_authors(
    db: &impl ConnectionTrait,
    authors: &[i64],
) -> Result<HashMap<i64, u64>, DbErr> {
    if authors.is_empty() {
        return Ok(HashMap::new());
    }
    let counts: Vec<(i64, i64)> = Posts::find()
        .select_only()
        .column(Column::AuthorId)
        .column_as(Expr::col(Asterisk).count(), "posts")
        .filter(Column::AuthorId.is_in(authors.iter().copied()))
        .group_by(Column::AuthorId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(counts
        .into_iter()
        .map(|(author, count)| (author, u64::try_from(count).unwrap_or_default()))
        .collect())
}
