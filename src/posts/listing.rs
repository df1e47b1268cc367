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

#[cfg(test)]
mod tests {
    use std::{future::Future, pin::Pin, sync::Mutex};

    use sea_orm::{DbBackend, ExecResult, QueryResult, Statement};

    use super::*;
    use crate::{
        api::v2::included::POSTS_PER_USER,
        collection::keyset::Seek,
        users::{listing as users_listing, store},
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

    type Answer<'a, T> = Pin<Box<dyn Future<Output = Result<T, DbErr>> + Send + 'a>>;

    /// A PostgreSQL connection that keeps each statement it is asked to run,
    /// normalized. Only sea_orm can make rows, so it finds nothing, and what
    /// the functions under test make of that is beside the point.
    #[derive(Default)]
    struct Recorder(Mutex<Vec<String>>);

    impl Recorder {
        fn answer<'a, T: Send + 'a>(&self, statement: Statement, nothing: T) -> Answer<'a, T> {
            self.0
                .lock()
                .unwrap()
                .push(normalized(&statement.to_string()));
            Box::pin(std::future::ready(Ok(nothing)))
        }

        fn statements(&self) -> Vec<String> {
            self.0.lock().unwrap().clone()
        }
    }

    /// The recorder's answer to a write, which these pages never make.
    fn only_reads<'a>() -> Answer<'a, ExecResult> {
        Box::pin(std::future::ready(Err(DbErr::Custom(
            "the pages only read".to_owned(),
        ))))
    }

    impl ConnectionTrait for Recorder {
        fn get_database_backend(&self) -> DbBackend {
            DbBackend::Postgres
        }

        fn execute_raw<'a, 'b>(&'a self, _: Statement) -> Answer<'b, ExecResult>
        where
            'a: 'b,
            Self: 'b,
        {
            only_reads()
        }

        fn execute_unprepared<'a, 'b, 'c>(&'a self, _: &'b str) -> Answer<'c, ExecResult>
        where
            'a: 'c,
            'b: 'c,
            Self: 'c,
        {
            only_reads()
        }

        fn query_one_raw<'a, 'b>(&'a self, statement: Statement) -> Answer<'b, Option<QueryResult>>
        where
            'a: 'b,
            Self: 'b,
        {
            self.answer(statement, None)
        }

        fn query_all_raw<'a, 'b>(&'a self, statement: Statement) -> Answer<'b, Vec<QueryResult>>
        where
            'a: 'b,
            Self: 'b,
        {
            self.answer(statement, Vec::new())
        }
    }

    fn first_page<F>() -> Keyset<F> {
        Keyset {
            sort: Vec::new(),
            size: 20,
            seek: Seek::First,
        }
    }

    /// The benchmark's limits for the compound pages are PostgreSQL running
    /// what the service runs for them, so the scripts must follow the
    /// statements: those of the caller's row, the page and its total, and
    /// of what the page includes, in the order the service runs them.
    #[tokio::test]
    async fn the_benchmark_runs_the_statements_the_service_runs_for_compound_pages() {
        let caller = 7;
        // The authors on the page of posts, and the users on the page of
        // users.
        let ids = [3, 5, 8];

        let posts = Recorder::default();
        store::find(&posts, caller).await.unwrap();
        let listing = PostListing::new(Filters::default(), first_page());
        page(&posts, &listing).await.unwrap().unwrap();
        store::find_all(&posts, ids).await.unwrap();
        counts_by_authors(&posts, &ids).await.unwrap();

        let users = Recorder::default();
        store::find(&users, caller).await.unwrap();
        let listing = users_listing::KeysetListing {
            filters: users_listing::Filters::default(),
            keyset: first_page(),
        };
        // The total, read last, finds no row here and fails.
        let _ = users_listing::keyset_page(&users, &listing).await;
        newest_by_authors(&users, &ids, POSTS_PER_USER)
            .await
            .unwrap();

        let caller = caller.to_string();
        let ids = ids.map(|id: i64| id.to_string()).join(", ");
        assert_eq!(
            posts.statements(),
            pgbench_statements(
                include_str!("../../bench/pgbench/posts_include_author.sql"),
                &[("admin", &caller), ("page_authors", &ids)],
            )
        );
        assert_eq!(
            users.statements(),
            pgbench_statements(
                include_str!("../../bench/pgbench/users_include_posts.sql"),
                &[("admin", &caller), ("page_users", &ids)],
            )
        );
    }
}
