//! The users collection: filters, sort order and one page, with an exact
//! count of everything that matches, read in one statement.

use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, DeriveIden, EntityTrait, JoinType, Order,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select, Value,
    sea_query::{Asterisk, Condition, Expr, ExprTrait, Func, SelectStatement},
};
use serde_json::Value as JsonValue;

use super::{
    attributes::normalize_email,
    counts,
    entity::{Column, Entity as Users},
    profile::Profile,
    role::Role,
    store::Requester,
};
use crate::{
    collection::{
        Page, SortKey,
        filter::contains,
        keyset::{KeyField, Keyset, KeysetPage, UnusablePosition, direction, total_order},
        total::{count, read_page, total_of, with_total},
    },
    db,
};

/// Fields a collection can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortField {
    Id,
    Name,
    Email,
    CreatedAt,
    UpdatedAt,
}

impl SortField {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "id" => Some(Self::Id),
            "name" => Some(Self::Name),
            "email" => Some(Self::Email),
            "created_at" => Some(Self::CreatedAt),
            "updated_at" => Some(Self::UpdatedAt),
            _ => None,
        }
    }

    /// Whether the field is part of the public profile, so that anyone
    /// signed in may order by it: ordering by a private one would reveal it.
    pub fn is_public(self) -> bool {
        matches!(self, Self::Id | Self::Name | Self::CreatedAt)
    }
}

impl KeyField for SortField {
    type Item = Profile;
    type Column = Column;

    const ID: Self = Self::Id;

    fn column(self) -> Column {
        match self {
            Self::Id => Column::Id,
            Self::Name => Column::Name,
            Self::Email => Column::EmailNormalized,
            Self::CreatedAt => Column::CreatedAt,
            Self::UpdatedAt => Column::UpdatedAt,
        }
    }

    fn key_of(self, user: &Profile) -> JsonValue {
        match self {
            Self::Id => JsonValue::from(user.id),
            Self::Name => JsonValue::from(user.name.clone()),
            Self::Email => JsonValue::from(normalize_email(&user.email)),
            Self::CreatedAt => JsonValue::from(timestamp_key(user.created_at)),
            Self::UpdatedAt => JsonValue::from(timestamp_key(user.updated_at)),
        }
    }

    fn parse_key(self, key: &JsonValue) -> Option<Value> {
        Some(match self {
            Self::Id => Value::from(key.as_i64()?),
            Self::Name | Self::Email => Value::from(key.as_str()?.to_owned()),
            Self::CreatedAt | Self::UpdatedAt => parse_timestamp_key(key)?,
        })
    }
}

/// What the client filters on; all given filters must match.
#[derive(Debug, Default)]
pub struct Filters {
    /// Exact, case-insensitive.
    pub email: Option<String>,
    /// Case-insensitive substring.
    pub name: Option<String>,
    pub role: Option<Role>,
    /// Case-insensitive substring of the name or, unless only public
    /// profiles may be searched, the email.
    pub q: Option<String>,
    /// Whether `q` looks at names only.
    pub q_names_only: bool,
}

fn name_contains(text: &str) -> sea_orm::sea_query::SimpleExpr {
    Expr::expr(Func::lower(Expr::col(Column::Name))).like(contains(text))
}

fn filtered(filters: &Filters) -> Select<Users> {
    let mut select = Users::find();
    if let Some(email) = &filters.email {
        select = select.filter(Column::EmailNormalized.eq(normalize_email(email)));
    }
    if let Some(name) = &filters.name {
        select = select.filter(name_contains(name));
    }
    if let Some(role) = filters.role {
        select = select.filter(Column::Role.eq(role.as_str()));
    }
    if let Some(q) = &filters.q {
        select = select.filter(if filters.q_names_only {
            Condition::all().add(name_contains(q))
        } else {
            Condition::any()
                .add(name_contains(q))
                .add(Expr::col(Column::EmailNormalized).like(contains(q)))
        });
    }
    select
}

/// A timestamp as a cursor keeps it.
pub fn timestamp_key(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// A timestamp [`timestamp_key`] kept.
pub fn parse_timestamp_key(key: &JsonValue) -> Option<Value> {
    Some(Value::from(
        DateTime::parse_from_rfc3339(key.as_str()?)
            .ok()?
            .with_timezone(&Utc),
    ))
}

/// What a client asks of the collection: which users, in what order, and
/// which page of them.
#[derive(Debug)]
pub struct Listing {
    pub filters: Filters,
    pub sort: Vec<SortKey<SortField>>,
    pub page: Page,
}

/// One page of the users that match, and how many match in all.
#[derive(Debug)]
pub struct Listed {
    pub page: Page,
    pub users: Vec<Profile>,
    pub total: u64,
}

/// How many users match: the counters when only the role is filtered, or a
/// count of the matches. Public for the plan test (tests/api/query_plans.rs),
/// which checks PostgreSQL's plan for it.
pub fn total_statement(filters: &Filters, backend: DbBackend) -> SelectStatement {
    match filters {
        Filters {
            email: None,
            name: None,
            q: None,
            role,
            ..
        } => counts::total(backend, *role),
        _ => filtered(filters)
            .select_only()
            .expr(Func::count(Expr::col(Asterisk)))
            .into_query(),
    }
}

/// The alias of the page's ids inside the statement that reads the page.
#[derive(DeriveIden)]
struct PageIds;

impl Listing {
    fn order(&self) -> Vec<(Column, Order)> {
        total_order(&self.sort)
            .into_iter()
            .map(|key| (key.field.column(), direction(key.descending)))
            .collect()
    }

    /// The ids of the page's users: the sort and the offset walk an index
    /// of ids, and only the page's own rows are read from the table.
    fn page_ids(&self) -> SelectStatement {
        let mut ids = filtered(&self.filters).select_only().column(Column::Id);
        for (column, order) in self.order() {
            ids = ids.order_by(column, order);
        }
        ids.offset(self.page.offset())
            .limit(self.page.size)
            .into_query()
    }

    fn total(&self, backend: DbBackend) -> SelectStatement {
        total_statement(&self.filters, backend)
    }

    /// One page of the users that match, the profile's columns of each,
    /// then how many match in all; only while `requester` is an admin with
    /// a current token. Public for the plan test (tests/api/query_plans.rs),
    /// which checks PostgreSQL's plan for it.
    pub fn page_statement(&self, requester: Requester, backend: DbBackend) -> SelectStatement {
        let mut select = Users::find()
            .select_only()
            .columns(Profile::COLUMNS)
            .filter(requester.is_current_admin());
        QueryTrait::query(&mut select).join_subquery(
            JoinType::InnerJoin,
            self.page_ids(),
            PageIds,
            Expr::col((Users, Column::Id)).equals((PageIds, Column::Id)),
        );
        for (column, order) in self.order() {
            select = select.order_by(column, order);
        }
        with_total(select.into_query(), self.total(backend))
    }
}

/// One page of the users that match, with how many match in all, in one
/// statement that also checks that `requester` is an admin with a current
/// token. `None` when the page is empty: then it tells nothing of the
/// requester, nor the total.
pub async fn page_for(
    db: &impl ConnectionTrait,
    listing: &Listing,
    requester: Requester,
) -> Result<Option<Listed>, DbErr> {
    let backend = db.get_database_backend();
    let statement = listing.page_statement(requester, backend);
    let rows = db
        .query_all_raw(db::with_inline_limit(&statement, backend))
        .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let total = total_of(first)?;
    let users = rows
        .iter()
        .map(Profile::from_row)
        .collect::<Result<_, _>>()?;
    Ok(Some(Listed {
        page: listing.page,
        users,
        total,
    }))
}

/// How many users match, as a page would say.
pub async fn total(db: &impl ConnectionTrait, listing: &Listing) -> Result<u64, DbErr> {
    count(
        db,
        &total_statement(&listing.filters, db.get_database_backend()),
    )
    .await
}

/// A keyset page of the users that match.
#[derive(Debug)]
pub struct KeysetListing {
    pub filters: Filters,
    pub keyset: Keyset<SortField>,
}

impl KeysetListing {
    /// The page's rows, the profile's columns of each, one more than the
    /// page. Public for the plan test (tests/api/query_plans.rs), which
    /// checks PostgreSQL's plan for it.
    pub fn statement(&self) -> Result<SelectStatement, UnusablePosition> {
        let select = filtered(&self.filters)
            .select_only()
            .columns(Profile::COLUMNS);
        Ok(self.keyset.select(select)?.into_query())
    }
}

/// One keyset page with how many users match in all: one statement (two
/// past the end), the page's cost the same at any depth.
pub async fn keyset_page(
    db: &impl ConnectionTrait,
    listing: &KeysetListing,
) -> Result<Result<(KeysetPage<Profile>, u64), UnusablePosition>, DbErr> {
    let statement = match listing.statement() {
        Ok(statement) => statement,
        Err(unusable) => return Ok(Err(unusable)),
    };
    let total = total_statement(&listing.filters, db.get_database_backend());
    let (rows, total) = read_page(db, statement, total).await?;
    let users = rows
        .iter()
        .map(Profile::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Ok((listing.keyset.page(users), total)))
}

#[cfg(test)]
mod tests {
    use sea_orm::sea_query::PostgresQueryBuilder;

    use super::*;

    /// A statement as written with its values in line, without quotes,
    /// line breaks or a closing semicolon.
    fn normalized(sql: &str) -> String {
        sql.replace('"', "")
            .replace("EXISTS (", "EXISTS(")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .trim_end_matches(';')
            .to_owned()
    }

    /// A pgbench script's statement for the first page, the requester
    /// being user 7.
    fn pgbench_statement(script: &str) -> String {
        let statement = script
            .lines()
            .filter(|line| !line.starts_with("--") && !line.starts_with('\\'))
            .collect::<Vec<_>>()
            .join(" ");
        normalized(&statement.replace(":page * 20", "0").replace(":admin", "7"))
    }

    /// The benchmark's limit for the page rows is PostgreSQL running what
    /// the service runs, so the scripts must follow the statement.
    #[test]
    fn the_benchmark_runs_the_statements_the_service_runs_for_a_page() {
        let requester = Requester {
            id: 7,
            token_generation: 0,
        };
        let first_page = || Page::new(None, None).unwrap();
        let plain = Listing {
            filters: Filters::default(),
            sort: Vec::new(),
            page: first_page(),
        };
        let sorted_and_filtered = Listing {
            filters: Filters {
                role: Some(Role::User),
                ..Filters::default()
            },
            sort: vec![SortKey {
                field: SortField::Name,
                descending: false,
            }],
            page: first_page(),
        };
        for (listing, script) in [
            (plain, include_str!("../../bench/pgbench/page.sql")),
            (
                sorted_and_filtered,
                include_str!("../../bench/pgbench/page_sorted_filtered.sql"),
            ),
        ] {
            let statement = listing.page_statement(requester, DbBackend::Postgres);
            let built = statement.to_string(PostgresQueryBuilder);
            assert_eq!(normalized(&built), pgbench_statement(script));
            // Prepared as the script's is: the LIMIT in the SQL, the
            // offset bound.
            let sent = db::with_inline_limit(&statement, DbBackend::Postgres);
            assert!(sent.sql.contains("LIMIT 20 OFFSET $"), "{}", sent.sql);
        }
    }
}
