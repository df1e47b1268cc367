//! Bearer tokens: what a real one holds, and every kind of forged, expired or garbled one
//! the service must refuse with a 401.

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use reqwest::header::AUTHORIZATION;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{
    ME_PATH, TestApp, TestResponse, USERS_PATH, assert_bearer_challenge, assert_error_status,
    assert_unauthorized, registration, send, spawn_app, spawn_app_with, strong_password,
    unique_email,
};

/// The claims of a real token, read without checking anything.
fn claims_of(token: &str) -> Value {
    jsonwebtoken::dangerous::insecure_decode::<Value>(token)
        .expect("a decodable JWT")
        .claims
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The claims of a real token with a fresh `iat`, `exp` and `jti`, for forging.
fn fresh_claims_like(token: &str) -> Value {
    let mut claims = claims_of(token);
    claims["iat"] = json!(now());
    claims["exp"] = json!(now() + 600);
    claims["jti"] = json!(Uuid::new_v4().to_string());
    claims
}

/// Signs `claims` with the service's own secret.
fn sign(app: &TestApp, algorithm: Algorithm, claims: &Value) -> String {
    sign_with(app.jwt_secret.as_bytes(), algorithm, claims)
}

fn sign_with(secret: &[u8], algorithm: Algorithm, claims: &Value) -> String {
    encode(
        &Header::new(algorithm),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .expect("the token is signed")
}

const BASE64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Unpadded base64url, as JWTs use.
fn base64url(bytes: &[u8]) -> String {
    let mut encoded = String::new();
    for chunk in bytes.chunks(3) {
        let byte = |index: usize| u32::from(chunk.get(index).copied().unwrap_or(0));
        let bits = (byte(0) << 16) | (byte(1) << 8) | byte(2);
        for position in 0..=chunk.len() {
            let sextet = (bits >> (18 - 6 * position)) & 63;
            encoded.push(char::from(BASE64URL[sextet as usize]));
        }
    }
    encoded
}

async fn me_with(app: &TestApp, token: &str) -> TestResponse {
    app.get(ME_PATH, Some(token)).await
}

#[test]
fn base64url_encodes_like_rfc_4648() {
    // Arrange
    let cases: [(&[u8], &str); 5] = [
        (b"", ""),
        (b"f", "Zg"),
        (b"fo", "Zm8"),
        (b"foo", "Zm9v"),
        (&[0xfb, 0xff], "-_8"),
    ];

    for (input, expected) in cases {
        // Act
        let encoded = base64url(input);

        // Assert
        assert_eq!(encoded, expected, "base64url({input:?})");
    }
}

#[tokio::test]
async fn a_token_is_an_hs256_jwt_with_sub_iat_exp_iss_aud_and_jti() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let (id, token, _, _) = app.register_and_sign_in().await;

    // Assert
    let decoded = jsonwebtoken::dangerous::insecure_decode::<Value>(token.as_str()).expect("a JWT");
    assert_eq!(decoded.header.alg, Algorithm::HS256);
    let claims = decoded.claims;
    assert_eq!(
        claims["sub"],
        id.to_string(),
        "sub is the user id as a string"
    );
    let iat = claims["iat"].as_i64().expect("a numeric iat");
    let exp = claims["exp"].as_i64().expect("a numeric exp");
    assert_eq!(exp - iat, 3600, "the token lives for jwt_ttl_seconds");
    assert!((iat - now()).abs() < 60, "iat is now");
    assert!(
        claims["iss"].as_str().is_some_and(|iss| !iss.is_empty()),
        "an iss: {claims}"
    );
    assert!(
        claims["aud"].is_string() || claims["aud"].is_array(),
        "an aud: {claims}"
    );
    assert!(
        claims["jti"].as_str().is_some_and(|jti| !jti.is_empty()),
        "a jti: {claims}"
    );
}

#[tokio::test]
async fn every_token_has_its_own_jti() {
    // Arrange
    let app = spawn_app().await;
    let (_, first, email, password) = app.register_and_sign_in().await;

    // Act
    let second = app.sign_in(&email, &password).await;

    // Assert
    assert_ne!(claims_of(&first)["jti"], claims_of(&second)["jti"]);
}

#[tokio::test]
async fn the_token_lifetime_follows_the_settings() {
    // Arrange
    let app = spawn_app_with(|settings| settings.jwt_ttl_seconds = 60).await;
    let email = unique_email("ada");
    let password = strong_password();
    app.register_ok("Ada Lovelace", &email, &password).await;

    // Act
    let response = app
        .request_token(&[
            ("grant_type", "password"),
            ("username", &email),
            ("password", &password),
        ])
        .await;

    // Assert
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    let body = response.json();
    assert_eq!(body["expires_in"], 60);
    let claims = claims_of(body["access_token"].as_str().expect("a token"));
    let lifetime = claims["exp"].as_i64().zip(claims["iat"].as_i64());
    assert_eq!(lifetime.map(|(exp, iat)| exp - iat), Some(60));
}

#[tokio::test]
async fn a_token_forged_with_the_real_secret_and_claims_is_accepted() {
    // Arrange: proves the forging below is faithful, so each refusal is for the reason named.
    let app = spawn_app().await;
    let (_, token, _, _) = app.register_and_sign_in().await;
    let forged = sign(&app, Algorithm::HS256, &fresh_claims_like(&token));

    // Act
    let response = me_with(&app, &forged).await;

    // Assert
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
}

#[tokio::test]
async fn a_request_without_a_token_is_a_401_with_a_bearer_challenge() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let response = app.get(ME_PATH, None).await;

    // Assert
    assert_unauthorized(&response, "unauthenticated");
}

#[tokio::test]
async fn a_garbage_token_is_a_401() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let response = me_with(&app, "xyz").await;

    // Assert
    assert_unauthorized(&response, "invalid_token");
}

#[tokio::test]
async fn a_garbage_token_on_registration_is_a_401_not_an_anonymous_registration() {
    // Arrange
    let app = spawn_app().await;
    let document = registration("Ada Lovelace", &unique_email("ada"), &strong_password());

    // Act
    let response = app.post(USERS_PATH, &document, Some("xyz")).await;

    // Assert
    assert_unauthorized(&response, "invalid_token");
}

#[tokio::test]
async fn an_authorization_header_of_another_scheme_is_a_401() {
    // Arrange
    let app = spawn_app().await;
    let request = app
        .request(Method::GET, ME_PATH, None)
        .header(AUTHORIZATION, "Basic YWRhOnNlY3JldA==");

    // Act
    let response = send(request).await;

    // Assert
    let errors = assert_error_status(&response, 401);
    assert!(
        errors
            .iter()
            .any(|error| error["code"] == "unauthenticated" || error["code"] == "invalid_token"),
        "an unauthenticated or invalid_token error: {}",
        response.text
    );
    assert_bearer_challenge(&response);
}

#[tokio::test]
async fn an_unsigned_alg_none_token_is_a_401() {
    // Arrange
    let app = spawn_app().await;
    let (_, token, _, _) = app.register_and_sign_in().await;
    let header = base64url(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = base64url(fresh_claims_like(&token).to_string().as_bytes());
    let unsigned = format!("{header}.{payload}.");

    // Act
    let response = me_with(&app, &unsigned).await;

    // Assert
    assert_unauthorized(&response, "invalid_token");
}

#[tokio::test]
async fn a_token_signed_with_hs512_is_a_401() {
    // Arrange
    let app = spawn_app().await;
    let (_, token, _, _) = app.register_and_sign_in().await;
    let forged = sign(&app, Algorithm::HS512, &fresh_claims_like(&token));

    // Act
    let response = me_with(&app, &forged).await;

    // Assert
    assert_unauthorized(&response, "invalid_token");
}

#[tokio::test]
async fn a_token_signed_with_another_secret_is_a_401() {
    // Arrange
    let app = spawn_app().await;
    let (_, token, _, _) = app.register_and_sign_in().await;
    let other_secret = "0123456789abcdef".repeat(4);
    let forged = sign_with(
        other_secret.as_bytes(),
        Algorithm::HS256,
        &fresh_claims_like(&token),
    );

    // Act
    let response = me_with(&app, &forged).await;

    // Assert
    assert_unauthorized(&response, "invalid_token");
}

#[tokio::test]
async fn a_token_whose_payload_was_changed_after_signing_is_a_401() {
    // Arrange: Mallory swaps in Ada's id and keeps her own signature.
    let app = spawn_app().await;
    let (ada, _, _, _) = app.register_and_sign_in().await;
    let (_, token, _, _) = app.register_and_sign_in().await;
    let mut claims = claims_of(&token);
    claims["sub"] = json!(ada.to_string());
    let parts: Vec<&str> = token.split('.').collect();
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        base64url(claims.to_string().as_bytes()),
        parts[2]
    );

    // Act
    let response = me_with(&app, &tampered).await;

    // Assert
    assert_unauthorized(&response, "invalid_token");
}

#[tokio::test]
async fn an_expired_token_is_a_401() {
    // Arrange
    let app = spawn_app().await;
    let (_, token, _, _) = app.register_and_sign_in().await;
    let mut claims = fresh_claims_like(&token);
    claims["iat"] = json!(now() - 7200);
    claims["exp"] = json!(now() - 3600);
    let expired = sign(&app, Algorithm::HS256, &claims);

    // Act
    let response = me_with(&app, &expired).await;

    // Assert
    assert_unauthorized(&response, "invalid_token");
}

#[tokio::test]
async fn a_token_without_exp_is_a_401() {
    // Arrange
    let app = spawn_app().await;
    let (_, token, _, _) = app.register_and_sign_in().await;
    let mut claims = fresh_claims_like(&token);
    claims
        .as_object_mut()
        .expect("claims are an object")
        .remove("exp");
    let endless = sign(&app, Algorithm::HS256, &claims);

    // Act
    let response = me_with(&app, &endless).await;

    // Assert
    assert_unauthorized(&response, "invalid_token");
}

#[tokio::test]
async fn a_token_from_another_issuer_is_a_401() {
    // Arrange
    let app = spawn_app().await;
    let (_, token, _, _) = app.register_and_sign_in().await;
    let mut claims = fresh_claims_like(&token);
    claims["iss"] = json!("https://issuer.invalid");
    let forged = sign(&app, Algorithm::HS256, &claims);

    // Act
    let response = me_with(&app, &forged).await;

    // Assert
    assert_unauthorized(&response, "invalid_token");
}

#[tokio::test]
async fn a_token_for_another_audience_is_a_401() {
    // Arrange
    let app = spawn_app().await;
    let (_, token, _, _) = app.register_and_sign_in().await;
    let mut claims = fresh_claims_like(&token);
    claims["aud"] = json!("https://audience.invalid");
    let forged = sign(&app, Algorithm::HS256, &claims);

    // Act
    let response = me_with(&app, &forged).await;

    // Assert
    assert_unauthorized(&response, "invalid_token");
}
