//! Collections of posts: filters, sort orders and keyset pages, and the
//! newest posts of many authors at once, each a fixed number of statements
//! whatever the page size.

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, DeriveIden, EntityTrait, FromQueryResult,
    QueryFilter, QuerySelect, QueryTrait, Select, Value,
    sea_query::{Asterisk, Expr, ExprTrait, Func, Order, Query, SelectStatement},
};
use serde_json::Value as JsonValue;

use super::{
    counts,
    entity::{Column, Entity as Posts, Model as Post},
};
use crate::{
    collection::{
        SortKey,
        filter::contains,
        keyset::{KeyField, Keyset, KeysetPage, UnusablePosition},
        total::read_page,
    },
    users::{
        entity::{Column as UserColumn, Entity as Users},
        listing::{parse_timestamp_key, timestamp_key},
        profile::Profile,
    },
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

impl Filters {
    fn is_empty(&self) -> bool {
        let Self { author, pinned, q } = self;
        author.is_none() && pinned.is_none() && q.is_none()
    }
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

impl PostListing {
    /// The page's rows, one more than the page. Public for the plan test
    /// (tests/api/query_plans.rs), which checks PostgreSQL's plan for it,
    /// as for every statement of this file.
    pub fn select(&self) -> Result<Select<Posts>, UnusablePosition> {
        self.keyset.select(filtered(&self.filters))
    }

    /// How many posts match in all: kept by the database when nothing
    /// filters them. Public for the plan test.
    pub fn count(&self, backend: DbBackend) -> SelectStatement {
        if self.filters.is_empty() {
            return counts::total(backend);
        }
        filtered(&self.filters)
            .select_only()
            .expr_as(Expr::col(Asterisk).count(), "total")
            .into_query()
    }
}

/// One keyset page with how many posts match in all: one statement (two
/// past the end).
pub async fn page(
    db: &impl ConnectionTrait,
    listing: &PostListing,
) -> Result<Result<(KeysetPage<Post>, u64), UnusablePosition>, DbErr> {
    let select = match listing.select() {
        Ok(select) => select,
        Err(unusable) => return Ok(Err(unusable)),
    };
    let total = listing.count(db.get_database_backend());
    let (rows, total) = read_page(db, select.into_query(), total).await?;
    let posts = rows
        .iter()
        .map(|row| Post::from_query_result(row, ""))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Ok((listing.keyset.page(posts), total)))
}

#[derive(DeriveIden)]
enum Ranked {
    Table,
    Newest,
    AuthorPosts,
}

/// The newest `limit` posts of each of `authors`, with each author's total.
/// Public for the plan test.
pub fn newest_statement(authors: &[i64], limit: u64) -> SelectStatement {
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
    Query::select()
        .column(Asterisk)
        .from_subquery(ranked, Ranked::Table)
        .and_where(Expr::col(Ranked::Newest).lte(limit))
        .order_by(Column::AuthorId, Order::Asc)
        .order_by(Ranked::Newest, Order::Asc)
        .to_owned()
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
    let statement = newest_statement(authors, limit);
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

/// The profiles of `authors`, each with how many posts they have, counted
/// over the author index. Public for the plan test.
pub fn authors_statement(authors: &[i64]) -> SelectStatement {
    let count = Query::select()
        .expr(Expr::col(Asterisk).count())
        .from(Posts)
        .and_where(Expr::col((Posts, Column::AuthorId)).equals((Users, UserColumn::Id)))
        .to_owned();
    Users::find()
        .select_only()
        .columns(Profile::COLUMNS)
        .expr_as(Expr::SubQuery(None, Box::new(count.into())), "posts")
        .filter(UserColumn::Id.is_in(authors.iter().copied()))
        .into_query()
}

/// The profiles of `authors` with how many posts each has: one statement,
/// whatever their number.
pub async fn authors_with_counts(
    db: &impl ConnectionTrait,
    authors: &[i64],
) -> Result<Vec<(Profile, u64)>, DbErr> {
    if authors.is_empty() {
        return Ok(Vec::new());
    }
    let rows = db.query_all(&authors_statement(authors)).await?;
    rows.iter()
        .map(|row| {
            let posts: i64 = row.try_get_by_index(Profile::COLUMNS.len())?;
            Ok((
                Profile::from_row(row)?,
                u64::try_from(posts).unwrap_or_default(),
            ))
        })
        .collect()
}

/// How many posts each of `authors` has. Public for the plan test.
pub fn counts_select(authors: &[i64]) -> Select<Posts> {
    Posts::find()
        .select_only()
        .column(Column::AuthorId)
        .column_as(Expr::col(Asterisk).count(), "posts")
        .filter(Column::AuthorId.is_in(authors.iter().copied()))
        .group_by(Column::AuthorId)
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
    let counts: Vec<(i64, i64)> = counts_select(authors).into_tuple().all(db).await?;
    Ok(counts
        .into_iter()
        .map(|(author, count)| (author, u64::try_from(count).unwrap_or_default()))
        .collect())
}

#[cfg(test)]
mod tests {
    use sea_orm::sea_query::PostgresQueryBuilder;

    use super::*;
    use crate::{
        collection::{keyset::Seek, total::with_total},
        users::listing::{Filters as UserFilters, KeysetListing, total_statement},
    };

    /// A statement as written with its values in line, without quotes,
    /// line breaks or a closing semicolon.
    fn normalized(sql: &str) -> String {
        sql.replace('"', "")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .trim_end_matches(';')
            .to_owned()
    }

    /// The statements of a pgbench script, its `variables` put in.
    fn pgbench_statements(script: &str, variables: &[(&str, &str)]) -> Vec<String> {
        let mut sql = script
            .lines()
            .filter(|line| !line.starts_with("--") && !line.starts_with('\\'))
            .collect::<Vec<_>>()
            .join(" ");
        for (name, value) in variables {
            sql = sql.replace(&format!(":{name}"), value);
        }
        sql.split(';')
            .map(normalized)
            .filter(|statement| !statement.is_empty())
            .collect()
    }

    /// The benchmark's limits for the compound pages are PostgreSQL running
    /// what the service runs for them, so each script must hold, after the
    /// caller's row, the statements the service builds: the first page in
    /// the default order with its total, then the page's authors with their
    /// post counts, or the newest posts of the users on a page of users.
    #[test]
    fn the_benchmark_runs_the_statements_the_service_runs_for_compound_pages() {
        let ids = [3, 5, 8];
        let listed = ids.map(|id: i64| id.to_string()).join(", ");
        let posts = PostListing::new(
            Filters::default(),
            Keyset {
                sort: Vec::new(),
                size: 20,
                seek: Seek::First,
            },
        );
        let users = KeysetListing {
            filters: UserFilters::default(),
            keyset: Keyset {
                sort: Vec::new(),
                size: 20,
                seek: Seek::First,
            },
        };
        let built =
            |statement: SelectStatement| normalized(&statement.to_string(PostgresQueryBuilder));
        let posts_page = with_total(
            posts.select().unwrap().into_query(),
            posts.count(DbBackend::Postgres),
        );
        let users_page = with_total(
            users.statement().unwrap(),
            total_statement(&users.filters, DbBackend::Postgres),
        );
        for (script, page, included) in [
            (
                pgbench_statements(
                    include_str!("../../bench/pgbench/posts_include_author.sql"),
                    &[("admin", "7"), ("page_authors", &listed)],
                ),
                &posts_page,
                authors_statement(&ids),
            ),
            (
                pgbench_statements(
                    include_str!("../../bench/pgbench/users_include_posts.sql"),
                    &[("admin", "7"), ("page_users", &listed)],
                ),
                &users_page,
                newest_statement(&ids, 10),
            ),
        ] {
            assert_eq!(
                script[1..],
                [built(page.clone()), built(included)],
                "the script after the caller's row"
            );
            // Prepared as the script's is: the LIMIT in the SQL.
            let sent = crate::db::with_inline_limit(page, DbBackend::Postgres);
            assert!(sent.sql.contains("LIMIT 21"), "{}", sent.sql);
        }
    }
}
