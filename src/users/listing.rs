//! The users collection: filters, sort order and one page, with an exact
//! count of everything that matches.

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, Order, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Select,
    sea_query::{Condition, Expr, ExprTrait, Func, LikeExpr},
};

use super::{
    attributes::normalize_email,
    entity::{Column, Entity as Users, Model as User},
    role::Role,
};
use crate::jsonapi::query::{Page, SortKey};

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

    fn column(self) -> Column {
        match self {
            Self::Id => Column::Id,
            Self::Name => Column::Name,
            Self::Email => Column::EmailNormalized,
            Self::CreatedAt => Column::CreatedAt,
            Self::UpdatedAt => Column::UpdatedAt,
        }
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
    /// Case-insensitive substring of the name or the email.
    pub q: Option<String>,
}

/// The character that escapes `%` and `_` in LIKE patterns; not a backslash,
/// which MySQL would also read as a string escape.
const LIKE_ESCAPE: char = '!';

fn contains(text: &str) -> LikeExpr {
    let mut pattern = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | LIKE_ESCAPE) {
            pattern.push(LIKE_ESCAPE);
        }
        pattern.push(c);
    }
    pattern.push('%');
    LikeExpr::new(pattern).escape(LIKE_ESCAPE)
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
        select = select.filter(
            Condition::any()
                .add(name_contains(q))
                .add(Expr::col(Column::EmailNormalized).like(contains(q))),
        );
    }
    select
}

/// One page of the users that match, in the asked order (then by id, so
/// pages never overlap), and how many match in all.
pub async fn list(
    db: &impl ConnectionTrait,
    filters: &Filters,
    sort: &[SortKey<SortField>],
    page: Page,
) -> Result<(Vec<User>, u64), DbErr> {
    let total = filtered(filters).count(db).await?;
    let mut select = filtered(filters);
    for key in sort {
        let order = if key.descending {
            Order::Desc
        } else {
            Order::Asc
        };
        select = select.order_by(key.field.column(), order);
    }
    if !sort.iter().any(|key| key.field == SortField::Id) {
        select = select.order_by(Column::Id, Order::Asc);
    }
    let users = select
        .offset(page.offset())
        .limit(page.size)
        .all(db)
        .await?;
    Ok((users, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_in_a_filter_match_literally() {
        let pattern = format!("{:?}", contains("50%_off!"));
        assert!(pattern.contains("%50!%!_off!!%"), "{pattern}");
    }
}
