//! Process-level limits of the real binary: a 100 MB chunked body is refused without the
//! server's memory growing, a client that trickles its headers (or sends nothing) is cut off,
//! and a flood of sign-ins (argon2, on the blocking pool behind a semaphore) does not starve
//! cheap reads. (`page[size]` is capped at 100: see `collection.rs`.)

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

use crate::database::fresh_database;
use crate::helpers::{
    JSONAPI_MEDIA_TYPE, ME_PATH, TOKEN_PATH, USERS_PATH, registration, strong_password,
    unique_email,
};
use crate::process::{Service, free_port};

/// The body sent: 100 MB, far over the 64 KiB limit.
const HUGE_BODY_BYTES: usize = 100 * 1024 * 1024;
/// How much the server's resident memory may grow while refusing it.
const MEMORY_GROWTH_BOUND_KIB: u64 = 20 * 1024;
/// The service's `HEADER_READ_TIMEOUT`.
const HEADER_READ_TIMEOUT: Duration = users_service::platform::header_deadline::HEADER_READ_TIMEOUT;
/// Concurrent sign-ins in the flood.
const FLOOD: usize = 40;

async fn start() -> (Service, crate::database::TestDatabase) {
    let database = fresh_database().await;
    let service = Service::start(database.url(), free_port()).await;
    (service, database)
}

/// Registers a user over HTTP; returns (email, password).
async fn register(service: &Service) -> (String, String) {
    let email = unique_email("limits");
    let password = strong_password();
    let response = reqwest::Client::new()
        .post(service.url(USERS_PATH))
        .header(CONTENT_TYPE, JSONAPI_MEDIA_TYPE)
        .header(ACCEPT, JSONAPI_MEDIA_TYPE)
        .body(registration("Limit Tester", &email, &password).to_string())
        .send()
        .await
        .expect("the registration is answered");
    assert_eq!(response.status(), StatusCode::CREATED);
    (email, password)
}

/// Signs in; returns the status and the body.
async fn sign_in(service: &Service, email: &str, password: &str) -> (StatusCode, String) {
    // A client (so a connection) of its own, as independent callers would have.
    let response = reqwest::Client::new()
        .post(service.url(TOKEN_PATH))
        .form(&[
            ("grant_type", "password"),
            ("username", email),
            ("password", password),
        ])
        .send()
        .await
        .expect("the sign-in is answered");
    let status = response.status();
    (status, response.text().await.unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_100_mb_chunked_body_is_a_413_and_the_memory_stays_flat() {
    // Arrange
    let (service, _database) = start().await;
    let rss_before = service.memory_kib("VmRSS");
    let peak_before = service.memory_kib("VmHWM");
    let stream = TcpStream::connect(("127.0.0.1", service.port))
        .await
        .expect("a connection to the service");
    let (mut reader, mut writer) = stream.into_split();
    let head = format!(
        "POST {USERS_PATH} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: {JSONAPI_MEDIA_TYPE}\r\n\
         Accept: {JSONAPI_MEDIA_TYPE}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        service.port
    );

    // Act: write 100 MB in 64 KiB chunks while reading the answer; the service may stop
    // reading (and close) long before the end.
    let writing = tokio::spawn(async move {
        let chunk = vec![b'a'; 64 * 1024];
        let mut written = 0;
        writer.write_all(head.as_bytes()).await?;
        while written < HUGE_BODY_BYTES {
            writer
                .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                .await?;
            writer.write_all(&chunk).await?;
            writer.write_all(b"\r\n").await?;
            written += chunk.len();
        }
        writer.write_all(b"0\r\n\r\n").await?;
        writer.flush().await?;
        Ok::<usize, std::io::Error>(written)
    });
    let mut raw = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(30), reader.read_to_end(&mut raw))
        .await
        .expect("the service answers within 30 seconds");
    if raw.is_empty() {
        read.expect("an answer from the service");
    }
    let written = writing.await.expect("the writer finishes");
    let rss_after = service.memory_kib("VmRSS");
    let peak_after = service.memory_kib("VmHWM");

    // Assert
    let answer = String::from_utf8_lossy(&raw);
    eprintln!(
        "100 MB chunked body: writer {written:?}; VmRSS {rss_before} -> {rss_after} kB, \
         VmHWM {peak_before} -> {peak_after} kB"
    );
    assert!(
        answer.starts_with("HTTP/1.1 413"),
        "expected a 413: {:?}",
        answer.chars().take(300).collect::<String>()
    );
    assert!(answer.contains("payload_too_large"), "{answer}");
    assert!(
        peak_after.saturating_sub(peak_before) < MEMORY_GROWTH_BOUND_KIB,
        "the peak resident memory grew from {peak_before} to {peak_after} kB"
    );
    assert!(
        rss_after.saturating_sub(rss_before) < MEMORY_GROWTH_BOUND_KIB,
        "the resident memory grew from {rss_before} to {rss_after} kB"
    );
}

/// Reads until the service closes the connection (EOF or reset); returns when it did.
async fn closed_after(mut stream: TcpStream, started: Instant) -> Duration {
    let mut buffer = [0; 1024];
    loop {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return started.elapsed(),
            Ok(_) => {}
        }
    }
}

/// Writes a request head one byte every 500 ms, never the empty line that ends it, until the
/// service closes the connection or `bound` has passed since `started`; returns when that
/// happened and how many bytes were written.
async fn trickle_head(
    reader: &mut OwnedReadHalf,
    writer: &mut OwnedWriteHalf,
    started: Instant,
    bound: Duration,
) -> (Duration, usize) {
    let mut bytes = b"GET /health/live HTTP/1.1\r\nX-Slow: "
        .iter()
        .chain(std::iter::repeat(&b'a'));
    let mut buffer = [0; 64];
    let mut written = 0;
    while started.elapsed() < bound {
        let byte = *bytes.next().expect("endless");
        if writer.write_all(&[byte]).await.is_err() {
            break;
        }
        written += 1;
        // A closed connection shows as EOF or a reset on the reading half.
        let read = tokio::time::timeout(Duration::from_millis(500), reader.read(&mut buffer)).await;
        if matches!(read, Ok(Ok(0) | Err(_))) {
            break;
        }
    }
    (started.elapsed(), written)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_trickles_its_headers_or_sends_nothing_is_cut_off() {
    // Arrange
    let (service, _database) = start().await;
    let bound = HEADER_READ_TIMEOUT + Duration::from_secs(5);
    let started = Instant::now();
    let silent = TcpStream::connect(("127.0.0.1", service.port))
        .await
        .expect("a connection");
    let trickling = TcpStream::connect(("127.0.0.1", service.port))
        .await
        .expect("a connection");
    let (mut trickle_reader, mut trickle_writer) = trickling.into_split();
    // A keep-alive client that had one request answered and then trickles the next head.
    let mut second = TcpStream::connect(("127.0.0.1", service.port))
        .await
        .expect("a connection");
    let request = format!(
        "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n",
        service.port
    );
    second
        .write_all(request.as_bytes())
        .await
        .expect("a request is written");
    let mut first_answer = [0; 512];
    let read = second
        .read(&mut first_answer)
        .await
        .expect("the first answer");
    assert!(first_answer[..read].starts_with(b"HTTP/1.1 200"));

    // Act
    let trickle =
        async move { trickle_head(&mut trickle_reader, &mut trickle_writer, started, bound).await };
    let second_trickle = async move {
        let (mut reader, mut writer) = second.into_split();
        trickle_head(&mut reader, &mut writer, Instant::now(), bound).await
    };
    let silent_closed = tokio::time::timeout(bound, closed_after(silent, started));
    let ((trickle_closed, trickled), silent_closed, (second_closed, _)) =
        tokio::join!(trickle, silent_closed, second_trickle);

    // Assert
    eprintln!(
        "slow clients: trickler ({trickled} bytes) cut off after {trickle_closed:?}; silent \
         connection after {silent_closed:?}; keep-alive trickler after {second_closed:?}"
    );
    assert!(
        trickle_closed < bound,
        "a client trickling its headers was still connected after {trickle_closed:?}"
    );
    assert!(
        trickle_closed >= HEADER_READ_TIMEOUT - Duration::from_secs(1),
        "cut off before the header timeout: {trickle_closed:?}"
    );
    let silent_closed = silent_closed.expect("a silent connection is closed");
    assert!(silent_closed >= HEADER_READ_TIMEOUT - Duration::from_secs(1));
    assert!(
        second_closed < bound,
        "a keep-alive client trickling its second head was still connected after {second_closed:?}"
    );
}

/// The `q`-quantile of sorted `samples`.
fn quantile(samples: &[Duration], q: f64) -> Duration {
    let index = ((samples.len() - 1) as f64 * q).round() as usize;
    samples[index]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sign_in_flood_does_not_starve_cheap_reads() {
    // Arrange
    let (service, _database) = start().await;
    let (email, password) = register(&service).await;
    let (status, body) = sign_in(&service, &email, &password).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = serde_json::from_str::<serde_json::Value>(&body).expect("JSON")["access_token"]
        .as_str()
        .expect("a token")
        .to_owned();
    let reader = reqwest::Client::new();
    // Warm the reader's connection.
    reader
        .get(service.url("/health/live"))
        .send()
        .await
        .expect("live");

    // Act: 40 sign-ins at once; meanwhile GET /health/live and GET me, one after another.
    let started = Instant::now();
    let flood: Vec<_> = (0..FLOOD)
        .map(|_| {
            let url = service.url(TOKEN_PATH);
            let (email, password) = (email.clone(), password.clone());
            tokio::spawn(async move {
                let response = reqwest::Client::new()
                    .post(url)
                    .form(&[
                        ("grant_type", "password"),
                        ("username", email.as_str()),
                        ("password", password.as_str()),
                    ])
                    .send()
                    .await
                    .expect("the sign-in is answered");
                response.status()
            })
        })
        .collect();
    let mut latencies = Vec::new();
    while !flood.iter().all(|sign_in| sign_in.is_finished()) {
        for (path, token) in [("/health/live", None), (ME_PATH, Some(&token))] {
            let mut request = reader
                .get(service.url(path))
                .header(ACCEPT, JSONAPI_MEDIA_TYPE);
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let sent = Instant::now();
            let response = request.send().await.expect("the read is answered");
            let status = response.status();
            let _ = response.bytes().await;
            latencies.push(sent.elapsed());
            assert_eq!(status, StatusCode::OK, "{path} during the flood");
        }
    }
    let flood_took = started.elapsed();
    let mut statuses = Vec::new();
    for sign_in in flood {
        statuses.push(sign_in.await.expect("a sign-in finishes"));
    }

    // Assert
    latencies.sort();
    let p50 = quantile(&latencies, 0.5);
    let p99 = quantile(&latencies, 0.99);
    let max = *latencies.last().expect("at least one read");
    eprintln!(
        "sign-in flood: {FLOOD} sign-ins took {flood_took:?}; {} reads: p50 {p50:?}, p99 {p99:?}, \
         max {max:?}",
        latencies.len()
    );
    assert!(
        statuses.iter().all(|status| *status == StatusCode::OK),
        "{statuses:?}"
    );
    assert!(latencies.len() >= 4, "too few reads during the flood");
    assert!(p50 < Duration::from_millis(50), "p50 {p50:?}");
    assert!(max < Duration::from_millis(500), "max {max:?}");
}
