//! Who is calling: passwords, tokens and the throttling of sign-ins. What a
//! caller may do to users, and how a request names its caller, are for
//! `crate::users` and `crate::api`.

pub mod error;
pub mod password;
pub mod sign_in_failure;
pub mod throttle;
pub mod token;
