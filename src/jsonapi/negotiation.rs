//! Content negotiation as JSON:API 1.1 defines it.

use poem::http::HeaderMap;

use super::MEDIA_TYPE;
use super::error::ApiError;

/// Whether a request body of this `Content-Type` is taken: the JSON:API media
/// type with no parameter but `profile` (no extension is supported, so `ext`
/// is refused too), or plain `application/json` with any parameters.
pub fn is_json_request(content_type: &str) -> bool {
    let Some(media_type) = MediaType::parse(content_type) else {
        return false;
    };
    if media_type.essence == MEDIA_TYPE {
        return media_type
            .parameters
            .iter()
            .all(|(name, _)| name == "profile");
    }
    media_type.essence == "application/json"
}

/// Refuses an `Accept` header that lists the JSON:API media type only with
/// parameters other than `ext` and `profile`, or only with extensions we do
/// not support.
pub fn check_accept(headers: &HeaderMap) -> Result<(), ApiError> {
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
            .all(|(name, _)| name == "profile" || name == "q")
    });
    if acceptable {
        Ok(())
    } else {
        Err(ApiError::NotAcceptable(format!(
            "every {MEDIA_TYPE} in Accept has a parameter other than profile, or names an \
             extension this server does not support"
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
        assert!(!is_json_request(
            "application/vnd.api+json; ext=\"https://jsonapi.org/ext/atomic\""
        ));
        assert!(!is_json_request("text/plain"));
        assert!(!is_json_request("application/merge-patch+json"));
    }

    #[test]
    fn accept_without_the_media_type_is_fine() {
        assert!(check_accept(&HeaderMap::new()).is_ok());
        assert!(check_accept(&accept("*/*")).is_ok());
        assert!(check_accept(&accept("application/json")).is_ok());
    }

    #[test]
    fn accept_with_only_parameterised_instances_is_refused() {
        assert!(check_accept(&accept("application/vnd.api+json; charset=utf-8")).is_err());
        assert!(check_accept(&accept("application/vnd.api+json; ext=\"https://x.io/e\"")).is_err());
    }

    #[test]
    fn one_plain_instance_among_parameterised_ones_is_enough() {
        assert!(
            check_accept(&accept(
                "application/vnd.api+json; charset=utf-8, application/vnd.api+json"
            ))
            .is_ok()
        );
    }

    #[test]
    fn separators_inside_quoted_profiles_do_not_split() {
        assert!(
            check_accept(&accept(
                "application/vnd.api+json; profile=\"https://a.io/x;y https://b.io/z,w\""
            ))
            .is_ok()
        );
    }
}
