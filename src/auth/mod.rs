//! Who is calling: passwords, tokens, sign-in and its throttling, and the
//! extractor that turns a bearer token into a caller.

pub mod caller;
pub mod error;
pub mod oauth;
pub mod password;
pub mod sign_in;
pub mod sign_in_failure;
pub mod throttle;
pub mod token;
