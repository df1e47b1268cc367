//! Graceful shutdown of the real binary: SIGTERM while sign-ins (argon2, the slowest request)
//! are in flight. They all complete with 200, a connection opened after the signal is
//! refused, and the process exits 0 within its grace period.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::database::fresh_database;
use crate::helpers::{
    JSONAPI_MEDIA_TYPE, TOKEN_PATH, USERS_PATH, registration, strong_password, unique_email,
};
use crate::process::{Service, free_port};

/// Sign-ins in flight when the signal arrives; argon2 runs a few at a time, so they queue.
const IN_FLIGHT: usize = 24;
/// The service's grace period (`SHUTDOWN_GRACE`, 30 s) and some slack.
const EXIT_BOUND: Duration = Duration::from_secs(35);

/// Writes a whole sign-in request on a connection of its own and returns the connection, so
/// the request is on its way before the signal is sent.
async fn send_sign_in(port: u16, email: &str, password: &str) -> TcpStream {
    let body = format!(
        "grant_type=password&username={}&password={}",
        email.replace('@', "%40"),
        password
    );
    let request = format!(
        "POST {TOKEN_PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("a connection before the signal");
    stream
        .write_all(request.as_bytes())
        .await
        .expect("the request is written");
    stream
}

/// Reads the answer to the end: (status, body, when it ended).
async fn read_answer(mut stream: TcpStream) -> (u16, String, Instant) {
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .await
        .expect("the answer can be read");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("a status line: {text:?}"));
    (status, text, Instant::now())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_in_flight_sign_ins_finish_refuses_new_connections_and_exits_0() {
    // Arrange
    let database = fresh_database().await;
    let port = free_port();
    let mut service = Service::start(database.url(), port).await;
    let email = unique_email("shutdown");
    let password = strong_password();
    let registered = reqwest::Client::new()
        .post(service.url(USERS_PATH))
        .header(CONTENT_TYPE, JSONAPI_MEDIA_TYPE)
        .header(ACCEPT, JSONAPI_MEDIA_TYPE)
        .body(registration("Shut Down", &email, &password).to_string())
        .send()
        .await
        .expect("the registration is answered");
    assert_eq!(registered.status(), StatusCode::CREATED);
    let mut answers = Vec::new();
    for _ in 0..IN_FLIGHT {
        let stream = send_sign_in(port, &email, &password).await;
        answers.push(tokio::spawn(read_answer(stream)));
    }
    // Give the service a moment to accept and read them (a connection still in the listen
    // backlog when the signal arrives is reset, not served).
    tokio::time::sleep(Duration::from_millis(100)).await;

    // Act
    let signalled = Instant::now();
    service.signal("TERM");
    // A new connection, once the signal has been handled, is refused.
    let mut refused_while_draining = false;
    let mut refused = false;
    while signalled.elapsed() < Duration::from_secs(5) {
        let running = service.wait_exit(Duration::ZERO).await.is_none();
        if TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            refused = true;
            refused_while_draining = running;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let mut statuses = Vec::new();
    let mut after_signal = 0;
    for answer in answers {
        let (status, text, ended) = answer.await.expect("a reader finishes");
        assert_eq!(status, 200, "an in-flight sign-in: {text}");
        assert!(text.contains("access_token"), "{text}");
        statuses.push(status);
        if ended > signalled {
            after_signal += 1;
        }
    }
    let exit = service.wait_exit(EXIT_BOUND).await;

    // Assert
    eprintln!(
        "shutdown: {} sign-ins answered 200, {after_signal} of them after the signal; new \
         connection refused while draining: {refused_while_draining}; exited {exit:?} {:?} after \
         the signal",
        statuses.len(),
        signalled.elapsed()
    );
    assert_eq!(statuses.len(), IN_FLIGHT);
    assert!(
        after_signal > 0,
        "every sign-in ended before the signal: nothing was in flight"
    );
    assert!(refused, "a connection was still accepted 5 s after SIGTERM");
    assert!(
        refused_while_draining,
        "new connections must be refused while in-flight requests still run"
    );
    let exit = exit.unwrap_or_else(|| panic!("still running {EXIT_BOUND:?} after SIGTERM"));
    assert_eq!(exit.code(), Some(0), "{}", service.log());
}
