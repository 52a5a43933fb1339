//! Property tests for every parser: never panics, accepts exactly the documented
//! language, and round-trips through display and parse.

use proptest::prelude::*;
use regex::Regex;

use super::*;

fn config() -> ProptestConfig {
    ProptestConfig { cases: 512, ..ProptestConfig::default() }
}

/// Strings that stress parsers: any characters, and near-misses of the valid shapes.
fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9 -]{0,20}",
        "[0-9]{4}-[0-9]{4}-[0-9]{4}[\n\r ]?",
        "[a-zA-Z0-9_.:/ -]{0,40}",
        "[A-Za-z]{1,4}",
        "[0-9]{1,3}(\\.[0-9]{1,3}){0,3}(-[a-z0-9.]{0,6})?(\\+[a-z0-9.]{0,6})?",
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn account_numbers_are_exactly_the_documented_shape(s in hostile()) {
        let language = Regex::new(r"\A[0-9]{4}-[0-9]{4}-[0-9]{4}\z").unwrap();
        prop_assert_eq!(AccountNumber::parse(&s).is_ok(), language.is_match(&s));
        if let Ok(n) = AccountNumber::parse(&s) {
            prop_assert_eq!(AccountNumber::parse(n.as_str()).unwrap(), n.clone());
            prop_assert_eq!(n.to_string(), s.clone());
        }
        if let Some(n) = AccountNumber::normalize(&s) {
            prop_assert!(AccountNumber::parse(n.as_str()).is_ok());
        }
    }

    #[test]
    fn camel_names_are_exactly_the_documented_shape(s in prop_oneof![hostile(), "[a-z][A-Za-z0-9]{0,20}"]) {
        let language = Regex::new(r"\A[a-z][A-Za-z0-9]{0,254}\z").unwrap();
        let trimmed = s.trim();
        prop_assert_eq!(CamelName::parse(&s).is_ok(), language.is_match(trimmed));
        if let Ok(n) = CamelName::parse(&s) {
            prop_assert_eq!(CamelName::parse(&n.to_string()).unwrap(), n);
        }
        prop_assert!(CamelName::parse(CamelName::derive_from(&s).as_str()).is_ok());
    }

    #[test]
    fn usernames_are_exactly_the_documented_shape(s in prop_oneof![hostile(), "[A-Za-z0-9@.+_-]{1,20}"]) {
        let language = Regex::new(r"\A[A-Za-z0-9@.+_-]{1,150}\z").unwrap();
        prop_assert_eq!(Username::parse(&s).is_ok(), language.is_match(s.trim()));
    }

    #[test]
    fn versions_are_semver_and_round_trip(
        (major, minor, patch) in (0u64..1000, 0u64..1000, 0u64..1000),
        pre in proptest::option::of("[a-z][a-z0-9]{0,5}(\\.[1-9][0-9]{0,3})?"),
        build in proptest::option::of("[a-z0-9]{1,6}"),
        junk in hostile(),
    ) {
        let mut text = format!("{major}.{minor}.{patch}");
        if let Some(pre) = &pre { text.push_str(&format!("-{pre}")); }
        if let Some(build) = &build { text.push_str(&format!("+{build}")); }
        let v = SemVersion::parse(&text).unwrap();
        prop_assert_eq!(v.to_string(), text.clone());
        prop_assert_eq!(SemVersion::parse(&v.to_string()).unwrap(), v);
        if let Ok(v) = SemVersion::parse(&junk) {
            prop_assert!(semver::Version::parse(&v.to_string()).is_ok());
        }
    }

    #[test]
    fn tags_round_trip_and_stay_a_set(
        tags in proptest::collection::vec("[A-Za-z0-9][A-Za-z0-9 _.-]{0,20}", 0..60),
        junk in hostile(),
    ) {
        match Tags::parse(&tags.join(",")) {
            Ok(parsed) => {
                prop_assert!(parsed.len() <= Tags::MAX_TAGS);
                prop_assert_eq!(Tags::parse(&parsed.to_string()).unwrap(), parsed.clone());
                let folded: std::collections::HashSet<String> = parsed.iter().map(Tag::folded).collect();
                prop_assert_eq!(folded.len(), parsed.len());
            }
            Err(_) => {
                let distinct: std::collections::HashSet<String> =
                    tags.iter().map(|t| t.trim().to_lowercase()).filter(|t| !t.is_empty()).collect();
                prop_assert!(distinct.len() > Tags::MAX_TAGS);
            }
        }
        let _ = Tags::parse(&junk);
    }

    #[test]
    fn annotations_round_trip(
        pairs in proptest::collection::btree_map("[A-Za-z0-9._/-]{1,30}", "[^\\p{Cc}]{0,40}", 0..30),
        junk in hostile(),
    ) {
        let text: String = pairs.iter().map(|(k, v)| format!("{k}: {v}\n")).collect();
        let parsed = Annotations::parse(&text).unwrap();
        prop_assert_eq!(parsed.len(), pairs.len());
        prop_assert_eq!(Annotations::parse(&parsed.to_string()).unwrap(), parsed.clone());
        for (a, (k, v)) in parsed.iter().zip(pairs.iter()) {
            prop_assert_eq!(&a.key, k);
            prop_assert_eq!(&a.value, v.trim());
        }
        let _ = Annotations::parse(&junk);
    }

    #[test]
    fn code_lists_round_trip(s in hostile()) {
        let codes = [CountryCode::parse(&s).map(|c| c.to_string()), CurrencyCode::parse(&s).map(|c| c.to_string())];
        for code in codes.into_iter().flatten() {
            prop_assert_eq!(code.clone(), code.to_ascii_uppercase());
        }
        if let Ok(c) = CountryCode::parse(&s) { prop_assert_eq!(CountryCode::parse(c.as_str()).unwrap(), c); }
        if let Ok(c) = CurrencyCode::parse(&s) { prop_assert_eq!(CurrencyCode::parse(c.as_str()).unwrap(), c); }
        if let Ok(l) = LanguageTag::parse(&s) { prop_assert_eq!(LanguageTag::parse(l.as_str()).unwrap(), l); }
        if let Ok(Some(t)) = TimeZone::parse(&s) { prop_assert_eq!(TimeZone::parse(t.as_str()).unwrap(), Some(t)); }
    }

    #[test]
    fn free_text_fields_never_panic_and_round_trip(s in hostile()) {
        if let Ok(c) = CompanyName::parse(&s) {
            prop_assert!(!c.as_str().is_empty() && c.as_str().chars().count() <= 255);
            prop_assert_eq!(CompanyName::parse(c.as_str()).unwrap(), c);
        }
        if let Ok(Some(p)) = PhoneNumber::parse(&s) {
            prop_assert_eq!(PhoneNumber::parse(p.as_str()).unwrap(), Some(p));
        }
        if let Ok(d) = Description::parse(&s) { prop_assert_eq!(Description::parse(d.as_str()).unwrap(), d); }
        if let Ok(e) = Email::parse(&s) { prop_assert_eq!(Email::parse(e.as_str()).unwrap(), e); }
        let _ = Password::parse(&s, "user");
    }

    #[test]
    fn the_account_form_never_panics(fields in proptest::collection::vec(hostile(), 16)) {
        let raw = RawAccountFields {
            company_name: fields[0].clone(), phone_number: fields[1].clone(), address1: fields[2].clone(),
            address2: fields[3].clone(),
            city: fields[4].clone(),
            state: fields[5].clone(),
            postal_code: fields[6].clone(),
            country: fields[7].clone(),
            language: fields[8].clone(),
            timezone: fields[9].clone(),
            currency: fields[10].clone(),
            name: fields[11].clone(), description: fields[12].clone(), version: fields[13].clone(),
            annotations: fields[14].clone(), tags: fields[15].clone(),
        };
        match AccountFields::parse(&raw) {
            Ok(parsed) => prop_assert!(!parsed.company_name.as_str().is_empty()),
            Err(errors) => prop_assert!(!errors.is_empty()),
        }
    }
}
