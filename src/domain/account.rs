//! The account form's fields, raw and parsed.

use super::{
    Annotations, CamelName, CompanyName, CountryCode, CurrencyCode, Description, FieldErrors, LanguageTag, PhoneNumber,
    SemVersion, Tags, TimeZone, optional_text,
};

/// The editable fields of an account as a form posts them: every value a string, a
/// missing field blank.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct RawAccountFields {
    pub company_name: String,
    pub phone_number: String,
    pub address1: String,
    pub address2: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub country: String,
    pub language: String,
    pub timezone: String,
    pub currency: String,
    pub name: String,
    pub description: String,
    pub version: String,
    pub annotations: String,
    pub tags: String,
}

/// An account's editable fields, every one valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountFields {
    pub company_name: CompanyName,
    pub phone_number: Option<PhoneNumber>,
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: CountryCode,
    pub language: LanguageTag,
    pub timezone: Option<TimeZone>,
    pub currency: CurrencyCode,
    pub name: CamelName,
    pub description: Description,
    pub version: SemVersion,
    pub annotations: Annotations,
    pub tags: Tags,
}

fn or_default<T: Default>(raw: &str, parse: impl Fn(&str) -> Result<T, String>) -> Result<T, String> {
    if raw.trim().is_empty() { Ok(T::default()) } else { parse(raw) }
}

impl AccountFields {
    /// Parses every field and reports every problem at once. Blank country, language,
    /// currency and version take their defaults; a blank name is derived from the
    /// company name.
    pub fn parse(raw: &RawAccountFields) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let company_name = errors.check("company_name", CompanyName::parse(&raw.company_name));
        let phone_number = errors.check("phone_number", PhoneNumber::parse(&raw.phone_number));
        let address1 = errors.check("address1", optional_text(&raw.address1, 255));
        let address2 = errors.check("address2", optional_text(&raw.address2, 255));
        let city = errors.check("city", optional_text(&raw.city, 255));
        let state = errors.check("state", optional_text(&raw.state, 255));
        let postal_code = errors.check("postal_code", optional_text(&raw.postal_code, 20));
        let country = errors.check("country", or_default(&raw.country, CountryCode::parse));
        let language = errors.check("language", or_default(&raw.language, LanguageTag::parse));
        let timezone = errors.check("timezone", TimeZone::parse(&raw.timezone));
        let currency = errors.check("currency", or_default(&raw.currency, CurrencyCode::parse));
        let name = if raw.name.trim().is_empty() {
            company_name.as_ref().map(|c| CamelName::derive_from(c.as_str()))
        } else {
            errors.check("name", CamelName::parse(&raw.name))
        };
        let description = errors.check("description", Description::parse(&raw.description));
        let version = errors.check("version", SemVersion::parse(&raw.version));
        let annotations = errors.check("annotations", Annotations::parse(&raw.annotations));
        let tags = errors.check("tags", Tags::parse(&raw.tags));
        match (
            company_name,
            phone_number,
            address1,
            address2,
            city,
            state,
            postal_code,
            country,
            language,
            timezone,
            currency,
            name,
            description,
            version,
            annotations,
            tags,
        ) {
            (
                Some(company_name),
                Some(phone_number),
                Some(address1),
                Some(address2),
                Some(city),
                Some(state),
                Some(postal_code),
                Some(country),
                Some(language),
                Some(timezone),
                Some(currency),
                Some(name),
                Some(description),
                Some(version),
                Some(annotations),
                Some(tags),
            ) if errors.is_empty() => Ok(Self {
                company_name,
                phone_number,
                address1,
                address2,
                city,
                state,
                postal_code,
                country,
                language,
                timezone,
                currency,
                name,
                description,
                version,
                annotations,
                tags,
            }),
            _ => Err(errors),
        }
    }

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
