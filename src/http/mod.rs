//! HTTP concerns around the API: body limits, header deadlines, CORS,
//! allowed methods, the bound on requests in flight, panics, request
//! logs, and the public URL links are built from.

pub mod allowed_methods;
pub mod body_limit;
pub mod cors;
pub mod header_deadline;
pub mod in_flight;
pub mod logging;
pub mod panic;
pub mod public_url;
