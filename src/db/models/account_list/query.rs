//! What the account list is asked for: whose accounts, narrowed how, sorted how, from
//! where, how many; and what a page of it is.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::db::UserId;
use crate::db::models::Account;
use crate::db::models::keyset::{Cursor, Page};
use crate::domain::AccountNumber;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SortField {
    AccountNumber,
    CompanyName,
    City,
    Country,
    CreatedAt,
    UpdatedAt,
}

impl SortField {
    pub const ALL: [SortField; 6] =
        [Self::AccountNumber, Self::CompanyName, Self::City, Self::Country, Self::CreatedAt, Self::UpdatedAt];

    pub fn name(self) -> &'static str {
        match self {
            Self::AccountNumber => "account_number",
            Self::CompanyName => "company_name",
            Self::City => "city",
            Self::Country => "country",
            Self::CreatedAt => "created_at",
            Self::UpdatedAt => "updated_at",
        }
    }

    /// The SQL the list orders by (the same expression its index covers).
    pub(super) fn sql(self) -> &'static str {
        match self {
            Self::AccountNumber => "accounts.account_number",
            Self::CompanyName => "accounts.company_name",
            Self::City => "COALESCE(accounts.city, '')",
            Self::Country => "accounts.country",
            Self::CreatedAt => "accounts.created_at",
            Self::UpdatedAt => "accounts.updated_at",
        }
    }

    /// [`Self::sql`] with a unary `+`: the same value, which no index serves.
    pub(super) fn sql_unindexed(self) -> &'static str {
        match self {
            Self::AccountNumber => "+accounts.account_number",
            Self::CompanyName => "+accounts.company_name",
            Self::City => "+COALESCE(accounts.city, '')",
            Self::Country => "+accounts.country",
            Self::CreatedAt => "+accounts.created_at",
            Self::UpdatedAt => "+accounts.updated_at",
        }
    }

    pub(super) fn is_time(self) -> bool {
        matches!(self, Self::CreatedAt | Self::UpdatedAt)
    }

    /// This row's value of the sort key, as a cursor keeps it.
    pub(super) fn value_of(self, a: &Account) -> String {
        match self {
            Self::AccountNumber => a.account_number.clone(),
            Self::CompanyName => a.company_name.clone(),
            Self::City => a.city.clone().unwrap_or_default(),
            Self::Country => a.country.clone(),
            Self::CreatedAt => Cursor::time(a.created_at),
            Self::UpdatedAt => Cursor::time(a.updated_at),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Sort {
    pub field: SortField,
    pub descending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Self { field: SortField::CreatedAt, descending: true }
    }
}

impl Sort {
    /// `company_name`, `-created_at`, …; `None` for anything else.
    pub fn parse(raw: &str) -> Option<Self> {
        let (descending, name) = match raw.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, raw),
        };
        SortField::ALL.into_iter().find(|f| f.name() == name).map(|field| Self { field, descending })
    }

    pub fn param(self) -> String {
        format!("{}{}", if self.descending { "-" } else { "" }, self.field.name())
    }
}

/// Whole UTC days, both ends included; an open end is unbounded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DateRange {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// What the list is narrowed to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AccountFilter {
    pub search: Option<Search>,
    pub active: Option<bool>,
    pub country: Option<String>,
    pub tag: Option<String>,
    pub default_only: bool,
    pub created: DateRange,
    pub updated: DateRange,
}

impl AccountFilter {
    /// True when the filter is a search and nothing else.
    pub fn only_searches(&self) -> bool {
        self.search.is_some() && Self { search: None, ..self.clone() } == Self::default()
    }

    /// True when the filter searches for text (not an account number).
    pub fn searches_text(&self) -> bool {
        matches!(self.search, Some(Search::Text(_)))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Search {
    /// An account number typed in any spacing goes straight to that account.
    Number(AccountNumber),
    /// A case-insensitive substring of company name, name, city or number.
    Text(String),
}

impl Search {
    pub fn parse(raw: &str) -> Option<Self> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return None;
        }
        Some(match AccountNumber::normalize(trimmed) {
            Some(n) => Self::Number(n),
            None => Self::Text(trimmed.chars().take(200).collect()),
        })
    }
}

/// Whose accounts: a superuser sees all, staff only those they are a member of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Scope {
    All,
    MemberOf(UserId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Count {
    Exact(i64),
    AtLeast(i64),
}

/// A page of the list.
pub type AccountPage = Page<Account>;

/// One request of the list: everything that shapes a page (and its cache key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListQuery {
    pub scope: Scope,
    pub filter: AccountFilter,
    pub sort: Sort,
    pub cursor: Option<Cursor>,
    pub per_page: i64,
}

#[cfg(test)]
mod tests {
    use super::{AccountFilter, Search};

    #[test]
    fn only_a_search_with_nothing_else_only_searches() {
        let search = AccountFilter { search: Search::parse("robotics"), ..AccountFilter::default() };
        assert!(search.only_searches());
        assert!(!AccountFilter::default().only_searches(), "no search at all");
        assert!(!AccountFilter { active: Some(false), ..search.clone() }.only_searches());
        assert!(!AccountFilter { country: Some("JPN".to_owned()), ..search.clone() }.only_searches());
        assert!(!AccountFilter { tag: Some("internal".to_owned()), ..search.clone() }.only_searches());
        assert!(!AccountFilter { default_only: true, ..search }.only_searches());
    }

    #[test]
    fn only_text_searches_text() {
        let text = AccountFilter { search: Search::parse("robotics"), ..AccountFilter::default() };
        assert!(text.searches_text());
        assert!(AccountFilter { active: Some(true), ..text }.searches_text());
        let number = AccountFilter { search: Search::parse("1234 5678 9012"), ..AccountFilter::default() };
        assert!(matches!(number.search, Some(Search::Number(_))));
        assert!(!number.searches_text());
        assert!(!AccountFilter::default().searches_text());
    }
}
