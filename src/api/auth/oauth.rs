//! The OAuth 2 shapes of the token endpoint (RFC 6749, section 4.3): the
//! form it takes and the credentials in it, the token it answers, and its
//! error responses.

use poem::{IntoResponse, Request, RequestBody, Response, http::StatusCode};
use poem_openapi::{
    ApiExtractor, ApiExtractorType, ApiResponse, Enum, ExtractParamOptions, Object,
    payload::{Json, Payload},
    registry::{MetaMediaType, MetaRequest, MetaResponse, MetaResponses, Registry},
    types::{ToJSON, Type},
};
use serde_json::Value;

use crate::{
    auth::password::Password,
    jsonapi::error::ApiError,
    jsonapi::{MEDIA_TYPE, document::ErrorDocument, payload::JsonApi, strict_json},
    users::sign_in::SignInError,
};

const FORM: &str = "application/x-www-form-urlencoded";

/// A sign-in request: the resource owner password credentials grant.
#[derive(Object, Debug)]
#[oai(rename = "TokenRequest")]
pub struct TokenRequest {
    /// Always `password`.
    pub grant_type: String,
    /// The user's email address.
    pub username: String,
    /// The user's password.
    #[oai(validator(min_length = 1))]
    pub password: String,
    /// Ignored; the service has no scopes.
    #[oai(skip_serializing_if_is_none)]
    pub scope: Option<String>,
    /// Ignored; any client may sign a user in.
    #[oai(skip_serializing_if_is_none)]
    pub client_id: Option<String>,
}

/// A bearer token for the API.
#[derive(Object, Debug)]
#[oai(rename = "AccessToken")]
pub struct AccessToken {
    /// The JWT to send as `Authorization: Bearer <token>`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: u64,
}

/// RFC 6749 error codes the token endpoint answers with.
//
// Named for the endpoint in the document: SDK generators make `OAuth` into
// `o_auth` and `OAuthErrorCode` reads worse than `TokenErrorCode` anyway.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename = "TokenErrorCode", rename_all = "snake_case")]
pub enum OAuthErrorCode {
    InvalidRequest,
    InvalidGrant,
    UnsupportedGrantType,
}

/// An RFC 6749 error response of the token endpoint.
#[derive(Object, Debug, Clone)]
#[oai(rename = "TokenError")]
pub struct OAuthError {
    /// What kind of failure it is.
    pub error: OAuthErrorCode,
    /// A sentence for the person signing in.
    pub error_description: String,
}

impl OAuthError {
    pub fn new(error: OAuthErrorCode, description: &str) -> Self {
        Self {
            error,
            error_description: description.to_owned(),
        }
    }

    /// The one answer for an unknown email and for a wrong password.
    pub fn invalid_grant() -> Self {
        Self::new(
            OAuthErrorCode::InvalidGrant,
            "the email address or password is wrong",
        )
    }
}

/// The credentials as sent, each possibly missing.
#[derive(Debug, Default)]
pub struct TokenParams {
    pub grant_type: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
}

impl TokenParams {
    /// The email address and password of a password grant.
    pub fn credentials(self) -> Result<(String, Password), OAuthError> {
        let invalid =
            |description: &str| OAuthError::new(OAuthErrorCode::InvalidRequest, description);
        match self.grant_type.as_deref() {
            None => return Err(invalid("grant_type is required")),
            Some("password") => {}
            Some(_) => {
                return Err(OAuthError::new(
                    OAuthErrorCode::UnsupportedGrantType,
                    "only the password grant is supported",
                ));
            }
        }
        let email = self
            .username
            .filter(|username| !username.trim().is_empty())
            .ok_or_else(|| invalid("username (the email address) is required"))?;
        let password = self
            .password
            .filter(|password| !password.is_empty())
            .ok_or_else(|| invalid("password is required"))?;
        Ok((email, Password::new(password)))
    }
}

/// The token request body, as a form (what the spec documents and Swagger UI
/// sends) or as JSON. Malformed content is kept as an OAuth error, because
/// the token endpoint answers in RFC 6749's terms.
pub struct TokenRequestBody(pub Result<TokenParams, OAuthError>);

impl TokenRequestBody {
    fn parse(content_type: &str, bytes: &[u8]) -> Result<TokenParams, OAuthError> {
        let malformed = || OAuthError::new(OAuthErrorCode::InvalidRequest, "the body is malformed");
        if content_type.starts_with(FORM) {
            let mut params = TokenParams::default();
            for (name, value) in form_urlencoded::parse(bytes) {
                let slot = match name.as_ref() {
                    "grant_type" => &mut params.grant_type,
                    "username" => &mut params.username,
                    "password" => &mut params.password,
                    _ => continue,
                };
                if slot.replace(value.into_owned()).is_some() {
                    return Err(OAuthError::new(
                        OAuthErrorCode::InvalidRequest,
                        &format!("{name} is given more than once"),
                    ));
                }
            }
            return Ok(params);
        }
        let Ok(Value::Object(object)) = strict_json::parse(bytes) else {
            return Err(malformed());
        };
        let field = |name: &str| match object.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(value)) => Ok(Some(value.clone())),
            Some(_) => Err(OAuthError::new(
                OAuthErrorCode::InvalidRequest,
                &format!("{name} must be a string"),
            )),
        };
        Ok(TokenParams {
            grant_type: field("grant_type")?,
            username: field("username")?,
            password: field("password")?,
        })
    }
}

fn is_token_content_type(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == FORM || essence == "application/json"
}

impl<'a> ApiExtractor<'a> for TokenRequestBody {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        TokenRequest::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: None,
            content: vec![MetaMediaType {
                content_type: FORM,
                schema: TokenRequest::schema_ref(),
            }],
            required: true,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let content_type = request
            .content_type()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if !is_token_content_type(&content_type) {
            return Err(ApiError::UnsupportedMediaType(format!(
                "send the credentials as {FORM} or application/json"
            ))
            .into());
        }
        let bytes = <Vec<u8> as poem::FromRequest>::from_request(request, body).await?;
        Ok(Self(Self::parse(&content_type, &bytes)))
    }
}

/// Why a sign-in failed: an RFC 6749 error, or a JSON:API one for the
/// failures every endpoint shares (throttling, media type, outages).
pub enum TokenFailure {
    OAuth(OAuthError),
    Api(ApiError),
}

impl From<OAuthError> for TokenFailure {
    fn from(error: OAuthError) -> Self {
        Self::OAuth(error)
    }
}

impl From<SignInError> for TokenFailure {
    fn from(error: SignInError) -> Self {
        match error {
            SignInError::WrongCredentials => Self::OAuth(OAuthError::invalid_grant()),
            SignInError::Auth(error) => Self::Api(error.into()),
            SignInError::Database(error) => Self::Api(error.into()),
        }
    }
}

impl IntoResponse for TokenFailure {
    fn into_response(self) -> Response {
        match self {
            Self::OAuth(error) => Response::builder()
                .status(StatusCode::BAD_REQUEST)
                .content_type("application/json")
                .header("Cache-Control", "no-store")
                .header("Pragma", "no-cache")
                .body(serde_json::to_vec(&error.to_json()).unwrap_or_default()),
            Self::Api(error) => error.into_response(),
        }
    }
}

impl From<TokenFailure> for poem::Error {
    fn from(failure: TokenFailure) -> Self {
        match failure {
            TokenFailure::Api(error) => error.into(),
            oauth => poem::Error::from_response(oauth.into_response()),
        }
    }
}

impl ApiResponse for TokenFailure {
    fn meta() -> MetaResponses {
        let error_document = |status, description| MetaResponse {
            description,
            status: Some(status),
            status_range: None,
            content: vec![MetaMediaType {
                content_type: MEDIA_TYPE,
                schema: JsonApi::<ErrorDocument>::schema_ref(),
            }],
            headers: vec![],
        };
        MetaResponses {
            responses: vec![
                MetaResponse {
                    description: "The credentials are wrong (`invalid_grant`), the request is \
                                  incomplete (`invalid_request`) or the grant type is not \
                                  `password` (`unsupported_grant_type`).",
                    status: Some(400),
                    status_range: None,
                    content: vec![MetaMediaType {
                        content_type: Json::<OAuthError>::CONTENT_TYPE,
                        schema: OAuthError::schema_ref(),
                    }],
                    headers: vec![],
                },
                error_document(413, "The request body is over the size limit."),
                error_document(415, "The body is neither a form nor JSON."),
                error_document(
                    429,
                    "Too many failed sign-ins for this email or from this address; wait for the \
                     time in `Retry-After`.",
                ),
                error_document(500, "A bug; the details are in the server log."),
                error_document(503, "The database is unreachable; retry later."),
            ],
        }
    }

    fn register(registry: &mut Registry) {
        OAuthError::register(registry);
        ErrorDocument::register(registry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_is_read_field_by_field() {
        let params = TokenRequestBody::parse(
            "application/x-www-form-urlencoded",
            b"grant_type=password&username=a%40b.io&password=p%26q&client_id=x",
        )
        .unwrap();
        assert_eq!(params.username.as_deref(), Some("a@b.io"));
        assert_eq!(params.password.as_deref(), Some("p&q"));
    }

    #[test]
    fn json_takes_the_same_fields() {
        let params = TokenRequestBody::parse(
            "application/json",
            br#"{"grant_type":"password","username":"a@b.io","password":"x"}"#,
        )
        .unwrap();
        assert_eq!(params.grant_type.as_deref(), Some("password"));
    }

    #[test]
    fn malformed_json_is_an_invalid_request() {
        let error = TokenRequestBody::parse("application/json", b"{").unwrap_err();
        assert_eq!(error.error, OAuthErrorCode::InvalidRequest);
    }
}
