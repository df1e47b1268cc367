//! Version 1 of the API, as one OpenAPI service. A `/api/v2` would be a
//! sibling of this module, mounted beside it.

use poem_openapi::{OpenApiService, Tags};

use crate::{
    auth::api::AuthApi, health::HealthApi, http::allowed_methods::AllowedMethods,
    jsonapi::routes::JsonApiRoutes, users::api::UsersApi,
};

/// Where version 1 lives.
pub const PREFIX: &str = "/api/v1";

#[derive(Tags)]
pub enum ApiTags {
    /// Registering, reading, listing, changing and deleting users.
    Users,
    /// Signing in for a bearer token.
    Auth,
    /// Probes for orchestrators.
    Health,
}

pub type ApiV1 = AllowedMethods<(JsonApiRoutes<UsersApi>, AuthApi, HealthApi)>;

/// The operations of version 1 and the document that describes them.
pub fn service() -> OpenApiService<ApiV1, ()> {
    OpenApiService::new(
        AllowedMethods((JsonApiRoutes(UsersApi), AuthApi, HealthApi)),
        "Users service",
        env!("CARGO_PKG_VERSION"),
    )
    .description(
        "Users, registered and managed over JSON:API 1.1. Sign in at `POST /api/v1/auth/token` \
         (or with the Authorize button) and send the token as `Authorization: Bearer <token>`.",
    )
}

/// The OpenAPI document, as served at `/api/v1/openapi.json`.
pub fn spec() -> String {
    finish(&service().spec())
}

/// Swagger UI's page, showing [`spec`].
pub fn swagger_ui_html() -> String {
    let service = service();
    service.swagger_ui_html().replace(&service.spec(), &spec())
}

/// Completes what poem-openapi leaves out of the document: it drops an
/// OAuth flow's `scopes` when there are none, but OpenAPI requires the
/// member (an empty map says "no scopes").
fn finish(generated: &str) -> String {
    let Ok(mut document) = serde_json::from_str::<serde_json::Value>(generated) else {
        return generated.to_owned();
    };
    if let Some(schemes) = document
        .pointer_mut("/components/securitySchemes")
        .and_then(serde_json::Value::as_object_mut)
    {
        for flow in schemes
            .values_mut()
            .filter_map(|scheme| scheme.get_mut("flows"))
            .filter_map(serde_json::Value::as_object_mut)
            .flat_map(|flows| flows.values_mut())
            .filter_map(serde_json::Value::as_object_mut)
        {
            flow.entry("scopes")
                .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
        }
    }
    serde_json::to_string_pretty(&document).unwrap_or_else(|_| generated.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_oauth_flow_declares_its_scopes() {
        let document: serde_json::Value = serde_json::from_str(&spec()).unwrap();
        let flow = &document["components"]["securitySchemes"]["oauth2"]["flows"]["password"];
        assert_eq!(flow["scopes"], serde_json::json!({}));
        assert_eq!(flow["tokenUrl"], "/api/v1/auth/token");
    }

    #[test]
    fn swagger_ui_shows_the_finished_document() {
        assert!(swagger_ui_html().contains("\"scopes\": {}"));
    }
}
