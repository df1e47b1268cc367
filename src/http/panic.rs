//! A panic in a handler is a bug: answer a JSON:API 500 and log it.

use std::any::Any;

use poem::{IntoResponse, Response};

use crate::error::ApiError;

pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<&str>()
        .map(|message| (*message).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned());
    ApiError::Internal(format!("handler panicked: {message}")).into_response()
}
