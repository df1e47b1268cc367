//! The subcommands, run as the real binary on a fresh database of the suite's backend:
//! `openapi`, `migrate`, `create-admin` and a refused `serve`.

use std::io::{Read, Write};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use migration::SchemaManager;
use reqwest::header::ACCEPT;
use reqwest::{Client, StatusCode};
use serde_json::Value;
use users_service::config::Settings;
use users_service::startup::Application;

use crate::database::fresh_database;
use crate::helpers::{
    JSONAPI_MEDIA_TYPE, TOKEN_PATH, TestResponse, USERS_PATH, send, strong_password, unique_email,
};
use crate::process::SERVICE_VARIABLES;

/// The binary Cargo built for this package.
const BINARY: &str = env!("CARGO_BIN_EXE_users-service");
/// Long enough for a slow database server, short enough that a server that
/// starts when it should not cannot hang the suite.
const TIMEOUT: Duration = Duration::from_secs(60);
/// The migrations of the `migration` crate, in order.
const MIGRATIONS: [&str; 10] = [
    "m20261121_000001_create_users",
    "m20261121_000002_create_sign_in_failures",
    "m20261201_000003_sort_indexes",
    "m20261201_000004_user_counts",
    "m20261202_000005_create_posts",
    "m20261202_000006_row_versions",
    "m20261202_000007_idempotency_keys",
    "m20261202_000008_trigram_search",
    "m20261202_000009_posts_pinned_id_index",
    "m20261202_000010_post_counts",
];

/// What one run of the binary did.
struct Run {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

impl Run {
    /// Both streams, for messages and for checking what was never printed.
    fn output(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    fn assert_success(&self) {
        assert!(
            self.status.success(),
            "the command failed ({}); stdout: {:?}; stderr: {:?}",
            self.status,
            self.stdout,
            self.stderr
        );
    }
}

/// Runs the binary with `args` and only the variables in `env`, writing `stdin` (if any) to
/// its standard input; kills it and fails the test if it runs longer than `TIMEOUT`.
fn run(args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Run {
    let mut command = Command::new(BINARY);
    command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for name in SERVICE_VARIABLES {
        command.env_remove(name);
    }
    command.envs(env.iter().copied());
    let mut child = command.spawn().expect("the binary starts");

    let mut input = child.stdin.take().expect("a standard input");
    if let Some(text) = stdin {
        input
            .write_all(text.as_bytes())
            .expect("standard input can be written");
    }
    drop(input);
    // Read both streams on threads of their own, so a full pipe never blocks the child.
    let mut stdout = child.stdout.take().expect("a standard output");
    let mut stderr = child.stderr.take().expect("a standard error");
    let stdout = std::thread::spawn(move || {
        let mut text = String::new();
        stdout.read_to_string(&mut text).map(|_| text)
    });
    let stderr = std::thread::spawn(move || {
        let mut text = String::new();
        stderr.read_to_string(&mut text).map(|_| text)
    });

    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("the child can be waited for") {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            let stderr = stderr.join().ok().and_then(Result::ok).unwrap_or_default();
            panic!(
                "`users-service {}` still ran after {TIMEOUT:?}; stderr: {stderr:?}",
                args.join(" ")
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        status,
        stdout: stdout
            .join()
            .expect("the reader ends")
            .expect("standard output is UTF-8"),
        stderr: stderr
            .join()
            .expect("the reader ends")
            .expect("standard error is UTF-8"),
    }
}

/// Like `run`, off the async runtime, so the test's runtime stays free.
async fn run_async(args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Run {
    let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect();
    let stdin = stdin.map(str::to_owned);
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let env: Vec<(&str, &str)> = env
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        run(&args, &env, stdin.as_deref())
    })
    .await
    .expect("the command runs")
}

/// `migrate status` as (name, status) pairs.
async fn migration_status(database_url: &str) -> Vec<(String, String)> {
    let run = run_async(
        &["migrate", "status"],
        &[("DATABASE_URL", database_url)],
        None,
    )
    .await;
    run.assert_success();
    run.stdout
        .lines()
        .map(|line| {
            let (name, status) = line.split_once('\t').unwrap_or_else(|| {
                panic!("a line of `migrate status` is name<TAB>status: {line:?}")
            });
            (name.to_owned(), status.to_owned())
        })
        .collect()
}

/// What `migrate status` prints when every migration has `status`.
fn every_migration(status: &str) -> Vec<(String, String)> {
    MIGRATIONS
        .iter()
        .map(|name| ((*name).to_owned(), status.to_owned()))
        .collect()
}

/// Whether the table exists in the database at `database_url`.
async fn has_table(database_url: &str, table: &str) -> bool {
    let db = sea_orm::Database::connect(database_url)
        .await
        .expect("the test connects to its database");
    let exists = SchemaManager::new(&db)
        .has_table(table)
        .await
        .expect("the schema can be inspected");
    db.close().await.expect("the connection closes");
    exists
}

/// Which of `indexes` exist on the users table at `database_url`.
async fn users_indexes(database_url: &str, indexes: &[&'static str]) -> Vec<&'static str> {
    let db = sea_orm::Database::connect(database_url)
        .await
        .expect("the test connects to its database");
    let manager = SchemaManager::new(&db);
    let mut present = Vec::new();
    for index in indexes {
        if manager
            .has_index("users", index)
            .await
            .expect("the schema can be inspected")
        {
            present.push(*index);
        }
    }
    db.close().await.expect("the connection closes");
    present
}

/// The service started from the library on an existing database, as `serve` would.
async fn serve(database_url: &str) -> String {
    let application = Application::build(Settings::for_database(database_url))
        .await
        .expect("the application starts on the database");
    let address = format!("http://{}", application.local_addr());
    tokio::spawn(application.run_until_stopped());
    address
}

/// Signs in with the password grant as a form; returns the response.
async fn request_token(address: &str, email: &str, password: &str) -> TestResponse {
    let form = [
        ("grant_type", "password"),
        ("username", email),
        ("password", password),
    ];
    send(
        Client::new()
            .post(format!("{address}{TOKEN_PATH}"))
            .form(&form),
    )
    .await
}

/// Signs in as `email` on a service serving `database_url` and lists users, which only an
/// admin may do; fails the test unless both succeed.
async fn assert_admin_can_sign_in_and_list_users(database_url: &str, email: &str, password: &str) {
    let address = serve(database_url).await;

    let token_response = request_token(&address, email, password).await;
    assert_eq!(
        token_response.status,
        StatusCode::OK,
        "the admin signs in: {}",
        token_response.text
    );
    let token = token_response.json()["access_token"]
        .as_str()
        .expect("an access_token string")
        .to_owned();

    let listing = send(
        Client::new()
            .get(format!("{address}{USERS_PATH}"))
            .header(ACCEPT, JSONAPI_MEDIA_TYPE)
            .bearer_auth(&token),
    )
    .await;
    assert_eq!(
        listing.status,
        StatusCode::OK,
        "an admin lists users: {}",
        listing.text
    );
    let body = listing.json();
    let emails: Vec<&str> = body["data"]
        .as_array()
        .expect("a data array")
        .iter()
        .filter_map(|user| user["attributes"]["email"].as_str())
        .collect();
    assert_eq!(emails, [email], "the admin is the one user listed");
}

#[tokio::test]
async fn openapi_prints_the_committed_openapi_document() {
    // Arrange
    let committed_path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/v1.json");
    let committed: Value = serde_json::from_str(
        &std::fs::read_to_string(committed_path).expect("openapi/v1.json can be read"),
    )
    .expect("openapi/v1.json is JSON");

    // Act
    let run = run_async(&["openapi"], &[], None).await;

    // Assert
    run.assert_success();
    let printed: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|error| panic!("`openapi` prints JSON ({error}): {:?}", run.stdout));
    let version = printed["openapi"].as_str().expect("an openapi version");
    assert!(version.starts_with("3."), "OpenAPI 3, got {version}");
    assert!(
        printed == committed,
        "`openapi` prints what openapi/v1.json holds: regenerate it with \
         `cargo run -- openapi v1 > openapi/v1.json`"
    );
}

#[tokio::test]
async fn migrate_applies_every_migration_and_status_lists_them_as_applied() {
    // Arrange
    let database = fresh_database().await;

    // Act
    let migrate = run_async(&["migrate"], &[("DATABASE_URL", database.url())], None).await;
    let status = migration_status(database.url()).await;

    // Assert
    migrate.assert_success();
    assert_eq!(status, every_migration("Applied"));
    assert!(has_table(database.url(), "users").await);
    assert!(has_table(database.url(), "sign_in_failures").await);
}

#[tokio::test]
async fn migrate_down_every_step_unapplies_all_and_migrate_up_applies_them_again() {
    // Arrange
    let database = fresh_database().await;
    let env = [("DATABASE_URL", database.url())];
    run_async(&["migrate", "up"], &env, None)
        .await
        .assert_success();
    let steps = MIGRATIONS.len().to_string();

    // Act
    let down = run_async(&["migrate", "down", "--steps", &steps], &env, None).await;
    let status_after_down = migration_status(database.url()).await;
    let users_after_down = has_table(database.url(), "users").await;
    let up = run_async(&["migrate", "up"], &env, None).await;
    let status_after_up = migration_status(database.url()).await;

    // Assert
    down.assert_success();
    assert_eq!(status_after_down, every_migration("Pending"));
    assert!(!users_after_down, "migrate down drops the users table");
    up.assert_success();
    assert_eq!(status_after_up, every_migration("Applied"));
    assert!(has_table(database.url(), "users").await);
    assert!(has_table(database.url(), "sign_in_failures").await);
}

#[tokio::test]
async fn migrate_down_past_the_sort_indexes_puts_back_the_single_column_indexes() {
    // Arrange
    let database = fresh_database().await;
    let env = [("DATABASE_URL", database.url())];
    let single = [
        "users_name_idx",
        "users_role_idx",
        "users_created_at_idx",
        "users_updated_at_idx",
    ];
    let sort = [
        "users_name_id_idx",
        "users_role_id_idx",
        "users_role_name_id_idx",
        "users_created_at_id_idx",
        "users_updated_at_id_idx",
    ];
    run_async(&["migrate", "up"], &env, None)
        .await
        .assert_success();
    let after_up = (
        users_indexes(database.url(), &single).await,
        users_indexes(database.url(), &sort).await,
    );

    // Act: back past the posts, the counts and the sort indexes.
    let steps = (MIGRATIONS.len()
        - MIGRATIONS
            .iter()
            .position(|name| *name == "m20261201_000003_sort_indexes")
            .expect("the sort indexes are a migration"))
    .to_string();
    let down = run_async(&["migrate", "down", "--steps", &steps], &env, None).await;

    // Assert
    down.assert_success();
    assert_eq!(after_up, (Vec::new(), sort.to_vec()));
    assert_eq!(
        (
            users_indexes(database.url(), &single).await,
            users_indexes(database.url(), &sort).await,
        ),
        (single.to_vec(), Vec::new())
    );
}

#[tokio::test]
async fn create_admin_takes_the_password_from_admin_password_and_the_admin_can_list_users() {
    // Arrange
    let database = fresh_database().await;
    let email = unique_email("root");
    let password = strong_password();

    // Act
    let run = run_async(
        &["create-admin", "--email", &email, "--name", "Root Admin"],
        &[
            ("DATABASE_URL", database.url()),
            ("ADMIN_PASSWORD", &password),
        ],
        None,
    )
    .await;

    // Assert
    run.assert_success();
    assert!(
        run.stdout.contains(&email),
        "the new admin is named: {:?}",
        run.stdout
    );
    assert!(
        !run.output().contains(&password),
        "the password is never printed"
    );
    assert_admin_can_sign_in_and_list_users(database.url(), &email, &password).await;
}

#[tokio::test]
async fn create_admin_reads_the_password_from_standard_input_without_admin_password() {
    // Arrange
    let database = fresh_database().await;
    let email = unique_email("root");
    let password = strong_password();

    // Act
    let run = run_async(
        &["create-admin", "--email", &email, "--name", "Root Admin"],
        &[("DATABASE_URL", database.url())],
        Some(&format!("{password}\n")),
    )
    .await;

    // Assert
    run.assert_success();
    assert!(
        !run.output().contains(&password),
        "the password is never printed"
    );
    assert_admin_can_sign_in_and_list_users(database.url(), &email, &password).await;
}

#[tokio::test]
async fn create_admin_with_a_too_short_password_fails_naming_the_problem_without_printing_it() {
    // Arrange
    let database = fresh_database().await;
    let email = unique_email("root");
    let password = "Sh0rt!pw#9";

    // Act
    let run = run_async(
        &["create-admin", "--email", &email, "--name", "Root Admin"],
        &[
            ("DATABASE_URL", database.url()),
            ("ADMIN_PASSWORD", password),
        ],
        None,
    )
    .await;

    // Assert
    assert!(
        !run.status.success(),
        "a too-short password is refused: {}",
        run.output()
    );
    assert!(
        run.stderr.contains("password") && run.stderr.contains("15"),
        "the message says the password must be at least 15 characters: {:?}",
        run.stderr
    );
    assert!(
        !run.output().contains(password),
        "the password is never printed"
    );
    let address = serve(database.url()).await;
    let sign_in = request_token(&address, &email, password).await;
    assert_eq!(
        sign_in.status,
        StatusCode::BAD_REQUEST,
        "no admin was created, so signing in is invalid_grant: {}",
        sign_in.text
    );
    assert_eq!(sign_in.json()["error"], "invalid_grant");
}

#[tokio::test]
async fn serve_refuses_to_start_with_a_jwt_secret_shorter_than_32_bytes() {
    // Arrange
    let database = fresh_database().await;
    let short_secret = "0123456789abcdef0123456789abcde"; // 31 bytes

    // Act
    let run = run_async(
        &["serve"],
        &[
            ("DATABASE_URL", database.url()),
            ("LISTEN_ADDR", "127.0.0.1:0"),
            ("JWT_SECRET", short_secret),
        ],
        None,
    )
    .await;

    // Assert
    assert!(
        !run.status.success(),
        "serve exits with an error: {}",
        run.output()
    );
    assert!(
        run.stderr.contains("JWT_SECRET") && run.stderr.contains("32"),
        "the message names JWT_SECRET and its minimum length: {:?}",
        run.stderr
    );
    assert!(
        !run.output().contains(short_secret),
        "the secret is never printed"
    );
}
