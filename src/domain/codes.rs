//! Standard code lists, read from maintained crates rather than typed in here:
//! ISO 3166-1 (`isocountry`), ISO 4217 (`iso_currency`), ISO 639-1 (`isolang`) and the
//! IANA time zone database (`chrono-tz`).

use std::str::FromStr;

use isocountry::CountryCode as Iso3166;

use super::text::text_type;

text_type!(
    /// An ISO 3166-1 country code, alpha-2 or alpha-3, stored upper-case.
    CountryCode
);
text_type!(
    /// An ISO 4217 currency code, stored upper-case.
    CurrencyCode
);
text_type!(
    /// A language tag: an ISO 639-1 primary subtag and an optional ISO 3166-1 alpha-2
    /// region (`EN`, `en-US`, `fr`), kept as entered.
    LanguageTag
);
text_type!(
    /// An IANA time zone name (`America/New_York`), in its canonical spelling.
    TimeZone
);

fn ascii_letters(value: &str, len: usize) -> bool {
    value.len() == len && value.bytes().all(|b| b.is_ascii_alphabetic())
}

impl CountryCode {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let value = raw.trim().to_ascii_uppercase();
        let known = match value.len() {
            2 if ascii_letters(&value, 2) => Iso3166::for_alpha2(&value).is_ok(),
            3 if ascii_letters(&value, 3) => Iso3166::for_alpha3(&value).is_ok(),
            _ => false,
        };
        if known { Ok(Self(value)) } else { Err("Use an ISO 3166-1 country code such as USA, US or DEU.".to_owned()) }
    }
}

impl Default for CountryCode {
    fn default() -> Self {
        Self("USA".to_owned())
    }
}

impl CurrencyCode {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let value = raw.trim().to_ascii_uppercase();
        if ascii_letters(&value, 3) && iso_currency::Currency::from_code(&value).is_some() {
            Ok(Self(value))
        } else {
            Err("Use an ISO 4217 currency code such as USD, EUR or JPY.".to_owned())
        }
    }
}

impl Default for CurrencyCode {
    fn default() -> Self {
        Self("USD".to_owned())
    }
}

impl LanguageTag {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let value = raw.trim();
        let (primary, region) = match value.split_once(['-', '_']) {
            Some((p, r)) => (p, Some(r)),
            None => (value, None),
        };
        let primary_ok =
            ascii_letters(primary, 2) && isolang::Language::from_639_1(&primary.to_ascii_lowercase()).is_some();
        let region_ok = region.is_none_or(|r| ascii_letters(r, 2) && Iso3166::for_alpha2_caseless(r).is_ok());
        if primary_ok && region_ok {
            Ok(Self(value.to_owned()))
        } else {
            Err("Use a language code such as EN, fr or en-US.".to_owned())
        }
    }
}

impl Default for LanguageTag {
    fn default() -> Self {
        Self("EN".to_owned())
    }
}

impl TimeZone {
    /// Blank means "no time zone".
    pub fn parse(raw: &str) -> Result<Option<Self>, String> {
        let value = raw.trim();
        if value.is_empty() {
            return Ok(None);
        }
        chrono_tz::Tz::from_str(value)
            .map(|tz| Some(Self(tz.name().to_owned())))
            .map_err(|_| "Use an IANA time zone name such as America/New_York or Europe/Paris.".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries() {
        assert_eq!(CountryCode::parse("usa").unwrap().as_str(), "USA");
        assert_eq!(CountryCode::parse("de").unwrap().as_str(), "DE");
        assert_eq!(CountryCode::parse(" GBR ").unwrap().as_str(), "GBR");
        for bad in ["", "U", "XX", "XXX", "USAA", "U\nS", "Ü S", "'; --", "1US"] {
            assert!(CountryCode::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn currencies() {
        assert_eq!(CurrencyCode::parse("eur").unwrap().as_str(), "EUR");
        assert_eq!(CurrencyCode::parse("JPY").unwrap().as_str(), "JPY");
        for bad in ["", "US", "USDD", "XYZ", "U$D", "usd\0"] {
            assert!(CurrencyCode::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn languages() {
        for ok in ["EN", "en", "fr", "en-US", "pt-br", "de_DE"] {
            assert_eq!(LanguageTag::parse(ok).unwrap().as_str(), ok);
        }
        for bad in ["", "e", "eng", "xx", "en-", "en-XX", "en-USA", "en-US-x", "e\nn", "<en>"] {
            assert!(LanguageTag::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn time_zones() {
        assert_eq!(TimeZone::parse("America/New_York").unwrap().unwrap().as_str(), "America/New_York");
        assert_eq!(TimeZone::parse("UTC").unwrap().unwrap().as_str(), "UTC");
        assert_eq!(TimeZone::parse("").unwrap(), None);
        assert_eq!(
            TimeZone::parse("Europe/Paris\n").unwrap().unwrap().as_str(),
            "Europe/Paris",
            "surrounding space is trimmed"
        );
        for bad in ["Mars/Olympus", "america/new_york", "America/\nNew_York", "../etc/passwd", "+05:00"] {
            assert!(TimeZone::parse(bad).is_err(), "{bad:?}");
        }
    }
}
