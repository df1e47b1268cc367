//! The admin console: one AngularJS page and its script and stylesheet,
//! embedded in the binary, so the service needs nothing beside it to serve
//! them. AngularJS itself comes from a public CDN, pinned by Subresource
//! Integrity in `console/index.html`.

use poem::{
    Endpoint, IntoResponse, Request, Response, ResponseBuilder,
    error::NotFoundError,
    handler,
    http::{Method, header},
    web::Path,
};

use crate::jsonapi::error::ApiError;

const PAGE: &str = include_str!("console/index.html");
const SCRIPT: &str = include_str!("console/app.js");
const STYLESHEET: &str = include_str!("console/app.css");

/// The page runs only its own script and AngularJS from the CDN, styles only
/// from its stylesheet (AngularJS runs in `ng-csp` mode: no eval, no inline
/// style), and talks only to this origin.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; \
     script-src 'self' https://cdn.jsdelivr.net; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Serves the console's page at `/`, in front of `next`, which gets every
/// other request. A plain `Route::at("/")` cannot do it: poem gives `/` to the
/// catch-all of the API's `nest("/")` whatever else is routed there.
pub async fn page_at_root<E: Endpoint>(next: E, request: Request) -> poem::Result<Response> {
    if request.uri().path() != "/" {
        return Ok(next.call(request).await?.into_response());
    }
    only_get(&request)?;
    Ok(embedded("text/html; charset=utf-8")
        .header(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY)
        .header(header::REFERRER_POLICY, "no-referrer")
        .body(PAGE))
}

/// The console's script and stylesheet, for `/console/:file`.
pub fn assets() -> impl Endpoint {
    asset
}

#[handler]
fn asset(request: &Request, Path(file): Path<String>) -> poem::Result<Response> {
    let (body, content_type) = match file.as_str() {
        "app.js" => (SCRIPT, "text/javascript; charset=utf-8"),
        "app.css" => (STYLESHEET, "text/css; charset=utf-8"),
        _ => return Err(NotFoundError.into()),
    };
    only_get(request)?;
    Ok(embedded(content_type).body(body))
}

/// The console's files are read, never written: anything but GET and HEAD
/// is 405, with `Allow` as RFC 9110 requires.
fn only_get(request: &Request) -> Result<(), ApiError> {
    if request.method() == Method::GET || request.method() == Method::HEAD {
        Ok(())
    } else {
        Err(ApiError::MethodNotAllowed {
            allow: Some("GET, HEAD".to_owned()),
        })
    }
}

/// The headers of an embedded file. `no-cache`: browsers revalidate, so a
/// new release's page is never mixed with an old release's script.
fn embedded(content_type: &'static str) -> ResponseBuilder {
    Response::builder()
        .content_type(content_type)
        .header(header::CACHE_CONTROL, "no-cache")
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
}

#[cfg(test)]
mod tests {
    use poem::{EndpointExt, Route, endpoint::make_sync, http::StatusCode, test::TestClient};

    use super::*;

    /// As in the app: the assets routed, an API nested at `/`, and the page
    /// in front of them.
    fn console() -> impl Endpoint {
        Route::new()
            .at("/console/:file", assets())
            .nest("/", Route::new().at("/api", make_sync(|_| "api")))
            .around(page_at_root)
    }

    #[tokio::test]
    async fn the_page_and_its_assets_have_their_content_types() {
        let client = TestClient::new(console());
        for (path, content_type) in [
            ("/", "text/html; charset=utf-8"),
            ("/console/app.js", "text/javascript; charset=utf-8"),
            ("/console/app.css", "text/css; charset=utf-8"),
        ] {
            let response = client.get(path).send().await;
            response.assert_status_is_ok();
            response.assert_content_type(content_type);
        }
    }

    #[tokio::test]
    async fn the_page_has_a_content_security_policy() {
        let response = TestClient::new(console()).get("/").send().await;
        response.assert_header(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
    }

    #[tokio::test]
    async fn everything_else_goes_to_the_rest_of_the_app() {
        let client = TestClient::new(console());
        let response = client.get("/api").send().await;
        response.assert_status_is_ok();
        response.assert_text("api").await;
    }

    #[tokio::test]
    async fn the_files_are_only_read() {
        let client = TestClient::new(console());
        for path in ["/", "/console/app.js"] {
            client.head(path).send().await.assert_status_is_ok();
            let response = client.post(path).send().await;
            response.assert_status(StatusCode::METHOD_NOT_ALLOWED);
            response.assert_header(header::ALLOW, "GET, HEAD");
        }
    }

    #[tokio::test]
    async fn other_files_are_not_found() {
        let response = TestClient::new(console())
            .get("/console/index.html")
            .send()
            .await;
        response.assert_status(StatusCode::NOT_FOUND);
    }

    #[test]
    fn angularjs_is_pinned_by_subresource_integrity() {
        let scripts = PAGE.matches("<script src=\"https://").count();
        assert_eq!(scripts, 2);
        assert_eq!(PAGE.matches("integrity=\"sha384-").count(), scripts);
        assert_eq!(PAGE.matches("crossorigin=\"anonymous\"").count(), scripts);
    }
}
