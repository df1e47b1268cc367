//! The rules of [`crate::posts::input`] that JSON Schema can state, written
//! as users' are (`crate::api::users::attribute_patterns`).

use std::sync::LazyLock;

use regex::Regex;

use crate::{
    api::users::attribute_patterns::{control, patterns, text, white_space},
    jsonapi::pattern_param::{Matching, Pattern, compile},
};

patterns! {
    /// `title`: 1 to 200 characters once trimmed, no control characters;
    /// the white space trimmed may be sent.
    TitlePattern = concat!(
        "^[", white_space!(), "]*",
        "[^", control!(), white_space!(), "]",
        "(?:[^", control!(), "]{0,198}",
        "[^", control!(), white_space!(), "])?",
        "[", white_space!(), "]*$"
    ), None, "Notes on the Analytical Engine";

    /// `body`: no control characters but line breaks and tabs.
    BodyPattern = text!(), None, "It weaves algebraic patterns.";
}

pub type Title = Matching<TitlePattern>;
pub type Body = Matching<BodyPattern>;

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::posts::input::{parse_body, parse_title};

    /// The schema and the service must agree both ways.
    #[test]
    fn the_title_pattern_takes_what_the_service_takes() {
        for title in [
            "a",
            " a ",
            "\u{3000}Notes\t",
            &"é".repeat(200),
            "",
            "  ",
            "a\u{7}",
        ] {
            assert_eq!(
                TitlePattern::regex().is_match(title),
                parse_title(&json!(title)).is_ok(),
                "{title:?}"
            );
        }
        assert!(!TitlePattern::regex().is_match(&"a".repeat(201)));
    }

    #[test]
    fn the_body_pattern_takes_line_breaks_and_nothing_else_of_control() {
        for body in ["", "a\nb\tc\r\n", "\u{0}", "\u{85}"] {
            assert_eq!(
                BodyPattern::regex().is_match(body),
                parse_body(&json!(body)).is_ok(),
                "{body:?}"
            );
        }
    }
}
