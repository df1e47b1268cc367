//! The `post_counts` table: how many posts there are, over sixteen slots
//! kept exact by triggers on `posts` (see the migration that creates it),
//! so that the total of an unfiltered page of posts does not count them.

use sea_orm::{
    DbBackend, DeriveIden,
    sea_query::{Alias, Expr, ExprTrait, Func, Query, SelectStatement},
};

#[derive(DeriveIden)]
enum PostCounts {
    Table,
    Posts,
}

/// How many posts there are, as a statement that reads one integer.
pub fn total(backend: DbBackend) -> SelectStatement {
    // SUM of integers is a decimal on PostgreSQL and MySQL.
    let integer = match backend {
        DbBackend::MySql => "SIGNED",
        _ => "BIGINT",
    };
    Query::select()
        .expr_as(
            Func::coalesce([Expr::col(PostCounts::Posts).sum(), Expr::val(0)])
                .cast_as(Alias::new(integer)),
            Alias::new("total"),
        )
        .from(PostCounts::Table)
        .to_owned()
}
