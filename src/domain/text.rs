//! Free-text fields: trimmed, bounded, and free of control characters (which no form
//! field of this product needs, and which corrupt logs, CSV and terminal output).

use validator::ValidateEmail;

fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

fn too_long(max: usize) -> String {
    format!("Use at most {max} characters.")
}

const NO_CONTROL: &str = "Remove the control characters (tabs, line breaks and the like).";

/// `s` with its case folded, the same way wherever it runs (Unicode lower case), for
/// values that are unique ignoring case.
pub fn fold_case(s: &str) -> String {
    s.to_lowercase()
}

/// A trimmed single-line value of at most `max` characters; blank becomes `None`.
pub fn optional_text(raw: &str, max: usize) -> Result<Option<String>, String> {
    let value = raw.trim();
    if value.is_empty() {
        return Ok(None);
    }
    if value.chars().count() > max {
        return Err(too_long(max));
    }
    if has_control(value) {
        return Err(NO_CONTROL.to_owned());
    }
    Ok(Some(value.to_owned()))
}

fn required_text(raw: &str, max: usize) -> Result<String, String> {
    optional_text(raw, max)?.ok_or_else(|| "This field is required.".to_owned())
}

/// A validated string: the type is the proof it was checked. Read it with `as_str`,
/// take it with `into_inner`, print it as it is.
macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

pub(crate) use text_type;

text_type!(
    /// A company's name: required, trimmed, 1–255 characters.
    CompanyName
);
text_type!(
    /// A phone number: up to 50 of digits, spaces and `+ - ( ) . x`, with a digit.
    PhoneNumber
);
text_type!(
    /// Free text of up to 10 000 characters; line breaks and tabs allowed.
    Description
);
text_type!(
    /// An e-mail address, as the `validator` crate's HTML5 rule accepts it.
    Email
);
text_type!(
    /// A person's first or last name: required, trimmed, 1–255 characters.
    PersonName
);

impl CompanyName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        required_text(raw, 255).map(Self)
    }
}

impl PersonName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        required_text(raw, 255).map(Self)
    }
}

impl PhoneNumber {
    pub fn parse_with_max(raw: &str, max: usize) -> Result<Option<Self>, String> {
        let Some(value) = optional_text(raw, max)? else {
            return Ok(None);
        };
        let allowed = |c: char| c.is_ascii_digit() || " +-().x".contains(c);
        if !value.chars().all(allowed) || !value.chars().any(|c| c.is_ascii_digit()) {
            return Err("Use digits, spaces and + - ( ) . x only.".to_owned());
        }
        Ok(Some(Self(value)))
    }

    /// An account's phone number (at most 50 characters).
    pub fn parse(raw: &str) -> Result<Option<Self>, String> {
        Self::parse_with_max(raw, 50)
    }
}

impl Description {
    pub const MAX: usize = 10_000;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let value = raw.trim();
        if value.chars().count() > Self::MAX {
            return Err(too_long(Self::MAX));
        }
        if value.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
            return Err(NO_CONTROL.to_owned());
        }
        Ok(Self(value.replace("\r\n", "\n")))
    }
}

impl Email {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let value = required_text(raw, 254)?;
        if !value.validate_email() {
            return Err("Enter a valid e-mail address.".to_owned());
        }
        Ok(Self(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn company_name_is_trimmed_and_bounded() {
        assert_eq!(CompanyName::parse("  Acme Corp ").unwrap().as_str(), "Acme Corp");
        assert!(CompanyName::parse("").is_err());
        assert!(CompanyName::parse("   ").is_err());
        assert!(CompanyName::parse(&"a".repeat(255)).is_ok());
        assert!(CompanyName::parse(&"é".repeat(255)).is_ok(), "counts characters, not bytes");
        assert!(CompanyName::parse(&"a".repeat(256)).is_err());
        assert!(CompanyName::parse("Acme\u{0}Corp").is_err());
        assert!(CompanyName::parse("Acme\nCorp").is_err());
    }

    #[test]
    fn hostile_text_is_kept_verbatim() {
        for raw in ["'; DROP TABLE accounts; --", "<script>alert(1)</script>", "Robert'); --"] {
            assert_eq!(CompanyName::parse(raw).unwrap().as_str(), raw);
        }
    }

    #[test]
    fn optional_text_blank_is_none() {
        assert_eq!(optional_text("  ", 10).unwrap(), None);
        assert_eq!(optional_text(" x ", 10).unwrap().as_deref(), Some("x"));
        assert!(optional_text("12345678901", 10).is_err());
    }

    #[test]
    fn phone_numbers() {
        assert_eq!(PhoneNumber::parse("+1 (555) 010-2030 x12").unwrap().unwrap().as_str(), "+1 (555) 010-2030 x12");
        assert_eq!(PhoneNumber::parse("").unwrap(), None);
        assert!(PhoneNumber::parse("555.0100").unwrap().is_some());
        for bad in ["call me", "+-()", "555\n0100", "５５５", "555; DROP", &"1".repeat(51)] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad:?}");
        }
        assert!(PhoneNumber::parse_with_max(&"1".repeat(21), 20).is_err());
    }

    #[test]
    fn description_allows_lines_but_not_other_controls() {
        assert_eq!(Description::parse("a\r\nb\tc").unwrap().as_str(), "a\nb\tc");
        assert!(Description::parse("a\u{7}b").is_err());
        assert!(Description::parse(&"x".repeat(10_000)).is_ok());
        assert!(Description::parse(&"x".repeat(10_001)).is_err());
        assert_eq!(Description::parse("").unwrap().as_str(), "");
    }

    #[test]
    fn emails() {
        assert!(Email::parse("ops@example.com").is_ok());
        for bad in ["", "ops", "ops@", "@example.com", "ops@example.com\n<x>", "a b@example.com"] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }
}
