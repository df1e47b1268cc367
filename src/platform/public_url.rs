//! Where clients reach the service, as every link must say: the configured
//! `PUBLIC_URL`, or else the request's own scheme and `Host`. Headers a
//! proxy sets are believed only when a setting says a proxy is there,
//! because anyone can send them and links built from a forged one would
//! send clients elsewhere.

use poem::{
    Request,
    http::{HeaderMap, header::HOST, uri::Authority},
};

use crate::{config::Settings, jsonapi::links::LinkBase};

const X_FORWARDED_PROTO: &str = "x-forwarded-proto";
const X_FORWARDED_HOST: &str = "x-forwarded-host";
const FORWARDED: &str = "forwarded";

/// How links find the URL clients reach the service at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicUrl {
    /// `PUBLIC_URL`: links never depend on what a request says.
    Configured(LinkBase),
    /// The request's scheme and `Host`; with `trust_forwarded`, those that
    /// the proxy nearest to the service reports instead.
    FromRequest { trust_forwarded: bool },
}

impl PublicUrl {
    pub fn new(settings: &Settings) -> Self {
        match &settings.public_url {
            Some(url) => Self::Configured(LinkBase::new(url)),
            None => Self::FromRequest {
                trust_forwarded: settings.trust_forwarded_headers,
            },
        }
    }

    /// The base of the links in the answer to `request`.
    pub fn link_base(&self, request: &Request) -> LinkBase {
        let trust_forwarded = match self {
            Self::Configured(base) => return base.clone(),
            Self::FromRequest { trust_forwarded } => *trust_forwarded,
        };
        let forwarded = if trust_forwarded {
            forwarded(request.headers())
        } else {
            Forwarded::default()
        };
        let scheme = forwarded
            .scheme
            .unwrap_or_else(|| request.scheme().as_str().to_owned());
        let authority = forwarded
            .authority
            .or_else(|| request_authority(request))
            .or_else(|| {
                request
                    .local_addr()
                    .as_socket_addr()
                    .map(ToString::to_string)
            })
            .unwrap_or_else(|| "localhost".to_owned());
        LinkBase::new(&format!("{scheme}://{authority}"))
    }
}

/// What a trusted proxy says about the request it passed on.
#[derive(Debug, Default, PartialEq, Eq)]
struct Forwarded {
    scheme: Option<String>,
    authority: Option<String>,
}

/// RFC 7239 `Forwarded` when present, else `X-Forwarded-Proto` and
/// `X-Forwarded-Host`. Each proxy appends to what it received, so only the
/// last entry, written by the proxy nearest to the service, is believed.
fn forwarded(headers: &HeaderMap) -> Forwarded {
    if let Some(last) = last_entry(headers, FORWARDED) {
        let mut found = Forwarded::default();
        for pair in last.split(';') {
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            let value = value.trim().trim_matches('"');
            match name.trim().to_ascii_lowercase().as_str() {
                "proto" => found.scheme = scheme(value),
                "host" => found.authority = authority(value),
                _ => {}
            }
        }
        return found;
    }
    Forwarded {
        scheme: last_entry(headers, X_FORWARDED_PROTO).and_then(|value| scheme(&value)),
        authority: last_entry(headers, X_FORWARDED_HOST).and_then(|value| authority(&value)),
    }
}

/// The last comma-separated entry of the last header line of `name`.
fn last_entry(headers: &HeaderMap, name: &str) -> Option<String> {
    let line = headers.get_all(name).iter().next_back()?.to_str().ok()?;
    line.rsplit(',')
        .next()
        .map(|entry| entry.trim().to_owned())
        .filter(|entry| !entry.is_empty())
}

fn scheme(value: &str) -> Option<String> {
    let value = value.trim().to_ascii_lowercase();
    matches!(value.as_str(), "http" | "https").then_some(value)
}

/// A host and optional port, nothing else: no user information, which a
/// link must never carry.
fn authority(value: &str) -> Option<String> {
    let authority: Authority = value.trim().parse().ok()?;
    (!authority.as_str().contains('@') && !authority.host().is_empty())
        .then(|| authority.as_str().to_ascii_lowercase())
}

/// The `Host` header, or the authority of an absolute request target.
fn request_authority(request: &Request) -> Option<String> {
    match request.headers().get(HOST) {
        Some(host) => host.to_str().ok().and_then(authority),
        None => request
            .uri()
            .authority()
            .and_then(|a| authority(a.as_str())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(headers: &[(&str, &str)]) -> Request {
        let mut builder = Request::builder().uri_str("/api/v1/users.json");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.finish()
    }

    fn from_request(trust_forwarded: bool, headers: &[(&str, &str)]) -> String {
        PublicUrl::FromRequest { trust_forwarded }
            .link_base(&request(headers))
            .url("/x")
    }

    #[test]
    fn links_follow_the_host_the_request_was_sent_to() {
        assert_eq!(
            from_request(false, &[("host", "api.example.com:8080")]),
            "http://api.example.com:8080/x"
        );
    }

    #[test]
    fn a_configured_public_url_wins_over_every_header() {
        let public = PublicUrl::Configured(LinkBase::new("https://api.example.com/users"));
        let base = public.link_base(&request(&[
            ("host", "evil.example"),
            ("x-forwarded-host", "evil.example"),
        ]));
        assert_eq!(base.url("/x"), "https://api.example.com/users/x");
    }

    #[test]
    fn forwarded_headers_are_ignored_unless_trusted() {
        let headers = [
            ("host", "127.0.0.1:8080"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "evil.example"),
            ("forwarded", "proto=https;host=evil.example"),
        ];
        assert_eq!(from_request(false, &headers), "http://127.0.0.1:8080/x");
    }

    #[test]
    fn a_trusted_proxy_s_last_entry_chooses_the_links() {
        let x_forwarded = [
            ("host", "127.0.0.1:8080"),
            ("x-forwarded-proto", "http, https"),
            ("x-forwarded-host", "forged.example, api.example.com"),
        ];
        assert_eq!(
            from_request(true, &x_forwarded),
            "https://api.example.com/x"
        );
        let rfc_7239 = [
            ("host", "127.0.0.1:8080"),
            (
                "forwarded",
                "host=forged.example, for=1.2.3.4;proto=https;host=\"api.example.com\"",
            ),
        ];
        assert_eq!(from_request(true, &rfc_7239), "https://api.example.com/x");
    }

    #[test]
    fn a_malformed_host_is_never_copied_into_links() {
        for host in ["user@evil.example", "a b", "evil.example/path", ""] {
            let link = from_request(true, &[("host", host), ("x-forwarded-host", host)]);
            assert!(
                !link.contains("evil") && !link.contains(' '),
                "{host:?} gave {link}"
            );
        }
    }
}
