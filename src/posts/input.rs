//! What creating or changing a post asks for, each attribute checked
//! against its rule.

use serde_json::Value;

use crate::users::attributes::has_control_characters;

pub const TITLE_MAX_CHARS: usize = 200;
pub const BODY_MAX_CHARS: usize = 20_000;

/// A new post. Without an author, the caller writes it.
#[derive(Debug)]
pub struct NewPost {
    pub title: String,
    pub body: String,
    pub pinned: bool,
    pub author: Option<i64>,
}

/// Changes to a post: `None` leaves an attribute alone.
#[derive(Debug, Default)]
pub struct PostChanges {
    pub title: Option<String>,
    pub body: Option<String>,
    pub pinned: Option<bool>,
    pub author: Option<i64>,
}

impl PostChanges {
    pub fn is_empty(&self) -> bool {
        self.title.is_none() && self.body.is_none() && self.pinned.is_none()
    }
}

/// Trimmed, 1 to 200 characters, no control characters.
pub fn parse_title(value: &Value) -> Result<String, String> {
    let Value::String(title) = value else {
        return Err("title must be a string".to_owned());
    };
    let title = title.trim().to_owned();
    let length = title.chars().count();
    if !(1..=TITLE_MAX_CHARS).contains(&length) {
        return Err(format!(
            "title must be 1 to {TITLE_MAX_CHARS} characters long after trimming"
        ));
    }
    if has_control_characters(&title, false) {
        return Err("title must not contain control characters".to_owned());
    }
    Ok(title)
}

/// At most 20,000 characters; line breaks and tabs are text, other control
/// characters are not.
pub fn parse_body(value: &Value) -> Result<String, String> {
    let Value::String(body) = value else {
        return Err("body must be a string".to_owned());
    };
    if body.chars().count() > BODY_MAX_CHARS {
        return Err(format!(
            "body must be at most {BODY_MAX_CHARS} characters long"
        ));
    }
    if has_control_characters(body, true) {
        return Err(
            "body must not contain control characters other than line breaks and tabs".to_owned(),
        );
    }
    Ok(body.clone())
}

pub fn parse_pinned(value: &Value) -> Result<bool, String> {
    value
        .as_bool()
        .ok_or_else(|| "pinned must be true or false".to_owned())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_title_is_trimmed_and_must_keep_a_character() {
        assert_eq!(parse_title(&json!("  Notes ")).unwrap(), "Notes");
        assert!(parse_title(&json!("   ")).is_err());
        assert!(parse_title(&json!("a".repeat(201))).is_err());
        assert!(parse_title(&json!("é".repeat(200))).is_ok());
        assert!(parse_title(&json!("a\u{7}b")).is_err());
        assert!(parse_title(&json!(3)).is_err());
    }

    #[test]
    fn a_body_may_break_lines_but_not_run_past_its_limit() {
        assert!(parse_body(&json!("one\ntwo\tthree")).is_ok());
        assert!(parse_body(&json!("")).is_ok());
        assert!(parse_body(&json!("\u{0}")).is_err());
        assert!(parse_body(&json!("x".repeat(20_001))).is_err());
    }
}
