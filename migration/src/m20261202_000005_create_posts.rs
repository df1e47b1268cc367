use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

use crate::{binary_collation, m20261121_000001_create_users::Users, timestamp_column};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub(crate) enum Posts {
    Table,
    Id,
    AuthorId,
    Title,
    Body,
    Pinned,
    CreatedAt,
    UpdatedAt,
}

/// Every sort the contract offers, each ending in the id as pages are
/// ordered: overall, and by author for a user's posts (the default order,
/// `-pinned,-created_at`, read backwards). The first also serves the
/// foreign key and the per-author counts.
fn indexes() -> [(&'static str, Vec<Posts>); 6] {
    use Posts::*;
    [
        (
            "posts_author_pinned_created_at_id_idx",
            vec![AuthorId, Pinned, CreatedAt, Id],
        ),
        (
            "posts_author_created_at_id_idx",
            vec![AuthorId, CreatedAt, Id],
        ),
        (
            "posts_pinned_created_at_id_idx",
            vec![Pinned, CreatedAt, Id],
        ),
        ("posts_created_at_id_idx", vec![CreatedAt, Id]),
        ("posts_updated_at_id_idx", vec![UpdatedAt, Id]),
        ("posts_title_id_idx", vec![Title, Id]),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // MySQL's TEXT holds 65,535 bytes, short of 20,000 four-byte
        // characters.
        let mut body = ColumnDef::new(Posts::Body);
        match manager.get_database_backend() {
            DatabaseBackend::MySql => body.custom(Alias::new("MEDIUMTEXT")),
            _ => body.text(),
        };
        let mut table = Table::create();
        table
            .table(Posts::Table)
            .col(
                ColumnDef::new(Posts::Id)
                    .big_integer()
                    .not_null()
                    .auto_increment()
                    .primary_key(),
            )
            .col(ColumnDef::new(Posts::AuthorId).big_integer().not_null())
            .col(ColumnDef::new(Posts::Title).string_len(200).not_null())
            .col(body.not_null())
            .col(
                ColumnDef::new(Posts::Pinned)
                    .boolean()
                    .not_null()
                    .default(false),
            )
            .col(timestamp_column(manager, Posts::CreatedAt).not_null())
            .col(timestamp_column(manager, Posts::UpdatedAt).not_null())
            // Deleting a user deletes their posts in the same statement, so
            // in the same transaction, whoever deletes.
            .foreign_key(
                ForeignKey::create()
                    .name("posts_author_id_fkey")
                    .from(Posts::Table, Posts::AuthorId)
                    .to(Users::Table, Users::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            );
        binary_collation(manager, &mut table);
        manager.create_table(table.to_owned()).await?;
        for (name, columns) in indexes() {
            let mut index = Index::create();
            index.name(name).table(Posts::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Posts::Table).to_owned())
            .await
    }
}
