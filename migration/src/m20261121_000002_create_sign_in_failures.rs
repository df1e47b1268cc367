use sea_orm_migration::prelude::*;

use crate::{binary_collation, timestamp_column};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Failed sign-ins are counted per normalised email, not per user row, so an
/// unknown email is throttled exactly like a known one and the 429 reveals
/// nothing about which accounts exist.
#[derive(DeriveIden)]
enum SignInFailures {
    Table,
    EmailNormalized,
    Failures,
    BlockedUntil,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(SignInFailures::Table)
            .col(
                ColumnDef::new(SignInFailures::EmailNormalized)
                    .string_len(254)
                    .not_null()
                    .primary_key(),
            )
            .col(
                ColumnDef::new(SignInFailures::Failures)
                    .integer()
                    .not_null()
                    .default(0),
            )
            .col(timestamp_column(manager, SignInFailures::BlockedUntil).null());
        binary_collation(manager, &mut table);
        manager.create_table(table.to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SignInFailures::Table).to_owned())
            .await
    }
}
