//! The source of demo values: a seeded random generator with a fixed time anchor, so
//! the same seed gives the same data.

use std::collections::HashSet;

use chrono::{NaiveDateTime, TimeDelta};
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;

use super::data;
use super::rows::NewAccountRow;
use crate::domain::{AccountNumber, CamelName};

pub(super) fn ascii_slug(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase()
}

pub(super) struct Generator {
    pub(super) rng: StdRng,
    pub(super) anchor: NaiveDateTime,
    pub(super) taken_numbers: HashSet<String>,
}

impl Generator {
    pub(super) fn time_before(&mut self, max_days: i64) -> NaiveDateTime {
        let seconds = self.rng.random_range(0..max_days * 86_400);
        self.anchor - TimeDelta::seconds(seconds)
    }

    pub(super) fn number(&mut self) -> String {
        loop {
            let n = AccountNumber::random_with(&mut self.rng).to_string();
            if n != AccountNumber::SENTINEL && self.taken_numbers.insert(n.clone()) {
                return n;
            }
        }
    }

    pub(super) fn phone(&mut self) -> String {
        format!(
            "+{} {} {:03} {:04}",
            self.rng.random_range(1..99),
            self.rng.random_range(10..999),
            self.rng.random_range(0..1000),
            self.rng.random_range(0..10_000)
        )
    }

    pub(super) fn account(&mut self) -> NewAccountRow {
        let first = *data::COMPANY_FIRST.choose(&mut self.rng).unwrap_or(&"Acme");
        let second = *data::COMPANY_SECOND.choose(&mut self.rng).unwrap_or(&"Labs");
        let suffix = *data::COMPANY_SUFFIX.choose(&mut self.rng).unwrap_or(&"Inc.");
        let company = format!("{first} {second} {suffix}");
        let (city, state, country, tz, currency, language) =
            *data::PLACES.choose(&mut self.rng).unwrap_or(&data::PLACES[0]);
        let street = *data::STREETS.choose(&mut self.rng).unwrap_or(&"Main Street");
        let created = self.time_before(730);
        NewAccountRow {
            account_number: self.number(),
            is_default_account: false,
            name: CamelName::derive_from(&company).into_inner(),
            company_name: company,
            phone_number: Some(self.phone()),
            address1: Some(format!("{} {street}", self.rng.random_range(1..400))),
            city: Some(city.to_owned()),
            state: Some(state.to_owned()),
            postal_code: Some(format!("{:05}", self.rng.random_range(1000..99_999))),
            country: country.to_owned(),
            language: language.to_owned(),
            timezone: Some(tz.to_owned()),
            currency: currency.to_owned(),
            is_active: self.rng.random_ratio(19, 20),
            description: String::new(),
            version: "1.0.0".to_owned(),
            lock_version: 0,
            created_at: created,
            updated_at: created,
        }
    }

    pub(super) fn person(&mut self) -> (String, String) {
        let first = *data::FIRST_NAMES.choose(&mut self.rng).unwrap_or(&"Ada");
        let last = *data::LAST_NAMES.choose(&mut self.rng).unwrap_or(&"Lovelace");
        (first.to_owned(), last.to_owned())
    }
}
