//! The rules for each user attribute, applied where a request enters.
//! Each parser takes the JSON value as sent and returns the domain value or
//! a sentence saying what is wrong with it.

use chrono::{Datelike, NaiveDate};
use serde_json::Value;

use crate::auth::password::Password;

pub const NAME_MIN_CHARS: usize = 2;
pub const NAME_MAX_CHARS: usize = 100;
pub const EMAIL_MAX_CHARS: usize = 254;
/// NIST SP 800-63B rev. 4: at least 15 characters when the password is the
/// only factor; at least 64 accepted (we take 128).
pub const PASSWORD_MIN_CHARS: usize = 15;
pub const PASSWORD_MAX_CHARS: usize = 128;
pub const TEXT_MAX_CHARS: usize = 500;
pub const WEBSITE_MAX_CHARS: usize = 2048;
/// The earliest date of birth taken: the first date every supported
/// database stores (MySQL's `DATE` starts at year 1000).
const EARLIEST_DOB: NaiveDate = NaiveDate::from_ymd_opt(1000, 1, 1).unwrap();

/// An email address as written and as compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub address: String,
    pub normalized: String,
}

/// The form emails are compared and stored unique in: trimmed, lower-cased.
pub fn normalize_email(address: &str) -> String {
    address.trim().to_lowercase()
}

fn string(value: &Value, name: &str) -> Result<String, String> {
    match value {
        Value::String(text) => Ok(text.clone()),
        _ => Err(format!("{name} must be a string")),
    }
}

pub fn has_control_characters(text: &str, allow_line_breaks: bool) -> bool {
    text.chars()
        .any(|c| c.is_control() && !(allow_line_breaks && matches!(c, '\n' | '\r' | '\t')))
}

pub fn parse_name(value: &Value) -> Result<String, String> {
    let name = string(value, "name")?.trim().to_owned();
    let length = name.chars().count();
    if !(NAME_MIN_CHARS..=NAME_MAX_CHARS).contains(&length) {
        return Err(format!(
            "name must be {NAME_MIN_CHARS} to {NAME_MAX_CHARS} characters long after trimming"
        ));
    }
    if has_control_characters(&name, false) {
        return Err("name must not contain control characters".to_owned());
    }
    Ok(name)
}

pub fn parse_email(value: &Value) -> Result<Email, String> {
    let address = string(value, "email")?.trim().to_owned();
    if address.chars().count() > EMAIL_MAX_CHARS {
        return Err(format!(
            "email must be at most {EMAIL_MAX_CHARS} characters long"
        ));
    }
    let plain =
        !address.contains(|c: char| c.is_whitespace() || c.is_control() || c == '<' || c == '>');
    if !plain || !email_address::EmailAddress::is_valid(&address) {
        return Err("email is not a valid address".to_owned());
    }
    Ok(Email {
        normalized: normalize_email(&address),
        address,
    })
}

/// A new password. Never trimmed or truncated: every character counts.
pub fn parse_password(value: &Value, name: &str) -> Result<Password, String> {
    let password = string(value, name)?;
    let length = password.chars().count();
    if !(PASSWORD_MIN_CHARS..=PASSWORD_MAX_CHARS).contains(&length) {
        return Err(format!(
            "{name} must be {PASSWORD_MIN_CHARS} to {PASSWORD_MAX_CHARS} characters long"
        ));
    }
    if has_control_characters(&password, false) {
        return Err(format!("{name} must contain only printable characters"));
    }
    Ok(Password::new(password))
}

pub fn parse_dob(value: &Value, today: NaiveDate) -> Result<NaiveDate, String> {
    let text = string(value, "dob")?;
    let well_formed = text.len() == 10
        && text.char_indices().all(|(index, c)| {
            if index == 4 || index == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    let date = well_formed
        .then(|| NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| "dob must be a date written YYYY-MM-DD".to_owned())?;
    if date > today {
        return Err("dob must not be in the future".to_owned());
    }
    if date < EARLIEST_DOB {
        return Err("dob must not be before 1000-01-01".to_owned());
    }
    Ok(date)
}

/// Free text such as an address or a profession.
pub fn parse_text(value: &Value, name: &str) -> Result<String, String> {
    let text = string(value, name)?;
    if text.chars().count() > TEXT_MAX_CHARS {
        return Err(format!(
            "{name} must be at most {TEXT_MAX_CHARS} characters long"
        ));
    }
    if has_control_characters(&text, true) {
        return Err(format!("{name} must not contain control characters"));
    }
    Ok(text)
}

pub fn parse_website(value: &Value) -> Result<String, String> {
    let text = string(value, "website")?.trim().to_owned();
    if text.chars().count() > WEBSITE_MAX_CHARS {
        return Err(format!(
            "website must be at most {WEBSITE_MAX_CHARS} characters long"
        ));
    }
    match url::Url::parse(&text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Ok(text),
        _ => Err("website must be an absolute http or https URL".to_owned()),
    }
}

/// Whole years from `dob` to `today`.
pub fn age_on(dob: NaiveDate, today: NaiveDate) -> u32 {
    let mut years = today.year() - dob.year();
    if (today.month(), today.day()) < (dob.month(), dob.day()) {
        years -= 1;
    }
    u32::try_from(years).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_name_is_trimmed_and_counted_in_characters() {
        assert_eq!(parse_name(&json!("  Ada  ")).unwrap(), "Ada");
        assert!(parse_name(&json!(" A ")).is_err());
        assert!(parse_name(&json!("é".repeat(100))).is_ok());
        assert!(parse_name(&json!("é".repeat(101))).is_err());
        assert!(parse_name(&json!(42)).is_err());
    }

    #[test]
    fn an_email_is_compared_lower_cased_and_trimmed() {
        let email = parse_email(&json!(" Ada@Example.COM ")).unwrap();
        assert_eq!(email.address, "Ada@Example.COM");
        assert_eq!(email.normalized, "ada@example.com");
    }

    #[test]
    fn malformed_or_overlong_emails_are_refused() {
        for bad in [
            "ada",
            "ada@",
            "@example.com",
            "a b@example.com",
            "Ada <ada@example.com>",
        ] {
            assert!(parse_email(&json!(bad)).is_err(), "{bad}");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(parse_email(&json!(long)).is_err());
    }

    #[test]
    fn a_non_ascii_email_is_a_valid_address() {
        assert!(parse_email(&json!("Zoë@exämple.com")).is_ok());
    }

    #[test]
    fn a_password_is_fifteen_to_128_characters_never_trimmed() {
        assert!(parse_password(&json!("ü".repeat(15)), "password").is_ok());
        assert!(parse_password(&json!("ü".repeat(14)), "password").is_err());
        assert!(parse_password(&json!("x".repeat(129)), "password").is_err());
        let spaced = parse_password(&json!("  fifteen chars  "), "password").unwrap();
        assert_eq!(spaced.expose(), "  fifteen chars  ");
    }

    #[test]
    fn a_dob_is_an_iso_date_not_in_the_future() {
        let today = day("2026-11-21");
        assert_eq!(
            parse_dob(&json!("1815-12-10"), today).unwrap(),
            day("1815-12-10")
        );
        assert!(parse_dob(&json!("2026-11-22"), today).is_err());
        assert!(parse_dob(&json!("1815-1-10"), today).is_err());
        assert!(parse_dob(&json!("10/12/1815"), today).is_err());
        assert!(parse_dob(&json!("1815-02-30"), today).is_err());
    }

    #[test]
    fn age_counts_whole_years() {
        assert_eq!(age_on(day("1815-12-10"), day("1852-11-27")), 36);
        assert_eq!(age_on(day("2000-11-21"), day("2026-11-21")), 26);
        assert_eq!(age_on(day("2000-11-22"), day("2026-11-21")), 25);
    }

    #[test]
    fn a_website_is_an_absolute_http_url() {
        assert!(parse_website(&json!("https://example.com/ada")).is_ok());
        assert!(parse_website(&json!("ftp://example.com")).is_err());
        assert!(parse_website(&json!("example.com")).is_err());
        assert!(parse_website(&json!("javascript:alert(1)")).is_err());
    }

    #[test]
    fn text_is_at_most_five_hundred_characters() {
        assert!(parse_text(&json!("x".repeat(500)), "address").is_ok());
        assert!(parse_text(&json!("x".repeat(501)), "address").is_err());
        assert!(parse_text(&json!("line one\nline two"), "address").is_ok());
    }
}
