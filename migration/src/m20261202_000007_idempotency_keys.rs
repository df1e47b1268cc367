use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

use crate::{binary_collation, timestamp_column};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    Scope,
    RequestKey,
    Fingerprint,
    Status,
    Headers,
    Body,
    CreatedAt,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A stored answer can hold a post of 20,000 four-byte characters,
        // or a hundred of them for a batch of operations: past MySQL's TEXT.
        let mut body = ColumnDef::new(IdempotencyKeys::Body);
        match manager.get_database_backend() {
            DatabaseBackend::MySql => body.custom(Alias::new("MEDIUMTEXT")),
            _ => body.text(),
        };
        let mut table = Table::create();
        table
            .table(IdempotencyKeys::Table)
            .col(
                ColumnDef::new(IdempotencyKeys::Scope)
                    .string_len(64)
                    .not_null(),
            )
            .col(
                ColumnDef::new(IdempotencyKeys::RequestKey)
                    .string_len(255)
                    .not_null(),
            )
            .col(
                ColumnDef::new(IdempotencyKeys::Fingerprint)
                    .string_len(64)
                    .not_null(),
            )
            // No status yet: the first request with the key has not answered.
            .col(ColumnDef::new(IdempotencyKeys::Status).small_integer())
            .col(ColumnDef::new(IdempotencyKeys::Headers).text())
            .col(body)
            .col(timestamp_column(manager, IdempotencyKeys::CreatedAt).not_null())
            .col(timestamp_column(manager, IdempotencyKeys::ExpiresAt).not_null())
            .primary_key(
                Index::create()
                    .col(IdempotencyKeys::Scope)
                    .col(IdempotencyKeys::RequestKey),
            );
        binary_collation(manager, &mut table);
        manager.create_table(table.to_owned()).await?;
        // The sweep deletes by expiry.
        manager
            .create_index(
                Index::create()
                    .name("idempotency_keys_expires_at_idx")
                    .table(IdempotencyKeys::Table)
                    .col(IdempotencyKeys::ExpiresAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IdempotencyKeys::Table).to_owned())
            .await
    }
}
