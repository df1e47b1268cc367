//! `GET /api`: the versions the service has, where their documents are,
//! and when they are deprecated and go away. A version it does not have is
//! a 404 that lists those it has.

use std::sync::Arc;

use poem::{Endpoint, EndpointExt, Request, Response, endpoint::make_sync, handler, web::Data};
use serde::Serialize;
use serde_json::json;

use super::mount::Version;
use crate::{
    config::{Lifecycle, Settings},
    jsonapi::error::ApiError,
    jsonapi::{
        MEDIA_TYPE,
        document::JSONAPI_VERSION,
        links::{LinkBase, UrlLayout},
    },
};

/// The versions, in order, as the index lists them.
#[derive(Clone)]
pub struct Versions(Arc<Vec<Entry>>);

/// One version, as the index lists it.
pub struct Entry {
    name: &'static str,
    layout: UrlLayout,
    lifecycle: Lifecycle,
}

impl Versions {
    pub fn new(entries: Vec<Entry>) -> Self {
        Self(Arc::new(entries))
    }

    pub fn entry<V: Version>(settings: &Settings) -> Entry {
        Entry {
            name: V::NAME,
            layout: V::LAYOUT,
            lifecycle: V::lifecycle(settings),
        }
    }

    fn names(&self) -> Vec<&'static str> {
        self.0.iter().map(|entry| entry.name).collect()
    }
}

#[derive(Serialize)]
struct VersionAttributes {
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    deprecated_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sunset_at: Option<String>,
}

fn resource(entry: &Entry, base: &LinkBase) -> serde_json::Value {
    let lifecycle = entry.lifecycle;
    let attributes = VersionAttributes {
        status: if lifecycle.deprecated_at.is_some() {
            "deprecated"
        } else {
            "stable"
        },
        deprecated_at: lifecycle.deprecated_at.map(|time| time.to_rfc3339()),
        sunset_at: lifecycle.sunset_at.map(|time| time.to_rfc3339()),
    };
    let root = base.url(entry.layout.prefix);
    json!({
        "type": "versions",
        "id": entry.name,
        "attributes": attributes,
        "links": {
            "self": root,
            "describedby": format!("{root}/openapi.json"),
            "docs": format!("{root}/docs"),
        },
    })
}

/// The index of versions, a JSON:API document of `versions` resources.
pub fn index(versions: Versions) -> impl Endpoint + 'static {
    #[handler]
    fn list(base: LinkBase, versions: Data<&Versions>) -> Response {
        let document = json!({
            "jsonapi": {"version": JSONAPI_VERSION},
            "data": versions.0.0.iter().map(|entry| resource(entry, &base)).collect::<Vec<_>>(),
            "links": {"self": base.url("/api")},
        });
        Response::builder()
            .content_type(MEDIA_TYPE)
            .body(document.to_string())
    }
    poem::get(list).data(versions)
}

/// Any path under `/api` that no version holds.
pub fn unknown_version(versions: Versions) -> impl Endpoint + 'static {
    make_sync(move |request: Request| -> Result<Response, ApiError> {
        let asked = request
            .raw_path_param("version")
            .unwrap_or_default()
            .to_owned();
        Err(ApiError::UnknownVersion {
            asked,
            known: versions.names(),
        })
    })
}
