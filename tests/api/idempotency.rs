//! `Idempotency-Key` on the operations that create (v1 and v2 users, v2
//! posts): a retry gets the first answer back byte for byte, from any
//! instance and after a restart; another request with the key is 422; a
//! retry while the first runs is 409; keys are per caller and expire; and
//! a SIGKILL of the real binary between a write and its retry never lets
//! the retry write again.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};
use users_service::api::idempotency::fingerprint;
use users_service::idempotency::{Claim, claim};
use uuid::Uuid;

use crate::database::fresh_database;
use crate::helpers::{
    JSONAPI_MEDIA_TYPE, TestApp, TestResponse, USERS_PATH, assert_error, id_of, registration, send,
    spawn_app, spawn_app_with, strong_password, unique_email,
};
use crate::jsonapi_schema::assert_jsonapi;
use crate::process::{Service, free_port, registering_client};
use crate::v2_posts::{POSTS, new_post};

const HEADER: &str = "Idempotency-Key";

async fn post_keyed(
    app: &TestApp,
    path: &str,
    key: &str,
    document: &Value,
    token: Option<&str>,
) -> TestResponse {
    send(
        app.request_with_body(reqwest::Method::POST, path, document, token)
            .header(HEADER, key),
    )
    .await
}

fn key() -> String {
    Uuid::new_v4().to_string()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let db = &app.state.db;
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("the count runs")
        .expect("a count");
    row.try_get_by_index::<i64>(0).expect("a number")
}

async fn users_with_email(app: &TestApp, email: &str) -> i64 {
    count(
        app,
        &format!("SELECT COUNT(*) FROM users WHERE email = '{email}'"),
    )
    .await
}

/// Asserts that `retry` is `first` again, as kept: same status, body and
/// headers that matter, marked as replayed.
fn assert_replayed(first: &TestResponse, retry: &TestResponse) {
    assert_eq!(retry.status, first.status, "{}", retry.text);
    assert_eq!(retry.text, first.text, "the body, byte for byte");
    for header in ["content-type", "location", "etag"] {
        assert_eq!(retry.header(header), first.header(header), "{header}");
    }
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    assert_eq!(first.header("idempotent-replayed"), None);
}

/// Asserts that `response` says the key's first request still runs.
fn assert_in_flight(response: &TestResponse) {
    let error = assert_error(response, 409, "idempotency_key_in_flight");
    assert_eq!(error["source"]["header"], HEADER);
    assert_eq!(response.header("retry-after"), Some("1"));
}

#[tokio::test]
async fn a_retried_registration_gets_the_first_answer_and_registers_once() {
    let app = spawn_app().await;
    for path in [USERS_PATH, "/api/v2/users"] {
        let email = unique_email("retried");
        let document = registration("Retried", &email, &strong_password());
        let key = key();

        let first = post_keyed(&app, path, &key, &document, None).await;
        let retry = post_keyed(&app, path, &key, &document, None).await;

        assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
        assert_jsonapi(&first);
        assert_replayed(&first, &retry);
        assert_eq!(users_with_email(&app, &email).await, 1, "{path}");
    }
}

#[tokio::test]
async fn a_retried_post_is_written_once() {
    let app = spawn_app().await;
    let (author, token, _, _) = app.register_and_sign_in().await;
    let key = key();
    let document = new_post("Written once");

    let first = post_keyed(&app, POSTS, &key, &document, Some(&token)).await;
    let retry = post_keyed(&app, POSTS, &key, &document, Some(&token)).await;

    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    assert_replayed(&first, &retry);
    let posts = count(
        &app,
        &format!("SELECT COUNT(*) FROM posts WHERE author_id = {author}"),
    )
    .await;
    assert_eq!(posts, 1);
}

#[tokio::test]
async fn a_request_without_a_key_is_answered_afresh_each_time() {
    let app = spawn_app().await;
    let (_, token, _, _) = app.register_and_sign_in().await;

    let first = app.post(POSTS, &new_post("Twice"), Some(&token)).await;
    let second = app.post(POSTS, &new_post("Twice"), Some(&token)).await;

    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(second.status, StatusCode::CREATED);
    assert_ne!(id_of(&first.json()), id_of(&second.json()));
    assert_eq!(second.header("idempotent-replayed"), None);
}

#[tokio::test]
async fn a_key_sent_with_another_request_is_422() {
    let app = spawn_app().await;
    let key = key();
    let password = strong_password();
    let first = registration("First", &unique_email("first"), &password);
    let other = registration("Other", &unique_email("other"), &password);
    assert_eq!(
        post_keyed(&app, USERS_PATH, &key, &first, None)
            .await
            .status,
        StatusCode::CREATED
    );

    let reused = post_keyed(&app, USERS_PATH, &key, &other, None).await;
    let elsewhere = post_keyed(&app, "/api/v2/users", &key, &first, None).await;

    for response in [&reused, &elsewhere] {
        let error = assert_error(response, 422, "idempotency_key_reused");
        assert_eq!(error["source"]["header"], HEADER);
    }
}

#[tokio::test]
async fn keys_of_one_caller_are_invisible_to_another() {
    let app = spawn_app().await;
    let (_, alice, _, _) = app.register_and_sign_in().await;
    let (_, bob, _, _) = app.register_and_sign_in().await;
    let key = key();
    let document = new_post("Same key, same words");

    let by_alice = post_keyed(&app, POSTS, &key, &document, Some(&alice)).await;
    let by_bob = post_keyed(&app, POSTS, &key, &document, Some(&bob)).await;

    assert_eq!(by_alice.status, StatusCode::CREATED);
    assert_eq!(by_bob.status, StatusCode::CREATED, "{}", by_bob.text);
    assert_eq!(by_bob.header("idempotent-replayed"), None);
    assert_ne!(id_of(&by_alice.json()), id_of(&by_bob.json()));
}

#[tokio::test]
async fn a_refusal_is_kept_as_the_answer_and_changes_nothing() {
    let app = spawn_app().await;
    let email = unique_email("taken");
    let password = strong_password();
    app.register_ok("Taken", &email, &password).await;
    let key = key();
    let document = registration("Again", &email, &password);

    let first = post_keyed(&app, USERS_PATH, &key, &document, None).await;
    let retry = post_keyed(&app, USERS_PATH, &key, &document, None).await;

    assert_error(&first, 409, "email_taken");
    assert_replayed(&first, &retry);
    assert_eq!(users_with_email(&app, &email).await, 1);
}

#[tokio::test]
async fn a_key_that_is_not_one_is_400() {
    let app = spawn_app().await;
    let document = registration("Keyless", &unique_email("keyless"), &strong_password());
    for bad in ["é", &"k".repeat(256)] {
        let response = send(
            app.request_with_body(reqwest::Method::POST, USERS_PATH, &document, None)
                .header(HEADER, bad.as_bytes()),
        )
        .await;
        let error = assert_error(&response, 400, "invalid_idempotency_key");
        assert_eq!(error["source"]["header"], HEADER, "{bad:?}");
    }
    let quoted = send(
        app.request_with_body(reqwest::Method::POST, USERS_PATH, &document, None)
            .header(HEADER, "\"8e03978e-40d5-43e8-bc93-6894a57f9324\""),
    )
    .await;
    assert_eq!(
        quoted.status,
        StatusCode::CREATED,
        "the draft's quoted form"
    );
}

#[tokio::test]
async fn an_empty_key_is_no_key() {
    let app = spawn_app().await;
    let (_, token, _, _) = app.register_and_sign_in().await;
    for empty in ["", "\"\""] {
        let first = post_keyed(&app, POSTS, empty, &new_post("Unkeyed"), Some(&token)).await;
        let second = post_keyed(&app, POSTS, empty, &new_post("Unkeyed"), Some(&token)).await;

        assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
        assert_eq!(second.status, StatusCode::CREATED, "{}", second.text);
        assert_ne!(id_of(&first.json()), id_of(&second.json()), "{empty:?}");
    }
}

#[tokio::test]
async fn another_instance_gives_the_same_answer() {
    let app = spawn_app().await;
    let replica = app.spawn_replica().await;
    let key = key();
    let document = registration("Anywhere", &unique_email("anywhere"), &strong_password());

    let first = post_keyed(&app, USERS_PATH, &key, &document, None).await;
    let retry = post_keyed(&replica, USERS_PATH, &key, &document, None).await;

    assert_eq!(first.status, StatusCode::CREATED);
    assert_replayed(&first, &retry);
}

#[tokio::test]
async fn concurrent_retries_create_one_resource_and_agree() {
    const ATTEMPTS: usize = 12;
    let app = spawn_app().await;
    let email = unique_email("racing");
    let document = registration("Racing", &email, &strong_password());
    let key = key();

    let racing =
        join_all((0..ATTEMPTS).map(|_| post_keyed(&app, USERS_PATH, &key, &document, None))).await;
    let after = post_keyed(&app, USERS_PATH, &key, &document, None).await;

    let created: Vec<&TestResponse> = racing
        .iter()
        .filter(|response| response.status == StatusCode::CREATED)
        .collect();
    let in_flight = racing
        .iter()
        .filter(|response| response.status == StatusCode::CONFLICT)
        .inspect(|response| {
            assert_in_flight(response);
        })
        .count();
    let stored = users_with_email(&app, &email).await;
    eprintln!(
        "idempotency race ({:?}): {ATTEMPTS} concurrent attempts, {} answered 201 ({} of them \
         replayed), {in_flight} answered 409 in flight; users created: {stored}",
        app.state.db.get_database_backend(),
        created.len(),
        created
            .iter()
            .filter(|response| response.header("idempotent-replayed").is_some())
            .count(),
    );
    assert_eq!(created.len() + in_flight, ATTEMPTS, "no other answer");
    assert_eq!(stored, 1);
    assert_eq!(after.status, StatusCode::CREATED);
    for response in created {
        assert_eq!(response.text, after.text, "every 201 is the one answer");
    }
}

/// While a request runs in this process (here, the test marks its key
/// running), a retry is told so at once, on every database.
#[tokio::test]
async fn a_retry_while_the_first_runs_here_is_409() {
    let app = spawn_app().await;
    let key = key();
    let document = registration("Running", &unique_email("running"), &strong_password());
    let running = app
        .state
        .running_keys
        .start("anonymous", &key)
        .expect("the test marks a new key running");

    let retry = post_keyed(&app, USERS_PATH, &key, &document, None).await;
    drop(running);
    let after = post_keyed(&app, USERS_PATH, &key, &document, None).await;

    assert_in_flight(&retry);
    assert_eq!(after.status, StatusCode::CREATED, "{}", after.text);
}

/// While a request holds its key in another instance (here, a claim the
/// test makes and keeps open), a retry is told so at once. SQLite has no
/// row locks: instances sharing its file would wait for the first request
/// instead; SQLite is served by one instance.
#[tokio::test]
async fn a_retry_while_the_first_runs_elsewhere_is_409() {
    let app = spawn_app().await;
    if app.state.db.get_database_backend() == DbBackend::Sqlite {
        eprintln!("skipped on SQLite, which has no row locks to hold a key across instances");
        return;
    }
    let key = key();
    let document = registration("Running", &unique_email("running"), &strong_password());
    let fingerprint = fingerprint("POST", USERS_PATH, document.to_string().as_bytes());
    let Ok(Claim::Granted(held)) = claim(
        &app.state.db,
        "anonymous",
        &key,
        &fingerprint,
        Duration::from_secs(60),
    )
    .await
    else {
        panic!("the test claims a new key");
    };

    let retry = post_keyed(&app, USERS_PATH, &key, &document, None).await;
    held.abandon().await.expect("the claim is let go");
    let after = post_keyed(&app, USERS_PATH, &key, &document, None).await;

    assert_in_flight(&retry);
    // The first request ended without an answer: its retry runs afresh.
    assert_eq!(after.status, StatusCode::CREATED, "{}", after.text);
}

#[tokio::test]
async fn expired_keys_are_swept_and_may_be_used_again() {
    let app = spawn_app_with(|settings| settings.idempotency_key_ttl_seconds = 1).await;
    let key = key();
    let password = strong_password();
    let first = registration("Expiring", &unique_email("expiring"), &password);
    let later = registration("Later", &unique_email("later"), &password);
    assert_eq!(
        post_keyed(&app, USERS_PATH, &key, &first, None)
            .await
            .status,
        StatusCode::CREATED
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM idempotency_keys").await,
        1
    );

    let deadline = Instant::now() + Duration::from_secs(10);
    while count(&app, "SELECT COUNT(*) FROM idempotency_keys").await > 0 {
        assert!(Instant::now() < deadline, "the expired key was never swept");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let reused = post_keyed(&app, USERS_PATH, &key, &later, None).await;

    assert_eq!(reused.status, StatusCode::CREATED, "{}", reused.text);
    assert_eq!(reused.header("idempotent-replayed"), None);
}

/// How often the SIGKILL test kills the service, and how many clients
/// register meanwhile.
const KILLS: usize = 4;
const CLIENTS: usize = 4;

/// One registration, retried with its key until it is answered 201; the
/// answers it got on the way.
struct Registered {
    email: String,
    id: i64,
    attempts: usize,
    refused: Vec<u16>,
}

async fn register_until_answered(
    http: &reqwest::Client,
    url: &str,
    email: String,
    password: &str,
) -> Registered {
    let key = key();
    let body = registration("Durable", &email, password).to_string();
    let mut attempts = 0;
    let mut refused = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(Instant::now() < deadline, "{email} was never answered 201");
        attempts += 1;
        let sent = http
            .post(url)
            .header(CONTENT_TYPE, JSONAPI_MEDIA_TYPE)
            .header(ACCEPT, JSONAPI_MEDIA_TYPE)
            .header(HEADER, &key)
            .body(body.clone())
            .send()
            .await;
        if let Ok(response) = sent {
            let status = response.status();
            let text = response.text().await.unwrap_or_default();
            if status == StatusCode::CREATED {
                let id = id_of(&serde_json::from_str(&text).expect("a JSON body"));
                return Registered {
                    email,
                    id,
                    attempts,
                    refused,
                };
            }
            refused.push(status.as_u16());
            assert!(
                status.is_server_error() || status == StatusCode::CONFLICT,
                "{email}: {status} {text}"
            );
            if status == StatusCode::CONFLICT {
                assert!(text.contains("idempotency_key_in_flight"), "{text}");
            }
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn keyed_client(
    index: usize,
    port: u16,
    stop: Arc<AtomicBool>,
    answered: Arc<AtomicUsize>,
) -> Vec<Registered> {
    let (http, url) = registering_client(port);
    let password = strong_password();
    let mut registered = Vec::new();
    let mut sequence = 0;
    while !stop.load(Ordering::Relaxed) {
        let email = format!("keyed-{index}-{sequence}@example.com");
        sequence += 1;
        registered.push(register_until_answered(&http, &url, email, &password).await);
        answered.fetch_add(1, Ordering::Relaxed);
    }
    registered
}

/// Clients register, each registration with its own key, retrying it
/// until answered 201, while the real binary is killed with SIGKILL and
/// restarted. Without keys, a retry of a registration whose answer was
/// lost is a 409 for the client's own account; with them, every
/// registration ends in one 201, for the one user stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_retry_after_sigkill_never_registers_twice() {
    let database = fresh_database().await;
    let port = free_port();
    let mut service = Service::start(database.url(), port).await;
    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|index| tokio::spawn(keyed_client(index, port, stop.clone(), answered.clone())))
        .collect();

    service.kill_repeatedly(KILLS, 300..1200, &answered).await;
    stop.store(true, Ordering::Relaxed);
    let mut registered = Vec::new();
    for client in clients {
        registered.extend(client.await.expect("a client finishes"));
    }

    let db = sea_orm::Database::connect(database.url())
        .await
        .expect("the test reaches the database");
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT id, email FROM users",
        ))
        .await
        .expect("the users can be read");
    let mut stored: HashMap<String, Vec<i64>> = HashMap::new();
    for row in rows {
        let email: String = row.try_get("", "email").expect("an email");
        let id: i64 = row.try_get("", "id").expect("an id");
        stored.entry(email).or_default().push(id);
    }
    let retried: Vec<&Registered> = registered
        .iter()
        .filter(|registration| registration.attempts > 1)
        .collect();
    eprintln!(
        "idempotency under SIGKILL: {KILLS} kills; {} registrations, {} of them retried \
         ({} attempts in all, answers on the way {:?}); {} users stored",
        registered.len(),
        retried.len(),
        registered.iter().map(|r| r.attempts).sum::<usize>(),
        retried.iter().flat_map(|r| &r.refused).collect::<Vec<_>>(),
        stored.len()
    );
    assert!(
        !retried.is_empty(),
        "no registration needed a retry: nothing was shown"
    );
    for registration in &registered {
        assert_eq!(
            stored.get(&registration.email),
            Some(&vec![registration.id]),
            "{} is stored once, as the user its 201 named",
            registration.email
        );
    }
    assert_eq!(stored.len(), registered.len(), "no user nobody registered");
}

#[tokio::test]
async fn the_documents_describe_the_header() {
    let app = spawn_app().await;
    for (path, operations) in [
        ("/api/v1/openapi.json", vec![("/api/v1/users.json", "post")]),
        (
            "/api/v2/openapi.json",
            vec![("/api/v2/users", "post"), ("/api/v2/posts", "post")],
        ),
    ] {
        let document = app.get(path, None).await.json();
        for (operation_path, method) in operations {
            let parameters = &document["paths"][operation_path][method]["parameters"];
            let header = parameters
                .as_array()
                .and_then(|parameters| {
                    parameters
                        .iter()
                        .find(|parameter| parameter["name"] == json!(HEADER))
                })
                .unwrap_or_else(|| panic!("{operation_path} documents {HEADER}"));
            assert_eq!(header["in"], "header");
            assert_eq!(header["required"], false);
        }
    }
}
