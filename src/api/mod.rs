//! The HTTP surface. Each version is one mounted service over the shared
//! domain, with its own routes, document types and OpenAPI document; beside
//! them sit the version index, the token endpoint both versions serve, the
//! probes, and the finishing touches every document gets.

pub mod auth;
pub mod caller;
pub mod conditional;
pub mod document;
pub mod health;
pub mod idempotency;
pub mod index;
pub mod lifecycle;
pub mod link_base;
pub mod mount;
pub mod posts;
pub mod users;
pub mod v1;
pub mod v2;
pub mod writer;

use poem::{Endpoint, EndpointExt, Route};
use poem_openapi::{OpenApiService, Tags};

use self::{
    auth::TOKEN_ROUTE,
    health::HealthApi,
    index::{Versions, index, unknown_version},
    mount::{Version, mount},
    users::resource::Users,
    v1::V1,
    v2::V2,
};
use crate::{
    config::{Lifecycle, Settings},
    jsonapi::{links::LinkBase, resource::ResourceType},
    platform::allowed_methods::AllowedMethods,
};

#[derive(Tags)]
pub enum ApiTags {
    /// Registering, reading, listing, changing and deleting users.
    Users,
    /// Signing in for a bearer token.
    Auth,
    /// Probes for orchestrators.
    Health,
}

/// The names of the versions, in order.
pub const VERSION_NAMES: [&str; 2] = [V1::NAME, V2::NAME];

/// A version's OpenAPI document as committed (no deprecation set), by name.
pub fn spec(version: &str) -> Option<String> {
    match version {
        V1::NAME => Some(mount::spec::<V1>(Lifecycle::default())),
        V2::NAME => Some(mount::spec::<V2>(Lifecycle::default())),
        _ => None,
    }
}

/// Every version the service has, as the index lists them.
pub fn versions(settings: &Settings) -> Versions {
    Versions::new(vec![
        Versions::entry::<V1>(settings),
        Versions::entry::<V2>(settings),
    ])
}

/// Every version mounted at its prefix, the index of versions at `/api`,
/// and the probes outside them.
pub fn routes(settings: &Settings) -> impl Endpoint + 'static {
    let versions = versions(settings);
    let route = with_version::<V1>(Route::new(), settings);
    with_version::<V2>(route, settings)
        .at("/api", index(versions.clone()))
        .at("/api/:version", unknown_version(versions.clone()))
        .at("/api/:version/*rest", unknown_version(versions))
        .nest(
            "/",
            OpenApiService::new(AllowedMethods(HealthApi), "Probes", ""),
        )
        .boxed()
}

/// Where a POST hashes a password (signing in, registering), in every
/// version: those requests wait for places of their own.
pub fn password_hashing_paths() -> Vec<String> {
    fn of<V: Version>() -> [String; 2] {
        let root = LinkBase::new("").within(V::LAYOUT);
        [root.url(TOKEN_ROUTE), root.collection(Users::TYPE)]
    }
    [of::<V1>(), of::<V2>()].concat()
}

fn with_version<V: Version>(route: Route, settings: &Settings) -> Route {
    route.nest(V::LAYOUT.prefix, mount::<V>(V::lifecycle(settings)))
}
