use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

use crate::create_triggers;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// How many posts there are, kept exact by triggers on `posts`, so that the
/// total of an unfiltered page of posts is sixteen rows read rather than a
/// count of every post (50 ms at a million). The count is split by author
/// over sixteen slots so that writers of posts rarely wait for each
/// other's commits on one counter row.
#[derive(DeriveIden)]
enum PostCounts {
    Table,
    Slot,
    Posts,
}

const SLOTS: i16 = 16;

/// PostgreSQL: one trigger function for every change; a cascade from a
/// deleted user fires it too. A post moved to an author of another slot
/// locks both in slot order, so two opposite moves cannot deadlock.
const POSTGRES_TRIGGERS: &str = r#"
CREATE FUNCTION count_posts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE post_counts SET posts = posts + 1 WHERE slot = NEW.author_id % 16;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE post_counts SET posts = posts - 1 WHERE slot = OLD.author_id % 16;
  ELSIF OLD.author_id % 16 <> NEW.author_id % 16 THEN
    PERFORM 1 FROM post_counts WHERE slot IN (OLD.author_id % 16, NEW.author_id % 16)
      ORDER BY slot FOR UPDATE;
    UPDATE post_counts SET posts = posts + CASE WHEN slot = NEW.author_id % 16 THEN 1 ELSE -1 END
      WHERE slot IN (OLD.author_id % 16, NEW.author_id % 16);
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER posts_count AFTER INSERT OR DELETE OR UPDATE OF author_id ON posts
  FOR EACH ROW EXECUTE FUNCTION count_posts();
"#;

/// MySQL and MariaDB fire no trigger for rows a foreign key's cascade
/// deletes, so deleting a user deletes its posts first, by a statement
/// that fires theirs.
const MYSQL_TRIGGERS: [&str; 4] = [
    "CREATE TRIGGER posts_count_insert AFTER INSERT ON posts FOR EACH ROW
       UPDATE post_counts SET posts = posts + 1 WHERE slot = NEW.author_id % 16",
    "CREATE TRIGGER posts_count_delete AFTER DELETE ON posts FOR EACH ROW
       UPDATE post_counts SET posts = posts - 1 WHERE slot = OLD.author_id % 16",
    "CREATE TRIGGER posts_count_update AFTER UPDATE ON posts FOR EACH ROW
     BEGIN
       IF OLD.author_id % 16 <> NEW.author_id % 16 THEN
         UPDATE post_counts SET posts = posts + IF(slot = NEW.author_id % 16, 1, -1)
         WHERE slot IN (OLD.author_id % 16, NEW.author_id % 16) ORDER BY slot;
       END IF;
     END",
    "CREATE TRIGGER users_delete_posts BEFORE DELETE ON users FOR EACH ROW
       DELETE FROM posts WHERE author_id = OLD.id",
];

/// SQLite: one writer at a time, so no lock order to keep; a user's posts
/// are deleted by statement as on MySQL, which counts them whether or not
/// the cascade would fire their triggers.
const SQLITE_TRIGGERS: [&str; 4] = [
    "CREATE TRIGGER posts_count_insert AFTER INSERT ON posts BEGIN
       UPDATE post_counts SET posts = posts + 1 WHERE slot = NEW.author_id % 16;
     END",
    "CREATE TRIGGER posts_count_delete AFTER DELETE ON posts BEGIN
       UPDATE post_counts SET posts = posts - 1 WHERE slot = OLD.author_id % 16;
     END",
    "CREATE TRIGGER posts_count_update AFTER UPDATE OF author_id ON posts
       WHEN OLD.author_id % 16 <> NEW.author_id % 16 BEGIN
       UPDATE post_counts SET posts = posts + (CASE WHEN slot = NEW.author_id % 16 THEN 1 ELSE -1 END)
       WHERE slot IN (OLD.author_id % 16, NEW.author_id % 16);
     END",
    "CREATE TRIGGER users_delete_posts BEFORE DELETE ON users BEGIN
       DELETE FROM posts WHERE author_id = OLD.id;
     END",
];

const MYSQL_AND_SQLITE_TRIGGER_NAMES: [&str; 4] = [
    "posts_count_insert",
    "posts_count_delete",
    "posts_count_update",
    "users_delete_posts",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PostCounts::Table)
                    .col(
                        ColumnDef::new(PostCounts::Slot)
                            .small_integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(PostCounts::Posts).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        // On PostgreSQL, creating the trigger first locks out writes to
        // posts until this migration commits, so the counts below miss none.
        create_triggers(
            manager,
            POSTGRES_TRIGGERS,
            &MYSQL_TRIGGERS,
            &SQLITE_TRIGGERS,
        )
        .await?;
        for slot in 0..SLOTS {
            let count = Query::select()
                .expr(Expr::col(Asterisk).count())
                .from(Alias::new("posts"))
                .and_where(
                    Expr::col(Alias::new("author_id"))
                        .modulo(i64::from(SLOTS))
                        .eq(i64::from(slot)),
                )
                .to_owned();
            manager
                .exec_stmt(
                    Query::insert()
                        .into_table(PostCounts::Table)
                        .columns([PostCounts::Slot, PostCounts::Posts])
                        .select_from(
                            Query::select()
                                .expr(Expr::val(slot))
                                .expr(Expr::SubQuery(None, Box::new(count.into())))
                                .to_owned(),
                        )
                        .map_err(|error| DbErr::Migration(error.to_string()))?
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            db.execute_unprepared("DROP TRIGGER posts_count ON posts; DROP FUNCTION count_posts()")
                .await?;
        } else {
            for trigger in MYSQL_AND_SQLITE_TRIGGER_NAMES {
                db.execute_unprepared(&format!("DROP TRIGGER {trigger}"))
                    .await?;
            }
        }
        manager
            .drop_table(Table::drop().table(PostCounts::Table).to_owned())
            .await
    }
}
