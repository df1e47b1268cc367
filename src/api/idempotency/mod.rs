//! `Idempotency-Key` on the operations that create something: the layer
//! that claims the key, runs the operation in the key's transaction and
//! keeps its answer for retries (see [`crate::idempotency`]). An operation
//! takes it with `#[oai(transform = "idempotent")]`, and a [`Writer`]
//! to write through.

mod errors;

use std::sync::Arc;

use poem::{
    Body, Endpoint, IntoResponse, Request, Response,
    http::{
        HeaderName,
        header::{CONTENT_TYPE, ETAG, LOCATION},
    },
};

use sea_orm::TransactionTrait;

use super::{caller::bearer, writer::Writer};
use crate::{
    idempotency::{Answer, Claim, Fingerprint, Pending, claim},
    jsonapi::error::{ApiError, error_response},
    state::AppState,
};

pub const HEADER: &str = "Idempotency-Key";
/// Says that an answer is the one kept for the key, not a new one.
const REPLAYED: &str = "Idempotent-Replayed";
/// The headers of an answer that a retry must see again; the layers around
/// the operation add theirs to every answer, kept or not.
const KEPT_HEADERS: [HeaderName; 3] = [CONTENT_TYPE, LOCATION, ETAG];
/// The longest key taken: a UUID is 36 characters, and the draft sets no
/// limit of its own.
const MAX_KEY_LENGTH: usize = 255;

/// The operation `endpoint`, answering a request that carries a key once.
pub fn idempotent(endpoint: impl Endpoint) -> impl Endpoint {
    Idempotent(endpoint)
}

struct Idempotent<E>(E);

impl<E: Endpoint> Endpoint for Idempotent<E> {
    type Output = Response;

    async fn call(&self, mut request: Request) -> poem::Result<Response> {
        let Some(key) = key(&request)? else {
            return Ok(answer(&self.0, request).await);
        };
        // A token that does not verify is the operation's to refuse.
        let Ok(bearer) = bearer(&request) else {
            return Ok(answer(&self.0, request).await);
        };
        let scope = match bearer {
            Some(bearer) => format!("user:{}", bearer.user_id()),
            None => "anonymous".to_owned(),
        };
        let state = AppState::of(&request)?;
        let (db, ttl) = (state.db.clone(), state.idempotency_key_ttl);
        let _running = state
            .running_keys
            .start(&scope, &key)
            .map_err(ApiError::from)?;
        let body = request.take_body().into_bytes().await?;
        // As the client sent it, not as the route it was nested in sees it.
        let target = request
            .original_uri()
            .path_and_query()
            .map_or("", |target| target.as_str());
        let fingerprint = fingerprint(request.method().as_str(), target, &body);
        request.set_body(body);
        match claim(&db, &scope, &key, &fingerprint, ttl)
            .await
            .map_err(ApiError::from)?
        {
            Claim::Answered(kept) => Ok(replay(kept)),
            Claim::Granted(pending) => run(&self.0, request, pending).await,
        }
    }
}

/// What a retry must repeat: the method, the path with its query, and
/// the body.
pub fn fingerprint(method: &str, target: &str, body: &[u8]) -> Fingerprint {
    Fingerprint::of(&[method.as_bytes(), target.as_bytes(), body])
}

/// The key the request sends, if any: a structured-field string as the
/// draft writes it, or the bare token most clients send. An empty one
/// names nothing, and the request runs as one without a key: the
/// documents have published the header as any string.
fn key(request: &Request) -> Result<Option<String>, ApiError> {
    let Some(value) = request.headers().get(HEADER) else {
        return Ok(None);
    };
    let invalid = || {
        ApiError::InvalidIdempotencyKey(format!(
            "{HEADER} must be at most {MAX_KEY_LENGTH} ASCII characters, such as a UUID"
        ))
    };
    let value = value.to_str().map_err(|_| invalid())?.trim();
    let key = value
        .strip_prefix('"')
        .and_then(|inner| inner.strip_suffix('"'))
        .unwrap_or(value);
    if key.len() > MAX_KEY_LENGTH {
        return Err(invalid());
    }
    Ok((!key.is_empty()).then(|| key.to_owned()))
}

/// What `endpoint` answers, errors answered as everywhere else.
async fn answer(endpoint: &impl Endpoint, request: Request) -> Response {
    match endpoint.call(request).await {
        Ok(output) => output.into_response(),
        Err(error) => error_response(error),
    }
}

/// Runs the operation inside the key's transaction, in a savepoint of its
/// own: a refusal undoes what the operation wrote, yet is kept as the key's
/// answer, while a server error frees the key for a retry.
async fn run(
    endpoint: &impl Endpoint,
    mut request: Request,
    pending: Pending,
) -> poem::Result<Response> {
    let work = Arc::new(
        pending
            .transaction()
            .begin()
            .await
            .map_err(ApiError::from)?,
    );
    request
        .extensions_mut()
        .insert(Writer::Transaction(Arc::clone(&work)));
    let response = answer(endpoint, request).await;
    let work = Arc::into_inner(work)
        .ok_or_else(|| ApiError::internal("an operation kept the request's transaction"))?;
    let status = response.status();
    if status.is_server_error() {
        work.rollback().await.map_err(ApiError::from)?;
        pending.abandon().await.map_err(ApiError::from)?;
        return Ok(response);
    }
    if status.is_success() {
        work.commit().await
    } else {
        work.rollback().await
    }
    .map_err(ApiError::from)?;
    let (parts, body) = response.into_parts();
    let kept = Answer {
        status: status.as_u16(),
        headers: KEPT_HEADERS
            .iter()
            .filter_map(|name| {
                let value = parts.headers.get(name)?.to_str().ok()?;
                Some((name.as_str().to_owned(), value.to_owned()))
            })
            .collect(),
        body: body.into_string().await?,
    };
    pending.keep(&kept).await.map_err(ApiError::from)?;
    Ok(Response::from_parts(parts, Body::from(kept.body)))
}

/// The kept answer, as it was first given.
fn replay(kept: Answer) -> Response {
    let mut response = Response::builder().status(
        poem::http::StatusCode::from_u16(kept.status)
            .unwrap_or(poem::http::StatusCode::INTERNAL_SERVER_ERROR),
    );
    for (name, value) in &kept.headers {
        response = response.header(name.as_str(), value.as_str());
    }
    response.header(REPLAYED, "true").body(kept.body)
}
