//! The token endpoint, which every version serves: a token from either
//! works on both.

mod error;
pub mod oauth;

use poem::{Request, web::Data};
use poem_openapi::{ApiResponse, OpenApi, payload::Json};

use self::oauth::{AccessToken, TokenFailure, TokenRequestBody};
use super::ApiTags;
use crate::{state::AppState, users::sign_in::sign_in};

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
        let (email, password) = body.0?.credentials()?;
        let address = request
            .remote_addr()
            .as_socket_addr()
            .map(|address| address.ip());
        let issued = sign_in(&state, address, &email, &password).await?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_operation_lives_at_the_token_route() {
        let paths: Vec<String> = AuthApi::meta()
            .into_iter()
            .flat_map(|api| api.paths)
            .map(|path| path.path)
            .collect();
        assert_eq!(paths, [TOKEN_ROUTE]);
    }
}
