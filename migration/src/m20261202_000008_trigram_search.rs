use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The substring filters' expressions, each exactly as the listings write
/// it (`LOWER(name) LIKE '%…%'`, `email_normalized LIKE '%…%'`), so that
/// the planner matches the index to the filter: users' `filter[name]` and
/// `filter[q]`, posts' `filter[q]` (title or body).
const INDEXES: [(&str, &str, &str); 4] = [
    ("users_name_trgm_idx", "users", "lower(name)"),
    (
        "users_email_normalized_trgm_idx",
        "users",
        "email_normalized",
    ),
    ("posts_title_trgm_idx", "posts", "lower(title)"),
    ("posts_body_trgm_idx", "posts", "lower(body)"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// PostgreSQL only: MariaDB and SQLite have no index for `LIKE '%…%'`
    /// and scan (docs/performance.md).
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        // pg_trgm is a trusted extension: the database's owner may create it.
        db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            .await?;
        for (name, table, expression) in INDEXES {
            db.execute_unprepared(&format!(
                "CREATE INDEX {name} ON {table} USING gin ({expression} gin_trgm_ops)"
            ))
            .await?;
        }
        Ok(())
    }

    /// Drops the indexes but keeps pg_trgm: it may have been installed
    /// before this migration (hence `IF NOT EXISTS`) and other objects of
    /// the database may use it, which dropping it would break or, with
    /// `CASCADE`, delete; left installed it costs nothing.
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        for (name, _, _) in INDEXES {
            db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
        }
        Ok(())
    }
}
