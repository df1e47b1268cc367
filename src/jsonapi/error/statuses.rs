//! Per-operation documentation of error responses: each operation names the
//! statuses it can answer with, and the spec lists each with the error
//! document schema and the headers that come with it.

use std::marker::PhantomData;

use poem::{IntoResponse, Response};
use poem_openapi::{
    ApiResponse,
    payload::Payload,
    registry::{MetaHeader, MetaMediaType, MetaResponse, MetaResponses, Registry},
    types::Type,
};

use super::ApiError;
use crate::jsonapi::{document::ErrorDocument, payload::JsonApi};

/// A set of error statuses an operation can return.
pub trait ErrorStatuses: Send + Sync + 'static {
    const STATUSES: &'static [u16];
}

/// Declares a marker type for the error statuses of one kind of operation.
macro_rules! error_statuses {
    ($(#[$meta:meta])* $name:ident => [$($status:literal),+ $(,)?]) => {
        $(#[$meta])*
        pub struct $name;

        impl $crate::jsonapi::error::ErrorStatuses for $name {
            const STATUSES: &'static [u16] = &[$($status),+];
        }
    };
}
pub(crate) use error_statuses;

/// An [`ApiError`] as the failure of an operation whose possible statuses
/// are `S`; it renders exactly like the error it holds.
pub struct Failure<S>(pub ApiError, PhantomData<fn() -> S>);

impl<S> From<ApiError> for Failure<S> {
    fn from(error: ApiError) -> Self {
        Self(error, PhantomData)
    }
}

impl<S> From<sea_orm::DbErr> for Failure<S> {
    fn from(error: sea_orm::DbErr) -> Self {
        Self(error.into(), PhantomData)
    }
}

impl<S> From<Failure<S>> for poem::Error {
    fn from(failure: Failure<S>) -> Self {
        failure.0.into()
    }
}

impl<S> IntoResponse for Failure<S> {
    fn into_response(self) -> Response {
        self.0.into_response()
    }
}

fn description(status: u16) -> &'static str {
    match status {
        400 => "Malformed JSON, a request document without `data`, or a bad query parameter.",
        401 => "No bearer token, or one that is malformed, expired or revoked.",
        403 => "Signed in but not allowed to do this.",
        404 => "No such resource.",
        406 => "The `Accept` header lists the JSON:API media type only with parameters.",
        409 => "A wrong `type`, a mismatched `id`, or an email address already registered.",
        304 => "Not modified: the resource is still at the version `If-None-Match` names.",
        412 => "`If-Match` names no version the resource is at: read it again.",
        413 => "The request body is over the size limit.",
        415 => "The request body is not `application/vnd.api+json` or `application/json`.",
        428 => "`If-Match` is required (the service is set to) and was not sent.",
        422 => "One or more attributes are invalid; each has its own error object.",
        429 => "Too many attempts; wait for the time in `Retry-After`.",
        500 => "A bug; the details are in the server log.",
        503 => "The database is unreachable; retry after the time in `Retry-After`.",
        _ => "An error.",
    }
}

fn headers(status: u16) -> Vec<MetaHeader> {
    let header = |name: &str, description: &str| MetaHeader {
        name: name.to_owned(),
        description: Some(description.to_owned()),
        required: true,
        deprecated: false,
        schema: String::schema_ref(),
    };
    match status {
        401 => vec![header(
            "WWW-Authenticate",
            "The authentication scheme: `Bearer`.",
        )],
        429 | 503 => vec![MetaHeader {
            schema: u64::schema_ref(),
            ..header("Retry-After", "Seconds to wait before retrying.")
        }],
        _ => Vec::new(),
    }
}

impl<S: ErrorStatuses> ApiResponse for Failure<S> {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: S::STATUSES
                .iter()
                .map(|&status| MetaResponse {
                    description: description(status),
                    status: Some(status),
                    status_range: None,
                    content: vec![MetaMediaType {
                        content_type: JsonApi::<ErrorDocument>::CONTENT_TYPE,
                        schema: JsonApi::<ErrorDocument>::schema_ref(),
                    }],
                    headers: headers(status),
                })
                .collect(),
        }
    }

    fn register(registry: &mut Registry) {
        ErrorDocument::register(registry);
    }
}
