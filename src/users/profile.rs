//! What a response shows of a user: every column but those that never
//! leave the service (the password hash, the normalized email and the token
//! generation).

use std::fmt;

use sea_orm::{
    DbErr, QueryResult,
    prelude::{Date, DateTimeUtc},
};

use super::{
    entity::{Column, Model as User},
    role::Role,
};

pub struct Profile {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub dob: Option<Date>,
    pub address: Option<String>,
    pub profession: Option<String>,
    pub website: Option<String>,
    pub role: Role,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

impl Profile {
    /// What a statement selects for [`Profile::from_row`], in this order.
    pub const COLUMNS: [Column; 11] = [
        Column::Id,
        Column::Name,
        Column::Email,
        Column::Dob,
        Column::Address,
        Column::Profession,
        Column::Website,
        Column::Role,
        Column::CreatedAt,
        Column::UpdatedAt,
        Column::Version,
    ];

    /// Reads the [`Profile::COLUMNS`] at the start of `row` by position,
    /// which a page does for each of its rows: by name, each column is
    /// looked up in a hash map twice.
    pub fn from_row(row: &QueryResult) -> Result<Self, DbErr> {
        Ok(Self {
            id: row.try_get_by_index(0)?,
            name: row.try_get_by_index(1)?,
            email: row.try_get_by_index(2)?,
            dob: row.try_get_by_index(3)?,
            address: row.try_get_by_index(4)?,
            profession: row.try_get_by_index(5)?,
            website: row.try_get_by_index(6)?,
            role: row.try_get_by_index(7)?,
            created_at: row.try_get_by_index(8)?,
            updated_at: row.try_get_by_index(9)?,
            version: row.try_get_by_index(10)?,
        })
    }
}

impl From<User> for Profile {
    fn from(user: User) -> Self {
        Self {
            id: user.id,
            name: user.name,
            email: user.email,
            dob: user.dob,
            address: user.address,
            profession: user.profession,
            website: user.website,
            role: user.role,
            created_at: user.created_at,
            updated_at: user.updated_at,
            version: user.version,
        }
    }
}

/// Written by hand, as for the entity, so that a user's details never
/// reach a log line.
impl fmt::Debug for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Profile")
            .field("id", &self.id)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}
