//! The rules of [`crate::users::attributes`] that JSON Schema can state, as the
//! patterns and formats the document publishes for request attributes.
//!
//! Schemathesis checks both directions: a value the schema takes must be
//! taken by the service, and a value it refuses must be refused. So a
//! pattern states a rule exactly where it can (names, passwords, text,
//! dates), and where the rule is a parser's (email addresses, URLs) it takes
//! a part of what the parser accepts that every real value falls in, and
//! only values the parser accepts. Each must mean the same in ECMA-262,
//! Python `re` and Rust `regex`: ASCII classes and `\x`/`\u` escapes only,
//! no `\s`, `\w` or `\p{..}`, whose meanings differ between them.

use std::sync::LazyLock;

use regex::Regex;

use crate::jsonapi::pattern_param::{Matching, Pattern, compile};

/// What `char::is_whitespace`, and so `str::trim`, takes.
macro_rules! white_space {
    () => {
        r"\t-\r\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
    };
}

/// What `char::is_control` takes: Unicode's Cc.
macro_rules! control {
    () => {
        r"\x00-\x1f\x7f-\x9f"
    };
}

/// RFC 5322's atext, in ASCII.
macro_rules! atext {
    () => {
        r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
    };
}

/// A label of an email domain: at most 63 characters, letters and digits
/// with single hyphens between them. `--` would make IDNA checkers (as
/// format checkers are) read `ab--c` as a malformed encoded label, so a
/// label with hyphens is held to 32 letters and digits, which keeps the
/// count without a lookahead (Rust's `regex` has none).
macro_rules! domain_label {
    () => {
        r"(?:[A-Za-z0-9]{1,63}|[A-Za-z0-9](?:-?[A-Za-z0-9]){0,31})"
    };
}

/// A character of a host name that both RFC 3986 and the URL standard take:
/// unreserved and sub-delims, less `-` and `.`, which are placed apart.
macro_rules! host_char {
    () => {
        r"[A-Za-z0-9!$&'()*+,;=_~]"
    };
}

/// RFC 3986's pchar with `/` and `?`, percent-escapes spelled out.
macro_rules! url_char {
    () => {
        r"(?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2})"
    };
}

/// Free text: no control characters but line breaks and tabs.
macro_rules! text {
    () => {
        r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    };
}

macro_rules! patterns {
    ($($(#[$doc:meta])* $name:ident = $pattern:expr, $format:expr, $example:literal;)*) => {$(
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name;

        impl Pattern for $name {
            fn pattern() -> &'static str {
                $pattern
            }

            const FORMAT: Option<&'static str> = $format;
            const EXAMPLE: Option<&'static str> = Some($example);

            fn regex() -> &'static Regex {
                static REGEX: LazyLock<Regex> = LazyLock::new(|| compile($name::pattern()));
                &REGEX
            }
        }
    )*};
}

// Other resource types' patterns are written the same way.
pub(crate) use {control, patterns, text, white_space};

patterns! {
    /// `name`: 2 to 100 characters once trimmed, no control characters; the
    /// white space trimmed may be sent. 98 is `NAME_MAX_CHARS` less the two
    /// ends.
    NamePattern = concat!(
        "^[", white_space!(), "]*",
        "[^", control!(), white_space!(), "]",
        "[^", control!(), "]{0,98}",
        "[^", control!(), white_space!(), "]",
        "[", white_space!(), "]*$"
    ), None, "Ada Lovelace";

    /// `password`: no control characters; the length is `minLength` and
    /// `maxLength`, counted in characters as the service counts them.
    PrintablePattern = concat!("^[^", control!(), "]*$"), None, "correct horse battery staple";

    /// `address`: no control characters but line breaks and tabs.
    AddressPattern = text!(), None, "12 St James's Square, London";

    /// `profession`: the same rule as `address`, with an example of its own.
    ProfessionPattern = text!(), None, "Mathematician";

    /// `dob`: `YYYY-MM-DD` from year 1000; `format: date` refuses the days a
    /// month does not have. Not in the future is a rule of the day the request
    /// comes in, which no schema states.
    DatePattern = r"^[1-9][0-9]{3}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$", Some("date"), "1815-12-10";

    /// `email`: an ASCII dot-atom before the `@` and a domain after it;
    /// `maxLength` keeps the whole to 254, and `format: email` the part
    /// before the `@` to 64 characters, which a pattern cannot count
    /// across the dots without a lookahead.
    /// Quoted local parts, address literals and non-ASCII addresses, which
    /// the service takes too, are left out: no common format checker agrees
    /// on them.
    EmailPattern = concat!(
        "^", atext!(), r"+(?:\.", atext!(), "+)*",
        "@", domain_label!(), r"(?:\.", domain_label!(), ")*$"
    ), Some("email"), "ada@example.com";

    /// `website`: `http` or `https`, a host name whose last label starts
    /// with a letter (a numeric one is read as an IPv4 address), an optional
    /// port up to 65535, then path, query and fragment in RFC 3986's
    /// characters. No `--` in a label, so no `xn--` label, which must be
    /// valid punycode. IP addresses, user info and non-ASCII hosts, which
    /// the service takes too, are left out.
    WebsitePattern = concat!(
        r"^https?://(?:", host_char!(), "+(?:-", host_char!(), r"+)*\.)*",
        "[A-Za-z]", host_char!(), "*(?:-", host_char!(), "+)*",
        r"(?::(?:[0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?",
        "(?:/", url_char!(), r"*)?(?:\?", url_char!(), "*)?(?:#", url_char!(), "*)?$"
    ), Some("uri"), "https://example.com/ada";
}

pub type Name = Matching<NamePattern>;
pub type Printable = Matching<PrintablePattern>;
pub type Address = Matching<AddressPattern>;
pub type Profession = Matching<ProfessionPattern>;
pub type DateOfBirth = Matching<DatePattern>;
pub type EmailAddress = Matching<EmailPattern>;
pub type Website = Matching<WebsitePattern>;

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use serde_json::json;

    use super::*;
    use crate::users::attributes::{
        NAME_MAX_CHARS, parse_dob, parse_email, parse_name, parse_password, parse_text,
        parse_website,
    };

    /// Every example the pattern takes, the service takes.
    fn assert_taken<P: Pattern>(examples: &[&str], service: impl Fn(&str) -> bool) {
        for example in examples {
            assert!(
                P::regex().is_match(example),
                "the pattern takes {example:?}"
            );
            assert!(service(example), "the service takes {example:?}");
        }
    }

    /// Every example the service refuses, the pattern refuses.
    fn assert_refused<P: Pattern>(examples: &[&str], service: impl Fn(&str) -> bool) {
        for example in examples {
            assert!(!service(example), "the service refuses {example:?}");
            assert!(
                !P::regex().is_match(example),
                "the pattern refuses {example:?}"
            );
        }
    }

    #[test]
    fn every_example_matches_its_pattern_and_the_service_takes_it() {
        fn example<P: Pattern>() -> [&'static str; 1] {
            [P::EXAMPLE.unwrap()]
        }
        assert_taken::<NamePattern>(&example::<NamePattern>(), name_taken);
        assert_taken::<PrintablePattern>(&example::<PrintablePattern>(), password_taken);
        assert_taken::<AddressPattern>(&example::<AddressPattern>(), text_taken);
        assert_taken::<ProfessionPattern>(&example::<ProfessionPattern>(), text_taken);
        assert_taken::<DatePattern>(&example::<DatePattern>(), dob_taken);
        assert_taken::<EmailPattern>(&example::<EmailPattern>(), email_taken);
        assert_taken::<WebsitePattern>(&example::<WebsitePattern>(), website_taken);
    }

    fn name_taken(text: &str) -> bool {
        parse_name(&json!(text)).is_ok()
    }

    #[test]
    fn a_name_pattern_accepts_what_the_service_accepts() {
        let longest = "é".repeat(NAME_MAX_CHARS);
        let padded = format!("\u{3000} {longest}\t\n");
        assert_taken::<NamePattern>(
            &[
                "Ada",
                "Ad",
                " Ada Lovelace ",
                "\u{a0}Zoë\u{2028}",
                &longest,
                &padded,
            ],
            name_taken,
        );
    }

    #[test]
    fn a_name_pattern_refuses_what_the_service_refuses() {
        let too_long = "é".repeat(NAME_MAX_CHARS + 1);
        assert_refused::<NamePattern>(
            &[
                "",
                "A",
                "  A  ",
                "Ad\ta",
                "Ad\u{85}a",
                "A\u{0}b",
                "\u{7f}Ada",
                &too_long,
            ],
            name_taken,
        );
    }

    fn password_taken(text: &str) -> bool {
        parse_password(&json!(text), "password").is_ok()
    }

    #[test]
    fn a_password_pattern_accepts_what_the_service_accepts() {
        assert_taken::<PrintablePattern>(
            &[
                "  fifteen chars  ",
                "correct horse battery staple",
                "ünïcödé passwörd ✓",
            ],
            password_taken,
        );
    }

    #[test]
    fn a_password_pattern_refuses_what_the_service_refuses() {
        assert_refused::<PrintablePattern>(
            &[
                "fifteen chars\n!",
                "fifteen\tchars !!",
                "fifteen chars \u{9f}",
            ],
            password_taken,
        );
    }

    fn text_taken(text: &str) -> bool {
        parse_text(&json!(text), "address").is_ok()
    }

    #[test]
    fn a_text_pattern_accepts_what_the_service_accepts() {
        let taken = ["", "12 St James's Square\r\n\tLondon"];
        assert_taken::<AddressPattern>(&taken, text_taken);
        assert_taken::<ProfessionPattern>(&taken, text_taken);
    }

    #[test]
    fn a_text_pattern_refuses_what_the_service_refuses() {
        let refused = ["a\u{0}", "a\u{b}b", "\u{1b}[31m", "a\u{85}"];
        assert_refused::<AddressPattern>(&refused, text_taken);
        assert_refused::<ProfessionPattern>(&refused, text_taken);
    }

    fn dob_taken(text: &str) -> bool {
        let today = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        parse_dob(&json!(text), today).is_ok()
    }

    #[test]
    fn a_date_pattern_accepts_what_the_service_accepts() {
        assert_taken::<DatePattern>(
            &["1815-12-10", "1000-01-01", "2000-02-29", "2026-12-02"],
            dob_taken,
        );
    }

    #[test]
    fn a_date_pattern_refuses_what_the_service_refuses_but_days_and_the_future() {
        assert_refused::<DatePattern>(
            &[
                "0999-12-31",
                "999-01-01",
                "1815-1-10",
                "10/12/1815",
                "1815-13-01",
                "1815-12-32",
            ],
            dob_taken,
        );
    }

    fn email_taken(text: &str) -> bool {
        parse_email(&json!(text)).is_ok()
    }

    #[test]
    fn an_email_pattern_accepts_what_the_service_accepts() {
        let longest_local = format!("{}@example.com", "a".repeat(64));
        let five_parts = format!("{0}.{0}.{0}.{0}.{0}@example.com", "a".repeat(12));
        let longest_label = format!("ada@{}.org", "b".repeat(63));
        assert_taken::<EmailPattern>(
            &[
                "ada@example.com",
                "Ada.Lovelace@Example.ORG",
                "a!#$%&'*+/=?^_`{|}~-@x",
                "ada+tag@sub-domain.example.co.uk",
                "1@2.3",
                &longest_local,
                &five_parts,
                "ada.openapi-generator-1796184603-7138@example.com",
                &longest_label,
            ],
            email_taken,
        );
    }

    #[test]
    fn an_email_pattern_refuses_what_the_service_refuses() {
        let long_label = format!("ada@{}.org", "b".repeat(64));
        assert_refused::<EmailPattern>(
            &[
                "ada",
                "ada@",
                "@example.com",
                "a b@example.com",
                "Ada <ada@example.com>",
                "a..b@example.com",
                ".a@example.com",
                "ada@-example.com",
                "ada@example-.com",
                "ada@example..com",
                "ada@example.com*",
                &long_label,
            ],
            email_taken,
        );
    }

    #[test]
    fn a_local_part_over_64_characters_is_left_to_the_email_format() {
        let long_local = format!("{}@example.com", "a".repeat(65));
        assert!(!email_taken(&long_local));
        assert!(EmailPattern::regex().is_match(&long_local));
    }

    #[test]
    fn an_email_pattern_leaves_out_domains_format_checkers_refuse() {
        for example in ["ada@ab--c.example", "ada@xn--ab.example"] {
            assert!(email_taken(example), "the service takes {example:?}");
            assert!(!EmailPattern::regex().is_match(example), "{example:?}");
        }
    }

    fn website_taken(text: &str) -> bool {
        parse_website(&json!(text)).is_ok()
    }

    #[test]
    fn a_website_pattern_accepts_what_the_service_accepts() {
        assert_taken::<WebsitePattern>(
            &[
                "https://example.com/ada",
                "http://localhost:8080",
                "http://a.b-c.d0:65535/x/y?q=1&r=%C3%A9#top",
                "https://example.com*",
                "https://ex!$&'()*+,;=_~ample.org/p:@!$&'()*+,;=",
                "https://xn.example/",
                "http://a-b.c/?/?#/?",
            ],
            website_taken,
        );
    }

    #[test]
    fn a_website_pattern_refuses_what_the_service_refuses() {
        assert_refused::<WebsitePattern>(
            &[
                "example.com",
                "ftp://example.com",
                "javascript:alert(1)",
                "http://",
                "http://example.com:65536/",
                "http://0.0.0.256/",
                "http://a.0x/",
                "http://xn--a.com/",
                "https://exa mple.com",
            ],
            website_taken,
        );
    }
}
