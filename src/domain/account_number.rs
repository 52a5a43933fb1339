use std::fmt;

use rand::Rng;

/// An account number, `NNNN-NNNN-NNNN` in ASCII digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AccountNumber(String);

/// The number a create form asks for: blank or the sentinel mean "generate one".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountNumberInput {
    Generate,
    Given(AccountNumber),
}

impl AccountNumber {
    /// The upstream form's placeholder for "generate a number"; never stored.
    pub const SENTINEL: &'static str = "9999-9999-9999";

    /// Accepts exactly `^[0-9]{4}-[0-9]{4}-[0-9]{4}$`: no spaces, no trailing newline,
    /// no digits outside ASCII.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let bytes = raw.as_bytes();
        let well_formed = bytes.len() == 14
            && bytes.iter().enumerate().all(|(i, b)| match i {
                4 | 9 => *b == b'-',
                _ => b.is_ascii_digit(),
            });
        if well_formed {
            Ok(Self(raw.to_owned()))
        } else {
            Err("Enter an account number as NNNN-NNNN-NNNN, digits only.".to_owned())
        }
    }

    /// Reads a number typed in any spacing (`123456789012`, `1234 5678 9012`,
    /// `1234-5678-9012`); `None` unless exactly twelve ASCII digits remain.
    pub fn normalize(raw: &str) -> Option<Self> {
        let trimmed = raw.trim();
        if !trimmed.chars().all(|c| c.is_ascii_digit() || c == ' ' || c == '-') {
            return None;
        }
        let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
        if digits.len() != 12 {
            return None;
        }
        Some(Self(format!("{}-{}-{}", &digits[0..4], &digits[4..8], &digits[8..12])))
    }

    /// Three zero-padded, uniformly random groups. Uniqueness is the database's job.
    pub fn random() -> Self {
        Self::random_with(&mut rand::rng())
    }

    pub fn random_with<R: Rng + ?Sized>(rng: &mut R) -> Self {
        let mut group = || rng.random_range(0..10_000u16);
        let (a, b, c) = (group(), group(), group());
        Self(format!("{a:04}-{b:04}-{c:04}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_sentinel(&self) -> bool {
        self.0 == Self::SENTINEL
    }
}

impl AccountNumberInput {
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.trim().is_empty() || raw.trim() == AccountNumber::SENTINEL {
            return Ok(Self::Generate);
        }
        AccountNumber::parse(raw.trim()).map(Self::Given)
    }
}

impl fmt::Display for AccountNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for AccountNumber {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value)
    }
}

impl From<AccountNumber> for String {
    fn from(value: AccountNumber) -> String {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_documented_shape() {
        assert_eq!(AccountNumber::parse("3141-5926-5359").unwrap().as_str(), "3141-5926-5359");
        assert!(AccountNumber::parse("0000-0000-0000").is_ok());
    }

    #[test]
    fn rejects_everything_else() {
        for bad in [
            "",
            "3141-5926-535",
            "3141-5926-53590",
            "3141-5926-5359\n",
            " 3141-5926-5359",
            "3141 5926 5359",
            "314159265359",
            "3141-5926-535a",
            "3141-5926-535٩",
            "３１４１-5926-5359",
            "3141_5926_5359",
            "'; DROP TABLE accounts; --",
            "<b>3141-5926-5359</b>",
        ] {
            assert!(AccountNumber::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn blank_and_sentinel_mean_generate() {
        assert_eq!(AccountNumberInput::parse("").unwrap(), AccountNumberInput::Generate);
        assert_eq!(AccountNumberInput::parse("  ").unwrap(), AccountNumberInput::Generate);
        assert_eq!(AccountNumberInput::parse("9999-9999-9999").unwrap(), AccountNumberInput::Generate);
        assert!(matches!(AccountNumberInput::parse("1234-5678-9012"), Ok(AccountNumberInput::Given(_))));
        assert!(AccountNumberInput::parse("1234").is_err());
    }

    #[test]
    fn normalizes_any_spacing() {
        for raw in ["123456789012", "1234 5678 9012", "1234-5678-9012", " 1234 - 5678 9012 "] {
            assert_eq!(AccountNumber::normalize(raw).unwrap().as_str(), "1234-5678-9012", "{raw:?}");
        }
        for raw in ["12345678901", "1234567890123", "acme", "1234-5678-901x", ""] {
            assert!(AccountNumber::normalize(raw).is_none(), "{raw:?}");
        }
    }

    #[test]
    fn random_numbers_are_well_formed_and_vary() {
        let numbers: std::collections::HashSet<_> = (0..200).map(|_| AccountNumber::random()).collect();
        assert!(numbers.len() > 190);
        for n in &numbers {
            assert!(AccountNumber::parse(n.as_str()).is_ok());
        }
    }
}
