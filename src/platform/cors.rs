//! Cross-origin access for the origins in `CORS_ALLOWED_ORIGINS`.
//!
//! poem's `Cors` refuses every request whose `Origin` is not listed, which
//! would also refuse the service's own pages (browsers send `Origin` on
//! same-origin POSTs). Here an unlisted origin simply gets no CORS headers,
//! and the browser keeps the response from the page that asked.

use std::sync::Arc;

use poem::{
    Endpoint, IntoResponse, Middleware, Request, Response, Result,
    http::{HeaderValue, Method, StatusCode, header},
};

const ALLOWED_METHODS: &str = "GET, POST, PATCH, DELETE, OPTIONS";
const ALLOWED_HEADERS: &str = "authorization, content-type, accept, if-match, if-none-match";
const EXPOSED_HEADERS: &str = "location, retry-after, www-authenticate, etag";
const PREFLIGHT_MAX_AGE_SECONDS: &str = "600";

/// Adds CORS headers for the listed origins.
pub struct AllowedOrigins(pub Arc<Vec<String>>);

impl<E: Endpoint> Middleware<E> for AllowedOrigins {
    type Output = CorsEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        CorsEndpoint {
            inner,
            origins: self.0.clone(),
        }
    }
}

pub struct CorsEndpoint<E> {
    inner: E,
    origins: Arc<Vec<String>>,
}

impl<E: Endpoint> Endpoint for CorsEndpoint<E> {
    type Output = Response;

    async fn call(&self, request: Request) -> Result<Self::Output> {
        let origin = request
            .headers()
            .get(header::ORIGIN)
            .filter(|origin| {
                origin
                    .to_str()
                    .is_ok_and(|origin| self.origins.iter().any(|allowed| allowed == origin))
            })
            .cloned();
        let Some(origin) = origin else {
            return self
                .inner
                .call(request)
                .await
                .map(IntoResponse::into_response);
        };
        let preflight = request.method() == Method::OPTIONS
            && request
                .headers()
                .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
        let mut response = if preflight {
            let mut response = StatusCode::NO_CONTENT.into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static(ALLOWED_METHODS),
            );
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static(ALLOWED_HEADERS),
            );
            headers.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static(PREFLIGHT_MAX_AGE_SECONDS),
            );
            response
        } else {
            self.inner.get_response(request).await
        };
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSED_HEADERS),
        );
        headers.append(header::VARY, HeaderValue::from_static("Origin"));
        Ok(response)
    }
}
