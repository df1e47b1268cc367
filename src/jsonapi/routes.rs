//! Mounts JSON:API resource operations the way the contract describes them.
//!
//! poem-openapi reads `/:id.json` as one parameter named `id.json`, so
//! operations are written with a trailing `/:id` whose value is a
//! [`ResourceId`](super::resource_id::ResourceId) (`42.json`), and
//! [`JsonApiRoutes`] documents the path with the version's suffix, as
//! `/users/{id}.json` in v1. The route
//! itself stays a plain parameter: poem's router loses a regex segment such
//! as `:id<\d+>.json` to its static siblings when it is inserted before
//! them, and poem-openapi inserts routes in hash order.
//!
//! It also holds every operation to the parameters it documents and to
//! JSON:API's `Accept` rule, with the extensions the media types it
//! documents name, so the spec and the server can never disagree about
//! which query parameters and extensions exist.

use std::{collections::HashMap, marker::PhantomData, sync::Arc};

use poem::{EndpointExt, Request, endpoint::BoxEndpoint, http::Method};
use poem_openapi::{
    OpenApi,
    registry::{MetaApi, MetaParamIn, Registry},
};

use super::error::ApiError;
use super::{
    links::Mount,
    negotiation::{check_accept, extensions_of},
    resource::{ResourceType, ServesResource},
};

/// Wraps an API whose operations serve JSON:API documents, in the version
/// mounted as `M`.
pub struct JsonApiRoutes<M, T>(pub T, PhantomData<M>);

impl<M, T> JsonApiRoutes<M, T> {
    pub fn new(api: T) -> Self {
        Self(api, PhantomData)
    }
}

impl<M: Mount, T: OpenApi + ServesResource> OpenApi for JsonApiRoutes<M, T> {
    fn meta() -> Vec<MetaApi> {
        let mut apis = T::meta();
        let suffix = M::LAYOUT.suffix;
        for path in apis.iter_mut().flat_map(|api| api.paths.iter_mut()) {
            if path.path.ends_with('}') {
                path.path.push_str(suffix);
            }
        }
        apis
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn add_routes(self, route_table: &mut HashMap<String, HashMap<Method, BoxEndpoint<'static>>>) {
        let declared = declared_query_parameters(&T::meta());
        let extensions = declared_extensions(&T::meta());
        let include_refusal = include_refusal::<T::Resource>();
        let mut inner = HashMap::new();
        self.0.add_routes(&mut inner);
        for (path, endpoints) in inner {
            let entry = route_table.entry(path.clone()).or_default();
            for (method, endpoint) in endpoints {
                let route = (path.clone(), method.clone());
                let rules = Rules {
                    parameters: declared.get(&route).cloned().unwrap_or_default(),
                    extensions: extensions.get(&route).cloned().unwrap_or_default(),
                    include_refusal: include_refusal.clone(),
                };
                entry.insert(method, guard(endpoint, Arc::new(rules)));
            }
        }
    }
}

/// The route path poem-openapi gives a documented path: `{name}` becomes
/// `:paramN`, numbered in order.
fn route_path(documented: &str) -> String {
    let mut count = 0;
    documented
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') && segment.ends_with('}') {
                let name = format!(":param{count}");
                count += 1;
                name
            } else {
                segment.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn declared_query_parameters(apis: &[MetaApi]) -> HashMap<(String, Method), Vec<String>> {
    let mut declared = HashMap::new();
    for path in apis.iter().flat_map(|api| api.paths.iter()) {
        for operation in &path.operations {
            let names = operation
                .params
                .iter()
                .filter(|param| param.in_type == MetaParamIn::Query)
                .map(|param| param.name.clone())
                .collect();
            declared.insert((route_path(&path.path), operation.method.clone()), names);
        }
    }
    declared
}

/// The extensions each operation's documented media types name, request
/// and responses alike: those its `Accept` may ask for.
fn declared_extensions(apis: &[MetaApi]) -> HashMap<(String, Method), Vec<String>> {
    let mut declared = HashMap::new();
    for path in apis.iter().flat_map(|api| api.paths.iter()) {
        for operation in &path.operations {
            let requests = operation.request.iter().flat_map(|r| r.content.iter());
            let responses = operation.responses.responses.iter();
            let mut extensions: Vec<String> = requests
                .chain(responses.flat_map(|response| response.content.iter()))
                .flat_map(|media_type| extensions_of(media_type.content_type))
                .collect();
            extensions.sort();
            extensions.dedup();
            declared.insert(
                (route_path(&path.path), operation.method.clone()),
                extensions,
            );
        }
    }
    declared
}

/// What an operation holds requests to before it runs.
struct Rules {
    /// The query parameters it documents.
    parameters: Vec<String>,
    /// The extensions it documents.
    extensions: Vec<String>,
    include_refusal: Arc<str>,
}

/// Why `include` is refused where an operation does not take it: a type
/// without relationships has nothing to include.
fn include_refusal<R: ResourceType>() -> Arc<str> {
    if R::RELATIONSHIPS.is_empty() {
        format!(
            "include is not supported: {} have no relationships to include",
            R::TYPE
        )
        .into()
    } else {
        "include is not a query parameter of this endpoint".into()
    }
}

fn guard(endpoint: BoxEndpoint<'static>, rules: Arc<Rules>) -> BoxEndpoint<'static> {
    endpoint
        .before(move |request: Request| {
            let rules = rules.clone();
            async move {
                check_accept(request.headers(), &rules.extensions)?;
                check_query(
                    request.uri().query().unwrap_or_default(),
                    &rules.parameters,
                    &rules.include_refusal,
                )?;
                Ok(request)
            }
        })
        .boxed()
}

/// Refuses query parameters the operation does not document, and documented
/// ones given twice.
fn check_query(query: &str, allowed: &[String], include_refusal: &str) -> Result<(), ApiError> {
    let mut seen = Vec::new();
    for (name, _) in form_urlencoded::parse(query.as_bytes()) {
        if !allowed.iter().any(|allowed| *allowed == name) {
            let detail = if name == "include" {
                include_refusal.to_owned()
            } else {
                format!("{name} is not a query parameter of this endpoint")
            };
            return Err(ApiError::UnknownParameter {
                parameter: name.into_owned(),
                detail,
            });
        }
        if seen.contains(&name) {
            return Err(ApiError::invalid_parameter(
                name.clone(),
                format!("{name} is given more than once"),
            ));
        }
        seen.push(name);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| (*name).to_owned()).collect()
    }

    #[test]
    fn documented_paths_map_to_poem_openapi_route_paths() {
        assert_eq!(route_path("/users/{id}"), "/users/:param0");
        assert_eq!(route_path("/a/{x}/b/{y}"), "/a/:param0/b/:param1");
    }

    #[test]
    fn an_undocumented_parameter_is_named_in_the_error() {
        let error = check_query("sort=name&foo=1", &allowed(&["sort"]), "").unwrap_err();
        assert!(
            matches!(error, ApiError::UnknownParameter { parameter, .. } if parameter == "foo")
        );
    }

    #[test]
    fn encoded_brackets_name_the_same_parameter() {
        assert!(check_query("page%5Bsize%5D=1", &allowed(&["page[size]"]), "").is_ok());
    }

    #[test]
    fn a_parameter_given_twice_is_refused() {
        let error = check_query("sort=id&sort=name", &allowed(&["sort"]), "").unwrap_err();
        assert!(
            matches!(error, ApiError::InvalidParameter { parameter, .. } if parameter == "sort")
        );
    }
}
