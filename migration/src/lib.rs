//! Schema migrations for the users service, applied at start-up and by the
//! `migrate` subcommand.

pub use sea_orm_migration::prelude::*;

mod m20261121_000001_create_users;
mod m20261121_000002_create_sign_in_failures;
mod m20261201_000003_sort_indexes;
mod m20261201_000004_user_counts;
mod m20261202_000005_create_posts;
mod m20261202_000006_row_versions;
mod m20261202_000007_idempotency_keys;
mod m20261202_000008_trigram_search;
mod m20261202_000009_posts_pinned_id_index;
mod m20261202_000010_post_counts;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_create_users::Migration),
            Box::new(m20261121_000002_create_sign_in_failures::Migration),
            Box::new(m20261201_000003_sort_indexes::Migration),
            Box::new(m20261201_000004_user_counts::Migration),
            Box::new(m20261202_000005_create_posts::Migration),
            Box::new(m20261202_000006_row_versions::Migration),
            Box::new(m20261202_000007_idempotency_keys::Migration),
            Box::new(m20261202_000008_trigram_search::Migration),
            Box::new(m20261202_000009_posts_pinned_id_index::Migration),
            Box::new(m20261202_000010_post_counts::Migration),
        ]
    }
}

/// Creates `table` with binary string comparison on MySQL and MariaDB, as
/// PostgreSQL and SQLite compare by default. Their usual collations are
/// case- and accent-insensitive, which would make the unique index on
/// normalised emails treat `zoë@` and `zoe@` as one address.
pub(crate) fn binary_collation(manager: &SchemaManager, table: &mut TableCreateStatement) {
    if manager.get_database_backend() == sea_orm_migration::sea_orm::DatabaseBackend::MySql {
        table.character_set("utf8mb4").collate("utf8mb4_bin");
    }
}

/// Runs the triggers written for the database `manager` is on: one script
/// for PostgreSQL, one statement per trigger for MySQL and SQLite.
pub(crate) async fn create_triggers(
    manager: &SchemaManager<'_>,
    postgres: &str,
    mysql: &[&str],
    sqlite: &[&str],
) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let statements = match manager.get_database_backend() {
        sea_orm_migration::sea_orm::DatabaseBackend::Postgres => &[postgres][..],
        sea_orm_migration::sea_orm::DatabaseBackend::MySql => mysql,
        sea_orm_migration::sea_orm::DatabaseBackend::Sqlite => sqlite,
        _ => return Err(DbErr::Migration("an unsupported database".to_owned())),
    };
    for statement in statements {
        db.execute_unprepared(statement).await?;
    }
    Ok(())
}

/// A timestamp column with microsecond precision on every backend: MySQL's
/// default `TIMESTAMP` keeps whole seconds and stops in 2038, which would make
/// `updated_at` useless for ordering concurrent writes.
pub(crate) fn timestamp_column(manager: &SchemaManager, name: impl IntoIden) -> ColumnDef {
    let mut column = ColumnDef::new(name);
    match manager.get_database_backend() {
        sea_orm_migration::sea_orm::DatabaseBackend::MySql => {
            column.custom(Alias::new("DATETIME(6)"))
        }
        _ => column.timestamp_with_time_zone(),
    };
    column
}
