//! A version as one mounted service: its operations under its prefix, its
//! OpenAPI document and Swagger UI beside them, its lifecycle headers on
//! every response, and its URL layout for the links its handlers build.

use std::{
    collections::HashMap,
    marker::PhantomData,
    sync::{Arc, OnceLock},
};

use bytes::Bytes;
use poem::{
    Endpoint, EndpointExt, Response, Route, endpoint::BoxEndpoint, endpoint::make_sync,
    http::Method,
};
use poem_openapi::{
    OpenApi, OpenApiService,
    registry::{MetaApi, Registry},
};

use super::{
    auth::TOKEN_ROUTE,
    document::{VersionFacts, finish},
    lifecycle::LifecycleHeaders,
};
use crate::{
    config::{Lifecycle, Settings},
    jsonapi::links::{Mount, UrlLayout},
};

/// A version of the API: where it lives (its [`Mount`]), what it serves,
/// and which settings say when it is deprecated.
pub trait Version: Mount {
    /// Its name in URLs and in the index: `v1`.
    const NAME: &'static str;
    /// The version clients should move to, once this one is deprecated.
    const SUCCESSOR: Option<UrlLayout>;

    type Api: OpenApi + 'static;

    /// Its operations, as poem-openapi serves and documents them.
    fn service() -> OpenApiService<Self::Api, ()>;

    /// Its deprecation and sunset, as configured.
    fn lifecycle(settings: &Settings) -> Lifecycle;
}

/// The version's OpenAPI document, finished, as served at its
/// `openapi.json`.
pub fn spec<V: Version>(lifecycle: Lifecycle) -> String {
    finish(
        &V::service().spec(),
        &VersionFacts {
            token_url: &format!("{}{TOKEN_ROUTE}", V::LAYOUT.prefix),
            deprecated: lifecycle.deprecated_at.is_some(),
        },
    )
}

/// Swagger UI's page for the version, showing [`spec`].
pub fn swagger_ui_html<V: Version>(lifecycle: Lifecycle) -> String {
    let service = V::service();
    service
        .swagger_ui_html()
        .replace(&service.spec(), &spec::<V>(lifecycle))
}

/// The version's routes, to be nested at its prefix.
pub fn mount<V: Version>(lifecycle: Lifecycle) -> impl Endpoint + 'static {
    // Shared, not copied per request. The docs page carries all of Swagger
    // UI, 1.5 MB, so it is built when first asked for: a service nobody
    // browses never holds it.
    let spec = Bytes::from(spec::<V>(lifecycle));
    let docs = Arc::new(OnceLock::<Bytes>::new());
    Route::new()
        .at(
            "/openapi.json",
            make_sync(move |_| {
                Response::builder()
                    .content_type("application/json")
                    .body(spec.clone())
            }),
        )
        .at(
            "/docs",
            make_sync(move |_| {
                Response::builder()
                    .content_type("text/html; charset=utf-8")
                    .body(
                        docs.get_or_init(|| Bytes::from(swagger_ui_html::<V>(lifecycle)))
                            .clone(),
                    )
            }),
        )
        .nest("/", V::service())
        .with(LifecycleHeaders::new(lifecycle, V::SUCCESSOR))
        .data(V::LAYOUT)
}

/// An API whose paths the document gives under the version's prefix, while
/// its routes stay relative to where the version is nested.
pub struct Prefixed<M, T>(T, PhantomData<M>);

impl<M, T> Prefixed<M, T> {
    pub fn new(api: T) -> Self {
        Self(api, PhantomData)
    }
}

impl<M: Mount, T: OpenApi> OpenApi for Prefixed<M, T> {
    fn meta() -> Vec<MetaApi> {
        let mut apis = T::meta();
        for path in apis.iter_mut().flat_map(|api| api.paths.iter_mut()) {
            path.path.insert_str(0, M::LAYOUT.prefix);
        }
        apis
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn add_routes(self, route_table: &mut HashMap<String, HashMap<Method, BoxEndpoint<'static>>>) {
        self.0.add_routes(route_table);
    }
}

/// An API a version's document describes but which is served elsewhere:
/// the probes, outside every version, which v1's document has always
/// described.
pub struct DocumentedOnly<T>(PhantomData<T>);

impl<T> Default for DocumentedOnly<T> {
    fn default() -> Self {
        Self(PhantomData)
    }
}

impl<T: OpenApi> OpenApi for DocumentedOnly<T> {
    fn meta() -> Vec<MetaApi> {
        T::meta()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn add_routes(self, _route_table: &mut HashMap<String, HashMap<Method, BoxEndpoint<'static>>>) {
    }
}
