//! Users, the domain: the table, what is read of a row, the rules of each
//! attribute, who is calling and what they may do, signing in, storing, and
//! what all of these refuse, in the domain's own terms. The versions' HTTP
//! layers (`crate::api`) sit on top.

pub mod admin;
pub mod attributes;
pub mod caller;
pub mod counts;
pub mod entity;
pub mod error;
pub mod input;
pub mod listing;
pub mod policy;
pub mod profile;
pub mod role;
pub mod service;
pub mod sign_in;
pub mod store;
