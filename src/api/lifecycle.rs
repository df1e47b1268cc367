//! What a deprecated version says on every response: `Deprecation`
//! (RFC 9745), `Sunset` (RFC 8594) and the version that replaces it
//! (`Link: rel="successor-version"`, RFC 5829).

use chrono::{DateTime, Utc};
use poem::{
    Endpoint, IntoResponse, Middleware, Request, Response, Result,
    http::{HeaderValue, header::LINK},
};

use crate::{
    config::Lifecycle, jsonapi::error::error_response, jsonapi::links::UrlLayout, state::AppState,
};

const DEPRECATION: &str = "deprecation";
const SUNSET: &str = "sunset";

/// A structured-field date: `@` and the Unix time.
pub fn deprecation_value(time: DateTime<Utc>) -> String {
    format!("@{}", time.timestamp())
}

/// An HTTP date (IMF-fixdate).
pub fn http_date(time: DateTime<Utc>) -> String {
    time.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// Adds a version's lifecycle headers to each of its responses, errors
/// included. A version with no deprecation set adds nothing.
pub struct LifecycleHeaders {
    deprecation: Option<HeaderValue>,
    sunset: Option<HeaderValue>,
    successor: Option<UrlLayout>,
}

impl LifecycleHeaders {
    pub fn new(lifecycle: Lifecycle, successor: Option<UrlLayout>) -> Self {
        let header = |value: String| HeaderValue::from_str(&value).ok();
        Self {
            deprecation: lifecycle
                .deprecated_at
                .and_then(|time| header(deprecation_value(time))),
            sunset: lifecycle.sunset_at.and_then(|time| header(http_date(time))),
            successor: successor.filter(|_| lifecycle.deprecated_at.is_some()),
        }
    }
}

impl<E: Endpoint> Middleware<E> for LifecycleHeaders {
    type Output = LifecycleHeadersEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        LifecycleHeadersEndpoint {
            inner,
            deprecation: self.deprecation.clone(),
            sunset: self.sunset.clone(),
            successor: self.successor,
        }
    }
}

pub struct LifecycleHeadersEndpoint<E> {
    inner: E,
    deprecation: Option<HeaderValue>,
    sunset: Option<HeaderValue>,
    successor: Option<UrlLayout>,
}

impl<E: Endpoint> Endpoint for LifecycleHeadersEndpoint<E> {
    type Output = Response;

    async fn call(&self, request: Request) -> Result<Response> {
        if self.deprecation.is_none() && self.sunset.is_none() {
            return self
                .inner
                .call(request)
                .await
                .map(IntoResponse::into_response);
        }
        let successor = match (self.successor, AppState::of(&request)) {
            (Some(layout), Ok(state)) => {
                let url = state.public_url.link_base(&request).url(layout.prefix);
                HeaderValue::from_str(&format!("<{url}>; rel=\"successor-version\"")).ok()
            }
            _ => None,
        };
        let mut response = match self.inner.call(request).await {
            Ok(output) => output.into_response(),
            Err(error) => error_response(error),
        };
        let headers = response.headers_mut();
        if let Some(value) = &self.deprecation {
            headers.insert(DEPRECATION, value.clone());
        }
        if let Some(value) = &self.sunset {
            headers.insert(SUNSET, value.clone());
        }
        if let Some(value) = successor {
            headers.append(LINK, value);
        }
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn dates_are_written_as_the_rfcs_ask() {
        let time = Utc.with_ymd_and_hms(2027, 6, 30, 23, 59, 59).unwrap();
        assert_eq!(deprecation_value(time), "@1814399999");
        assert_eq!(http_date(time), "Wed, 30 Jun 2027 23:59:59 GMT");
    }
}
