//! A page that carries its collection's total: the count as a last column
//! of every row, so that a page and its total are one statement, one round
//! trip and one snapshot. The subquery does not depend on the row, so it is
//! evaluated once per statement (PostgreSQL plans it as an InitPlan).

use sea_orm::{
    ConnectionTrait, DbErr, QueryResult,
    sea_query::{Alias, Expr, SelectStatement},
};

use crate::db;

/// The name of the column that carries the total.
const TOTAL: &str = "total";

/// `page` with `total`, a statement that reads one integer, as its last
/// column.
pub fn with_total(mut page: SelectStatement, total: SelectStatement) -> SelectStatement {
    page.expr_as(
        Expr::SubQuery(None, Box::new(total.into())),
        Alias::new(TOTAL),
    );
    page
}

/// The total a row of a page built by [`with_total`] carries.
pub fn total_of(row: &QueryResult) -> Result<u64, DbErr> {
    to_count(row.try_get("", TOTAL)?)
}

/// The rows of `page` and `total` beside them, read [`with_total`]; an
/// empty page carries no total, so then `total` is read on its own.
pub async fn read_page(
    db: &impl ConnectionTrait,
    page: SelectStatement,
    total: SelectStatement,
) -> Result<(Vec<QueryResult>, u64), DbErr> {
    let backend = db.get_database_backend();
    let page = with_total(page, total.clone());
    let rows = db
        .query_all_raw(db::with_inline_limit(&page, backend))
        .await?;
    let total = match rows.first() {
        Some(row) => total_of(row)?,
        None => count(db, &total).await?,
    };
    Ok((rows, total))
}

/// What `total`, a statement that reads one integer, counts.
pub async fn count(db: &impl ConnectionTrait, total: &SelectStatement) -> Result<u64, DbErr> {
    let row = db
        .query_one(total)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("a count".to_owned()))?;
    to_count(row.try_get_by_index(0)?)
}

fn to_count(total: i64) -> Result<u64, DbErr> {
    u64::try_from(total).map_err(|_| DbErr::Type(format!("a count of {total}")))
}
