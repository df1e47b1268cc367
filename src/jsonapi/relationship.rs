//! Relationships: the links and meta of a relationship object, and reading
//! the linkage a request sends for a to-one relationship.

use poem_openapi::Object;
use serde::Serialize;
use serde_json::Value;

use super::{error::ApiError, links::LinkBase};

/// Links of a relationship object.
#[derive(Object, Serialize, Debug, Clone)]
#[oai(rename = "RelationshipLinks")]
pub struct RelationshipLinks {
    /// The relationship itself: its linkage, and where to change it.
    #[oai(rename = "self")]
    #[serde(rename = "self")]
    pub self_: String,
    /// The related resources.
    pub related: String,
}

impl RelationshipLinks {
    /// The links of relationship `name` of resource `id` of type `kind`.
    pub fn of(base: &LinkBase, kind: &str, id: i64, name: &str) -> Self {
        const RELATIONSHIPS: &str = "/relationships/";
        let mut related = base.resource(kind, id);
        let mut self_ = String::with_capacity(related.len() + RELATIONSHIPS.len() + name.len());
        self_.push_str(&related);
        self_.push_str(RELATIONSHIPS);
        self_.push_str(name);
        related.reserve_exact(1 + name.len());
        related.push('/');
        related.push_str(name);
        Self { self_, related }
    }
}

/// The `meta` of a to-many relationship.
#[derive(Object, Serialize, Debug, Clone)]
#[oai(rename = "ToManyRelationshipMeta")]
pub struct ToManyMeta {
    /// How many resources the relationship holds, whether or not the
    /// document holds them all.
    pub total: u64,
}

/// The id of the resource of type `kind` a to-one relationship object
/// names as its `data`, found at `pointer` in the request document.
pub fn to_one_id(relationship: &Value, kind: &str, pointer: &str) -> Result<i64, ApiError> {
    let invalid =
        |at: &str, detail: String| ApiError::invalid_document(format!("{pointer}{at}"), detail);
    let Some(data) = relationship.get("data") else {
        return Err(invalid(
            "",
            "a relationship object needs a data member naming the resource".to_owned(),
        ));
    };
    let Value::Object(identifier) = data else {
        return Err(invalid(
            "/data",
            format!("data must name one resource of type {kind}"),
        ));
    };
    match identifier.get("type") {
        Some(Value::String(given)) if given == kind => {}
        _ => return Err(invalid("/data/type", format!("data.type must be {kind:?}"))),
    }
    identifier
        .get("id")
        .and_then(Value::as_str)
        .and_then(id_from_text)
        .ok_or_else(|| {
            invalid(
                "/data/id",
                format!("data.id must be the id of a {kind} resource, a whole number as a string"),
            )
        })
}

/// The id a resource identifier's `id` writes: a whole number in decimal
/// digits, nothing else.
pub fn id_from_text(id: &str) -> Option<i64> {
    id.bytes()
        .all(|byte| byte.is_ascii_digit())
        .then(|| id.parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn pointer(error: ApiError) -> String {
        match error {
            ApiError::InvalidDocument { pointer, .. } => pointer,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn linkage_names_one_resource_of_the_type() {
        let linkage = json!({"data": {"type": "users", "id": "42"}});
        assert_eq!(to_one_id(&linkage, "users", "/data").unwrap(), 42);
        for (sent, at) in [
            (json!({}), "/data"),
            (json!({"data": null}), "/data/data"),
            (
                json!({"data": {"type": "posts", "id": "1"}}),
                "/data/data/type",
            ),
            (json!({"data": {"type": "users", "id": 1}}), "/data/data/id"),
            (
                json!({"data": {"type": "users", "id": "-1"}}),
                "/data/data/id",
            ),
        ] {
            assert_eq!(pointer(to_one_id(&sent, "users", "/data").unwrap_err()), at);
        }
    }

    #[test]
    fn relationship_links_sit_under_the_resource() {
        let base = LinkBase::new("http://h");
        let links = RelationshipLinks::of(&base, "posts", 3, "author");
        assert_eq!(links.self_, "http://h/posts/3/relationships/author");
        assert_eq!(links.related, "http://h/posts/3/author");
    }
}
