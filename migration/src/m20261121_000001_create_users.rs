use sea_orm_migration::prelude::*;

use crate::{binary_collation, timestamp_column};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub(crate) enum Users {
    Table,
    Id,
    Name,
    Email,
    EmailNormalized,
    PasswordHash,
    Dob,
    Address,
    Profession,
    Website,
    Role,
    TokenGeneration,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(Users::Table)
            .col(
                ColumnDef::new(Users::Id)
                    .big_integer()
                    .not_null()
                    .auto_increment()
                    .primary_key(),
            )
            .col(ColumnDef::new(Users::Name).string_len(100).not_null())
            .col(ColumnDef::new(Users::Email).string_len(254).not_null())
            .col(
                ColumnDef::new(Users::EmailNormalized)
                    .string_len(254)
                    .not_null(),
            )
            .col(
                ColumnDef::new(Users::PasswordHash)
                    .string_len(255)
                    .not_null(),
            )
            .col(ColumnDef::new(Users::Dob).date().null())
            .col(ColumnDef::new(Users::Address).string_len(500).null())
            .col(ColumnDef::new(Users::Profession).string_len(500).null())
            .col(ColumnDef::new(Users::Website).string_len(2048).null())
            .col(ColumnDef::new(Users::Role).string_len(16).not_null())
            .col(
                ColumnDef::new(Users::TokenGeneration)
                    .integer()
                    .not_null()
                    .default(0),
            )
            .col(timestamp_column(manager, Users::CreatedAt).not_null())
            .col(timestamp_column(manager, Users::UpdatedAt).not_null());
        binary_collation(manager, &mut table);
        manager.create_table(table.to_owned()).await?;
        // The unique index, not a read-then-write check, decides duplicate emails.
        manager
            .create_index(
                Index::create()
                    .name("users_email_normalized_key")
                    .table(Users::Table)
                    .col(Users::EmailNormalized)
                    .unique()
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("users_name_idx", Users::Name),
            ("users_role_idx", Users::Role),
            ("users_created_at_idx", Users::CreatedAt),
            ("users_updated_at_idx", Users::UpdatedAt),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Users::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Users::Table).to_owned())
            .await
    }
}
