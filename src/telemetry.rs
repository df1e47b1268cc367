//! Structured logs. Nothing logged carries a password, a hash or a token:
//! request logs name only method, path and status, and the types that hold
//! secrets redact themselves in Debug output.

use tracing_subscriber::{EnvFilter, fmt};

/// Logs to standard error, as JSON when `LOG_FORMAT=json`, filtered by
/// `RUST_LOG` (default `info`).
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("LOG_FORMAT").is_ok_and(|format| format == "json");
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let result = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    // A second initialisation (in tests) keeps the first subscriber.
    drop(result);
}
