//! Where a users request document holds, or would hold, each member a
//! problem is about.

use crate::{
    jsonapi::{
        attribute_checker::attribute_pointer,
        request::{ResourceInput, escape_pointer},
    },
    users::{
        error::{AttributeProblem, ProblemKind},
        input::CURRENT_PASSWORD,
    },
};

/// Where member `name` of the top-level `meta` is in a request document.
pub fn meta_pointer(name: &str) -> String {
    format!("/meta/{}", escape_pointer(name))
}

/// Where a request document's problems with its members point: at the
/// member, or for a missing one at the nearest member that exists.
#[derive(Debug, Clone, Copy)]
pub struct Members {
    missing_attribute: &'static str,
    missing_meta: &'static str,
}

impl Members {
    pub fn of(input: &ResourceInput) -> Self {
        Self {
            missing_attribute: input.missing_attribute_pointer(),
            missing_meta: input.missing_meta_pointer(),
        }
    }

    /// Where a problem the domain found points.
    pub fn pointer(self, problem: &AttributeProblem) -> String {
        let in_meta = problem.attribute == CURRENT_PASSWORD;
        match (problem.kind, in_meta) {
            (ProblemKind::Invalid, false) => attribute_pointer(problem.attribute),
            (ProblemKind::Invalid, true) => meta_pointer(problem.attribute),
            (ProblemKind::Missing, false) => self.missing_attribute.to_owned(),
            (ProblemKind::Missing, true) => self.missing_meta.to_owned(),
        }
    }
}

/// Nothing known of the document: a missing member is pointed at `/data`
/// or at the document itself.
impl Default for Members {
    fn default() -> Self {
        Self::of(&ResourceInput::default())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, json};

    use super::*;

    fn problem(attribute: &'static str, kind: ProblemKind) -> AttributeProblem {
        AttributeProblem {
            attribute,
            kind,
            detail: String::new(),
        }
    }

    #[test]
    fn a_missing_current_password_points_at_meta_when_sent_and_at_the_document_when_not() {
        let missing = problem(CURRENT_PASSWORD, ProblemKind::Missing);
        let with_meta = ResourceInput {
            meta: Map::from_iter([("other".to_owned(), json!(1))]),
            meta_sent: true,
            ..ResourceInput::default()
        };
        assert_eq!(Members::of(&with_meta).pointer(&missing), "/meta");
        assert_eq!(Members::of(&ResourceInput::default()).pointer(&missing), "");
    }

    #[test]
    fn an_invalid_attribute_points_at_itself_and_a_current_password_into_meta() {
        let members = Members::default();
        assert_eq!(
            members.pointer(&problem("email", ProblemKind::Invalid)),
            "/data/attributes/email"
        );
        assert_eq!(
            members.pointer(&problem(CURRENT_PASSWORD, ProblemKind::Invalid)),
            "/meta/current_password"
        );
    }
}
