//! Durability, Jepsen-style: clients register distinct users concurrently and record which
//! registrations the service acknowledged (201) while the real binary is killed with SIGKILL at
//! random moments and restarted on the same database and port. Afterwards every acknowledged
//! user is stored exactly once, and no user is stored that no client sent. A registration that
//! failed (connection reset or refused, 5xx) may or may not have been stored: both are allowed.
//!
//! Runs on SQLite (a file in a temporary directory) and on the PostgreSQL or MariaDB/MySQL
//! server named by `TEST_DATABASE_URL`.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use sea_orm::{ConnectionTrait, Database, Statement};

use crate::database::fresh_database;
use crate::helpers::{JSONAPI_MEDIA_TYPE, registration, strong_password};
use crate::process::{Service, free_port, registering_client};

/// How many times the service is killed and restarted.
const KILLS: usize = 4;
/// Concurrent clients.
const CLIENTS: usize = 6;

/// What one client sent and what it was told.
#[derive(Default)]
struct History {
    /// Every email a registration was sent for.
    sent: Vec<String>,
    /// The emails whose registration was answered 201.
    acknowledged: Vec<String>,
    /// Registrations with no answer (refused, reset, timed out).
    unanswered: usize,
    /// Any other answer, by status.
    other: Vec<(String, u16)>,
}

async fn client(
    index: usize,
    port: u16,
    stop: Arc<AtomicBool>,
    acknowledged: Arc<AtomicUsize>,
) -> History {
    let (http, url) = registering_client(port);
    let password = strong_password();
    let mut history = History::default();
    let mut sequence = 0;
    while !stop.load(Ordering::Relaxed) {
        let email = format!("durable-{index}-{sequence}@example.com");
        sequence += 1;
        history.sent.push(email.clone());
        let sent = http
            .post(&url)
            .header(CONTENT_TYPE, JSONAPI_MEDIA_TYPE)
            .header(ACCEPT, JSONAPI_MEDIA_TYPE)
            .body(registration("Durable User", &email, &password).to_string())
            .send()
            .await;
        match sent {
            Ok(response) if response.status() == StatusCode::CREATED => {
                history.acknowledged.push(email);
                acknowledged.fetch_add(1, Ordering::Relaxed);
            }
            Ok(response) => history.other.push((email, response.status().as_u16())),
            Err(_) => {
                history.unanswered += 1;
                // The service is down or restarting: do not spin.
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
        }
    }
    history
}

/// Every email stored, with how often.
async fn stored_emails(database_url: &str) -> HashMap<String, usize> {
    let connection = Database::connect(database_url)
        .await
        .expect("the test can reach the database");
    let rows = connection
        .query_all_raw(Statement::from_string(
            connection.get_database_backend(),
            "SELECT email FROM users",
        ))
        .await
        .expect("the users can be read");
    let mut counts = HashMap::new();
    for row in rows {
        let email: String = row.try_get("", "email").expect("an email column");
        *counts.entry(email).or_insert(0) += 1;
    }
    connection.close().await.expect("the connection closes");
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_acknowledged_registration_survives_sigkill_and_restart() {
    // Arrange
    let database = fresh_database().await;
    let port = free_port();
    let mut service = Service::start(database.url(), port).await;
    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged_so_far = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|index| {
            tokio::spawn(client(
                index,
                port,
                stop.clone(),
                acknowledged_so_far.clone(),
            ))
        })
        .collect();

    // Act: kill at random moments, restart each time on the same database
    // and port; the last incarnation acknowledges writes too.
    service
        .kill_repeatedly(KILLS, 300..1500, &acknowledged_so_far)
        .await;
    stop.store(true, Ordering::Relaxed);
    let mut histories = Vec::new();
    for handle in clients {
        histories.push(handle.await.expect("a client finishes"));
    }
    let stored = stored_emails(database.url()).await;

    // Assert
    let sent: HashSet<&String> = histories.iter().flat_map(|h| &h.sent).collect();
    let acknowledged: Vec<&String> = histories.iter().flat_map(|h| &h.acknowledged).collect();
    let unanswered: usize = histories.iter().map(|h| h.unanswered).sum();
    let other: Vec<&(String, u16)> = histories.iter().flat_map(|h| &h.other).collect();
    eprintln!(
        "durability: {KILLS} kills survived; {} registrations sent, {} acknowledged and checked, \
         {unanswered} unanswered, {} other answers; {} users stored",
        sent.len(),
        acknowledged.len(),
        other.len(),
        stored.len()
    );
    assert!(
        other.iter().all(|(_, status)| *status >= 500),
        "a registration was refused as a client error: {other:?}"
    );
    let lost: Vec<&&String> = acknowledged
        .iter()
        .filter(|email| stored.get(**email) != Some(&1))
        .collect();
    assert!(
        lost.is_empty(),
        "acknowledged but not stored exactly once: {lost:?}"
    );
    let invented: Vec<&String> = stored
        .keys()
        .filter(|email| !sent.contains(email))
        .collect();
    assert!(invented.is_empty(), "stored but never sent: {invented:?}");
    let duplicated: Vec<_> = stored.iter().filter(|(_, count)| **count > 1).collect();
    assert!(
        duplicated.is_empty(),
        "stored more than once: {duplicated:?}"
    );
}
