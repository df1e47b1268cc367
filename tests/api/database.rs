//! The database a test runs against: a fresh SQLite file by default, or a
//! fresh database on the PostgreSQL or MariaDB/MySQL server named by
//! `TEST_DATABASE_URL` (a server URL without a database name, such as
//! `postgres://postgres@127.0.0.1:5432` or `mysql://root@127.0.0.1:3306`).
//! Each test's database is dropped when the test ends, so runs never see
//! each other's data and can run in parallel.

use sea_orm::{ConnectionTrait, Database};
use tempfile::TempDir;
use url::Url;
use uuid::Uuid;

/// Which kind of database the suite runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
    MySql,
}

/// The server named by `TEST_DATABASE_URL`, if any.
fn server_url() -> Option<Url> {
    let text = std::env::var("TEST_DATABASE_URL").ok()?;
    Some(
        Url::parse(&text)
            .unwrap_or_else(|error| panic!("TEST_DATABASE_URL={text} is not a URL: {error}")),
    )
}

/// The backend this run of the suite uses.
pub fn backend() -> Backend {
    match server_url() {
        None => Backend::Sqlite,
        Some(url) => match url.scheme() {
            "postgres" | "postgresql" => Backend::Postgres,
            "mysql" | "mariadb" => Backend::MySql,
            other => panic!("TEST_DATABASE_URL has scheme {other}; use postgres:// or mysql://"),
        },
    }
}

/// A database that lives exactly as long as one test.
pub struct TestDatabase {
    url: String,
    place: Place,
}

enum Place {
    /// A SQLite file in a temporary directory, removed with the directory.
    File(#[allow(dead_code)] TempDir),
    /// A database on a shared server, dropped when the test ends.
    Server { server: Url, name: String },
}

impl TestDatabase {
    pub fn url(&self) -> &str {
        &self.url
    }
}

/// A URL on `server` for database `name` (the empty name: the server itself).
fn database_url(server: &Url, name: &str) -> String {
    let mut url = server.clone();
    url.set_path(&format!("/{name}"));
    url.to_string()
}

/// Where to connect to create and drop databases.
fn maintenance_url(server: &Url) -> String {
    match backend() {
        Backend::Postgres => database_url(server, "postgres"),
        _ => database_url(server, ""),
    }
}

/// A new, empty database for one test.
pub async fn fresh_database() -> TestDatabase {
    let Some(server) = server_url() else {
        let directory = tempfile::tempdir().expect("a temporary directory for the database");
        return TestDatabase {
            url: format!(
                "sqlite://{}/users.sqlite?mode=rwc",
                directory.path().display()
            ),
            place: Place::File(directory),
        };
    };
    let name = format!("users_test_{}", Uuid::new_v4().simple());
    let create = match backend() {
        Backend::MySql => {
            format!("CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
        }
        _ => format!("CREATE DATABASE {name}"),
    };
    let maintenance = Database::connect(maintenance_url(&server))
        .await
        .unwrap_or_else(|error| panic!("cannot reach the test database server: {error}"));
    maintenance
        .execute_unprepared(&create)
        .await
        .expect("a test database can be created");
    maintenance.close().await.expect("the connection closes");
    TestDatabase {
        url: database_url(&server, &name),
        place: Place::Server { server, name },
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Place::Server { server, name } = &self.place else {
            return;
        };
        let drop = match backend() {
            // The service under test may still hold connections to it.
            Backend::Postgres => format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            _ => format!("DROP DATABASE IF EXISTS {name}"),
        };
        let maintenance = maintenance_url(server);
        // Drop cannot await, and the test's runtime may be shutting down: use
        // a runtime of our own on a thread of our own.
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime to drop the database")
                .block_on(async move {
                    let connection = Database::connect(maintenance).await?;
                    connection.execute_unprepared(&drop).await?;
                    connection.close().await
                })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop test database {name}: {dropped:?}");
        }
    }
}
