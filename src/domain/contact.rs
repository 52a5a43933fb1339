//! An account contact's form fields, raw and parsed.

use super::{Email, FieldErrors, PersonName, PhoneNumber};

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct RawContactFields {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    /// A checkbox: present (any value) means checked.
    pub is_primary: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactFields {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub email: Email,
    pub phone: Option<PhoneNumber>,
    pub is_primary: bool,
}

impl ContactFields {
    /// The longest contact phone number.
    pub const PHONE_MAX: usize = 20;

    pub fn parse(raw: &RawContactFields) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let first_name = errors.check("first_name", PersonName::parse(&raw.first_name));
        let last_name = errors.check("last_name", PersonName::parse(&raw.last_name));
        let email = errors.check("email", Email::parse(&raw.email));
        let phone = errors.check("phone", PhoneNumber::parse_with_max(&raw.phone, Self::PHONE_MAX));
        match (first_name, last_name, email, phone) {
            (Some(first_name), Some(last_name), Some(email), Some(phone)) if errors.is_empty() => {
                Ok(Self { first_name, last_name, email, phone, is_primary: raw.is_primary.is_some() })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_contact() {
        let raw = RawContactFields {
            first_name: " Ada ".into(),
            last_name: "Lovelace".into(),
            email: "ada@example.com".into(),
            phone: "+44 20 7946 0000".into(),
            is_primary: Some("on".into()),
        };
        let c = ContactFields::parse(&raw).unwrap();
        assert_eq!(c.first_name.as_str(), "Ada");
        assert!(c.is_primary);
    }

    #[test]
    fn reports_every_error() {
        let raw = RawContactFields { email: "nope".into(), phone: "1".repeat(21), ..Default::default() };
        let errors = ContactFields::parse(&raw).unwrap_err();
        for field in ["first_name", "last_name", "email", "phone"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
    }
}
