//! The `users` table.

use std::fmt;

use sea_orm::entity::prelude::*;

use super::role::Role;

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    /// As the user wrote it.
    pub email: String,
    /// Trimmed and lower-cased; a unique index on it decides duplicates.
    pub email_normalized: String,
    /// An argon2id PHC string. Never leaves the service.
    pub password_hash: String,
    pub dob: Option<Date>,
    pub address: Option<String>,
    pub profession: Option<String>,
    pub website: Option<String>,
    pub role: Role,
    /// Bumped by a password change; tokens carry the generation they were
    /// issued in, so bumping it ends every earlier token on every instance.
    pub token_generation: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Bumped by every write of the row; what its `ETag` names.
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Written by hand so that the password hash can never reach a log line.
impl fmt::Debug for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("role", &self.role)
            .field("token_generation", &self.token_generation)
            .finish_non_exhaustive()
    }
}
