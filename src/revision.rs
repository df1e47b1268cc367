//! Which versions of a row a write is meant for: an `If-Match` in the
//! domain's terms. Rows of users and posts keep a version that every write
//! bumps; a write that expects some versions checks them in its own
//! statement, so two writers holding the same version cannot both succeed.

use sea_orm::{ColumnTrait, sea_query::SimpleExpr};

/// What a write expects of the version of the row it changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Expected {
    /// Whatever version it has.
    #[default]
    Any,
    /// One of these versions; any other means the writer's copy is stale.
    OneOf(Vec<i64>),
}

impl Expected {
    /// The condition a statement adds on the row's version `column`, if any.
    pub fn condition(&self, column: impl ColumnTrait) -> Option<SimpleExpr> {
        match self {
            Self::Any => None,
            Self::OneOf(versions) => Some(column.is_in(versions.iter().copied())),
        }
    }

    /// Whether a row at `version` is one the write is meant for.
    pub fn admits(&self, version: i64) -> bool {
        match self {
            Self::Any => true,
            Self::OneOf(versions) => versions.contains(&version),
        }
    }
}
