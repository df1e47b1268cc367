//! Reading a request's attributes for a resource type: each checked by its
//! rule, unknown ones refused, and every problem reported at once with a
//! pointer into the document.

use std::marker::PhantomData;

use serde_json::{Map, Value};

use super::{
    error::{ApiError, FieldError, FieldErrorKind},
    request::{ResourceInput, escape_pointer},
    resource::{ResourceType, accepts_attribute},
};

/// Where attribute `name` is in a request document.
pub fn attribute_pointer(name: &str) -> String {
    format!("/data/attributes/{}", escape_pointer(name))
}

/// Members of the resource object itself, which JSON:API forbids as
/// attribute names.
const RESERVED: [&str; 2] = ["id", "type"];

/// Collects the problems of a request's attributes for a resource of type
/// `R` while parsing them, to report every one at once.
pub struct AttributeChecker<R> {
    errors: Vec<FieldError>,
    /// Where a missing attribute is pointed at: the nearest member that exists.
    missing_pointer: &'static str,
    resource: PhantomData<R>,
}

impl<R: ResourceType> AttributeChecker<R> {
    /// A checker of `input`'s attributes that has already refused those
    /// `R` does not have.
    pub fn new(input: &ResourceInput) -> Self {
        let mut checker = Self {
            errors: Vec::new(),
            missing_pointer: input.missing_attribute_pointer(),
            resource: PhantomData,
        };
        checker.refuse_unknown(&input.attributes);
        checker
    }

    /// Adds a problem found outside the attributes.
    pub fn push(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    pub fn take<T>(&mut self, name: &str, parsed: Result<T, String>) -> Option<T> {
        parsed
            .map_err(|detail| {
                self.errors.push(FieldError::new(
                    FieldErrorKind::Invalid,
                    attribute_pointer(name),
                    detail,
                ));
            })
            .ok()
    }

    /// Refuses members that are no attribute of `R`; those the server
    /// keeps are ignored (a resource read and saved back whole carries
    /// them), never written.
    fn refuse_unknown(&mut self, attributes: &Map<String, Value>) {
        for name in attributes.keys() {
            if RESERVED.contains(&name.as_str()) {
                self.errors.push(FieldError::new(
                    FieldErrorKind::ReadOnly,
                    attribute_pointer(name),
                    format!("{name} is a member of the resource object, not an attribute"),
                ));
            } else if !accepts_attribute::<R>(name) {
                self.errors.push(FieldError::new(
                    FieldErrorKind::Unknown,
                    attribute_pointer(name),
                    format!("{} have no attribute {name:?}", R::TYPE),
                ));
            }
        }
    }

    /// A required attribute: absent or null is an error.
    pub fn required<T>(
        &mut self,
        attributes: &Map<String, Value>,
        name: &str,
        parse: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Option<T> {
        let pointer = match attributes.get(name) {
            None => self.missing_pointer.to_owned(),
            Some(Value::Null) => attribute_pointer(name),
            Some(value) => return self.take(name, parse(value)),
        };
        self.errors.push(FieldError::new(
            FieldErrorKind::Missing,
            pointer,
            format!("{name} is required"),
        ));
        None
    }

    /// An attribute that may be sent or not but never cleared: null is an error.
    pub fn not_null<T>(
        &mut self,
        attributes: &Map<String, Value>,
        name: &str,
        parse: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Option<T> {
        match attributes.get(name) {
            None => None,
            Some(Value::Null) => self.take(name, Err(format!("{name} cannot be null"))),
            Some(value) => self.take(name, parse(value)),
        }
    }

    /// An attribute that null clears: `Some(None)`.
    pub fn nullable<T>(
        &mut self,
        attributes: &Map<String, Value>,
        name: &str,
        parse: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Option<Option<T>> {
        match attributes.get(name) {
            None => None,
            Some(Value::Null) => Some(None),
            Some(value) => self.take(name, parse(value)).map(Some),
        }
    }

    pub fn finish<T>(self, value: Option<T>) -> Result<T, ApiError> {
        match value {
            Some(value) if self.errors.is_empty() => Ok(value),
            _ => Err(ApiError::InvalidAttributes(self.errors)),
        }
    }
}
