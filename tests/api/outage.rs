//! The database goes away and comes back. Meanwhile every request that needs it is answered
//! within a bounded time with a 503 (a JSON:API error document with `Retry-After`) and
//! /health/ready says 503; afterwards the service recovers by itself, without a restart, and
//! every write it acknowledged is still there.
//!
//! Each test runs a PostgreSQL cluster of its own, in a temporary directory on a free port, which
//! it stops (crashes, even) and restarts; none touches the shared server. They need the server's
//! binaries (`/usr/lib/postgresql/*/bin`), so they run in the PostgreSQL pass of the suite only.

use std::future::Future;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database, Statement, TransactionTrait};
use serde_json::Value;
use tempfile::TempDir;

use crate::database::{Backend, backend};
use crate::helpers::{
    ME_PATH, TestApp, TestResponse, USERS_PATH, assert_error, id_of, registration, send,
    spawn_app_with, strong_password, unique_email,
};
use crate::jsonapi_schema::assert_jsonapi;

/// The longest any request may take while the database is down.
const REQUEST_BOUND: Duration = Duration::from_secs(10);
/// The longest the service may take to notice that the database is back.
const RECOVERY_BOUND: Duration = Duration::from_secs(30);
/// The longest `pg_ctl` may take to start or stop the cluster.
const PG_CTL_TIMEOUT_SECONDS: &str = "60";

/// A PostgreSQL cluster of the test's own. Dropping it stops the server, if it runs, and removes
/// its directory, so nothing outlives the test, even one that panics.
struct Cluster {
    /// Where `initdb` and `pg_ctl` live.
    bin: PathBuf,
    /// Holds `data/`, `socket/` and `server.log`.
    directory: TempDir,
    port: u16,
    /// Whether the server's commands run as the `postgres` user: they refuse to run as root.
    as_postgres: bool,
}

impl Cluster {
    /// Creates a cluster with `initdb` and starts it. Blocks: call it through `blocking`.
    fn create() -> Self {
        let bin = server_binaries();
        let as_postgres = running_as_root();
        let directory = tempfile::Builder::new()
            .prefix("outage-postgres-")
            .tempdir()
            .expect("a temporary directory for the cluster");
        std::fs::create_dir(directory.path().join("socket")).expect("a socket directory");
        if as_postgres {
            let mut chown = Command::new("chown");
            chown
                .args(["-R", "postgres:postgres"])
                .arg(directory.path());
            succeed(chown, "chown -R postgres:postgres").unwrap_or_else(|error| panic!("{error}"));
        }
        let cluster = Self {
            bin,
            directory,
            port: free_port(),
            as_postgres,
        };
        let mut initdb = cluster.command("initdb");
        initdb
            .arg("-D")
            .arg(cluster.data())
            .args([
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
            ])
            // Spares the test the fsyncs of the template files; the server itself still syncs
            // its WAL at every commit, which is what keeps acknowledged writes.
            .arg("--no-sync");
        succeed(initdb, "initdb").unwrap_or_else(|error| panic!("{error}"));
        cluster.start();
        cluster
    }

    /// The URL the service connects with.
    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn data(&self) -> PathBuf {
        self.directory.path().join("data")
    }

    fn log(&self) -> PathBuf {
        self.directory.path().join("server.log")
    }

    /// Starts the server on the cluster's port and waits until it accepts connections. Blocks.
    fn start(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            self.port,
            self.directory.path().join("socket").display()
        );
        let mut pg_ctl = self.command("pg_ctl");
        pg_ctl
            .arg("-D")
            .arg(self.data())
            .arg("-l")
            .arg(self.log())
            .arg("-o")
            .arg(options)
            .args(["-w", "-t", PG_CTL_TIMEOUT_SECONDS, "start"]);
        if let Err(error) = succeed(pg_ctl, "pg_ctl start") {
            panic!("{error}\nserver log:\n{}", self.server_log());
        }
    }

    /// Stops the server, `fast` (sessions are ended) or `immediate` (as in a crash: no
    /// checkpoint, recovery from the WAL at the next start), and waits until it is gone. Blocks.
    fn stop(&self, mode: &str) -> Result<(), String> {
        let mut pg_ctl = self.command("pg_ctl");
        pg_ctl.arg("-D").arg(self.data()).args([
            "-m",
            mode,
            "-w",
            "-t",
            PG_CTL_TIMEOUT_SECONDS,
            "stop",
        ]);
        succeed(pg_ctl, "pg_ctl stop")
    }

    fn is_running(&self) -> bool {
        self.data().join("postmaster.pid").exists()
    }

    /// One of the server's programs, run as `postgres` when we are root.
    fn command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        let mut command = if self.as_postgres {
            let mut runuser = Command::new("runuser");
            runuser.args(["-u", "postgres", "--"]).arg(program);
            runuser
        } else {
            Command::new(program)
        };
        command
            .current_dir(self.directory.path())
            .stdin(Stdio::null());
        command
    }

    fn server_log(&self) -> String {
        std::fs::read_to_string(self.log()).unwrap_or_else(|error| format!("(unreadable: {error})"))
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.is_running()
            && let Err(error) = self.stop("immediate")
        {
            eprintln!("could not stop the test's PostgreSQL cluster: {error}");
        }
    }
}

/// Runs `command` to the end; an error names it and carries its output.
fn succeed(mut command: Command, what: &str) -> Result<(), String> {
    let output = command
        .output()
        .map_err(|error| format!("{what} could not be run: {error}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// The `bin` directory of the newest PostgreSQL server installed.
fn server_binaries() -> PathBuf {
    let root = Path::new("/usr/lib/postgresql");
    let mut installed: Vec<(u32, PathBuf)> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let major = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            (bin.join("initdb").is_file() && bin.join("pg_ctl").is_file()).then_some((major, bin))
        })
        .collect();
    installed.sort();
    installed.pop().map(|(_, bin)| bin).unwrap_or_else(|| {
        panic!(
            "no PostgreSQL server under {}/*/bin (initdb, pg_ctl): the PostgreSQL pass of the \
             suite needs one for this test",
            root.display()
        )
    })
}

/// `initdb` and `postgres` refuse to run as root, which the tests may well be.
fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
}

/// A TCP port nothing listens on right now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free local port")
        .port()
}

/// Runs blocking work (a `pg_ctl` command) off the runtime, which keeps serving meanwhile.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(work)
        .await
        .expect("the blocking work finishes without panicking")
}

/// Awaits a request, failing the test if it takes longer than `REQUEST_BOUND`.
async fn within_bound(what: &str, request: impl Future<Output = TestResponse>) -> TestResponse {
    let started = Instant::now();
    let response = tokio::time::timeout(REQUEST_BOUND, request)
        .await
        .unwrap_or_else(|_| panic!("{what}: no answer within {REQUEST_BOUND:?}"));
    let elapsed = started.elapsed();
    assert!(
        elapsed <= REQUEST_BOUND,
        "{what} took {elapsed:?}, more than {REQUEST_BOUND:?}"
    );
    response
}

/// Asserts the answer the contract gives while the database is unreachable: a 503
/// `service_unavailable` error document with a `Retry-After` of whole seconds.
fn assert_unavailable(response: &TestResponse) {
    assert_error(response, 503, "service_unavailable");
    let retry_after: u64 = response
        .header("retry-after")
        .unwrap_or_else(|| panic!("a 503 carries Retry-After: {}", response.text))
        .parse()
        .expect("Retry-After in whole seconds");
    assert!(retry_after >= 1, "Retry-After is at least a second");
}

async fn readiness(app: &TestApp) -> TestResponse {
    send(app.client.get(app.url("/health/ready"))).await
}

/// A user whose registration the service acknowledged with a 201.
struct Account {
    id: i64,
    email: String,
    password: String,
}

async fn register_account(app: &TestApp) -> Account {
    let email = unique_email("durable");
    let password = strong_password();
    let id = app.register_ok("Durable User", &email, &password).await;
    Account {
        id,
        email,
        password,
    }
}

/// The users whose email is `email`, as an admin sees them.
async fn users_with_email(app: &TestApp, admin_token: &str, email: &str) -> Value {
    let response = app
        .get(
            &format!("{USERS_PATH}?filter[email]={email}"),
            Some(admin_token),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_jsonapi(&response)
}

#[tokio::test]
async fn while_the_database_is_down_requests_get_a_prompt_503_and_after_it_no_write_is_lost() {
    if backend() != Backend::Postgres {
        eprintln!(
            "skipped: this test crashes a PostgreSQL cluster of its own, so it runs only in the \
             PostgreSQL pass (TEST_DATABASE_URL=postgres://...)"
        );
        return;
    }

    // Arrange
    let cluster = Arc::new(blocking(Cluster::create).await);
    let database_url = cluster.url();
    let app = spawn_app_with(|settings| settings.database_url = database_url).await;
    let (_, admin_token) = app.create_admin_and_sign_in().await;
    let mut acknowledged = Vec::new();
    for _ in 0..3 {
        acknowledged.push(register_account(&app).await);
    }
    let (me_id, me_token, _, _) = app.register_and_sign_in().await;
    let ready = readiness(&app).await;
    assert_eq!(ready.status, StatusCode::OK, "ready before: {}", ready.text);

    // Act: the database crashes.
    let crashed = Arc::clone(&cluster);
    blocking(move || crashed.stop("immediate"))
        .await
        .unwrap_or_else(|error| panic!("{error}"));

    // Assert: prompt 503s while it is down.
    let ready = within_bound("/health/ready", readiness(&app)).await;
    assert_eq!(
        ready.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "ready while down: {}",
        ready.text
    );
    let email = unique_email("outage");
    let password = strong_password();
    let registering = registration("Outage User", &email, &password);
    assert_unavailable(
        &within_bound("registration", app.post(USERS_PATH, &registering, None)).await,
    );
    assert_unavailable(&within_bound("GET me", app.get(ME_PATH, Some(&me_token))).await);
    assert_unavailable(
        &within_bound(
            "sign-in",
            app.request_token(&[
                ("grant_type", "password"),
                ("username", &acknowledged[0].email),
                ("password", &acknowledged[0].password),
            ]),
        )
        .await,
    );

    // Act: the database comes back on the same port.
    let restarted = Arc::clone(&cluster);
    blocking(move || restarted.start()).await;

    // Assert: the service is ready again by itself, and nothing acknowledged was lost.
    let started = Instant::now();
    loop {
        let ready = within_bound("/health/ready", readiness(&app)).await;
        if ready.status == StatusCode::OK {
            break;
        }
        assert!(
            started.elapsed() < RECOVERY_BOUND,
            "not ready {RECOVERY_BOUND:?} after the database came back: {} {}",
            ready.status,
            ready.text
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for account in &acknowledged {
        let found = users_with_email(&app, &admin_token, &account.email).await;
        assert_eq!(
            found["meta"]["total"], 1,
            "exactly one {}: {found}",
            account.email
        );
        assert_eq!(found["data"][0]["id"], account.id.to_string(), "{found}");
        app.sign_in(&account.email, &account.password).await;
    }
    let me = app.get(ME_PATH, Some(&me_token)).await;
    assert_eq!(
        me.status,
        StatusCode::OK,
        "a token from before: {}",
        me.text
    );
    assert_eq!(id_of(&assert_jsonapi(&me)), me_id);
    // The registration refused while the database was down left nothing behind, and new
    // writes work again.
    let id = app.register_ok("Outage User", &email, &password).await;
    let found = users_with_email(&app, &admin_token, &email).await;
    assert_eq!(found["meta"]["total"], 1, "a write after recovery: {found}");
    assert_eq!(found["data"][0]["id"], id.to_string(), "{found}");
}

#[tokio::test]
async fn a_request_waiting_on_the_database_when_it_goes_down_is_answered_503() {
    if backend() != Backend::Postgres {
        eprintln!(
            "skipped: this test stops a PostgreSQL cluster of its own, so it runs only in the \
             PostgreSQL pass (TEST_DATABASE_URL=postgres://...)"
        );
        return;
    }

    // Arrange: a lock the request will wait behind, so that it is inside the database, not
    // waiting for a connection, when the database goes down.
    let cluster = Arc::new(blocking(Cluster::create).await);
    let database_url = cluster.url();
    let app = spawn_app_with(|settings| settings.database_url = database_url).await;
    let (_, token, _, _) = app.register_and_sign_in().await;
    let blocker = Database::connect(cluster.url())
        .await
        .expect("a connection of the test's own");
    let transaction = blocker.begin().await.expect("a transaction");
    transaction
        .execute_unprepared("LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
        .await
        .expect("the users table can be locked");

    // Act: the database shuts down while the request waits on the lock.
    let request = within_bound("GET me", app.get(ME_PATH, Some(&token)));
    let shutdown = async {
        let started = Instant::now();
        while waiting_on_locks(&transaction).await == 0 {
            assert!(
                started.elapsed() < REQUEST_BOUND,
                "the request never waited on the lock"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let stopping = Arc::clone(&cluster);
        // Immediate, not fast: a fast shutdown may end the lock holder's session first and
        // let the waiting query finish (a fair 200), which made this test a race.
        blocking(move || stopping.stop("immediate"))
            .await
            .unwrap_or_else(|error| panic!("{error}"));
    };
    let (response, ()) = tokio::join!(request, shutdown);

    // Assert
    assert_unavailable(&response);
}

/// How many lock requests wait, as seen from inside `transaction`.
async fn waiting_on_locks(transaction: &impl ConnectionTrait) -> i64 {
    let row = transaction
        .query_one_raw(Statement::from_string(
            transaction.get_database_backend(),
            "SELECT count(*) AS waiting FROM pg_locks WHERE NOT granted",
        ))
        .await
        .expect("pg_locks can be read")
        .expect("a count");
    row.try_get("", "waiting").expect("a count of locks")
}
