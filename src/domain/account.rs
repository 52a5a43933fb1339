//! The account's editable fields, declared once.
//!
//! [`account_fields!`] lists every editable column of an account with how a form's text
//! becomes its value and how the form shows it. The domain parser below, the stored
//! values and read model (`db::models::account`), the audit diff, the form and the CSV
//! columns are all generated from that one list, so adding a field means adding a line
//! there, a migration, and the template that shows it. Tags and annotations are the
//! metadata every entity shares and are not columns; they follow the listed fields.

use super::{Annotations, FieldErrors, Tags};

/// Calls `$then!` with every editable column of an account, in form order:
/// `field: parsed type => stored type = parser, group, label, input kind, length limit,
/// in the CSV export, hint;`. The parser takes the field's text and the whole form.
#[macro_export]
macro_rules! account_fields {
    ($then:path) => {
        $then! {
            company_name: $crate::domain::CompanyName => String
                = |v, _| $crate::domain::CompanyName::parse(v),
                "Company", "Company name", "text", 255, true, "";
            name: $crate::domain::CamelName => String
                = |v, form| $crate::domain::CamelName::parse_or_derive(v, &form.company_name),
                "Company", "Name", "text", 255, true,
                "camelCase, e.g. acmeCorp; blank derives it from the company name.";
            description: $crate::domain::Description => String
                = |v, _| $crate::domain::Description::parse(v),
                "Company", "Description", "textarea", 10_000, false, "";
            phone_number: Option<$crate::domain::PhoneNumber> => Option<String>
                = |v, _| $crate::domain::PhoneNumber::parse(v),
                "Contact and address", "Phone", "tel", 50, true, "Digits, spaces and + - ( ) . x";
            address1: Option<String> => Option<String>
                = |v, _| $crate::domain::optional_text(v, 255),
                "Contact and address", "Address", "text", 255, true, "";
            address2: Option<String> => Option<String>
                = |v, _| $crate::domain::optional_text(v, 255),
                "Contact and address", "Address (line 2)", "text", 255, true, "";
            city: Option<String> => Option<String>
                = |v, _| $crate::domain::optional_text(v, 255),
                "Contact and address", "City", "text", 255, true, "";
            state: Option<String> => Option<String>
                = |v, _| $crate::domain::optional_text(v, 255),
                "Contact and address", "State or region", "text", 255, true, "";
            postal_code: Option<String> => Option<String>
                = |v, _| $crate::domain::optional_text(v, 20),
                "Contact and address", "Postal code", "text", 20, true, "";
            country: $crate::domain::CountryCode => String
                = |v, _| $crate::domain::or_default(v, $crate::domain::CountryCode::parse),
                "Contact and address", "Country", "select", 3, true, "";
            language: $crate::domain::LanguageTag => String
                = |v, _| $crate::domain::or_default(v, $crate::domain::LanguageTag::parse),
                "Locale", "Language", "select", 10, true, "";
            timezone: Option<$crate::domain::TimeZone> => Option<String>
                = |v, _| $crate::domain::TimeZone::parse(v),
                "Locale", "Time zone", "select", 64, true, "";
            currency: $crate::domain::CurrencyCode => String
                = |v, _| $crate::domain::or_default(v, $crate::domain::CurrencyCode::parse),
                "Locale", "Currency", "select", 3, true, "";
            version: $crate::domain::SemVersion => String
                = |v, _| $crate::domain::SemVersion::parse(v),
                "Metadata", "Version", "text", 255, false, "Semantic version, e.g. 1.0.0.";
        }
    };
}

/// A blank value takes the type's default; anything else must parse.
pub fn or_default<T: Default>(raw: &str, parse: impl Fn(&str) -> Result<T, String>) -> Result<T, String> {
    if raw.trim().is_empty() { Ok(T::default()) } else { parse(raw) }
}

macro_rules! define_fields {
    ($($field:ident: $ty:ty => $stored:ty = $parse:expr, $group:literal, $label:literal, $kind:literal,
       $max:literal, $export:literal, $hint:literal;)*) => {
        /// The editable fields of an account as a form posts them: every value a string,
        /// a missing field blank.
        #[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
        #[serde(default)]
        pub struct RawAccountFields {
            $(pub $field: String,)*
            pub annotations: String,
            pub tags: String,
        }

        /// An account's editable fields, every one valid.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct AccountFields {
            $(pub $field: $ty,)*
            pub annotations: Annotations,
            pub tags: Tags,
        }

        impl RawAccountFields {
            /// Sets the field named `field` (an editable column, `tags` or
            /// `annotations`); false when no field has that name.
            pub fn set(&mut self, field: &str, value: String) -> bool {
                $(if field == stringify!($field) {
                    self.$field = value;
                    return true;
                })*
                match field {
                    "tags" => self.tags = value,
                    "annotations" => self.annotations = value,
                    _ => return false,
                }
                true
            }
        }

        impl AccountFields {
            /// Parses every field and reports every problem at once. Blank country,
            /// language, currency and version take their defaults; a blank name is
            /// derived from the company name.
            pub fn parse(raw: &RawAccountFields) -> Result<Self, FieldErrors> {
                let mut errors = FieldErrors::new();
                $(
                    let parse: fn(&str, &RawAccountFields) -> Result<$ty, String> = $parse;
                    let $field = errors.check(stringify!($field), parse(&raw.$field, raw));
                )*
                let annotations = errors.check("annotations", Annotations::parse(&raw.annotations));
                let tags = errors.check("tags", Tags::parse(&raw.tags));
                if !errors.is_empty() {
                    return Err(errors);
                }
                match ($($field,)* annotations, tags) {
                    ($(Some($field),)* Some(annotations), Some(tags)) => Ok(Self { $($field,)* annotations, tags }),
                    _ => Err(errors),
                }
            }
        }
    };
}

account_fields!(define_fields);

impl AccountFields {
    /// Fields for an account with just a company name and every default.
    pub fn minimal(company_name: &str) -> Result<Self, FieldErrors> {
        Self::parse(&RawAccountFields { company_name: company_name.to_owned(), ..Default::default() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fill_blank_fields() {
        let f = AccountFields::minimal("Acme Corp, Inc.").unwrap();
        assert_eq!(f.country.as_str(), "USA");
        assert_eq!(f.language.as_str(), "EN");
        assert_eq!(f.currency.as_str(), "USD");
        assert_eq!(f.version.to_string(), "1.0.0");
        assert_eq!(f.name.as_str(), "acmeCorpInc");
        assert_eq!(f.timezone, None);
        assert_eq!(f.phone_number, None);
    }

    #[test]
    fn every_error_is_reported_at_once() {
        let raw = RawAccountFields {
            company_name: " ".into(),
            phone_number: "call me".into(),
            postal_code: "1".repeat(21),
            country: "XX".into(),
            language: "zz".into(),
            timezone: "Mars/Base".into(),
            currency: "ABC".into(),
            name: "Bad Name".into(),
            version: "1.0".into(),
            annotations: "nocolon".into(),
            tags: "a\u{1}".into(),
            ..Default::default()
        };
        let errors = AccountFields::parse(&raw).unwrap_err();
        for field in [
            "company_name",
            "phone_number",
            "postal_code",
            "country",
            "language",
            "timezone",
            "currency",
            "name",
            "version",
            "annotations",
            "tags",
        ] {
            assert!(errors.get(field).is_some(), "no error for {field}: {errors}");
        }
        assert_eq!(errors.iter().count(), 11);
    }
}
