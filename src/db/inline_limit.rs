//! Pages' statements with their LIMIT written into the SQL.
//!
//! PostgreSQL reuses one plan for a prepared statement only when that plan
//! does not depend on the values bound to it. With a page's LIMIT bound, the
//! planner cannot know how many rows the page reads, so it planned every
//! page anew: about a quarter of the database's rate for a page of users
//! (docs/performance.md). With the count in the SQL the plan is kept. A
//! count is one of the few page sizes clients ask for, so each connection
//! prepares a handful of statements, not one per page.

use std::fmt::{self, Write};

use sea_orm::{
    DbBackend, Statement, Value,
    sea_query::{
        MysqlQueryBuilder, PostgresQueryBuilder, QueryBuilder, SelectStatement, SqlWriter,
        SqlWriterValues, SqliteQueryBuilder,
    },
};

/// `select` built for `backend` as SeaORM builds it, except that its LIMITs'
/// counts are written into the SQL instead of bound; every other value is
/// bound.
pub fn with_inline_limit(select: &SelectStatement, backend: DbBackend) -> Statement {
    match backend {
        DbBackend::Postgres => build(select, backend, PostgresQueryBuilder),
        DbBackend::MySql => build(select, backend, MysqlQueryBuilder),
        DbBackend::Sqlite => build(select, backend, SqliteQueryBuilder),
        // A backend added to SeaORM later gets SeaORM's own statement.
        _ => backend.build(select),
    }
}

fn build(select: &SelectStatement, backend: DbBackend, builder: impl QueryBuilder) -> Statement {
    let (placeholder, numbered) = builder.placeholder();
    let mut writer = InlineLimit {
        sql: SqlWriterValues::new(placeholder, numbered),
        after_limit: false,
    };
    select.build_collect_into(builder, &mut writer);
    let (sql, values) = writer.sql.into_parts();
    Statement::from_sql_and_values(backend, sql, values)
}

/// Collects SQL and its values like sea-query's own writer, but writes the
/// value that follows `LIMIT` in line. sea-query writes `LIMIT ` in one piece
/// just before the count (the tests below see it do so on every backend).
struct InlineLimit {
    sql: SqlWriterValues,
    after_limit: bool,
}

impl Write for InlineLimit {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.after_limit = s.ends_with("LIMIT ");
        self.sql.write_str(s)
    }
}

impl fmt::Display for InlineLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.sql.fmt(f)
    }
}

impl SqlWriter for InlineLimit {
    fn push_param<T: QueryBuilder>(&mut self, value: Value, query_builder: &T) {
        let after_limit = std::mem::take(&mut self.after_limit);
        match value {
            // Only a number goes into the SQL: nothing a client sends as
            // text is ever written there.
            Value::BigUnsigned(Some(count)) if after_limit => {
                write!(self.sql, "{count}").expect("writing to a String cannot fail");
            }
            value => self.sql.push_param(value, query_builder),
        }
    }

    fn as_writer(&mut self) -> &mut dyn Write {
        self as _
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query};

    use super::*;

    fn page() -> SelectStatement {
        let ids = Query::select()
            .column(Alias::new("id"))
            .from(Alias::new("users"))
            .and_where(Expr::col(Alias::new("name")).eq("LIMIT 5"))
            .order_by(Alias::new("id"), Order::Asc)
            .limit(21)
            .offset(40)
            .to_owned();
        Query::select()
            .column(Alias::new("id"))
            .from_subquery(ids, Alias::new("page"))
            .and_where(Expr::col(Alias::new("id")).gt(7))
            .to_owned()
    }

    #[test]
    fn the_limit_is_in_the_sql_and_every_other_value_bound_on_each_backend() {
        for (backend, limit, offset) in [
            (DbBackend::Postgres, "LIMIT 21 OFFSET $2", "> $3"),
            (DbBackend::MySql, "LIMIT 21 OFFSET ?", "> ?"),
            (DbBackend::Sqlite, "LIMIT 21 OFFSET ?", "> ?"),
        ] {
            let statement = with_inline_limit(&page(), backend);
            assert!(
                statement.sql.contains(limit),
                "{backend:?}: {}",
                statement.sql
            );
            assert!(
                statement.sql.contains(offset),
                "{backend:?}: {}",
                statement.sql
            );
            assert!(!statement.sql.contains("LIMIT 5"), "{}", statement.sql);
            let values = statement.values.expect("values").0;
            assert_eq!(
                values,
                [
                    Value::from("LIMIT 5"),
                    Value::BigUnsigned(Some(40)),
                    Value::Int(Some(7))
                ],
                "{backend:?}"
            );
        }
    }

    #[test]
    fn it_differs_from_seaorms_statement_only_in_the_limit() {
        for backend in [DbBackend::Postgres, DbBackend::MySql, DbBackend::Sqlite] {
            let ours = with_inline_limit(&page(), backend);
            let seaorms = backend.build(&page());
            let renumbered = seaorms
                .sql
                .replace("LIMIT ?", "LIMIT 21")
                .replace("LIMIT $2", "LIMIT 21")
                .replace("$3", "$2")
                .replace("$4", "$3");
            assert_eq!(ours.sql, renumbered, "{backend:?}");
        }
    }
}
