use sea_orm_migration::prelude::*;

use crate::{m20261121_000001_create_users::Users, m20261202_000005_create_posts::Posts};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The version every row of users and posts keeps, bumped by each write of
/// it: what an `ETag` names and an `If-Match` is checked against, in the
/// same statement as the write.
#[derive(DeriveIden)]
enum Version {
    Version,
}

fn version_column() -> ColumnDef {
    ColumnDef::new(Version::Version)
        .big_integer()
        .not_null()
        .default(1)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(version_column())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Posts::Table)
                    .add_column(version_column())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [Users::Table.into_iden(), Posts::Table.into_iden()] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .drop_column(Version::Version)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
