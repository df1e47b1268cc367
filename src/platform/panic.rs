//! A panic in a handler is a bug: answer a JSON:API 500 and log it.

use std::any::Any;

use poem::{IntoResponse, Response};

use crate::jsonapi::error::ApiError;

pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<&str>()
        .map(|message| (*message).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned());
    ApiError::Internal(format!("handler panicked: {message}")).into_response()
}

#[cfg(test)]
mod tests {
    use poem::{
        EndpointExt, Route, get, handler, http::StatusCode, middleware::CatchPanic,
        test::TestClient,
    };

    use super::*;

    #[handler]
    fn explode() -> &'static str {
        panic!("a bug in a handler")
    }

    #[tokio::test]
    async fn a_panicking_handler_is_answered_with_a_json_api_500() {
        let app = Route::new()
            .at("/", get(explode))
            .with(CatchPanic::new().with_handler(panic_response));
        let response = TestClient::new(app).get("/").send().await;
        response.assert_status(StatusCode::INTERNAL_SERVER_ERROR);
        response.assert_content_type("application/vnd.api+json");
        let body = response.json().await;
        let error = body.value().object().get("errors").array().get(0).object();
        error.get("code").assert_string("internal_error");
        assert!(!error.get("detail").string().contains("a bug in a handler"));
    }
}
