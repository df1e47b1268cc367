//! Conditional requests (RFC 9110, section 13) on single resources. A
//! resource's strong `ETag` names the version its row keeps, which every
//! write bumps: the same whatever fieldset or profile the body shows.
//! `If-None-Match` on a read answers 304 while the client holds that
//! version; `If-Match` on a write names the versions it is meant for, which
//! the write's own statement checks (412 otherwise).

use poem_openapi::{ApiResponse, types::ToJSON};
use serde::Serialize;

use crate::{
    jsonapi::{error::ApiError, payload::JsonApi},
    revision::Expected,
    state::AppState,
};

/// The `ETag` of a resource at `version`.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The entity tags of a header's list, `*` left to the caller.
fn tags(value: &str) -> impl Iterator<Item = &str> {
    value
        .split(',')
        .map(str::trim)
        .filter(|tag| !tag.is_empty())
}

/// The versions a write is meant for, from its `If-Match`. A weak or
/// foreign tag matches no version, as strong comparison asks. Without the
/// header, any version, unless the service requires it (428).
pub fn expected(state: &AppState, if_match: Option<&str>) -> Result<Expected, ApiError> {
    match if_match.map(str::trim) {
        None | Some("") if state.if_match_required => Err(ApiError::PreconditionRequired),
        None | Some("") | Some("*") => Ok(Expected::Any),
        Some(value) => Ok(Expected::OneOf(
            tags(value)
                .filter_map(|tag| tag.strip_prefix('"')?.strip_suffix('"')?.parse().ok())
                .collect(),
        )),
    }
}

/// Whether `If-None-Match` says the client holds `version` already; weak
/// comparison, as RFC 9110 asks of it.
pub fn holds(if_none_match: Option<&str>, version: i64) -> bool {
    let Some(value) = if_none_match else {
        return false;
    };
    let current = etag(version);
    value.trim() == "*" || tags(value).any(|tag| tag.strip_prefix("W/").unwrap_or(tag) == current)
}

/// A single resource read.
#[derive(ApiResponse)]
pub enum Read<T: ToJSON + Serialize + Send> {
    /// The resource. `ETag` names its version, for `If-None-Match` on
    /// reads and `If-Match` on writes.
    #[oai(status = 200)]
    Ok(
        JsonApi<T>,
        /// The resource's version.
        #[oai(header = "ETag")]
        String,
    ),
    /// The resource is still at the version `If-None-Match` names; no body.
    #[oai(status = 304)]
    NotModified(
        /// The resource's version.
        #[oai(header = "ETag")]
        String,
    ),
}

impl<T: ToJSON + Serialize + Send> Read<T> {
    /// 304, when `If-None-Match` says the client holds `version` already:
    /// asked before the document is built.
    pub fn unchanged(if_none_match: Option<&str>, version: i64) -> Option<Self> {
        holds(if_none_match, version).then(|| Self::NotModified(etag(version)))
    }

    /// `document`, of a resource at `version`.
    pub fn new(document: JsonApi<T>, version: i64) -> Self {
        Self::Ok(document, etag(version))
    }
}

/// A single resource as a write left it.
#[derive(ApiResponse)]
pub enum Written<T: ToJSON + Serialize + Send> {
    /// The resource as stored. `ETag` names its new version.
    #[oai(status = 200)]
    Ok(
        JsonApi<T>,
        /// The resource's version.
        #[oai(header = "ETag")]
        String,
    ),
}

impl<T: ToJSON + Serialize + Send> Written<T> {
    pub fn new(document: JsonApi<T>, version: i64) -> Self {
        Self::Ok(document, etag(version))
    }
}

/// A resource created.
#[derive(ApiResponse)]
pub enum Created<T: ToJSON + Serialize + Send> {
    /// Created. `Location` is the new resource's absolute URL, as is
    /// `links.self`; `ETag` names its version.
    #[oai(status = 201)]
    Created(
        JsonApi<T>,
        /// The new resource's URL.
        #[oai(header = "Location")]
        String,
        /// The resource's version.
        #[oai(header = "ETag")]
        String,
    ),
}

impl<T: ToJSON + Serialize + Send> Created<T> {
    pub fn new(document: JsonApi<T>, location: String, version: i64) -> Self {
        Self::Created(document, location, etag(version))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_weakly_and_takes_any() {
        assert!(holds(Some("\"3\""), 3));
        assert!(holds(Some("W/\"3\", \"4\""), 3));
        assert!(holds(Some("*"), 3));
        assert!(!holds(Some("\"2\""), 3));
        assert!(!holds(None, 3));
    }
}
