//! HTTP and process plumbing around the API: body limits, header
//! deadlines, CORS, allowed methods, the bounds on requests in flight,
//! panics, request logs, the public URL links are built from, and where
//! the password hashers' threads run and how their memory is given back.

pub mod allocator;
pub mod allowed_methods;
pub mod body_limit;
pub mod cors;
pub mod hasher_scheduling;
pub mod header_deadline;
pub mod in_flight;
pub mod logging;
pub mod panic;
pub mod public_url;
