//! The real binary as a child process, for tests that kill it, signal it or watch its memory.
//! Only the processes started here are ever signalled, by their own PID.

use std::net::TcpListener;
use std::ops::Range;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use uuid::Uuid;

use crate::helpers::USERS_PATH;

/// The binary Cargo built for this package.
const BINARY: &str = env!("CARGO_BIN_EXE_users-service");
/// How long a start (migrations included) may take.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How many writes each incarnation of a killed service acknowledges before
/// the next kill, and the last one before [`Service::kill_repeatedly`]
/// returns: a pace rather than a time, so that a loaded machine (the suite
/// beside it, a build) slows a SIGKILL test down instead of leaving it
/// nothing to check.
const ACKNOWLEDGED_PER_INCARNATION: usize = 5;
/// How long an incarnation may take to acknowledge them.
const PROGRESS_TIMEOUT: Duration = Duration::from_secs(60);
/// Variables the binary reads, which the environment running the suite must not leak into it.
pub const SERVICE_VARIABLES: [&str; 11] = [
    "DATABASE_URL",
    "LISTEN_ADDR",
    "JWT_SECRET",
    "JWT_TTL_SECONDS",
    "CORS_ALLOWED_ORIGINS",
    "MAX_BODY_BYTES",
    "DATABASE_POOL_SIZE",
    "RUST_LOG",
    "LOG_FORMAT",
    "ADMIN_PASSWORD",
    "TEST_DATABASE_URL",
];

/// A client for a service that may be killed under it, which gives up on
/// an answer in time, and the URL it registers users at.
pub fn registering_client(port: u16) -> (reqwest::Client, String) {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("an HTTP client");
    (http, format!("http://127.0.0.1:{port}{USERS_PATH}"))
}

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free local port")
        .port()
}

/// The service, running as a child process on `port` over `database_url`. Dropping it kills the
/// process if it still runs.
pub struct Service {
    child: Child,
    pub port: u16,
    database_url: String,
    jwt_secret: String,
    /// Standard error, kept in a file so a failed start can say why.
    log: tempfile::NamedTempFile,
}

impl Service {
    /// Starts the binary and waits until /health/ready answers 200.
    pub async fn start(database_url: &str, port: u16) -> Self {
        let jwt_secret = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
        let log = tempfile::NamedTempFile::new().expect("a file for the service's log");
        let child = spawn(database_url, port, &jwt_secret, &log);
        let mut service = Self {
            child,
            port,
            database_url: database_url.to_owned(),
            jwt_secret,
            log,
        };
        service.wait_ready().await;
        service
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// What the service wrote to standard error so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap_or_default()
    }

    async fn wait_ready(&mut self) {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .expect("an HTTP client");
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("the child can be waited for") {
                panic!(
                    "the service exited ({status}) while starting: {}",
                    self.log()
                );
            }
            if let Ok(response) = client.get(self.url("/health/ready")).send().await
                && response.status().is_success()
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the service was not ready within {START_TIMEOUT:?}: {}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// SIGKILL (what `Child::kill` sends on Unix), then reaps the process.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Kills the process and starts a new one on the same database, port and secret.
    pub async fn restart_after_kill(&mut self) {
        self.kill();
        self.child = spawn(&self.database_url, self.port, &self.jwt_secret, &self.log);
        self.wait_ready().await;
    }

    /// Kills the process `kills` times and restarts it each time, the kill
    /// coming a random number of milliseconds out of `pause` after the
    /// restart, and not before clients have counted
    /// [`ACKNOWLEDGED_PER_INCARNATION`] more acknowledged writes in
    /// `acknowledged`; returns once the last incarnation has acknowledged as
    /// many.
    pub async fn kill_repeatedly(
        &mut self,
        kills: usize,
        pause: Range<u64>,
        acknowledged: &AtomicUsize,
    ) {
        for _ in 0..kills {
            let before = acknowledged.load(Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(rand::random_range(pause.clone()))).await;
            wait_until_acknowledged(acknowledged, before + ACKNOWLEDGED_PER_INCARNATION).await;
            self.restart_after_kill().await;
        }
        let before = acknowledged.load(Ordering::Relaxed);
        wait_until_acknowledged(acknowledged, before + ACKNOWLEDGED_PER_INCARNATION).await;
    }

    /// Sends `signal` (such as `TERM`) with kill(1), to this process only.
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.pid().to_string())
            .status()
            .expect("kill(1) runs");
        assert!(status.success(), "kill -{signal} {} failed", self.pid());
    }

    /// Waits up to `timeout` for the process to exit.
    pub async fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("the child can be waited for") {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// A line of /proc/<pid>/status in kB, such as `VmRSS` or `VmHWM`.
    pub fn memory_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .expect("/proc/<pid>/status is readable");
        status
            .lines()
            .find_map(|line| line.strip_prefix(&format!("{field}:")))
            .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("no {field} in /proc/{}/status", self.pid()))
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            self.kill();
        }
    }
}

async fn wait_until_acknowledged(acknowledged: &AtomicUsize, count: usize) {
    let deadline = Instant::now() + PROGRESS_TIMEOUT;
    while acknowledged.load(Ordering::Relaxed) < count {
        assert!(
            Instant::now() < deadline,
            "the clients had {} of {count} writes acknowledged within {PROGRESS_TIMEOUT:?}",
            acknowledged.load(Ordering::Relaxed)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn spawn(database_url: &str, port: u16, jwt_secret: &str, log: &tempfile::NamedTempFile) -> Child {
    // Appending, so a restarted process adds to the log instead of overwriting it.
    let stderr = std::fs::OpenOptions::new()
        .append(true)
        .open(log.path())
        .expect("the log file can be opened");
    let mut command = Command::new(BINARY);
    for name in SERVICE_VARIABLES {
        command.env_remove(name);
    }
    command
        .env("DATABASE_URL", database_url)
        .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .env("JWT_SECRET", jwt_secret)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .expect("the binary starts")
}
