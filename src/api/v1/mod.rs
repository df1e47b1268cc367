//! Version 1, published and frozen: `.json` URLs, page numbers, users only.
//! Its document is committed as `openapi/v1.json`, and CI refuses any
//! change to it that would break a client generated from it.

pub mod users;

use poem_openapi::{ContactObject, LicenseObject, OpenApiService, ServerObject};

use self::users::UsersApi;
use super::{
    auth::{AuthApi, TOKEN_ROUTE},
    health::HealthApi,
    mount::{DocumentedOnly, Prefixed, Version},
    v2::V2,
};
use crate::{
    config::{Lifecycle, Settings},
    jsonapi::{
        links::{Mount, UrlLayout},
        routes::JsonApiRoutes,
    },
    platform::allowed_methods::AllowedMethods,
};

/// Version 1's place in the URL space.
pub struct V1;

impl Mount for V1 {
    const LAYOUT: UrlLayout = UrlLayout {
        prefix: "/api/v1",
        suffix: ".json",
    };
}

pub type ApiV1 = AllowedMethods<(
    Prefixed<V1, (JsonApiRoutes<V1, UsersApi>, AuthApi)>,
    DocumentedOnly<HealthApi>,
)>;

impl Version for V1 {
    const NAME: &'static str = "v1";
    const SUCCESSOR: Option<UrlLayout> = Some(V2::LAYOUT);

    type Api = ApiV1;

    fn service() -> OpenApiService<ApiV1, ()> {
        OpenApiService::new(
            AllowedMethods((
                Prefixed::new((JsonApiRoutes::new(UsersApi), AuthApi)),
                DocumentedOnly::default(),
            )),
            "Users service",
            env!("CARGO_PKG_VERSION"),
        )
        .description(format!(
            "Users, registered and managed over JSON:API 1.1. Sign in at `POST {}{TOKEN_ROUTE}` \
             (or with the Authorize button) and send the token as `Authorization: Bearer \
             <token>`.",
            V1::LAYOUT.prefix
        ))
        // Paths are absolute, so the service is wherever this document was
        // fetched from; SDKs take the address when they are configured.
        .server(ServerObject::new("/").description("The service that serves this document"))
        .contact(ContactObject::new().name("Users service maintainers"))
        .license(LicenseObject::new("MIT").url("https://spdx.org/licenses/MIT.html"))
    }

    fn lifecycle(settings: &Settings) -> Lifecycle {
        settings.api_v1_lifecycle
    }
}

/// The document as committed: no deprecation set.
pub fn spec() -> String {
    super::mount::spec::<V1>(Lifecycle::default())
}

/// Swagger UI's page for [`spec`].
pub fn swagger_ui_html() -> String {
    super::mount::swagger_ui_html::<V1>(Lifecycle::default())
}
