use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

use crate::{binary_collation, create_triggers};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// How many users hold each role, kept exact by triggers on `users`, so a
/// page's `meta.total` is one indexed read instead of a scan of an index of
/// every user. Roles are few and their rows are touched only by inserts,
/// deletes and role changes, never by other updates.
#[derive(DeriveIden)]
enum UserCounts {
    Table,
    Role,
    Users,
}

/// The roles the service knows; a role added later needs its row here or
/// in its own migration, as the role-change triggers update existing rows.
const ROLES: [&str; 2] = ["admin", "user"];

/// PostgreSQL: one trigger function for every change. A role change locks
/// both counters in the order of their names, so two opposite changes
/// cannot deadlock.
const POSTGRES_TRIGGERS: &str = r#"
CREATE FUNCTION count_users_by_role() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO user_counts (role, users) VALUES (NEW.role, 1)
      ON CONFLICT (role) DO UPDATE SET users = user_counts.users + 1;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE user_counts SET users = users - 1 WHERE role = OLD.role;
  ELSIF OLD.role <> NEW.role THEN
    PERFORM 1 FROM user_counts WHERE role IN (OLD.role, NEW.role) ORDER BY role FOR UPDATE;
    UPDATE user_counts SET users = users + CASE WHEN role = NEW.role THEN 1 ELSE -1 END
      WHERE role IN (OLD.role, NEW.role);
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER users_count_by_role AFTER INSERT OR DELETE OR UPDATE OF role ON users
  FOR EACH ROW EXECUTE FUNCTION count_users_by_role();
"#;

/// MySQL and MariaDB: one trigger per event; the role-change UPDATE walks
/// the primary key in order, so it locks both counters in one order.
const MYSQL_TRIGGERS: [&str; 3] = [
    "CREATE TRIGGER users_count_insert AFTER INSERT ON users FOR EACH ROW
       INSERT INTO user_counts (role, users) VALUES (NEW.role, 1)
       ON DUPLICATE KEY UPDATE users = users + 1",
    "CREATE TRIGGER users_count_delete AFTER DELETE ON users FOR EACH ROW
       UPDATE user_counts SET users = users - 1 WHERE role = OLD.role",
    "CREATE TRIGGER users_count_update AFTER UPDATE ON users FOR EACH ROW
     BEGIN
       IF OLD.role <> NEW.role THEN
         UPDATE user_counts SET users = users + IF(role = NEW.role, 1, -1)
         WHERE role IN (OLD.role, NEW.role) ORDER BY role;
       END IF;
     END",
];

/// SQLite: one writer at a time, so no lock order to keep.
const SQLITE_TRIGGERS: [&str; 3] = [
    "CREATE TRIGGER users_count_insert AFTER INSERT ON users BEGIN
       INSERT INTO user_counts (role, users) VALUES (NEW.role, 1)
       ON CONFLICT (role) DO UPDATE SET users = users + 1;
     END",
    "CREATE TRIGGER users_count_delete AFTER DELETE ON users BEGIN
       UPDATE user_counts SET users = users - 1 WHERE role = OLD.role;
     END",
    "CREATE TRIGGER users_count_update AFTER UPDATE OF role ON users
       WHEN OLD.role <> NEW.role BEGIN
       UPDATE user_counts SET users = users + (CASE WHEN role = NEW.role THEN 1 ELSE -1 END)
       WHERE role IN (OLD.role, NEW.role);
     END",
];

const MYSQL_AND_SQLITE_TRIGGER_NAMES: [&str; 3] = [
    "users_count_insert",
    "users_count_delete",
    "users_count_update",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(UserCounts::Table)
            .col(
                ColumnDef::new(UserCounts::Role)
                    .string_len(16)
                    .not_null()
                    .primary_key(),
            )
            .col(ColumnDef::new(UserCounts::Users).big_integer().not_null());
        binary_collation(manager, &mut table);
        manager.create_table(table.to_owned()).await?;
        // On PostgreSQL, creating the trigger first locks out writes to
        // users until this migration commits, so the counts below miss none.
        create_triggers(
            manager,
            POSTGRES_TRIGGERS,
            &MYSQL_TRIGGERS,
            &SQLITE_TRIGGERS,
        )
        .await?;
        for role in ROLES {
            let count = Query::select()
                .expr(Expr::col(Asterisk).count())
                .from(Alias::new("users"))
                .and_where(Expr::col(Alias::new("role")).eq(role))
                .to_owned();
            manager
                .exec_stmt(
                    Query::insert()
                        .into_table(UserCounts::Table)
                        .columns([UserCounts::Role, UserCounts::Users])
                        .select_from(
                            Query::select()
                                .expr(Expr::val(role))
                                .expr(Expr::SubQuery(None, Box::new(count.into())))
                                .to_owned(),
                        )
                        .map_err(|error| DbErr::Migration(error.to_string()))?
                        // A user a MySQL trigger counted before this ran.
                        .on_conflict(
                            OnConflict::column(UserCounts::Role)
                                .update_column(UserCounts::Users)
                                .to_owned(),
                        )
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            db.execute_unprepared(
                "DROP TRIGGER users_count_by_role ON users; DROP FUNCTION count_users_by_role()",
            )
            .await?;
        } else {
            for trigger in MYSQL_AND_SQLITE_TRIGGER_NAMES {
                db.execute_unprepared(&format!("DROP TRIGGER {trigger}"))
                    .await?;
            }
        }
        manager
            .drop_table(Table::drop().table(UserCounts::Table).to_owned())
            .await
    }
}
