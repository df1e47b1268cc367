//! HTTP concerns around the API: body limits, CORS, panics and request logs.

pub mod allowed_methods;
pub mod body_limit;
pub mod cors;
pub mod logging;
pub mod panic;
