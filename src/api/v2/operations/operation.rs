//! One operation of an atomic request read for what it asks: its `op`, the
//! resource or relationship its `ref` names, and the `data` and `meta` it
//! hands on. Pointers are into the operation; the batch moves them under
//! its position.

use serde_json::{Map, Value};

use super::document::{AtomicOp, AtomicResourceType};
use crate::{
    api::{posts::resource::Posts, users::resource::Users},
    jsonapi::{error::ApiError, relationship::id_from_text, resource::ResourceType},
};

impl AtomicResourceType {
    fn parse(name: &str) -> Option<Self> {
        [Self::Users, Self::Posts]
            .into_iter()
            .find(|kind| kind.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Users => Users::TYPE,
            Self::Posts => Posts::TYPE,
        }
    }

    /// The type a resource object or identifier at `pointer` names.
    pub fn of(object: &Value, pointer: &str) -> Result<Self, ApiError> {
        match object.get("type") {
            Some(Value::String(name)) => Self::parse(name).ok_or_else(|| {
                ApiError::invalid_document(
                    format!("{pointer}/type"),
                    format!("type must be \"users\" or \"posts\", not {name:?}"),
                )
            }),
            Some(_) => Err(ApiError::invalid_document(
                format!("{pointer}/type"),
                "type must be a string",
            )),
            None => Err(ApiError::invalid_document(pointer, "type is required")),
        }
    }
}

/// How an operation names a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    Id(i64),
    /// The `lid` it was added with earlier in the request.
    Lid(String),
}

/// The resource, or relationship, an operation's `ref` names.
#[derive(Debug)]
pub struct Ref {
    pub kind: AtomicResourceType,
    pub key: Key,
    pub relationship: Option<String>,
}

/// An operation as sent.
#[derive(Debug)]
pub struct Operation {
    pub op: AtomicOp,
    pub target: Option<Ref>,
    pub data: Option<Value>,
    pub meta: Option<Value>,
}

fn invalid(pointer: &str, detail: impl Into<String>) -> ApiError {
    ApiError::invalid_document(pointer, detail)
}

impl Operation {
    pub fn parse(operation: Value) -> Result<Self, ApiError> {
        let Value::Object(mut members) = operation else {
            return Err(invalid("", "an operation must be an object"));
        };
        if members.contains_key("href") {
            return Err(invalid(
                "/href",
                "href is not supported: name the resource with ref, or send it as data",
            ));
        }
        let op = match members.get("op") {
            Some(Value::String(op)) if op == "add" => AtomicOp::Add,
            Some(Value::String(op)) if op == "update" => AtomicOp::Update,
            Some(Value::String(op)) if op == "remove" => AtomicOp::Remove,
            Some(_) => return Err(invalid("/op", "op must be add, update or remove")),
            None => return Err(invalid("", "an operation needs op: add, update or remove")),
        };
        Ok(Self {
            op,
            target: members.remove("ref").map(Ref::parse).transpose()?,
            data: members.remove("data"),
            meta: members.remove("meta"),
        })
    }

    /// The document a single-resource endpoint would have been sent: the
    /// operation's `data` and `meta`, where pointers into the operation
    /// find them too.
    pub fn document(data: Value, meta: Option<Value>) -> Value {
        let mut document = Map::from_iter([("data".to_owned(), data)]);
        if let Some(meta) = meta {
            document.insert("meta".to_owned(), meta);
        }
        Value::Object(document)
    }
}

impl Ref {
    fn parse(target: Value) -> Result<Self, ApiError> {
        if !target.is_object() {
            return Err(invalid("/ref", "ref must be an object"));
        }
        let kind = AtomicResourceType::of(&target, "/ref")?;
        let key = match (target.get("id"), target.get("lid")) {
            (Some(Value::String(id)), _) => Key::Id(id_from_text(id).ok_or_else(|| {
                ApiError::NotFound(format!("there is no {} {id:?}", kind.name()))
            })?),
            (Some(_), _) => return Err(invalid("/ref/id", "ref.id must be a string")),
            (None, Some(Value::String(lid))) => Key::Lid(lid.clone()),
            (None, Some(_)) => return Err(invalid("/ref/lid", "ref.lid must be a string")),
            (None, None) => return Err(invalid("/ref", "ref needs id or lid")),
        };
        let relationship = match target.get("relationship") {
            None => None,
            Some(Value::String(name)) => Some(name.clone()),
            Some(_) => {
                return Err(invalid(
                    "/ref/relationship",
                    "ref.relationship must be a string",
                ));
            }
        };
        Ok(Self {
            kind,
            key,
            relationship,
        })
    }
}

/// The id a resource object names in `data.id`, when no `ref` does.
pub fn data_id(data: &Value) -> Result<i64, ApiError> {
    match data.get("id") {
        Some(Value::String(id)) => id_from_text(id)
            .ok_or_else(|| invalid("/data/id", "data.id must be a whole number as a string")),
        Some(_) => Err(invalid("/data/id", "data.id must be a string")),
        None => Err(invalid(
            "/data",
            "an update without ref names its resource with data.id or data.lid",
        )),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn pointer(operation: Value) -> String {
        match Operation::parse(operation) {
            Err(ApiError::InvalidDocument { pointer, .. }) => pointer,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_operation_names_its_op_and_its_ref() {
        let operation = Operation::parse(json!({"op": "update",
            "ref": {"type": "posts", "lid": "a", "relationship": "author"},
            "data": {"type": "users", "id": "1"}}))
        .unwrap();
        assert_eq!(operation.op, AtomicOp::Update);
        let target = operation.target.unwrap();
        assert_eq!(
            (target.kind, target.key, target.relationship.as_deref()),
            (
                AtomicResourceType::Posts,
                Key::Lid("a".into()),
                Some("author")
            )
        );
    }

    #[test]
    fn what_an_operation_cannot_be_is_pointed_at() {
        assert_eq!(pointer(json!([])), "");
        assert_eq!(pointer(json!({"data": {}})), "");
        assert_eq!(pointer(json!({"op": "replace"})), "/op");
        assert_eq!(
            pointer(json!({"op": "remove", "href": "/posts/1"})),
            "/href"
        );
        assert_eq!(pointer(json!({"op": "remove", "ref": "x"})), "/ref");
        assert_eq!(
            pointer(json!({"op": "remove", "ref": {"type": "comments", "id": "1"}})),
            "/ref/type"
        );
        assert_eq!(
            pointer(json!({"op": "remove", "ref": {"type": "posts"}})),
            "/ref"
        );
        assert_eq!(
            pointer(json!({"op": "remove", "ref": {"type": "posts", "id": 1}})),
            "/ref/id"
        );
    }

    #[test]
    fn a_ref_to_an_id_no_resource_can_have_is_not_found() {
        let operation = json!({"op": "remove", "ref": {"type": "posts", "id": "x1"}});
        assert!(matches!(
            Operation::parse(operation),
            Err(ApiError::NotFound(_))
        ));
    }

    #[test]
    fn the_document_holds_data_and_meta_where_pointers_find_them() {
        let document = Operation::document(json!({"type": "users"}), Some(json!({"a": 1})));
        assert_eq!(
            document,
            json!({"data": {"type": "users"}, "meta": {"a": 1}})
        );
    }
}
