//! `lid`s: the names a request gives the resources it adds, so that later
//! operations can refer to them before they have an id. Each is swapped
//! for the id before the operation's document reaches its parser, which
//! thus sees what a single-resource request would send.

use std::collections::HashMap;

use serde_json::Value;

use super::{
    document::AtomicResourceType,
    operation::{Key, Ref},
};
use crate::jsonapi::{error::ApiError, request::escape_pointer};

/// The resources added so far, by `lid`.
#[derive(Default)]
pub struct LocalIds(HashMap<String, (AtomicResourceType, i64)>);

/// The resource a `ref` names, its `lid` resolved.
pub struct Target {
    pub kind: AtomicResourceType,
    pub id: i64,
    pub relationship: Option<String>,
}

impl LocalIds {
    fn find(&self, lid: &str, kind: AtomicResourceType, pointer: &str) -> Result<i64, ApiError> {
        match self.0.get(lid) {
            Some((added, id)) if *added == kind => Ok(*id),
            Some((added, _)) => Err(ApiError::invalid_document(
                pointer,
                format!("lid {lid:?} names a resource of type {}", added.name()),
            )),
            None => Err(ApiError::invalid_document(
                pointer,
                format!("lid {lid:?} names no resource added earlier in this request"),
            )),
        }
    }

    pub fn target(&self, target: Ref) -> Result<Target, ApiError> {
        let id = match target.key {
            Key::Id(id) => id,
            Key::Lid(lid) => self.find(&lid, target.kind, "/ref/lid")?,
        };
        Ok(Target {
            kind: target.kind,
            id,
            relationship: target.relationship,
        })
    }

    /// Swaps the `lid` of the identifier or resource object at `pointer`
    /// for its `id`, unless it has one.
    pub fn resolve(&self, object: &mut Value, pointer: &str) -> Result<(), ApiError> {
        let Value::Object(members) = object else {
            return Ok(());
        };
        if members.get("id").is_some_and(|id| !id.is_null()) {
            return Ok(());
        }
        let lid_pointer = format!("{pointer}/lid");
        let lid = match members.get("lid") {
            None => return Ok(()),
            Some(Value::String(lid)) => lid.clone(),
            Some(_) => {
                return Err(ApiError::invalid_document(
                    lid_pointer,
                    "lid must be a string",
                ));
            }
        };
        let kind = AtomicResourceType::of(object, pointer)?;
        let id = self.find(&lid, kind, &lid_pointer)?;
        if let Value::Object(members) = object {
            members.remove("lid");
            members.insert("id".to_owned(), Value::String(id.to_string()));
        }
        Ok(())
    }

    /// Resolves every `lid` in the linkage of the relationships of the
    /// resource object `data`.
    pub fn resolve_relationships(&self, data: &mut Value) -> Result<(), ApiError> {
        let Some(Value::Object(relationships)) = data.get_mut("relationships") else {
            return Ok(());
        };
        for (name, relationship) in relationships.iter_mut() {
            let pointer = format!("/data/relationships/{}/data", escape_pointer(name));
            match relationship.get_mut("data") {
                Some(Value::Array(identifiers)) => {
                    for (index, identifier) in identifiers.iter_mut().enumerate() {
                        self.resolve(identifier, &format!("{pointer}/{index}"))?;
                    }
                }
                Some(identifier) => self.resolve(identifier, &pointer)?,
                None => {}
            }
        }
        Ok(())
    }

    /// Takes the `lid` a new resource object `data` is given, one no
    /// resource of this request has yet; it names the resource once added.
    pub fn take_new(&self, data: &mut Value) -> Result<Option<String>, ApiError> {
        let Value::Object(members) = data else {
            return Ok(None);
        };
        match members.remove("lid") {
            None => Ok(None),
            Some(Value::String(lid)) if self.0.contains_key(&lid) => {
                Err(ApiError::invalid_document(
                    "/data/lid",
                    format!("lid {lid:?} already names a resource of this request"),
                ))
            }
            Some(Value::String(lid)) => Ok(Some(lid)),
            Some(_) => Err(ApiError::invalid_document(
                "/data/lid",
                "lid must be a string",
            )),
        }
    }

    pub fn insert(&mut self, lid: String, kind: AtomicResourceType, id: i64) {
        self.0.insert(lid, (kind, id));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn pointer(result: Result<(), ApiError>) -> String {
        match result {
            Err(ApiError::InvalidDocument { pointer, .. }) => pointer,
            other => panic!("{other:?}"),
        }
    }

    fn known() -> LocalIds {
        let mut lids = LocalIds::default();
        lids.insert("ada".into(), AtomicResourceType::Users, 7);
        lids
    }

    #[test]
    fn linkage_by_lid_becomes_linkage_by_id() {
        let mut data = json!({"type": "posts", "relationships": {
            "author": {"data": {"type": "users", "lid": "ada"}}}});
        known().resolve_relationships(&mut data).unwrap();
        assert_eq!(
            data["relationships"]["author"]["data"],
            json!({"type": "users", "id": "7"})
        );
    }

    #[test]
    fn an_unknown_or_mistyped_lid_is_pointed_at() {
        let mut data = json!({"type": "posts", "relationships": {
            "author": {"data": {"type": "users", "lid": "bob"}}}});
        assert_eq!(
            pointer(known().resolve_relationships(&mut data)),
            "/data/relationships/author/data/lid"
        );
        let mut identifier = json!({"type": "posts", "lid": "ada"});
        assert_eq!(
            pointer(known().resolve(&mut identifier, "/data")),
            "/data/lid"
        );
    }

    #[test]
    fn a_lid_names_one_resource() {
        let mut data = json!({"type": "users", "lid": "ada"});
        assert_eq!(
            known().take_new(&mut data).unwrap_err().to_string(),
            "lid \"ada\" already names a resource of this request"
        );
        let mut data = json!({"type": "users", "lid": "bob"});
        assert_eq!(
            LocalIds::default().take_new(&mut data).unwrap().as_deref(),
            Some("bob")
        );
        assert!(data.get("lid").is_none());
    }
}
