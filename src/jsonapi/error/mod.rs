//! The one error type of the HTTP layer and its mapping to JSON:API error
//! documents. Every failure, from routing to the database, ends up here.

mod framework;
mod statuses;

use poem::{
    IntoResponse, Response,
    error::ResponseError,
    http::{HeaderValue, StatusCode, header},
};
use sea_orm::DbErr;

pub(crate) use self::statuses::error_statuses;
pub use self::{
    framework::{error_response, into_api_error},
    statuses::{ErrorStatuses, Failure},
};
use crate::jsonapi::{
    MEDIA_TYPE,
    cursor::{PAGE_BEFORE, PROFILE},
    document::{ErrorDocument, ErrorLinks, ErrorObject, ErrorSource, JsonApiObject, to_body},
    query::PAGE_SIZE,
};

/// How long a client should wait before retrying while the database is away.
const UNAVAILABLE_RETRY_AFTER_SECONDS: u64 = 5;

/// A problem with one attribute (or `meta` member) of a request document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub kind: FieldErrorKind,
    /// A JSON Pointer into the request document.
    pub pointer: String,
    pub detail: String,
}

/// The kinds of attribute problems, each reported as a 422.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldErrorKind {
    Invalid,
    Missing,
    Unknown,
    ReadOnly,
}

impl FieldError {
    pub fn new(
        kind: FieldErrorKind,
        pointer: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            pointer: pointer.into(),
            detail: detail.into(),
        }
    }
}

/// Everything that can go wrong while answering a request.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the body is not well-formed JSON.
    #[error("the request body is not valid JSON: {0}")]
    MalformedJson(String),
    /// 400: the JSON is not a request document this endpoint understands.
    #[error("{detail}")]
    InvalidDocument { pointer: String, detail: String },
    /// 400: a query parameter has a value the endpoint cannot use.
    #[error("{detail}")]
    InvalidParameter { parameter: String, detail: String },
    /// 400: `page[size]` is past the largest page a cursor-paginated
    /// collection serves.
    #[error("page[size] may be at most {max}")]
    PageSizeExceeded { max: u64 },
    /// 400: `page[after]` and `page[before]` together; the service pages
    /// one way at a time.
    #[error(
        "page[after] and page[before] cannot be used together; follow links.next or links.prev"
    )]
    RangePaginationNotSupported,
    /// 400: a query parameter the endpoint does not support.
    #[error("{detail}")]
    UnknownParameter { parameter: String, detail: String },
    /// 400: the `Idempotency-Key` header is not a key.
    #[error("{0}")]
    InvalidIdempotencyKey(String),
    /// 400: an atomic request holds more operations than the service runs
    /// in one transaction.
    #[error("a request may hold at most {max} operations; send the rest in another")]
    TooManyOperations { max: usize },
    /// 401: no bearer token was sent.
    #[error("this request needs a bearer token")]
    Unauthenticated,
    /// 401: the token is malformed, forged, expired or revoked.
    #[error("the bearer token is invalid, expired or revoked")]
    InvalidToken,
    /// 403: signed in, but not allowed to do this.
    #[error("{0}")]
    Forbidden(String),
    /// 403: the client tried to choose the new resource's id.
    #[error("the server assigns ids; a client-generated id is not supported")]
    ClientGeneratedId,
    /// 403: only an admin may set or change `role`.
    #[error("only an admin may set or change role")]
    RoleForbidden,
    /// 403: `meta.current_password` does not match.
    #[error("meta.current_password is not your current password")]
    WrongCurrentPassword,
    /// 404: no such resource or route.
    #[error("{0}")]
    NotFound(String),
    /// 404: a version of the API the service does not have; `known` lists
    /// those it has.
    #[error("the API has no version {asked}; it has {}", .known.join(", "))]
    UnknownVersion {
        asked: String,
        known: Vec<&'static str>,
    },
    /// 405: the path exists but not with this method; `allow` lists the
    /// methods it has, for the `Allow` header, when they are known.
    #[error("this method is not allowed on this path")]
    MethodNotAllowed { allow: Option<String> },
    /// 406: the client accepts JSON:API only with parameters we cannot honour.
    #[error("{0}")]
    NotAcceptable(String),
    /// 409: `data.type` names another type.
    #[error("data.type must be \"{expected}\"")]
    TypeMismatch { expected: &'static str },
    /// 409: `data.id` differs from the id in the URL.
    #[error("data.id does not match the id in the URL")]
    IdMismatch,
    /// 409: the email belongs to another user.
    #[error("this email address is already registered")]
    EmailTaken,
    /// 409: the first request with this `Idempotency-Key` is still running.
    #[error(
        "a request with this Idempotency-Key is still being processed; retry after the time in \
         Retry-After"
    )]
    IdempotencyKeyInFlight,
    /// 412: `If-Match` names no version the resource is at.
    #[error("{0}")]
    PreconditionFailed(String),
    /// 428: writes must name the version they change (`If-Match`).
    #[error(
        "this service requires If-Match on PATCH and DELETE: send the ETag of the resource as read"
    )]
    PreconditionRequired,
    /// 413: the body is longer than the limit.
    #[error("the request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// 415: the body's media type is not one we take.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 422: one or more attributes are invalid; all are reported.
    #[error("{} invalid attribute(s)", .0.len())]
    InvalidAttributes(Vec<FieldError>),
    /// 422: the `Idempotency-Key` was sent before with another request.
    #[error(
        "this Idempotency-Key was used with a different request; a new request needs a new key"
    )]
    IdempotencyKeyReused,
    /// 429: too many attempts; retry after this many seconds.
    #[error("too many attempts; retry after {retry_after_seconds} seconds")]
    TooManyRequests { retry_after_seconds: u64 },
    /// 503: the database cannot be reached.
    #[error("the database is unavailable: {0}")]
    ServiceUnavailable(String),
    /// 503: too many requests were waiting to be handled for too long.
    #[error("the service is at capacity")]
    AtCapacity,
    /// 500: a bug. The message goes to the log, never to the client.
    #[error("internal error: {0}")]
    Internal(String),
    /// The error of operation `index` of an atomic request: its status,
    /// with its pointers moved into that operation.
    #[error("operation {index}: {error}")]
    InOperation { index: usize, error: Box<ApiError> },
}

/// Where operation `index` of an atomic request is.
pub fn operation_pointer(index: usize) -> String {
    format!("/atomic:operations/{index}")
}

impl ApiError {
    pub fn invalid_document(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::InvalidDocument {
            pointer: pointer.into(),
            detail: detail.into(),
        }
    }

    pub fn invalid_parameter(parameter: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::InvalidParameter {
            parameter: parameter.into(),
            detail: detail.into(),
        }
    }

    pub fn internal(error: impl std::fmt::Display) -> Self {
        Self::Internal(error.to_string())
    }

    /// The error itself, out of the operation that raised it.
    fn cause(&self) -> &Self {
        match self {
            Self::InOperation { error, .. } => error.cause(),
            other => other,
        }
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::InOperation { error, .. } => error.status(),
            Self::MalformedJson(_)
            | Self::InvalidDocument { .. }
            | Self::InvalidParameter { .. }
            | Self::UnknownParameter { .. }
            | Self::PageSizeExceeded { .. }
            | Self::RangePaginationNotSupported
            | Self::InvalidIdempotencyKey(_)
            | Self::TooManyOperations { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthenticated | Self::InvalidToken => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_)
            | Self::ClientGeneratedId
            | Self::RoleForbidden
            | Self::WrongCurrentPassword => StatusCode::FORBIDDEN,
            Self::NotFound(_) | Self::UnknownVersion { .. } => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
            Self::TypeMismatch { .. }
            | Self::IdMismatch
            | Self::EmailTaken
            | Self::IdempotencyKeyInFlight => StatusCode::CONFLICT,
            Self::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            Self::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::InvalidAttributes(_) | Self::IdempotencyKeyReused => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::ServiceUnavailable(_) | Self::AtCapacity => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable code and title of this kind of error.
    fn code_and_title(&self) -> (&'static str, &'static str) {
        match self {
            Self::MalformedJson(_) => ("malformed_json", "Malformed JSON"),
            Self::InvalidDocument { .. } => ("invalid_document", "Invalid document"),
            Self::InvalidParameter { .. } => ("invalid_parameter", "Invalid query parameter"),
            Self::UnknownParameter { .. } => ("unknown_parameter", "Unknown query parameter"),
            Self::PageSizeExceeded { .. } => ("max_size_exceeded", "Page size too large"),
            Self::RangePaginationNotSupported => (
                "range_pagination_not_supported",
                "Range pagination not supported",
            ),
            Self::InvalidIdempotencyKey(_) => {
                ("invalid_idempotency_key", "Invalid idempotency key")
            }
            Self::TooManyOperations { .. } => ("too_many_operations", "Too many operations"),
            Self::InOperation { error, .. } => error.code_and_title(),
            Self::Unauthenticated => ("unauthenticated", "Authentication required"),
            Self::InvalidToken => ("invalid_token", "Invalid token"),
            Self::Forbidden(_) => ("forbidden", "Forbidden"),
            Self::ClientGeneratedId => ("client_generated_id", "Client-generated id"),
            Self::RoleForbidden => ("role_forbidden", "Role change forbidden"),
            Self::WrongCurrentPassword => ("wrong_current_password", "Wrong current password"),
            Self::NotFound(_) => ("not_found", "Not found"),
            Self::UnknownVersion { .. } => ("unknown_version", "Unknown API version"),
            Self::MethodNotAllowed { .. } => ("method_not_allowed", "Method not allowed"),
            Self::NotAcceptable(_) => ("not_acceptable", "Not acceptable"),
            Self::TypeMismatch { .. } => ("type_mismatch", "Type mismatch"),
            Self::IdMismatch => ("id_mismatch", "Id mismatch"),
            Self::EmailTaken => ("email_taken", "Email already registered"),
            Self::IdempotencyKeyInFlight => (
                "idempotency_key_in_flight",
                "Request with this key in progress",
            ),
            Self::IdempotencyKeyReused => ("idempotency_key_reused", "Idempotency key reused"),
            Self::PreconditionFailed(_) => ("precondition_failed", "Precondition failed"),
            Self::PreconditionRequired => ("precondition_required", "Precondition required"),
            Self::PayloadTooLarge { .. } => ("payload_too_large", "Payload too large"),
            Self::UnsupportedMediaType(_) => ("unsupported_media_type", "Unsupported media type"),
            Self::InvalidAttributes(_) => ("invalid_attribute", "Invalid attribute"),
            Self::TooManyRequests { .. } => ("too_many_requests", "Too many requests"),
            Self::ServiceUnavailable(_) => ("service_unavailable", "Service unavailable"),
            Self::AtCapacity => ("at_capacity", "Service at capacity"),
            Self::Internal(_) => ("internal_error", "Internal server error"),
        }
    }

    fn source(&self) -> Option<ErrorSource> {
        match self {
            Self::InvalidDocument { pointer, .. } => Some(ErrorSource::pointer(pointer)),
            Self::InvalidParameter { parameter, .. } | Self::UnknownParameter { parameter, .. } => {
                Some(ErrorSource::parameter(parameter))
            }
            Self::PageSizeExceeded { .. } => Some(ErrorSource::parameter(PAGE_SIZE)),
            Self::TooManyOperations { .. } => Some(ErrorSource::pointer("/atomic:operations")),
            Self::RangePaginationNotSupported => Some(ErrorSource::parameter(PAGE_BEFORE)),
            Self::Unauthenticated | Self::InvalidToken => {
                Some(ErrorSource::header("Authorization"))
            }
            Self::ClientGeneratedId | Self::IdMismatch => Some(ErrorSource::pointer("/data/id")),
            Self::RoleForbidden => Some(ErrorSource::pointer("/data/attributes/role")),
            Self::WrongCurrentPassword => Some(ErrorSource::pointer("/meta/current_password")),
            Self::TypeMismatch { .. } => Some(ErrorSource::pointer("/data/type")),
            Self::EmailTaken => Some(ErrorSource::pointer("/data/attributes/email")),
            Self::NotAcceptable(_) => Some(ErrorSource::header("Accept")),
            Self::UnsupportedMediaType(_) => Some(ErrorSource::header("Content-Type")),
            Self::PreconditionFailed(_) | Self::PreconditionRequired => {
                Some(ErrorSource::header("If-Match"))
            }
            Self::InvalidIdempotencyKey(_)
            | Self::IdempotencyKeyInFlight
            | Self::IdempotencyKeyReused => Some(ErrorSource::header("Idempotency-Key")),
            _ => None,
        }
    }

    /// The error objects this error is reported as.
    pub fn error_objects(&self) -> Vec<ErrorObject> {
        if let Self::InOperation { index, error } = self {
            return error
                .error_objects()
                .into_iter()
                .map(|object| in_operation(object, *index))
                .collect();
        }
        let status = self.status().as_u16().to_string();
        if let Self::InvalidAttributes(fields) = self {
            return fields
                .iter()
                .map(|field| {
                    let (code, title) = match field.kind {
                        FieldErrorKind::Invalid => ("invalid_attribute", "Invalid attribute"),
                        FieldErrorKind::Missing => ("missing_attribute", "Missing attribute"),
                        FieldErrorKind::Unknown => ("unknown_attribute", "Unknown attribute"),
                        FieldErrorKind::ReadOnly => ("read_only_attribute", "Read-only attribute"),
                    };
                    ErrorObject {
                        status: status.clone(),
                        code: code.to_owned(),
                        title: title.to_owned(),
                        detail: Some(field.detail.clone()),
                        source: Some(ErrorSource::pointer(&field.pointer)),
                        links: None,
                        meta: None,
                    }
                })
                .collect();
        }
        let (code, title) = self.code_and_title();
        let detail = match self {
            // The cause of a 500 or 503 stays in the log.
            Self::Internal(_) => {
                "the server failed to answer this request; it has been logged".to_owned()
            }
            Self::ServiceUnavailable(_) => {
                "the database is unreachable; retry after the time in Retry-After".to_owned()
            }
            Self::AtCapacity => {
                "the service has more requests than it can handle; retry after the time in \
                 Retry-After"
                    .to_owned()
            }
            other => other.to_string(),
        };
        vec![ErrorObject {
            status,
            code: code.to_owned(),
            title: title.to_owned(),
            detail: Some(detail),
            source: self.source(),
            links: self.profile_error_type().map(|type_| ErrorLinks {
                type_: format!("{PROFILE}/{type_}"),
            }),
            meta: match self {
                Self::PageSizeExceeded { max } => {
                    Some(serde_json::json!({"page": {"maxSize": max}}))
                }
                _ => None,
            },
        }]
    }

    /// The kind of error as the Cursor Pagination profile names it.
    fn profile_error_type(&self) -> Option<&'static str> {
        match self {
            Self::PageSizeExceeded { .. } => Some("max-size-exceeded"),
            Self::RangePaginationNotSupported => Some("range-pagination-not-supported"),
            _ => None,
        }
    }

    /// The JSON:API error document for this error.
    pub fn document(&self) -> ErrorDocument {
        ErrorDocument {
            jsonapi: JsonApiObject::default(),
            errors: self.error_objects(),
            meta: match self {
                Self::UnknownVersion { known, .. } => Some(serde_json::json!({"versions": known})),
                _ => None,
            },
        }
    }

    fn log(&self) {
        match self.cause() {
            Self::Internal(cause) => tracing::error!(%cause, "request failed with a bug"),
            Self::ServiceUnavailable(cause) => tracing::warn!(%cause, "database unavailable"),
            Self::AtCapacity => tracing::warn!("a request waited too long to be handled"),
            _ => {}
        }
    }
}

impl ResponseError for ApiError {
    fn status(&self) -> StatusCode {
        ApiError::status(self)
    }

    fn as_response(&self) -> Response {
        self.log();
        let mut response = Response::builder()
            .status(self.status())
            .content_type(MEDIA_TYPE)
            .body(to_body(&self.document()));
        let headers = response.headers_mut();
        match self.cause() {
            Self::Unauthenticated => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            Self::InvalidToken => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer error=\"invalid_token\""),
                );
            }
            Self::MethodNotAllowed { allow: Some(allow) } => {
                if let Ok(value) = HeaderValue::from_str(allow) {
                    headers.insert(header::ALLOW, value);
                }
            }
            Self::TooManyRequests {
                retry_after_seconds,
            } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_seconds));
            }
            Self::IdempotencyKeyInFlight => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(1));
            }
            Self::ServiceUnavailable(_) | Self::AtCapacity => {
                headers.insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(UNAVAILABLE_RETRY_AFTER_SECONDS),
                );
            }
            _ => {}
        }
        response
    }
}

/// An error object of operation `index`: a pointer into the operation
/// (its members are where a single-resource document has them) moves into
/// it, and an error that has none points at the operation.
fn in_operation(mut object: ErrorObject, index: usize) -> ErrorObject {
    let operation = operation_pointer(index);
    let source = object.source.get_or_insert_with(ErrorSource::default);
    source.pointer = Some(match source.pointer.take() {
        Some(pointer) => format!("{operation}{pointer}"),
        None => operation,
    });
    object
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.as_response()
    }
}

impl From<DbErr> for ApiError {
    fn from(error: DbErr) -> Self {
        match error {
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => {
                Self::ServiceUnavailable(error.to_string())
            }
            DbErr::Exec(ref runtime) | DbErr::Query(ref runtime)
                if is_connection_failure(runtime) =>
            {
                Self::ServiceUnavailable(error.to_string())
            }
            other => Self::Internal(other.to_string()),
        }
    }
}

/// Whether a driver error means the connection or the server failed, not
/// the query: the database is unavailable, and retrying later may work.
fn is_connection_failure(error: &sea_orm::RuntimeErr) -> bool {
    use sea_orm::sqlx::Error;
    match error {
        sea_orm::RuntimeErr::SqlxError(sqlx_error) => match sqlx_error.as_ref() {
            Error::Io(_)
            | Error::PoolTimedOut
            | Error::PoolClosed
            | Error::WorkerCrashed
            | Error::Tls(_) => true,
            // The server ended the session: SQLSTATE class 08 (connection
            // exception; MariaDB's shutdown is 08S01), or PostgreSQL's
            // admin_shutdown, crash_shutdown and cannot_connect_now.
            Error::Database(database_error) => database_error.code().is_some_and(|code| {
                code.starts_with("08") || matches!(code.as_ref(), "57P01" | "57P02" | "57P03")
            }),
            _ => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_attribute_error_becomes_its_own_error_object() {
        let error = ApiError::InvalidAttributes(vec![
            FieldError::new(FieldErrorKind::Invalid, "/data/attributes/email", "bad"),
            FieldError::new(FieldErrorKind::Missing, "/data/attributes/name", "missing"),
        ]);
        let objects = error.error_objects();
        assert_eq!(objects.len(), 2);
        assert_eq!(objects[0].code, "invalid_attribute");
        assert_eq!(objects[1].code, "missing_attribute");
        assert!(objects.iter().all(|object| object.status == "422"));
    }

    #[test]
    fn an_internal_error_never_shows_its_cause() {
        let error = ApiError::internal("secret table layout");
        let detail = error.error_objects()[0].detail.clone().unwrap();
        assert!(!detail.contains("secret"), "{detail}");
    }

    #[test]
    fn an_operations_error_points_into_it() {
        let error = |inner| ApiError::InOperation {
            index: 3,
            error: Box::new(inner),
        };
        let attribute = error(ApiError::InvalidAttributes(vec![FieldError::new(
            FieldErrorKind::Invalid,
            "/data/attributes/title",
            "bad",
        )]));
        let pointers = |error: ApiError| {
            let objects = error.error_objects();
            (error.status(), objects[0].source.clone().unwrap())
        };
        let (status, source) = pointers(attribute);
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            source.pointer.as_deref(),
            Some("/atomic:operations/3/data/attributes/title")
        );
        let (status, source) = pointers(error(ApiError::Forbidden("no".into())));
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(source.pointer.as_deref(), Some("/atomic:operations/3"));
        let (_, source) = pointers(error(ApiError::Unauthenticated));
        assert_eq!(
            (source.pointer.as_deref(), source.header.as_deref()),
            (Some("/atomic:operations/3"), Some("Authorization"))
        );
        let unauthenticated = error(ApiError::Unauthenticated).as_response();
        assert!(
            unauthenticated
                .headers()
                .contains_key(header::WWW_AUTHENTICATE)
        );
    }

    #[test]
    fn an_unavailable_database_is_a_503_with_retry_after() {
        let response = ApiError::ServiceUnavailable("refused".into()).as_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(response.headers().contains_key(header::RETRY_AFTER));
    }
}
