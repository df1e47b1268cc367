//! Validates response documents against the official JSON:API JSON Schema.
//!
//! `jsonapi-schema.json` is the schema published by jsonapi.org, as shipped in the npm package
//! `jsonapi-validator` 3.0.5 (`lib/schema.json`, MIT licence, (c) Elliott Foster). That copy
//! predates JSON:API 1.1, which lets a link that is not available be `null` and adds `ext` and
//! `profile` (arrays of URIs) to the `jsonapi` object; the only changes made to it are a
//! `{"type": "null"}` alternative in `definitions.link.oneOf` and those two members in
//! `definitions.jsonapi`.

use std::sync::LazyLock;

use jsonschema::Validator;
use serde_json::{Value, json};

use crate::helpers::{JSONAPI_MEDIA_TYPE, TestResponse};

static SCHEMA: LazyLock<Value> = LazyLock::new(|| {
    serde_json::from_str(include_str!("jsonapi-schema.json"))
        .expect("jsonapi-schema.json is valid JSON")
});

static VALIDATOR: LazyLock<Validator> = LazyLock::new(|| compile(&SCHEMA));

/// Validators for parts of a document (`#/definitions/<name>`), to say which part of an
/// invalid document is wrong: the schema nests `oneOf`s, whose errors only say "no branch
/// matched".
static PARTS: LazyLock<Vec<(&'static str, Validator)>> = LazyLock::new(|| {
    ["success", "failure", "info", "resource", "error", "link"]
        .into_iter()
        .map(|definition| {
            let mut schema = SCHEMA.clone();
            schema["oneOf"] = json!([{ "$ref": format!("#/definitions/{definition}") }]);
            (definition, compile(&schema))
        })
        .collect()
});

fn validator_for(definition: &str) -> &'static Validator {
    PARTS
        .iter()
        .find(|(name, _)| *name == definition)
        .map(|(_, validator)| validator)
        .expect("a validator for each part")
}

fn compile(schema: &Value) -> Validator {
    jsonschema::validator_for(schema).expect("the JSON:API schema compiles")
}

/// Asserts that `response` is a JSON:API document: the media type, with no parameter but the
/// `profile` of a document that follows the profiles its `jsonapi.profile` names, a body
/// valid under the official schema, and `jsonapi.version` "1.1". Returns the parsed body.
pub fn assert_jsonapi(response: &TestResponse) -> Value {
    let content_type = response.header("content-type").unwrap_or_default();
    let profile = content_type
        .strip_prefix(JSONAPI_MEDIA_TYPE)
        .filter(|rest| !rest.is_empty())
        .map(|rest| {
            rest.strip_prefix("; profile=\"")
                .and_then(|rest| rest.strip_suffix('"'))
                .unwrap_or_else(|| {
                    panic!("a JSON:API media type takes only a profile: {content_type}")
                })
        });
    assert!(
        content_type.starts_with(JSONAPI_MEDIA_TYPE),
        "a JSON:API response must be `{JSONAPI_MEDIA_TYPE}`; body: {}",
        response.text
    );
    let body = response.json();
    assert_valid_document(&body);
    if let Some(profiles) = profile {
        let named: Vec<&str> = body["jsonapi"]["profile"]
            .as_array()
            .map(|named| named.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        assert_eq!(
            profiles.split(' ').collect::<Vec<_>>(),
            named,
            "the media type's profiles are the document's jsonapi.profile"
        );
    }
    assert_eq!(
        body["jsonapi"]["version"], "1.1",
        "every document names JSON:API 1.1: {body}"
    );
    body
}

/// Asserts that `document` is valid under the JSON:API schema, explaining why if not.
pub fn assert_valid_document(document: &Value) {
    if VALIDATOR.is_valid(document) {
        return;
    }
    panic!(
        "not a valid JSON:API document:\n{}\nwhy:\n{}",
        serde_json::to_string_pretty(document).unwrap_or_default(),
        explain(document).join("\n")
    );
}

/// What is wrong with an invalid document, part by part.
fn explain(document: &Value) -> Vec<String> {
    let branch = if document.get("data").is_some() {
        "success"
    } else if document.get("errors").is_some() {
        "failure"
    } else {
        "info"
    };
    let mut parts = Vec::new();
    let items = |member: &str| match &document[member] {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(index, item)| (format!("/{member}/{index}"), item))
            .collect(),
        Value::Object(_) => vec![(format!("/{member}"), &document[member])],
        _ => Vec::new(),
    };
    for (pointer, resource) in items("data") {
        parts.push(("resource", pointer, resource));
    }
    for (pointer, error) in items("errors") {
        parts.push(("error", pointer, error));
    }
    let mut link_parents = vec![(String::new(), document)];
    link_parents.extend(items("data"));
    link_parents.extend(items("errors"));
    for (pointer, parent) in link_parents {
        if let Some(links) = parent["links"].as_object() {
            for (name, link) in links {
                parts.push(("link", format!("{pointer}/links/{name}"), link));
            }
        }
    }
    let mut reasons = Vec::new();
    for (definition, pointer, value) in parts {
        if definition == "link" && value.is_string() {
            if !validator_for("link").is_valid(value) {
                reasons.push(format!(
                    "  {pointer}: {value} is not an RFC 3986 URI reference \
                     (`[`, `]` and spaces in a query must be percent-encoded)"
                ));
            }
            continue;
        }
        let validator = validator_for(definition);
        reasons.extend(validator.iter_errors(value).map(|error| {
            format!(
                "  {pointer} (as {definition}): {error} at {}",
                error.instance_path
            )
        }));
    }
    if reasons.is_empty() {
        // Nothing wrong inside: the top level itself is (a missing or an extra member).
        reasons.extend(
            validator_for(branch)
                .iter_errors(document)
                .map(|error| format!("  (as {branch}): {error}")),
        );
    }
    reasons
}

#[test]
fn the_schema_accepts_a_null_link_as_json_api_1_1_does() {
    // Arrange
    let document = json!({
        "jsonapi": { "version": "1.1" },
        "data": [],
        "links": { "self": "/api/v1/users.json", "prev": null, "next": null, "about": null }
    });

    // Act
    let valid = VALIDATOR.is_valid(&document);

    // Assert
    assert!(valid, "a null link is allowed in JSON:API 1.1");
}

#[test]
fn the_schema_refuses_a_document_with_both_data_and_errors() {
    // Arrange
    let document = json!({ "data": null, "errors": [{ "status": "400" }] });

    // Act
    let valid = VALIDATOR.is_valid(&document);

    // Assert
    assert!(!valid, "data and errors never appear together");
}

#[test]
fn an_invalid_link_is_explained_by_where_it_is() {
    // Arrange: RFC 3986 allows `[` and `]` only around IP literals, not in a query.
    let document = json!({
        "jsonapi": { "version": "1.1" },
        "data": [],
        "links": { "self": "/api/v1/users.json?page[size]=1" }
    });

    // Act
    let reasons = explain(&document);

    // Assert
    assert!(!VALIDATOR.is_valid(&document));
    assert!(
        reasons.iter().any(|reason| reason.contains("/links/self")),
        "{reasons:?}"
    );
}
