//! Answers every method a path does not have with a 405 that lists, in
//! `Allow`, the methods it does have (RFC 9110 requires the header; poem's
//! router answers such requests without it).

use std::collections::HashMap;

use poem::{EndpointExt, endpoint::BoxEndpoint, endpoint::make_sync, http::Method};
use poem_openapi::{OpenApi, registry::MetaApi, registry::Registry};

use crate::jsonapi::error::ApiError;

/// The methods a request may name that a path might not have. HEAD is not
/// among them where GET is there: poem answers HEAD with GET's headers.
/// QUERY (the safe method with a body, draft-ietf-httpbis-safe-method-w-body)
/// is added by [`answered_methods`]: `http` has no constant for it.
const STANDARD_METHODS: [Method; 8] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
    Method::OPTIONS,
    Method::TRACE,
];

/// Every method a path answers, with a 405 and `Allow` where it lacks it.
fn answered_methods() -> Vec<Method> {
    let mut methods = STANDARD_METHODS.to_vec();
    methods.push(Method::from_bytes(b"QUERY").expect("QUERY is a valid method token"));
    methods
}

/// Wraps an API so that each of its paths answers the other methods.
pub struct AllowedMethods<T>(pub T);

impl<T: OpenApi> OpenApi for AllowedMethods<T> {
    fn meta() -> Vec<MetaApi> {
        T::meta()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn add_routes(self, route_table: &mut HashMap<String, HashMap<Method, BoxEndpoint<'static>>>) {
        self.0.add_routes(route_table);
        for endpoints in route_table.values_mut() {
            let allow = allow_header(endpoints.keys());
            for method in answered_methods() {
                let served_by_get = method == Method::HEAD && endpoints.contains_key(&Method::GET);
                if served_by_get || endpoints.contains_key(&method) {
                    continue;
                }
                let allow = allow.clone();
                let refuse = make_sync(move |_| {
                    Err::<poem::Response, _>(ApiError::MethodNotAllowed {
                        allow: Some(allow.clone()),
                    })
                });
                endpoints.insert(method, refuse.boxed());
            }
        }
    }
}

/// The `Allow` value for the methods a path has, HEAD included with GET.
fn allow_header<'a>(methods: impl Iterator<Item = &'a Method>) -> String {
    let mut allowed: Vec<&str> = methods.map(Method::as_str).collect();
    if allowed.contains(&"GET") && !allowed.contains(&"HEAD") {
        allowed.push("HEAD");
    }
    let order = answered_methods();
    allowed.sort_by_key(|method| order.iter().position(|known| known.as_str() == *method));
    allowed.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_lists_the_methods_in_a_stable_order_with_head_beside_get() {
        let methods = [Method::DELETE, Method::GET, Method::PATCH];
        assert_eq!(allow_header(methods.iter()), "GET, HEAD, PATCH, DELETE");
        assert_eq!(allow_header([Method::POST].iter()), "POST");
    }
}
