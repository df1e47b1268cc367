use sea_orm_migration::prelude::*;

use crate::m20261121_000001_create_users::Users;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The single-column indexes of the first migration.
const REPLACED: [(&str, Users); 4] = [
    ("users_name_idx", Users::Name),
    ("users_role_idx", Users::Role),
    ("users_created_at_idx", Users::CreatedAt),
    ("users_updated_at_idx", Users::UpdatedAt),
];

/// Every page is ordered by its sort keys and then by id, and filtered by
/// role most often, so each index ends in the id: the page's ids then come
/// from the index in order, and PostgreSQL need not sort the ties.
fn sort_indexes() -> [(&'static str, Vec<Users>); 5] {
    [
        ("users_name_id_idx", vec![Users::Name, Users::Id]),
        ("users_role_id_idx", vec![Users::Role, Users::Id]),
        (
            "users_role_name_id_idx",
            vec![Users::Role, Users::Name, Users::Id],
        ),
        ("users_created_at_id_idx", vec![Users::CreatedAt, Users::Id]),
        ("users_updated_at_id_idx", vec![Users::UpdatedAt, Users::Id]),
    ]
}

async fn create(manager: &SchemaManager<'_>, name: &str, columns: Vec<Users>) -> Result<(), DbErr> {
    let mut index = Index::create();
    index.name(name).table(Users::Table);
    for column in columns {
        index.col(column);
    }
    manager.create_index(index.to_owned()).await
}

async fn drop(manager: &SchemaManager<'_>, name: &str) -> Result<(), DbErr> {
    manager
        .drop_index(Index::drop().name(name).table(Users::Table).to_owned())
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, columns) in sort_indexes() {
            create(manager, name, columns).await?;
        }
        for (name, _) in REPLACED {
            drop(manager, name).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, column) in REPLACED {
            create(manager, name, vec![column]).await?;
        }
        for (name, _) in sort_indexes() {
            drop(manager, name).await?;
        }
        Ok(())
    }
}
