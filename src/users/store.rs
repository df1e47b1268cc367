//! Reading and writing the `users` table. Every write that takes more than
//! one statement runs in one transaction.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, DeriveIden,
    EntityTrait, PaginatorTrait, QueryFilter, QueryResult, QuerySelect, QueryTrait, Select, Set,
    SqlErr, Statement, UpdateMany,
    sea_query::{Expr, ExprTrait, Func, Query},
};

use super::{
    entity::{ActiveModel, Column, Entity as Users, Model as User},
    error::UserError,
    profile::Profile,
    role::Role,
};
use crate::{
    db::{BuiltOnce, Db, now},
    revision::Expected,
};

/// A user ready to be stored: validated, with the password already hashed.
pub struct UserRecord {
    pub name: String,
    pub email: String,
    pub email_normalized: String,
    pub password_hash: String,
    pub dob: Option<chrono::NaiveDate>,
    pub address: Option<String>,
    pub profession: Option<String>,
    pub website: Option<String>,
    pub role: Role,
}

/// Changes ready to be stored: `None` leaves a column alone.
#[derive(Default)]
pub struct UserUpdate {
    pub name: Option<String>,
    pub email: Option<(String, String)>,
    /// A new hash also ends every token issued before it.
    pub password_hash: Option<String>,
    pub dob: Option<Option<chrono::NaiveDate>>,
    pub address: Option<Option<String>>,
    pub profession: Option<Option<String>>,
    pub website: Option<Option<String>>,
    pub role: Option<Role>,
    /// The versions of the row the change is meant for.
    pub expected: Expected,
}

/// Who asks for a change, as their bearer token names them: the change
/// applies only while that user exists with the token's generation and is
/// the user changed or an admin.
#[derive(Debug, Clone, Copy)]
pub struct Requester {
    pub id: i64,
    pub token_generation: i32,
}

/// The alias the requester's row goes by inside a statement on `users`.
#[derive(DeriveIden)]
struct RequesterRow;

impl Requester {
    /// True when the requester's row is theirs with the token's generation;
    /// `column` names that row's columns.
    fn is_current(self, column: impl Fn(Column) -> Expr) -> Condition {
        Condition::all()
            .add(column(Column::Id).eq(self.id))
            .add(column(Column::TokenGeneration).eq(self.token_generation))
    }

    /// True when the requester's row lets them change user `id`.
    fn may_change(self, id: i64, column: impl Fn(Column) -> Expr) -> Condition {
        self.is_current(&column).add(
            Condition::any()
                .add(column(Column::Id).eq(id))
                .add(column(Column::Role).eq(Role::Admin.as_str())),
        )
    }

    /// A condition, for any statement, that holds while the requester is an
    /// admin with a current token.
    pub(super) fn is_current_admin(self) -> Expr {
        let column = |column| Expr::col((RequesterRow, column));
        requester_row_where(
            self.is_current(column)
                .add(column(Column::Role).eq(Role::Admin.as_str())),
        )
    }

    async fn may_change_now(self, db: &impl ConnectionTrait, id: i64) -> Result<bool, DbErr> {
        let rows = Users::find()
            .filter(self.may_change(id, |column| Expr::col((Users, column))))
            .count(db)
            .await?;
        Ok(rows > 0)
    }
}

/// True when the requester's row meets `condition`.
fn requester_row_where(condition: Condition) -> Expr {
    Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from_as(Users, RequesterRow)
            .cond_where(condition)
            .to_owned(),
    )
}

/// The unique index that decides duplicate emails, named as the migration
/// that creates it names it.
const EMAIL_INDEX: &str = "users_email_normalized_key";
/// The column under it, which is how SQLite names the index it violates.
const EMAIL_COLUMN: &str = "users.email_normalized";

/// A violation of the email index is a taken email; any other unique
/// violation is a bug, and stays a database error.
fn email_conflict(error: DbErr) -> UserError {
    match error.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(message)) if violates_email_index(&message) => {
            UserError::EmailTaken
        }
        _ => error.into(),
    }
}

/// Whether a unique violation's message is about the email index. The
/// drivers say only in the message: PostgreSQL names the constraint,
/// MariaDB the key (MySQL 8 prefixes the table), SQLite the columns.
fn violates_email_index(message: &str) -> bool {
    let violated = if let Some(columns) = message.strip_prefix("UNIQUE constraint failed: ") {
        columns
    } else if let Some((_, key)) = message.rsplit_once(" for key ") {
        let key = key.trim_matches('\'');
        key.strip_prefix("users.").unwrap_or(key)
    } else if let Some((_, constraint)) = message.split_once("unique constraint ") {
        constraint.trim_matches('"')
    } else {
        return false;
    };
    violated == EMAIL_INDEX || violated == EMAIL_COLUMN
}

/// What [`from_row`] reads after [`Profile::COLUMNS`]: the columns that
/// never leave the service.
const PRIVATE_COLUMNS: [Column; 3] = [
    Column::EmailNormalized,
    Column::PasswordHash,
    Column::TokenGeneration,
];

/// A user's row, selected as [`from_row`] reads it.
fn select() -> Select<Users> {
    Users::find()
        .select_only()
        .columns(Profile::COLUMNS)
        .columns(PRIVATE_COLUMNS)
}

/// Reads a row of [`select`] by position; by name, each column would be
/// looked up in a hash map twice.
fn from_row(row: &QueryResult) -> Result<User, DbErr> {
    let profile = Profile::from_row(row)?;
    let private = Profile::COLUMNS.len();
    Ok(User {
        id: profile.id,
        name: profile.name,
        email: profile.email,
        email_normalized: row.try_get_by_index(private)?,
        password_hash: row.try_get_by_index(private + 1)?,
        dob: profile.dob,
        address: profile.address,
        profession: profile.profession,
        website: profile.website,
        role: profile.role,
        token_generation: row.try_get_by_index(private + 2)?,
        created_at: profile.created_at,
        updated_at: profile.updated_at,
        version: profile.version,
    })
}

/// Every request with a bearer token reads its user with the first, and
/// GET of one user reads the caller's row and the user's with the second;
/// their SQL is built once.
static FIND_ONE: BuiltOnce = BuiltOnce::new();
static FIND_TWO: BuiltOnce = BuiltOnce::new();

/// The statement of [`select_all`] for `ids`, with its SQL from `sql`,
/// which holds the SQL for `N` ids.
fn by_ids<const N: usize>(db: &impl ConnectionTrait, sql: &BuiltOnce, ids: [i64; N]) -> Statement {
    sql.statement(
        db.get_database_backend(),
        |backend| select_all(ids).build(backend).sql,
        ids.map(Into::into),
    )
}

pub async fn find(db: &impl ConnectionTrait, id: i64) -> Result<Option<User>, DbErr> {
    db.query_one_raw(by_ids(db, &FIND_ONE, [id]))
        .await?
        .map(|row| from_row(&row))
        .transpose()
}

/// The users `first` and `second` that exist, in one query.
pub async fn find_two(
    db: &impl ConnectionTrait,
    first: i64,
    second: i64,
) -> Result<Vec<User>, DbErr> {
    read_all(db, by_ids(db, &FIND_TWO, [first, second])).await
}

/// Those of the users `ids` that exist, in one query.
pub async fn find_all(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
) -> Result<Vec<User>, DbErr> {
    let statement = select_all(ids).build(db.get_database_backend());
    read_all(db, statement).await
}

async fn read_all(db: &impl ConnectionTrait, statement: Statement) -> Result<Vec<User>, DbErr> {
    db.query_all_raw(statement)
        .await?
        .iter()
        .map(from_row)
        .collect()
}

/// The query of [`find_all`], which also reads a page's authors. Public for
/// the plan test (tests/api/query_plans.rs).
pub fn select_all(ids: impl IntoIterator<Item = i64>) -> Select<Users> {
    select().filter(Column::Id.is_in(ids))
}

pub async fn find_by_email(
    db: &impl ConnectionTrait,
    email_normalized: &str,
) -> Result<Option<User>, DbErr> {
    Users::find()
        .filter(Column::EmailNormalized.eq(email_normalized))
        .one(db)
        .await
}

/// Stores a new user; the unique index turns a taken email into
/// [`UserError::EmailTaken`].
pub async fn insert(db: &impl ConnectionTrait, record: UserRecord) -> Result<User, UserError> {
    let now = now();
    ActiveModel {
        name: Set(record.name),
        email: Set(record.email),
        email_normalized: Set(record.email_normalized),
        password_hash: Set(record.password_hash),
        dob: Set(record.dob),
        address: Set(record.address),
        profession: Set(record.profession),
        website: Set(record.website),
        role: Set(record.role),
        token_generation: Set(0),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(email_conflict)
}

/// Applies changes to one user and returns the user as stored, or `None`
/// when there is no such user, or when `requester` is given and may not
/// change it.
///
/// `updated_at` is chosen only once the row is locked by the write, and
/// never earlier than the value it replaces, so concurrent updates of one
/// user leave `updated_at` in the order they committed.
pub async fn update(
    db: &impl Db,
    id: i64,
    changes: UserUpdate,
    requester: Option<Requester>,
) -> Result<Option<User>, UserError> {
    let mut statement = changes.statement(id);
    if db.get_database_backend() == DbBackend::Postgres {
        // One statement does it all: the requester's check and the time
        // arithmetic run under the row lock, and RETURNING hands back the
        // row as stored.
        if let Some(requester) = requester {
            statement = statement.filter(requester_row_where(
                requester.may_change(id, |column| Expr::col((RequesterRow, column))),
            ));
        }
        let just_after_stored =
            Expr::col(Column::UpdatedAt).add(Expr::cust("INTERVAL '1 microsecond'"));
        let users = statement
            .col_expr(
                Column::UpdatedAt,
                Func::greatest([Expr::value(now()), just_after_stored]).into(),
            )
            .exec_with_returning(db)
            .await
            .map_err(email_conflict)?;
        return Ok(users.into_iter().next());
    }
    // MySQL has no UPDATE … RETURNING and SQLite keeps timestamps as text,
    // so there the first write takes the lock and the new time follows it.
    // The requester is checked after that first write too: on SQLite a
    // transaction that reads first cannot take the write lock once another
    // writer has committed.
    // A refused requester hears nothing of the write, not even a taken email.
    let transaction = db.begin().await?;
    let written = statement
        .col_expr(Column::UpdatedAt, Expr::col(Column::UpdatedAt))
        .exec(&transaction)
        .await;
    if let Some(requester) = requester
        && !requester.may_change_now(&transaction, id).await?
    {
        transaction.rollback().await?;
        return Ok(None);
    }
    if written.map_err(email_conflict)?.rows_affected == 0 {
        transaction.rollback().await?;
        return Ok(None);
    }
    let Some(mut user) = find(&transaction, id).await? else {
        return Ok(None);
    };
    user.updated_at = Ord::max(now(), user.updated_at + chrono::Duration::microseconds(1));
    Users::update_many()
        .filter(Column::Id.eq(id))
        .col_expr(Column::UpdatedAt, Expr::value(user.updated_at))
        .exec(&transaction)
        .await?;
    transaction.commit().await?;
    Ok(Some(user))
}

impl UserUpdate {
    /// The UPDATE that sets every changed column of user `id` at a version
    /// it expects, and bumps the version; the caller adds `updated_at`.
    fn statement(self, id: i64) -> UpdateMany<Users> {
        let mut statement = Users::update_many()
            .filter(Column::Id.eq(id))
            .col_expr(Column::Version, Expr::col(Column::Version).add(1));
        if let Some(condition) = self.expected.condition(Column::Version) {
            statement = statement.filter(condition);
        }
        if let Some(name) = self.name {
            statement = statement.col_expr(Column::Name, Expr::value(name));
        }
        if let Some((email, email_normalized)) = self.email {
            statement = statement
                .col_expr(Column::Email, Expr::value(email))
                .col_expr(Column::EmailNormalized, Expr::value(email_normalized));
        }
        if let Some(password_hash) = self.password_hash {
            statement = statement
                .col_expr(Column::PasswordHash, Expr::value(password_hash))
                .col_expr(
                    Column::TokenGeneration,
                    Expr::col(Column::TokenGeneration).add(1),
                );
        }
        if let Some(dob) = self.dob {
            statement = statement.col_expr(Column::Dob, Expr::value(dob));
        }
        for (column, value) in [
            (Column::Address, self.address),
            (Column::Profession, self.profession),
            (Column::Website, self.website),
        ] {
            if let Some(value) = value {
                statement = statement.col_expr(column, Expr::value(value));
            }
        }
        if let Some(role) = self.role {
            statement = statement.col_expr(Column::Role, Expr::value(role.as_str()));
        }
        statement
    }
}

/// Deletes a user at a version `expected` admits; `false` when there was
/// none.
pub async fn delete(
    db: &impl ConnectionTrait,
    id: i64,
    expected: &Expected,
) -> Result<bool, DbErr> {
    let mut statement = Users::delete_many().filter(Column::Id.eq(id));
    if let Some(condition) = expected.condition(Column::Version) {
        statement = statement.filter(condition);
    }
    Ok(statement.exec(db).await?.rows_affected > 0)
}

/// Replaces a password hash with a stronger one of the same password,
/// unless the password changed meanwhile. Tokens stay valid: the password
/// itself did not change.
pub async fn replace_password_hash(
    db: &impl ConnectionTrait,
    id: i64,
    old_hash: &str,
    new_hash: &str,
) -> Result<(), DbErr> {
    Users::update_many()
        .col_expr(Column::PasswordHash, Expr::value(new_hash))
        .filter(Column::Id.eq(id))
        .filter(Column::PasswordHash.eq(old_hash))
        .exec(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_databases_message_about_the_email_index_is_a_taken_email() {
        for message in [
            // SQLite
            "UNIQUE constraint failed: users.email_normalized",
            // PostgreSQL
            "duplicate key value violates unique constraint \"users_email_normalized_key\"",
            // MariaDB
            "Duplicate entry 'ada@example.com' for key 'users_email_normalized_key'",
            // MySQL 8
            "Duplicate entry 'ada@example.com' for key 'users.users_email_normalized_key'",
        ] {
            assert!(violates_email_index(message), "{message}");
        }
    }

    #[test]
    fn a_unique_violation_of_any_other_index_is_not_a_taken_email() {
        for message in [
            "UNIQUE constraint failed: users.id",
            "UNIQUE constraint failed: sign_in_failures.email_normalized",
            "duplicate key value violates unique constraint \"users_pkey\"",
            "Duplicate entry '7' for key 'PRIMARY'",
            "Duplicate entry 'users_email_normalized_key' for key 'PRIMARY'",
        ] {
            assert!(!violates_email_index(message), "{message}");
        }
    }
}
