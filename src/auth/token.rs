//! JWT access tokens: HS256 only, with every registered claim required.

use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

use super::error::AuthError;

/// The one algorithm tokens are signed and checked with.
const ALGORITHM: Algorithm = Algorithm::HS256;
pub const ISSUER: &str = "users-service";
pub const AUDIENCE: &str = "users-service-api";

/// What a token says.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The user's id.
    pub sub: String,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
    pub jti: String,
    /// The user's token generation when the token was issued.
    #[serde(rename = "gen")]
    pub generation: i32,
}

/// A token just issued, and how long it lasts.
pub struct IssuedToken {
    pub access_token: String,
    pub expires_in: u64,
}

/// Issues and checks tokens with one secret.
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl_seconds: u64,
}

impl Tokens {
    pub fn new(secret: &[u8], ttl_seconds: u64) -> Self {
        let mut validation = Validation::new(ALGORITHM);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        // Instances share a clock source closely enough; an expired token is expired.
        validation.leeway = 0;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl_seconds,
        }
    }

    /// A token for user `user_id` in token generation `generation`.
    pub fn issue(&self, user_id: i64, generation: i32) -> Result<IssuedToken, AuthError> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: user_id.to_string(),
            iat: now,
            exp: now.saturating_add(i64::try_from(self.ttl_seconds).unwrap_or(i64::MAX)),
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            jti: uuid::Uuid::new_v4().to_string(),
            generation,
        };
        let access_token = encode(&Header::new(ALGORITHM), &claims, &self.encoding)
            .map_err(AuthError::internal)?;
        Ok(IssuedToken {
            access_token,
            expires_in: self.ttl_seconds,
        })
    }

    /// The claims of a token that is well-formed, signed with our secret and
    /// algorithm, for us, and not expired. Revocation is checked against the
    /// database by the caller.
    ///
    /// A header that names a key (`kid`, `jku`, `jwk`, `x5u`, `x5c`, `x5t`,
    /// `x5t#S256`) or extensions that must be understood (`crit`) is refused:
    /// tokens are signed with the one secret and never carry these, so such a
    /// token was not issued here, whatever key it claims.
    pub fn verify(&self, token: &str) -> Result<Claims, AuthError> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|_| AuthError::InvalidToken)?;
        if names_a_key_or_extension(&data.header) {
            return Err(AuthError::InvalidToken);
        }
        Ok(data.claims)
    }
}

/// Whether a JWT header carries a member that tokens issued here never carry.
fn names_a_key_or_extension(header: &Header) -> bool {
    header.kid.is_some()
        || header.jku.is_some()
        || header.jwk.is_some()
        || header.x5u.is_some()
        || header.x5c.is_some()
        || header.x5t.is_some()
        || header.x5t_s256.is_some()
        || header.crit.is_some()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const SECRET: &[u8] = b"a test secret that is long enough to be used";

    fn forge(header: Header, claims: serde_json::Value, secret: &[u8]) -> String {
        encode(&header, &claims, &EncodingKey::from_secret(secret)).unwrap()
    }

    fn claims(exp_offset: i64) -> serde_json::Value {
        let now = Utc::now().timestamp();
        json!({"sub": "1", "iat": now, "exp": now + exp_offset, "iss": ISSUER, "aud": AUDIENCE, "jti": "j", "gen": 0})
    }

    #[test]
    fn an_issued_token_verifies_with_its_claims() {
        let tokens = Tokens::new(SECRET, 60);
        let issued = tokens.issue(42, 3).unwrap();
        let claims = tokens.verify(&issued.access_token).unwrap();
        assert_eq!((claims.sub.as_str(), claims.generation), ("42", 3));
        assert_eq!(claims.exp - claims.iat, 60);
    }

    #[test]
    fn a_token_signed_with_another_secret_is_refused() {
        let token = forge(
            Header::new(ALGORITHM),
            claims(60),
            b"another secret, just as long as ours",
        );
        assert!(Tokens::new(SECRET, 60).verify(&token).is_err());
    }

    #[test]
    fn another_algorithm_is_refused() {
        let token = forge(Header::new(Algorithm::HS512), claims(60), SECRET);
        assert!(Tokens::new(SECRET, 60).verify(&token).is_err());
    }

    #[test]
    fn an_expired_token_is_refused() {
        let token = forge(Header::new(ALGORITHM), claims(-1), SECRET);
        assert!(Tokens::new(SECRET, 60).verify(&token).is_err());
    }

    #[test]
    fn a_token_without_exp_or_with_a_string_exp_is_refused() {
        let mut without = claims(60);
        without.as_object_mut().unwrap().remove("exp");
        let mut stringly = claims(60);
        stringly["exp"] = json!("99999999999");
        let tokens = Tokens::new(SECRET, 60);
        assert!(
            tokens
                .verify(&forge(Header::new(ALGORITHM), without, SECRET))
                .is_err()
        );
        assert!(
            tokens
                .verify(&forge(Header::new(ALGORITHM), stringly, SECRET))
                .is_err()
        );
    }

    #[test]
    fn a_wrong_issuer_or_audience_is_refused() {
        let tokens = Tokens::new(SECRET, 60);
        let mut issuer = claims(60);
        issuer["iss"] = json!("someone-else");
        let mut audience = claims(60);
        audience["aud"] = json!("another-api");
        assert!(
            tokens
                .verify(&forge(Header::new(ALGORITHM), issuer, SECRET))
                .is_err()
        );
        assert!(
            tokens
                .verify(&forge(Header::new(ALGORITHM), audience, SECRET))
                .is_err()
        );
    }

    #[test]
    fn an_unsigned_token_is_refused() {
        let header = base64_url(br#"{"alg":"none","typ":"JWT"}"#);
        let payload = base64_url(claims(60).to_string().as_bytes());
        let token = format!("{header}.{payload}.");
        assert!(Tokens::new(SECRET, 60).verify(&token).is_err());
    }

    fn base64_url(bytes: &[u8]) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
            for i in 0..=chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out
    }

    #[test]
    fn a_header_naming_a_key_is_refused_even_with_our_secret() {
        let tokens = Tokens::new(SECRET, 60);
        let mut with_kid = Header::new(ALGORITHM);
        with_kid.kid = Some("another-key".to_owned());
        let mut with_jku = Header::new(ALGORITHM);
        with_jku.jku = Some("https://attacker.example/keys.json".to_owned());
        for header in [with_kid, with_jku] {
            assert!(tokens.verify(&forge(header, claims(60), SECRET)).is_err());
        }
    }
}
