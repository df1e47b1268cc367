//! The `user_counts` table: how many users hold each role, kept exact by
//! triggers on `users` (see the migration that creates it), so that the
//! total of an unfiltered or role-filtered page is one indexed read.

use sea_orm::{
    DbBackend, DeriveIden,
    sea_query::{Alias, Expr, ExprTrait, Func, Query, SelectStatement},
};

use super::role::Role;

#[derive(DeriveIden)]
enum UserCounts {
    Table,
    Role,
    Users,
}

/// How many users there are, of `role` alone when given, as a statement
/// that reads one integer.
pub fn total(backend: DbBackend, role: Option<Role>) -> SelectStatement {
    // SUM of integers is a decimal on PostgreSQL and MySQL.
    let integer = match backend {
        DbBackend::MySql => "SIGNED",
        _ => "BIGINT",
    };
    let mut statement = Query::select();
    statement
        .expr(
            Func::coalesce([Expr::col(UserCounts::Users).sum(), Expr::val(0)])
                .cast_as(Alias::new(integer)),
        )
        .from(UserCounts::Table);
    if let Some(role) = role {
        statement.and_where(Expr::col(UserCounts::Role).eq(role.as_str()));
    }
    statement
}
