//! The request body limit (64 KiB by default): 413, however the body is sent.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{
    JSONAPI_MEDIA_TYPE, TestApp, TestResponse, USERS_PATH, assert_error, assert_error_at, new_user,
    registration, spawn_app, spawn_app_with, strong_password, unique_email,
};

/// A registration whose address makes the document about `bytes` long.
fn registration_of_about(bytes: usize) -> serde_json::Value {
    new_user(json!({
        "name": "Ada Lovelace",
        "email": unique_email("ada"),
        "password": strong_password(),
        "address": "a".repeat(bytes),
    }))
}

/// POSTs `body` with `Transfer-Encoding: chunked`, over a raw connection so that no length
/// is announced. (reqwest streams bodies only with its `stream` feature, which is not enabled.)
async fn post_chunked(app: &TestApp, path: &str, body: Vec<u8>) -> TestResponse {
    let stream = TcpStream::connect(("127.0.0.1", app.port))
        .await
        .expect("a connection to the service");
    let (mut reader, mut writer) = stream.into_split();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {JSONAPI_MEDIA_TYPE}\r\n\
         Accept: {JSONAPI_MEDIA_TYPE}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        port = app.port
    );
    // Write while reading: the service may answer, and stop reading, before the body ends.
    let writing = tokio::spawn(async move {
        writer.write_all(head.as_bytes()).await?;
        for chunk in body.chunks(4096) {
            writer
                .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                .await?;
            writer.write_all(chunk).await?;
            writer.write_all(b"\r\n").await?;
        }
        writer.write_all(b"0\r\n\r\n").await?;
        writer.flush().await
    });
    let mut raw = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(30), reader.read_to_end(&mut raw))
        .await
        .expect("the service answers within 30 seconds");
    // A reset after the answer is fine: the service need not read an oversized body to its end.
    if raw.is_empty() {
        read.expect("an answer from the service");
    }
    writing.abort();
    parse_response(&raw)
}

/// Parses a raw HTTP/1.1 response, de-chunking its body if need be.
fn parse_response(raw: &[u8]) -> TestResponse {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("a complete response head: {text:?}"));
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .and_then(|code| StatusCode::from_u16(code).ok())
        .unwrap_or_else(|| panic!("a status line: {head:?}"));
    let mut headers = HeaderMap::new();
    for line in lines {
        let (name, value) = line.split_once(':').expect("a header line");
        headers.append(
            HeaderName::from_bytes(name.trim().as_bytes()).expect("a header name"),
            HeaderValue::from_str(value.trim()).expect("a header value"),
        );
    }
    let chunked = headers
        .get("transfer-encoding")
        .is_some_and(|encoding| encoding.as_bytes().eq_ignore_ascii_case(b"chunked"));
    let text = if chunked {
        dechunk(body)
    } else {
        body.to_owned()
    };
    TestResponse {
        status,
        headers,
        text,
    }
}

fn dechunk(mut rest: &str) -> String {
    let mut body = String::new();
    loop {
        let (size, after) = rest.split_once("\r\n").expect("a chunk size line");
        let size = size.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size, 16).expect("a hexadecimal chunk size");
        if size == 0 {
            return body;
        }
        body.push_str(&after[..size]);
        rest = &after[size + 2..];
    }
}

#[tokio::test]
async fn a_body_over_64_kib_with_a_content_length_is_a_413() {
    // Arrange
    let app = spawn_app().await;
    let document = registration_of_about(70_000);

    // Act
    let response = app.post(USERS_PATH, &document, None).await;

    // Assert
    assert_error(&response, 413, "payload_too_large");
}

#[tokio::test]
async fn a_chunked_body_over_64_kib_is_a_413() {
    // Arrange
    let app = spawn_app().await;
    let body = registration_of_about(80_000).to_string().into_bytes();

    // Act
    let response = post_chunked(&app, USERS_PATH, body).await;

    // Assert
    assert_error(&response, 413, "payload_too_large");
}

#[tokio::test]
async fn a_small_chunked_body_is_read_normally() {
    // Arrange: shows the chunked client above speaks HTTP well enough to trust its 413.
    let app = spawn_app().await;
    let body = registration("Ada Lovelace", &unique_email("ada"), &strong_password())
        .to_string()
        .into_bytes();

    // Act
    let response = post_chunked(&app, USERS_PATH, body).await;

    // Assert
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
}

#[tokio::test]
async fn a_body_just_under_64_kib_is_read_and_validated() {
    // Arrange
    let app = spawn_app().await;
    let document = registration_of_about(60_000);
    assert!(document.to_string().len() < 65_536);

    // Act
    let response = app.post(USERS_PATH, &document, None).await;

    // Assert
    assert_error_at(
        &response,
        422,
        "invalid_attribute",
        "/data/attributes/address",
    );
}

#[tokio::test]
async fn the_body_limit_follows_the_settings() {
    // Arrange
    let app = spawn_app_with(|settings| settings.max_body_bytes = 1024).await;
    let small = registration("Ada Lovelace", &unique_email("ada"), &strong_password());

    // Act
    let accepted = app.post(USERS_PATH, &small, None).await;
    let refused = app
        .post(USERS_PATH, &registration_of_about(2048), None)
        .await;

    // Assert
    assert_eq!(accepted.status, StatusCode::CREATED, "{}", accepted.text);
    assert_error(&refused, 413, "payload_too_large");
}
