//! Who is calling: passwords, tokens, the throttling of sign-ins, and the
//! extractor that turns a bearer token into a caller.

pub mod caller;
pub mod error;
pub mod password;
pub mod sign_in_failure;
pub mod throttle;
pub mod token;
