//! The token endpoint, which every version serves: a token from either
//! works on both.

mod error;

use poem::{Request, web::Data};
use poem_openapi::{ApiResponse, OpenApi, payload::Json};

use super::ApiTags;
use crate::{
    auth::{
        oauth::{AccessToken, TokenFailure, TokenRequestBody},
        sign_in::sign_in,
    },
    state::AppState,
};

/// Where a version issues tokens, below its prefix.
pub const TOKEN_ROUTE: &str = "/auth/token";

pub struct AuthApi;

#[derive(ApiResponse)]
enum TokenIssued {
    /// Signed in: a bearer token for the API.
    #[oai(status = 200)]
    Ok(
        Json<AccessToken>,
        /// Always `no-store`: tokens must not be cached.
        #[oai(header = "Cache-Control")]
        String,
    ),
}

#[OpenApi(tag = "ApiTags::Auth")]
impl AuthApi {
    /// Sign in
    ///
    /// Exchanges an email address (as `username`) and password for a bearer
    /// token, by the OAuth 2 resource owner password credentials grant. The
    /// same fields are also accepted as a JSON object.
    #[oai(path = "/auth/token", method = "post", operation_id = "createToken")]
    async fn create_token(
        &self,
        state: Data<&AppState>,
        request: &Request,
        body: TokenRequestBody,
    ) -> Result<TokenIssued, TokenFailure> {
        let params = body.0.map_err(TokenFailure::OAuth)?;
        let address = request
            .remote_addr()
            .as_socket_addr()
            .map(|address| address.ip());
        let issued = sign_in(&state, address, params).await?;
        Ok(TokenIssued::Ok(
            Json(AccessToken {
                access_token: issued.access_token,
                token_type: "Bearer".to_owned(),
                expires_in: issued.expires_in,
            }),
            "no-store".to_owned(),
        ))
    }
}
