//! The request body limit. poem's `SizeLimit` only reads `Content-Length`
//! (and answers 411 without one), so the body is read here with a limit,
//! which holds for chunked bodies too.

use poem::{Request, http::header::CONTENT_LENGTH};

use crate::jsonapi::error::ApiError;

/// Reads the whole body, refusing it once it passes `max_bytes`.
pub async fn read_body_within(mut request: Request, max_bytes: usize) -> poem::Result<Request> {
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    let too_large = ApiError::PayloadTooLarge { limit: max_bytes };
    if declared.is_some_and(|length| length > max_bytes as u64) {
        return Err(too_large.into());
    }
    let body = request.take_body();
    let bytes = body
        .into_bytes_limit(max_bytes)
        .await
        .map_err(|error| match error {
            poem::error::ReadBodyError::PayloadTooLarge => too_large,
            other => ApiError::MalformedJson(format!("the body could not be read: {other}")),
        })?;
    request.set_body(bytes);
    Ok(request)
}
