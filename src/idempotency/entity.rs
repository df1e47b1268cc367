//! The `idempotency_keys` table: one row per key a caller sent, with the
//! answer its first request got once there is one.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_keys")]
pub struct Model {
    /// Whose key it is: keys of different callers never meet.
    #[sea_orm(primary_key, auto_increment = false)]
    pub scope: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub request_key: String,
    pub fingerprint: String,
    /// `None` until the first request with the key has answered.
    pub status: Option<i16>,
    /// The answer's headers worth repeating, as a JSON object.
    #[sea_orm(column_type = "Text", nullable)]
    pub headers: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub body: Option<String>,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
