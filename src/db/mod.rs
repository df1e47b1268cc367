//! The connection pool, and what domain code reads and writes through.

use std::{sync::OnceLock, time::Duration};

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait, Value,
};

use crate::config::Settings;

mod inline_limit;

pub use inline_limit::with_inline_limit;

/// How long a request waits for a connection before it is answered 503:
/// bounded, so an outage never hangs clients.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long SQLite waits for a lock held by another connection.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// A connection idle this long is pinged before use. Pinging every checkout
/// (sqlx's default) cost a round trip per query; a connection that died
/// while busy fails its query, is discarded, and that request is answered
/// 503 like any other outage.
const PING_IF_IDLE_FOR: Duration = Duration::from_secs(30);

/// Opens the pool that `settings` describes.
pub async fn connect(settings: &Settings) -> anyhow::Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(settings.database_url.clone());
    options
        .max_connections(pool_size(settings))
        .min_connections(1)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_timeout(CONNECT_TIMEOUT)
        .test_before_acquire_if_idle_for(PING_IF_IDLE_FOR)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|options| {
            // WAL lets readers run beside the one writer. FULL syncs the WAL
            // at every commit, so an acknowledged write survives a power
            // loss too, not only a crash of the process (see docs/databases.md).
            options
                .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Full)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
                .foreign_keys(true)
        });
    Ok(Database::connect(options).await?)
}

/// How many connections the pool holds: `DATABASE_POOL_SIZE`, or enough to
/// keep the cores busy while others wait on the network; SQLite has one
/// writer at a time, so a few suffice there.
pub fn pool_size(settings: &Settings) -> u32 {
    let sqlite = settings.database_url.starts_with("sqlite:");
    settings
        .database_pool_size
        .unwrap_or_else(|| default_pool_size(sqlite))
}

fn default_pool_size(sqlite: bool) -> u32 {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get() as u32);
    if sqlite { 4 } else { (cores * 4).clamp(4, 32) }
}

/// Now, at the precision every supported database keeps, so that what we
/// answer equals what a later read returns.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6)
}

/// Where domain code reads and writes: the pool, or a transaction that a
/// caller opened so that several writes, or a write and the record of its
/// answer, commit together or not at all.
pub trait Db: ConnectionTrait + TransactionTrait<Transaction = DatabaseTransaction> + Sync {}

impl<T: ConnectionTrait + TransactionTrait<Transaction = DatabaseTransaction> + Sync> Db for T {}

/// A transaction that will write. SQLite's takes the write lock at once:
/// one that read first could not take it once another writer had
/// committed, and would fail instead of waiting its turn.
pub async fn begin_write(db: &impl Db) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}

/// The SQL of a statement whose shape never changes, built by sea-query the
/// first time each backend asks for it. Building a point read's `SELECT`
/// anew for every request took a tenth of the service's CPU
/// (docs/performance.md).
#[derive(Default)]
pub struct BuiltOnce([OnceLock<String>; 3]);

impl BuiltOnce {
    pub const fn new() -> Self {
        Self([const { OnceLock::new() }; 3])
    }

    /// The statement for `backend`: the SQL `build` makes for it, with
    /// `values` bound to its placeholders.
    pub fn statement(
        &self,
        backend: DbBackend,
        build: impl FnOnce(DbBackend) -> String,
        values: impl IntoIterator<Item = Value>,
    ) -> Statement {
        let slot = match backend {
            DbBackend::MySql => &self.0[0],
            DbBackend::Postgres => &self.0[1],
            DbBackend::Sqlite => &self.0[2],
            // A backend added to SeaORM later gets its SQL built each time.
            _ => return Statement::from_sql_and_values(backend, build(backend), values),
        };
        let sql = slot.get_or_init(|| build(backend));
        Statement::from_sql_and_values(backend, sql.as_str(), values)
    }
}
