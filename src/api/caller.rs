//! The caller as handlers take it: the bearer token of a request read into
//! users' [`Bearer`] and [`Caller`], by poem-openapi extractors that also
//! declare the security schemes in the spec: a bearer JWT, and the OAuth 2
//! password flow that obtains one (which is what Swagger UI's Authorize
//! button uses).

use poem::{Request, RequestBody, http::header::AUTHORIZATION};
use poem_openapi::{
    ApiExtractor, ApiExtractorType, ExtractParamOptions,
    registry::{MetaOAuthFlow, MetaOAuthFlows, MetaSecurityScheme, Registry},
};

use crate::{
    jsonapi::error::ApiError,
    state::AppState,
    users::caller::{Bearer, Caller},
};

const BEARER_SCHEME: &str = "bearerAuth";
const OAUTH2_SCHEME: &str = "oauth2";

/// A caller who may be anonymous. A token that is sent must still be valid:
/// a bad one is refused, never taken as no token.
pub struct MaybeCaller(pub Option<Caller>);

/// A bearer token, if one was sent, verified but not yet checked against
/// its user: for handlers that check it where they write, once for each
/// thing they do, as a batch of operations does.
pub struct MaybeBearer(pub Option<Bearer>);

fn register_schemes(registry: &mut Registry) {
    registry.create_security_scheme(
        BEARER_SCHEME,
        MetaSecurityScheme {
            ty: "http",
            description: Some(
                "A JWT from the token endpoint of any version, `POST .../auth/token`.",
            ),
            name: None,
            key_in: None,
            scheme: Some("bearer"),
            bearer_format: Some("JWT"),
            flows: None,
            openid_connect_url: None,
        },
    );
    registry.create_security_scheme(
        OAUTH2_SCHEME,
        MetaSecurityScheme {
            ty: "oauth2",
            description: Some("Sign in with email (as username) and password."),
            name: None,
            key_in: None,
            scheme: None,
            bearer_format: None,
            flows: Some(MetaOAuthFlows {
                implicit: None,
                password: Some(MetaOAuthFlow {
                    authorization_url: None,
                    // Each document writes its version's own token URL here.
                    token_url: Some("/auth/token"),
                    refresh_url: None,
                    scopes: Vec::new(),
                }),
                client_credentials: None,
                authorization_code: None,
            }),
            openid_connect_url: None,
        },
    );
}

/// The bearer token the request sent, if any, verified.
pub(crate) fn bearer(request: &Request) -> Result<Option<Bearer>, ApiError> {
    let Some(header) = request.headers().get(AUTHORIZATION) else {
        return Ok(None);
    };
    let token = header
        .to_str()
        .ok()
        .and_then(|value| {
            let (scheme, token) = value.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .filter(|token| !token.is_empty())
        .ok_or(ApiError::InvalidToken)?;
    let claims = AppState::of(request)?.tokens.verify(token)?;
    Ok(Some(Bearer::from_claims(&claims)?))
}

/// The caller behind the request's bearer token, if it sent one.
async fn authenticate(request: &Request) -> Result<Option<Caller>, ApiError> {
    let Some(bearer) = bearer(request)? else {
        return Ok(None);
    };
    Ok(Some(bearer.caller(&AppState::of(request)?.db).await?))
}

/// Implements the extractor for a type that stands for the bearer token, so
/// that every form of it declares the same security schemes.
macro_rules! bearer_extractor {
    ($extractor:ty, anonymous: $anonymous:expr, |$request:ident| $extract:expr) => {
        impl<'a> ApiExtractor<'a> for $extractor {
            const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::SecurityScheme];

            type ParamType = ();
            type ParamRawType = ();

            fn register(registry: &mut Registry) {
                register_schemes(registry);
            }

            fn security_schemes() -> Vec<&'static str> {
                vec![BEARER_SCHEME, OAUTH2_SCHEME]
            }

            fn has_security_fallback() -> bool {
                $anonymous
            }

            async fn from_request(
                $request: &'a Request,
                _body: &mut RequestBody,
                _param_opts: ExtractParamOptions<Self::ParamType>,
            ) -> poem::Result<Self> {
                Ok($extract)
            }
        }
    };
}

bearer_extractor!(Caller, anonymous: false, |request| authenticate(request)
    .await?
    .ok_or(ApiError::Unauthenticated)?);

bearer_extractor!(MaybeCaller, anonymous: true, |request| Self(
    authenticate(request).await?
));

bearer_extractor!(MaybeBearer, anonymous: true, |request| Self(bearer(request)?));

bearer_extractor!(Bearer, anonymous: false, |request| bearer(request)?
    .ok_or(ApiError::Unauthenticated)?);
