use std::fmt;

/// A metadata name in camelCase: an ASCII lower-case letter, then ASCII letters and
/// digits, at most 255 characters (`apiKey`, `acmeCorp2`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct CamelName(String);

impl CamelName {
    pub const MAX: usize = 255;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let value = raw.trim();
        let mut chars = value.chars();
        let starts_lower = chars.next().is_some_and(|c| c.is_ascii_lowercase());
        if !starts_lower || !chars.all(|c| c.is_ascii_alphanumeric()) {
            return Err("Use camelCase: a lower-case letter, then letters and digits (e.g. acmeCorp2).".to_owned());
        }
        if value.len() > Self::MAX {
            return Err(format!("Use at most {} characters.", Self::MAX));
        }
        Ok(Self(value.to_owned()))
    }

    /// The name typed, or when it is blank, one derived from `company_name`.
    pub fn parse_or_derive(raw: &str, company_name: &str) -> Result<Self, String> {
        if raw.trim().is_empty() { Ok(Self::derive_from(company_name)) } else { Self::parse(raw) }
    }

    /// Derives a name from free text: `"Acme Corp, Inc."` → `acmeCorpInc`. Words are
    /// split at anything but letters and digits and keep their ASCII letters and digits;
    /// a leading digit gets an `n` in front, and text with none at all becomes `account`.
    pub fn derive_from(text: &str) -> Self {
        let mut out = String::new();
        let words = text
            .split(|c: char| !c.is_alphanumeric())
            .map(|w| w.chars().filter(char::is_ascii_alphanumeric).collect::<String>())
            .filter(|w| !w.is_empty());
        for word in words {
            let mut chars = word.chars();
            if let Some(first) = chars.next() {
                if out.is_empty() {
                    out.push(first.to_ascii_lowercase());
                    out.extend(chars);
                } else {
                    out.push(first.to_ascii_uppercase());
                    out.extend(chars);
                }
            }
        }
        if out.is_empty() {
            out.push_str("account");
        } else if out.starts_with(|c: char| c.is_ascii_digit()) {
            out.insert(0, 'n');
        }
        out.truncate(Self::MAX);
        Self(out)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl fmt::Display for CamelName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_camel_case() {
        for ok in ["apiKey", "acmeCorp2", "a", "x9"] {
            assert_eq!(CamelName::parse(ok).unwrap().as_str(), ok);
        }
        assert!(CamelName::parse(&format!("a{}", "b".repeat(254))).is_ok());
    }

    #[test]
    fn rejects_other_shapes() {
        for bad in [
            "",
            "ApiKey",
            "9lives",
            "api_key",
            "api-key",
            "api key",
            "api\nKey",
            "ápiKey",
            "api’Key",
            "x'; DROP TABLE accounts;--",
            "<b>x</b>",
        ] {
            assert!(CamelName::parse(bad).is_err(), "{bad:?}");
        }
        assert!(CamelName::parse(&format!("a{}", "b".repeat(255))).is_err());
    }

    #[test]
    fn derives_from_company_names() {
        assert_eq!(CamelName::derive_from("Acme Corp, Inc.").as_str(), "acmeCorpInc");
        assert_eq!(CamelName::derive_from("ACME").as_str(), "aCME");
        assert_eq!(CamelName::derive_from("3M Company").as_str(), "n3MCompany");
        assert_eq!(CamelName::derive_from("Société Générale").as_str(), "socitGnrale");
        assert_eq!(CamelName::derive_from("株式会社").as_str(), "account");
        for text in ["Acme Corp, Inc.", "3M", "---", "a b c", "Zed's <b>Bar</b>"] {
            let derived = CamelName::derive_from(text);
            assert!(CamelName::parse(derived.as_str()).is_ok(), "{text:?} gave {derived}");
        }
        assert_eq!(CamelName::derive_from(&"word ".repeat(200)).as_str().len(), 255);
    }
}
