//! Standard code lists, read from maintained crates rather than typed in here:
//! ISO 3166-1 (`isocountry`), ISO 4217 (`iso_currency`), ISO 639-1 (`isolang`) and the
//! IANA time zone database (`chrono-tz`).

use std::str::FromStr;
use std::sync::LazyLock;

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

/// A code a `<select>` offers: the value stored, and what the option shows.
pub type Choice = (String, String);

fn letters(n: usize) -> Vec<String> {
    let mut codes = vec![String::new()];
    for _ in 0..n {
        codes = codes.iter().flat_map(|c| ('A'..='Z').map(move |l| format!("{c}{l}"))).collect();
    }
    codes
}

/// Every ISO 3166-1 country as `DEU — Germany`, by code.
pub fn country_choices() -> &'static [Choice] {
    static CHOICES: LazyLock<Vec<Choice>> = LazyLock::new(|| {
        let mut all: Vec<Choice> =
            Iso3166::iter().map(|c| (c.alpha3().to_owned(), format!("{} — {}", c.alpha3(), c.name()))).collect();
        all.sort();
        all
    });
    &CHOICES
}

/// Every ISO 4217 currency as `EUR — Euro`, by code.
pub fn currency_choices() -> &'static [Choice] {
    static CHOICES: LazyLock<Vec<Choice>> = LazyLock::new(|| {
        letters(3)
            .into_iter()
            .filter_map(|code| {
                iso_currency::Currency::from_code(&code).map(|c| (code.clone(), format!("{code} — {}", c.name())))
            })
            .collect()
    });
    &CHOICES
}

/// Every ISO 639-1 language as `EN — English`, by code.
pub fn language_choices() -> &'static [Choice] {
    static CHOICES: LazyLock<Vec<Choice>> = LazyLock::new(|| {
        letters(2)
            .into_iter()
            .filter_map(|code| {
                let language = isolang::Language::from_639_1(&code.to_ascii_lowercase())?;
                Some((code.clone(), format!("{code} — {}", language.to_name())))
            })
            .collect()
    });
    &CHOICES
}

/// Every IANA time zone, by name.
pub fn time_zone_choices() -> &'static [Choice] {
    static CHOICES: LazyLock<Vec<Choice>> = LazyLock::new(|| {
        let mut all: Vec<Choice> =
            chrono_tz::TZ_VARIANTS.iter().map(|tz| (tz.name().to_owned(), tz.name().to_owned())).collect();
        all.sort();
        all
    });
    &CHOICES
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

    #[test]
    fn the_pick_lists_come_from_the_code_crates() {
        assert!(country_choices().contains(&("DEU".to_owned(), "DEU — Germany".to_owned())));
        assert!(currency_choices().contains(&("EUR".to_owned(), "EUR — Euro".to_owned())));
        assert!(language_choices().iter().any(|(code, label)| code == "EN" && label.ends_with("English")));
        assert!(time_zone_choices().iter().any(|(name, _)| name == "Europe/Lisbon"));
        for (code, _) in country_choices() {
            assert!(CountryCode::parse(code).is_ok(), "{code}");
        }
        for (code, _) in currency_choices().iter().chain(language_choices()) {
            assert!(CurrencyCode::parse(code).is_ok() || LanguageTag::parse(code).is_ok(), "{code}");
        }
    }
}
