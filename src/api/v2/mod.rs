//! Version 2: the URLs JSON:API recommends (no `.json`), cursor pagination,
//! and public profiles, over the same domain as v1. Its document is
//! committed as `openapi/v2.json`.

pub mod included;
pub mod operations;
pub mod posts;
pub mod posts_schema;
pub mod relationships;
pub mod resources;
pub mod schema;
pub mod users;

use poem_openapi::{ContactObject, LicenseObject, OpenApiService, ServerObject};

use self::{
    operations::OperationsApi, posts::PostsApi, relationships::RelationshipsApi, users::UsersApi,
};
use super::{
    auth::{AuthApi, TOKEN_ROUTE},
    mount::{Prefixed, Version},
};
use crate::{
    config::{Lifecycle, Settings},
    jsonapi::{
        links::{Mount, UrlLayout},
        routes::JsonApiRoutes,
    },
    platform::allowed_methods::AllowedMethods,
};

/// Tags only version 2 has: a tag enum's every member is in the document
/// of any version that uses one of them.
#[derive(poem_openapi::Tags)]
pub enum V2Tags {
    /// Writing, reading, listing, changing and deleting posts, and their
    /// relationships with users.
    Posts,
    /// Several writes in one request, all applied or none (JSON:API Atomic
    /// Operations).
    Operations,
}

/// Version 2's place in the URL space.
pub struct V2;

impl Mount for V2 {
    const LAYOUT: UrlLayout = UrlLayout {
        prefix: "/api/v2",
        suffix: "",
    };
}

pub type ApiV2 = AllowedMethods<
    Prefixed<
        V2,
        (
            JsonApiRoutes<V2, UsersApi>,
            JsonApiRoutes<V2, PostsApi>,
            JsonApiRoutes<V2, RelationshipsApi>,
            JsonApiRoutes<V2, OperationsApi>,
            AuthApi,
        ),
    >,
>;

impl Version for V2 {
    const NAME: &'static str = "v2";
    const SUCCESSOR: Option<UrlLayout> = None;

    type Api = ApiV2;

    fn service() -> OpenApiService<ApiV2, ()> {
        OpenApiService::new(
            AllowedMethods(Prefixed::new((
                JsonApiRoutes::new(UsersApi),
                JsonApiRoutes::new(PostsApi),
                JsonApiRoutes::new(RelationshipsApi),
                JsonApiRoutes::new(OperationsApi),
                AuthApi,
            ))),
            "Users service, version 2",
            env!("CARGO_PKG_VERSION"),
        )
        .description(format!(
            "Users and their posts over JSON:API 1.1, with the URLs JSON:API recommends, \
             cursor pagination (the JSON:API Cursor Pagination profile), relationships, \
             `include` and compound documents, public profiles, and conditional requests (`ETag`, \
             `If-Match`, `If-None-Match`). Sign in at `POST \
             {}{TOKEN_ROUTE}` (or with the Authorize button) and send the token as \
             `Authorization: Bearer <token>`; a token from either version works on both.",
            V2::LAYOUT.prefix
        ))
        .server(ServerObject::new("/").description("The service that serves this document"))
        .contact(ContactObject::new().name("Users service maintainers"))
        .license(LicenseObject::new("MIT").url("https://spdx.org/licenses/MIT.html"))
    }

    fn lifecycle(settings: &Settings) -> Lifecycle {
        settings.api_v2_lifecycle
    }
}
