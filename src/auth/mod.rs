//! Who is calling: passwords, tokens, sign-in and its throttling, and the
//! extractor that turns a bearer token into a caller.

pub mod api;
pub mod caller;
pub mod hasher_scheduling;
pub mod oauth;
pub mod password;
pub mod sign_in;
pub mod sign_in_failure;
pub mod throttle;
pub mod token;

/// Where tokens are issued; the OAuth 2 flow in the spec points here.
pub const TOKEN_PATH: &str = "/api/v1/auth/token";
