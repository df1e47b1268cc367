use sea_orm_migration::prelude::*;

use crate::m20261202_000005_create_posts::Posts;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `sort=pinned` orders by pinned and then by id, which no index of posts
/// gave in order (`(pinned, created_at, id)` puts the time between them),
/// so every such page sorted the whole table (tests/api/query_plans.rs).
const NAME: &str = "posts_pinned_id_idx";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NAME)
                    .table(Posts::Table)
                    .col(Posts::Pinned)
                    .col(Posts::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(NAME).table(Posts::Table).to_owned())
            .await
    }
}
