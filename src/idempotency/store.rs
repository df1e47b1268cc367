//! Claiming a key for a request, keeping its answer, and sweeping expired
//! keys.
//!
//! The row is registered on its own first, so that a retry arriving while
//! the first request runs finds it. The request then runs in a transaction
//! that holds the row locked until it commits the answer: a retry that
//! cannot take the lock knows the first is still running (409), and a
//! process killed mid-request loses its transaction, its writes and its
//! lock together, so the retry that follows runs the request afresh.
//! SQLite has no row locks: there the transaction takes the database's
//! write lock, and a retry from another process waits for the first
//! request and gets its answer ([`super::Running`] answers retries within
//! one process at once, on every database).

use std::time::Duration;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter, QuerySelect, RuntimeErr, Set, SqlErr,
    sea_query::{LockBehavior, LockType},
};

use super::{
    Answer, Fingerprint, IdempotencyError,
    entity::{ActiveModel, Column, Entity as Keys, Model as Key},
};
use crate::db::{begin_write, now};

/// What a key allows a request.
pub enum Claim {
    /// To run: the key is new, expired, or its first request ended without
    /// an answer; the request's writes go in [`Pending::transaction`].
    Granted(Pending),
    /// Nothing: its first request was answered, and this is the answer.
    Answered(Answer),
}

/// A request holding its key, in the transaction its writes go in.
pub struct Pending {
    transaction: DatabaseTransaction,
    scope: String,
    key: String,
}

/// Claims `key` of `scope` for a request with `fingerprint`; a new key is
/// kept for `ttl`.
pub async fn claim(
    db: &DatabaseConnection,
    scope: &str,
    key: &str,
    fingerprint: &Fingerprint,
    ttl: Duration,
) -> Result<Claim, IdempotencyError> {
    let id = (scope.to_owned(), key.to_owned());
    if Keys::find_by_id(id.clone()).one(db).await?.is_none() {
        match new_key(scope, key, fingerprint, ttl).insert(db).await {
            Ok(_) => {}
            // Another request with the key registered it first.
            Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            }
            Err(error) => return Err(error.into()),
        }
    }
    let transaction = begin_write(db).await?;
    let locked = Keys::find_by_id(id.clone())
        .lock_with_behavior(LockType::Update, LockBehavior::Nowait)
        .one(&transaction)
        .await;
    let row = match locked {
        Err(error) if is_lock_unavailable(&error) => {
            transaction.rollback().await?;
            return Err(IdempotencyError::InFlight);
        }
        other => other?,
    };
    match row {
        Some(row) if row.expires_at > now() => {
            if row.fingerprint != fingerprint.0 {
                transaction.rollback().await?;
                return Err(IdempotencyError::Reused);
            }
            if let Some(answer) = answer(&row) {
                transaction.rollback().await?;
                return Ok(Claim::Answered(answer));
            }
        }
        // Expired and not swept yet, or swept since it was registered: the
        // key starts afresh.
        _ => {
            Keys::delete_by_id(id).exec(&transaction).await?;
            new_key(scope, key, fingerprint, ttl)
                .insert(&transaction)
                .await?;
        }
    }
    Ok(Claim::Granted(Pending {
        transaction,
        scope: scope.to_owned(),
        key: key.to_owned(),
    }))
}

impl Pending {
    /// Where the request's writes go, to commit with its answer.
    pub fn transaction(&self) -> &DatabaseTransaction {
        &self.transaction
    }

    /// Keeps `answer` for retries and commits it with the request's writes.
    pub async fn keep(self, answer: &Answer) -> Result<(), DbErr> {
        let headers = serde_json::to_string(&answer.headers)
            .map_err(|error| DbErr::Custom(error.to_string()))?;
        Keys::update_many()
            .filter(Column::Scope.eq(&self.scope))
            .filter(Column::RequestKey.eq(&self.key))
            .col_expr(Column::Status, (answer.status as i16).into())
            .col_expr(Column::Headers, headers.into())
            .col_expr(Column::Body, answer.body.clone().into())
            .exec(&self.transaction)
            .await?;
        self.transaction.commit().await
    }

    /// Undoes the request's writes and frees the key for a retry.
    pub async fn abandon(self) -> Result<(), DbErr> {
        self.transaction.rollback().await
    }
}

/// Deletes the keys that expired; how many went.
pub async fn sweep(db: &DatabaseConnection) -> Result<u64, DbErr> {
    Ok(Keys::delete_many()
        .filter(Column::ExpiresAt.lte(now()))
        .exec(db)
        .await?
        .rows_affected)
}

fn new_key(scope: &str, key: &str, fingerprint: &Fingerprint, ttl: Duration) -> ActiveModel {
    let now = now();
    ActiveModel {
        scope: Set(scope.to_owned()),
        request_key: Set(key.to_owned()),
        fingerprint: Set(fingerprint.0.clone()),
        status: Set(None),
        headers: Set(None),
        body: Set(None),
        created_at: Set(now),
        expires_at: Set(now + ttl),
    }
}

fn answer(row: &Key) -> Option<Answer> {
    Some(Answer {
        status: u16::try_from(row.status?).ok()?,
        headers: serde_json::from_str(row.headers.as_deref()?).ok()?,
        body: row.body.clone()?,
    })
}

/// Whether `error` says the row is locked by another transaction:
/// PostgreSQL's `lock_not_available`, MySQL's `ER_LOCK_NOWAIT` or, for
/// `NOWAIT`, MariaDB's lock wait timeout.
fn is_lock_unavailable(error: &DbErr) -> bool {
    use sea_orm::sqlx::{Error, mysql::MySqlDatabaseError};
    let (DbErr::Query(RuntimeErr::SqlxError(error)) | DbErr::Exec(RuntimeErr::SqlxError(error))) =
        error
    else {
        return false;
    };
    let Error::Database(database_error) = error.as_ref() else {
        return false;
    };
    if let Some(mysql) = database_error.try_downcast_ref::<MySqlDatabaseError>() {
        return matches!(mysql.number(), 1205 | 3572);
    }
    database_error.code().as_deref() == Some("55P03")
}
