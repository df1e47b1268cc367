//! One log line per request: method, path, status and time taken. Never
//! the query string, headers or body, where tokens and passwords travel.

use std::time::Instant;

use poem::{Endpoint, IntoResponse, Request, Response, Result};

pub async fn log_request<E: Endpoint>(next: E, request: Request) -> Result<Response> {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.get_response(request).await;
    let status = response.status().as_u16();
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    if response.status().is_server_error() {
        tracing::warn!(%method, %path, status, elapsed_ms, "request");
    } else {
        tracing::info!(%method, %path, status, elapsed_ms, "request");
    }
    Ok(response.into_response())
}
