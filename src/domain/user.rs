use std::fmt;

/// A username: 1–150 of ASCII letters, digits and `@.+-_`, unique case-insensitively.
/// Letters are ASCII so that both databases fold case the same way.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let value = raw.trim();
        if value.is_empty() {
            return Err("Enter a username.".to_owned());
        }
        if value.len() > 150 {
            return Err("Use at most 150 characters.".to_owned());
        }
        if !value.bytes().all(|b| b.is_ascii_alphanumeric() || b"@.+-_".contains(&b)) {
            return Err("Use letters, digits and @ . + - _ only.".to_owned());
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password that meets the policy. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN: usize = 12;
    /// Bounds the work a single login can ask of Argon2.
    pub const MAX: usize = 1024;

    /// At least 12 characters, not all digits, not the username.
    pub fn parse(raw: &str, username: &str) -> Result<Self, String> {
        let length = raw.chars().count();
        if length < Self::MIN {
            return Err(format!("Use at least {} characters.", Self::MIN));
        }
        if length > Self::MAX {
            return Err(format!("Use at most {} characters.", Self::MAX));
        }
        if raw.chars().all(|c| c.is_ascii_digit()) {
            return Err("Use more than digits.".to_owned());
        }
        if raw.eq_ignore_ascii_case(username.trim()) {
            return Err("Choose a password that differs from the username.".to_owned());
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        for ok in ["admin", "a", "jane.doe+ops@example.com", "x_y-z", &"u".repeat(150)] {
            assert!(Username::parse(ok).is_ok(), "{ok:?}");
        }
        for bad in ["", " ", "jane doe", "jané", "a'b", "<admin>", "a\nb", &"u".repeat(151)] {
            assert!(Username::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn password_policy() {
        assert!(Password::parse("correct horse battery", "jane").is_ok());
        assert!(Password::parse("elevenchars", "jane").is_err());
        assert!(Password::parse("123456789012345", "jane").is_err());
        assert!(Password::parse("janedoe12345", "JaneDoe12345").is_err());
        assert!(Password::parse("ééééééééééé1", "jane").is_ok(), "counts characters");
        assert!(Password::parse(&"p".repeat(1025), "jane").is_err());
    }

    #[test]
    fn password_debug_hides_the_secret() {
        let p = Password::parse("correct horse battery", "jane").unwrap();
        assert!(!format!("{p:?}").contains("horse"));
    }
}
