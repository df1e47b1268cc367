//! Turns the errors poem and poem-openapi raise themselves (routing, parameter
//! parsing, content types, body reading) into [`ApiError`]s.

use poem::{
    IntoResponse, Response,
    error::{CorsError, MethodNotAllowedError, NotFoundError, ReadBodyError},
    http::StatusCode,
};
use poem_openapi::error::{
    AuthorizationError, ContentTypeError, ParseParamError, ParsePathError, ParseRequestPayloadError,
};

use super::ApiError;

/// The response for any error that reached the top of the app. An error
/// that already carries its response (the token endpoint's RFC 6749 errors)
/// keeps it; every other becomes a JSON:API error document.
pub fn error_response(error: poem::Error) -> Response {
    if error.is_from_response() {
        error.into_response()
    } else {
        into_api_error(error).into_response()
    }
}

/// Maps an error raised anywhere to the error we answer with.
pub fn into_api_error(error: poem::Error) -> ApiError {
    let error = match error.downcast::<ApiError>() {
        Ok(api_error) => return api_error,
        Err(other) => other,
    };
    if error.is::<NotFoundError>() {
        return ApiError::NotFound("no resource lives at this URL".to_owned());
    }
    if error.is::<MethodNotAllowedError>() {
        return ApiError::MethodNotAllowed { allow: None };
    }
    // A path that routes but whose id does not parse names no resource.
    if error.is::<ParsePathError>() {
        return ApiError::NotFound("no resource lives at this URL".to_owned());
    }
    if let Some(ParseParamError { name, reason }) = error.downcast_ref::<ParseParamError>() {
        return ApiError::invalid_parameter(*name, format!("{name}: {reason}"));
    }
    if let Some(ParseRequestPayloadError { reason }) = error.downcast_ref() {
        return ApiError::MalformedJson(reason.clone());
    }
    if let Some(content_type_error) = error.downcast_ref::<ContentTypeError>() {
        return ApiError::UnsupportedMediaType(match content_type_error {
            ContentTypeError::NotSupported { content_type } => {
                format!("this endpoint does not take {content_type}")
            }
            ContentTypeError::ExpectContentType => {
                "a request with a body needs a Content-Type header".to_owned()
            }
        });
    }
    if error.is::<AuthorizationError>() {
        return ApiError::Unauthenticated;
    }
    if let Some(read_error) = error.downcast_ref::<ReadBodyError>() {
        return match read_error {
            ReadBodyError::PayloadTooLarge => ApiError::PayloadTooLarge { limit: 0 },
            ReadBodyError::Utf8(_) => ApiError::MalformedJson("the body is not UTF-8".to_owned()),
            other => ApiError::internal(other),
        };
    }
    if error.is::<CorsError>() {
        return ApiError::Forbidden("this origin may not call the API".to_owned());
    }
    by_status(error)
}

/// The fallback for errors we do not know by type.
fn by_status(error: poem::Error) -> ApiError {
    match error.status() {
        StatusCode::NOT_FOUND => ApiError::NotFound("no resource lives at this URL".to_owned()),
        StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed { allow: None },
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType(error.to_string()),
        StatusCode::UNAUTHORIZED => ApiError::Unauthenticated,
        status if status.is_client_error() => ApiError::invalid_document("", error.to_string()),
        _ => ApiError::internal(error),
    }
}
