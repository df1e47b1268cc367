//! The migrations, through the library: up, down and up again on every backend, and the
//! schema they create deciding duplicate emails the same way everywhere.

use migration::{Migrator, MigratorTrait, SchemaManager};
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use reqwest::{Client, StatusCode};
use sea_orm::{
    ConnectionTrait, Database, DatabaseConnection,
    sea_query::{Alias, Query},
};
use serde_json::Value;
use users_service::collection::Page;
use users_service::config::Settings;
use users_service::startup::Application;
use users_service::users::{
    listing::{self, Filters, Listing},
    role::Role,
};

use crate::database::{Backend, backend, fresh_database};
use crate::helpers::{
    JSONAPI_MEDIA_TYPE, TestResponse, USERS_PATH, registration, send, strong_password,
};

/// The tables the migrations create.
const TABLES: [&str; 2] = ["users", "sign_in_failures"];

async fn connect(database_url: &str) -> DatabaseConnection {
    Database::connect(database_url)
        .await
        .expect("the test connects to its database")
}

/// Which of `TABLES` exist.
async fn existing_tables(db: &DatabaseConnection) -> Vec<&'static str> {
    let manager = SchemaManager::new(db);
    let mut found = Vec::new();
    for table in TABLES {
        if manager
            .has_table(table)
            .await
            .expect("the schema can be inspected")
        {
            found.push(table);
        }
    }
    found
}

/// The service, built from the library on an existing database (it migrates at start).
async fn serve(database_url: &str) -> String {
    let application = Application::build(Settings::for_database(database_url))
        .await
        .expect("the application starts on the database");
    let address = format!("http://{}", application.local_addr());
    tokio::spawn(application.run_until_stopped());
    address
}

/// Registers a user anonymously over HTTP.
async fn register(address: &str, email: &str) -> TestResponse {
    let document = registration("Zoë Example", email, &strong_password());
    send(
        Client::new()
            .post(format!("{address}{USERS_PATH}"))
            .header(ACCEPT, JSONAPI_MEDIA_TYPE)
            .header(CONTENT_TYPE, JSONAPI_MEDIA_TYPE)
            .body(document.to_string()),
    )
    .await
}

#[tokio::test]
async fn migrating_up_creates_the_tables_down_removes_them_and_up_restores_them() {
    // Arrange
    let database = fresh_database().await;
    let db = connect(database.url()).await;

    // Act
    Migrator::up(&db, None).await.expect("the migrations apply");
    let after_up = existing_tables(&db).await;
    Migrator::down(&db, None)
        .await
        .expect("the migrations roll back");
    let after_down = existing_tables(&db).await;
    Migrator::up(&db, None)
        .await
        .expect("the migrations apply again");
    let after_second_up = existing_tables(&db).await;

    // Assert
    assert_eq!(after_up, TABLES, "up creates both tables");
    assert!(
        after_down.is_empty(),
        "down removes them: {after_down:?} remain"
    );
    assert_eq!(after_second_up, TABLES, "up again restores both tables");
    let pending: Vec<String> = Migrator::get_pending_migrations(&db)
        .await
        .expect("the migration table can be read")
        .iter()
        .map(|migration| migration.name().to_owned())
        .collect();
    assert!(pending.is_empty(), "nothing is pending: {pending:?}");
}

#[tokio::test]
async fn the_service_works_on_a_database_migrated_up_down_and_up_again() {
    // Arrange
    let database = fresh_database().await;
    let db = connect(database.url()).await;
    Migrator::up(&db, None).await.expect("the migrations apply");
    Migrator::down(&db, None)
        .await
        .expect("the migrations roll back");
    Migrator::up(&db, None)
        .await
        .expect("the migrations apply again");
    db.close().await.expect("the connection closes");
    let address = serve(database.url()).await;

    // Act
    let first = register(&address, "ada@example.com").await;
    let duplicate = register(&address, "ada@example.com").await;

    // Assert
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    assert_eq!(duplicate.status, StatusCode::CONFLICT, "{}", duplicate.text);
}

/// Makes the database's default collation case- and accent-insensitive on MySQL and
/// MariaDB, as a server's usual default is, so that only the migrations' own
/// `utf8mb4_bin` can keep `zoë` and `zoe` apart. Nothing to do elsewhere.
async fn insensitive_default_collation(database_url: &str) {
    if backend() != Backend::MySql {
        return;
    }
    let db = connect(database_url).await;
    db.execute_unprepared("ALTER DATABASE CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        .await
        .expect("the default collation can be changed");
    db.close().await.expect("the connection closes");
}

fn error_code(response: &TestResponse) -> Value {
    response.json()["errors"][0]["code"].clone()
}

#[tokio::test]
async fn non_ascii_emails_differing_only_in_case_are_one_address_on_every_backend() {
    // Arrange
    let database = fresh_database().await;
    insensitive_default_collation(database.url()).await;
    let address = serve(database.url()).await;
    let first = register(&address, "Zoë@Exämple.com").await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);

    // Act
    let lower = register(&address, "zoë@exämple.com").await;
    let upper = register(&address, "ZOË@EXÄMPLE.COM").await;

    // Assert
    assert_eq!(lower.status, StatusCode::CONFLICT, "{}", lower.text);
    assert_eq!(error_code(&lower), "email_taken");
    assert_eq!(
        upper.status,
        StatusCode::CONFLICT,
        "non-ASCII letters are lower-cased too: {}",
        upper.text
    );
    assert_eq!(error_code(&upper), "email_taken");
}

#[tokio::test]
async fn an_email_differing_only_by_a_diaeresis_is_another_address_on_every_backend() {
    // Arrange
    let database = fresh_database().await;
    insensitive_default_collation(database.url()).await;
    let address = serve(database.url()).await;
    let first = register(&address, "Zoë@Exämple.com").await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);

    // Act
    let without_diaeresis = register(&address, "zoe@exämple.com").await;

    // Assert
    assert_eq!(
        without_diaeresis.status,
        StatusCode::CREATED,
        "zoe@ is not zoë@ (an accent-insensitive collation would merge them): {}",
        without_diaeresis.text
    );
    assert_ne!(
        first.json()["data"]["id"],
        without_diaeresis.json()["data"]["id"],
        "two users"
    );
}

/// The total a page of users would report, of `role` alone when given.
async fn page_total(db: &DatabaseConnection, role: Option<Role>) -> u64 {
    let listing = Listing {
        filters: Filters {
            role,
            ..Filters::default()
        },
        sort: Vec::new(),
        page: Page::new(None, None).expect("the default page"),
    };
    listing::total(db, &listing)
        .await
        .expect("the total is read")
}

#[tokio::test]
async fn the_user_counts_migration_counts_the_users_already_stored() {
    // Arrange
    let database = fresh_database().await;
    let db = connect(database.url()).await;
    Migrator::up(&db, Some(3))
        .await
        .expect("the migrations before the counts apply");
    let now = chrono::Utc::now();
    // Stored as the table was then: the entity of today has columns
    // later migrations add.
    for (n, role) in [Role::User, Role::User, Role::User, Role::Admin]
        .into_iter()
        .enumerate()
    {
        let email = format!("before{n}@example.com");
        let insert = Query::insert()
            .into_table(Alias::new("users"))
            .columns(
                [
                    "name",
                    "email",
                    "email_normalized",
                    "password_hash",
                    "role",
                    "token_generation",
                    "created_at",
                    "updated_at",
                ]
                .map(Alias::new),
            )
            .values_panic([
                format!("Stored Before {n}").into(),
                email.clone().into(),
                email.into(),
                "not a real hash".into(),
                role.as_str().into(),
                0.into(),
                now.into(),
                now.into(),
            ])
            .to_owned();
        db.execute(&insert).await.expect("a user is stored");
    }

    // Act
    Migrator::up(&db, None)
        .await
        .expect("the counts migration applies");

    // Assert
    assert_eq!(page_total(&db, None).await, 4);
    assert_eq!(page_total(&db, Some(Role::User)).await, 3);
    assert_eq!(page_total(&db, Some(Role::Admin)).await, 1);
}
