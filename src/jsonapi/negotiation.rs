//! Content negotiation as JSON:API 1.1 defines it.

use poem::http::HeaderMap;

use super::MEDIA_TYPE;
use super::error::ApiError;

/// The extensions a media type names in its `ext` parameter, a
/// space-separated list of URIs.
pub fn extensions_of(media_type: &str) -> Vec<String> {
    MediaType::parse(media_type).map_or_else(Vec::new, |media_type| media_type.extensions())
}

/// Whether a request body of this `Content-Type` is taken by an operation
/// whose documents are `declared`. An operation of plain JSON:API takes the
/// media type with no parameter but `profile`, or plain `application/json`
/// with any parameters; one of an extension takes the media type naming
/// exactly its extensions, as the extension asks. Any other `ext` is one
/// the operation does not support.
pub fn takes_body(content_type: &str, declared: &str) -> bool {
    let Some(media_type) = MediaType::parse(content_type) else {
        return false;
    };
    let required = extensions_of(declared);
    if media_type.essence == MEDIA_TYPE {
        return media_type
            .parameters
            .iter()
            .all(|(name, _)| name == "profile" || name == "ext")
            && same_set(&media_type.extensions(), &required);
    }
    media_type.essence == "application/json" && required.is_empty()
}

fn same_set(a: &[String], b: &[String]) -> bool {
    a.iter().all(|item| b.contains(item)) && b.iter().all(|item| a.contains(item))
}

/// Refuses an `Accept` header that lists the JSON:API media type only with
/// parameters other than `ext` and `profile`, or only with extensions
/// outside `supported`, those of the operation asked.
pub fn check_accept(headers: &HeaderMap, supported: &[String]) -> Result<(), ApiError> {
    let mut instances = headers
        .get_all(poem::http::header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| split_outside_quotes(value, ','))
        .filter_map(MediaType::parse)
        .filter(|media_type| media_type.essence == MEDIA_TYPE)
        .peekable();
    if instances.peek().is_none() {
        return Ok(());
    }
    let acceptable = instances.any(|media_type| {
        media_type
            .parameters
            .iter()
            .all(|(name, _)| matches!(name.as_str(), "profile" | "q" | "ext"))
            && media_type
                .extensions()
                .iter()
                .all(|extension| supported.contains(extension))
    });
    if acceptable {
        Ok(())
    } else {
        Err(ApiError::NotAcceptable(format!(
            "every {MEDIA_TYPE} in Accept has a parameter other than profile and ext, or names \
             an extension this endpoint does not support"
        )))
    }
}

/// A media type split into its lower-cased essence and parameters.
struct MediaType {
    essence: String,
    parameters: Vec<(String, String)>,
}

impl MediaType {
    fn parse(text: &str) -> Option<Self> {
        let mut parts = split_outside_quotes(text, ';').into_iter();
        let essence = parts.next()?.trim().to_ascii_lowercase();
        if essence.is_empty() || !essence.contains('/') {
            return None;
        }
        let parameters = parts
            .filter(|part| !part.trim().is_empty())
            .map(|part| match part.split_once('=') {
                Some((name, value)) => (
                    name.trim().to_ascii_lowercase(),
                    value.trim().trim_matches('"').to_owned(),
                ),
                None => (part.trim().to_ascii_lowercase(), String::new()),
            })
            .collect();
        Some(Self {
            essence,
            parameters,
        })
    }

    fn extensions(&self) -> Vec<String> {
        self.parameters
            .iter()
            .filter(|(name, _)| name == "ext")
            .flat_map(|(_, uris)| uris.split_whitespace().map(str::to_owned))
            .collect()
    }
}

/// Splits on `separator` except inside double quotes, where profile and
/// extension URIs may contain it.
fn split_outside_quotes(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    for (index, character) in text.char_indices() {
        match character {
            '"' => quoted = !quoted,
            c if c == separator && !quoted => {
                parts.push(&text[start..index]);
                start = index + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use poem::http::{HeaderValue, header::ACCEPT};

    use super::*;

    fn accept(value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static(value));
        headers
    }

    const ATOMIC: &str = "application/vnd.api+json; ext=\"https://jsonapi.org/ext/atomic\"";

    fn is_json_request(content_type: &str) -> bool {
        takes_body(content_type, MEDIA_TYPE)
    }

    fn none() -> Vec<String> {
        Vec::new()
    }

    #[test]
    fn the_plain_media_type_and_json_are_taken_as_bodies() {
        assert!(is_json_request("application/vnd.api+json"));
        assert!(is_json_request("application/json"));
        assert!(is_json_request("application/json;charset=utf-8"));
        assert!(is_json_request(
            "application/vnd.api+json; profile=\"https://example.com/p\""
        ));
    }

    #[test]
    fn other_parameters_extensions_and_types_are_refused_as_bodies() {
        assert!(!is_json_request("application/vnd.api+json; charset=utf-8"));
        assert!(!is_json_request(ATOMIC));
        assert!(!is_json_request("text/plain"));
        assert!(!is_json_request("application/merge-patch+json"));
    }

    #[test]
    fn an_extension_operation_takes_only_its_extension() {
        assert!(takes_body(ATOMIC, ATOMIC));
        assert!(takes_body(
            "application/vnd.api+json;ext=https://jsonapi.org/ext/atomic",
            ATOMIC
        ));
        assert!(!takes_body("application/vnd.api+json", ATOMIC));
        assert!(!takes_body("application/json", ATOMIC));
        assert!(!takes_body(
            "application/vnd.api+json; ext=\"https://jsonapi.org/ext/atomic https://x.io/e\"",
            ATOMIC
        ));
    }

    #[test]
    fn an_operation_of_an_extension_accepts_it() {
        let atomic = extensions_of(ATOMIC);
        assert_eq!(atomic, ["https://jsonapi.org/ext/atomic"]);
        assert!(check_accept(&accept(ATOMIC), &atomic).is_ok());
        assert!(check_accept(&accept(ATOMIC), &none()).is_err());
        assert!(
            check_accept(
                &accept("application/vnd.api+json; ext=\"https://x.io/e\""),
                &atomic
            )
            .is_err()
        );
    }

    #[test]
    fn accept_without_the_media_type_is_fine() {
        assert!(check_accept(&HeaderMap::new(), &none()).is_ok());
        assert!(check_accept(&accept("*/*"), &none()).is_ok());
        assert!(check_accept(&accept("application/json"), &none()).is_ok());
    }

    #[test]
    fn accept_with_only_parameterised_instances_is_refused() {
        assert!(check_accept(&accept("application/vnd.api+json; charset=utf-8"), &none()).is_err());
        assert!(
            check_accept(
                &accept("application/vnd.api+json; ext=\"https://x.io/e\""),
                &none()
            )
            .is_err()
        );
    }

    #[test]
    fn one_plain_instance_among_parameterised_ones_is_enough() {
        assert!(
            check_accept(
                &accept("application/vnd.api+json; charset=utf-8, application/vnd.api+json"),
                &none()
            )
            .is_ok()
        );
    }

    #[test]
    fn separators_inside_quoted_profiles_do_not_split() {
        assert!(
            check_accept(
                &accept("application/vnd.api+json; profile=\"https://a.io/x;y https://b.io/z,w\""),
                &none()
            )
            .is_ok()
        );
    }
}
