//! The keys of the object cache, typed: the one place a key is spelled.
//!
//! A key names the entity, the lookup and the value (`account:account_number:3141-5926-5359`),
//! so two entities never share one. Pages (a list page, its count, the things around an
//! account) are keyed by everything that shapes them and live in a smaller store.

use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;

use crate::db::models::AccountLookup;
use crate::db::models::StaleRow;
use crate::db::models::account_list::{AccountFilter, ListColumn, ListQuery, Scope};
use crate::db::models::billing_ledger::BillingFilter;
use crate::db::{AccountId, UserId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheKey {
    /// An account row by one of its lookups.
    Account(AccountLookup),
    /// A user row by id (the session's user on every request).
    User(UserId),
    /// How many accounts a filter matches, for a viewer.
    AccountCount { scope: Scope, filter: AccountFilter },
    /// One page of the account list.
    AccountList(ListQuery),
    /// The tags a viewer's tag fields suggest.
    TagSuggestions { scope: Scope },
    /// What the account page shows around the account, in the month it was built.
    AccountPage { account_id: AccountId, month: NaiveDate },
    /// A signed-in session's record, by its token's hash (on every request).
    Session(String),
    /// The totals and tokens per day of a billing filter (records change only with an
    /// account's deletion or a command, which renew them).
    BillingSummary(BillingFilter),
}

impl CacheKey {
    /// Whether the key names a page (kept in the smaller page store) rather than a row.
    pub fn is_page(&self) -> bool {
        matches!(
            self,
            Self::AccountList(_) | Self::AccountPage { .. } | Self::TagSuggestions { .. } | Self::BillingSummary(_)
        )
    }

    /// Every key whose value a write of `row` made stale.
    pub fn stale(row: &StaleRow) -> Vec<Self> {
        match row {
            StaleRow::Account(account) => AccountLookup::all_of(account).into_iter().map(Self::Account).collect(),
            StaleRow::User(id) => vec![Self::User(*id)],
        }
    }
}

/// What a cached entry was read from, besides the cache's generation: a write that
/// changes only some accounts renews just their stamps, and an entry stays good while
/// none of the stamps it names was renewed after it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stamp {
    /// One key's own value (an account row by one of its lookups).
    Key(String),
    /// One account's row and tags, wherever they are shown.
    Account(AccountId),
    /// What only one account's own page shows: its contacts.
    Around(AccountId),
    /// One column of every account, as list filters and orders read it.
    Column(ListColumn),
    /// Which accounts there are: every list and count reads it, and a new account
    /// renews it.
    Accounts,
    /// One user's row, wherever it is kept: by id, and in their sessions' records.
    User(UserId),
    /// Which accounts one user belongs to: what is read in their scope.
    Member(UserId),
    /// The billing records of every account (a deleted account takes its own with it;
    /// commands that load them renew the whole cache).
    Billing,
}

impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Key(key) => write!(f, "stamp:key:{key}"),
            Self::Account(id) => write!(f, "stamp:account:{id}"),
            Self::Around(id) => write!(f, "stamp:around:{id}"),
            Self::Column(column) => write!(f, "stamp:column:{}", column.name()),
            Self::Accounts => f.write_str("stamp:accounts"),
            Self::User(id) => write!(f, "stamp:user:{id}"),
            Self::Member(id) => write!(f, "stamp:member:{id}"),
            Self::Billing => f.write_str("stamp:billing"),
        }
    }
}

impl CacheKey {
    /// The stamps this key's entry depends on, as far as the key tells (a list page
    /// also depends on the accounts it holds, a session's record on its user). Keys
    /// with none are renewed only with the whole cache.
    pub fn stamps(&self) -> Vec<Stamp> {
        let columns = |columns: Vec<ListColumn>| columns.into_iter().map(Stamp::Column);
        match self {
            Self::Account(_) | Self::Session(_) => vec![Stamp::Key(self.to_string())],
            Self::User(id) => vec![Stamp::User(*id)],
            Self::AccountCount { scope, filter } => {
                columns(filter.columns()).chain([Stamp::Accounts]).chain(member(scope)).collect()
            }
            Self::AccountList(query) => {
                columns(query.columns()).chain([Stamp::Accounts]).chain(member(&query.scope)).collect()
            }
            Self::AccountPage { account_id, .. } => vec![Stamp::Account(*account_id), Stamp::Around(*account_id)],
            Self::TagSuggestions { scope } => {
                [Stamp::Column(ListColumn::Tags)].into_iter().chain(member(scope)).collect()
            }
            Self::BillingSummary(filter) => [Stamp::Billing].into_iter().chain(member(&filter.scope)).collect(),
        }
    }
}

/// The stamp of a viewer's memberships, for what is read in their scope.
fn member(scope: &Scope) -> Option<Stamp> {
    match scope {
        Scope::All => None,
        Scope::MemberOf(user) => Some(Stamp::Member(*user)),
    }
}

/// Structured parts of a key as compact JSON: stable, and unambiguous for any text.
fn json(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

impl fmt::Display for CacheKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Account(AccountLookup::Pk(id)) => write!(f, "account:pk:{id}"),
            Self::Account(AccountLookup::Name(v)) => write!(f, "account:name:{v}"),
            Self::Account(AccountLookup::AccountNumber(v)) => write!(f, "account:account_number:{v}"),
            Self::Account(AccountLookup::CompanyName(v)) => write!(f, "account:company_name:{v}"),
            Self::User(id) => write!(f, "user:pk:{id}"),
            Self::Session(hash) => write!(f, "session-record:{hash}"),
            Self::AccountCount { scope, filter } => write!(f, "account:count:{}:{}", json(scope), json(filter)),
            Self::AccountList(query) => write!(f, "page:accounts:{}", json(query)),
            Self::AccountPage { account_id, month } => write!(f, "page:account:{account_id}:{month}"),
            Self::TagSuggestions { scope } => write!(f, "page:tag-suggestions:{}", json(scope)),
            Self::BillingSummary(filter) => write!(f, "page:billing-summary:{}", json(filter)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::models::account_list::Sort;

    #[test]
    fn keys_name_the_entity_the_lookup_and_the_value() {
        let number = CacheKey::Account(AccountLookup::AccountNumber("3141-5926-5359".into()));
        assert_eq!(number.to_string(), "account:account_number:3141-5926-5359");
        assert_eq!(CacheKey::User(UserId(7)).to_string(), "user:pk:7");
        assert!(!number.is_page());
    }

    #[test]
    fn list_pages_differ_by_every_part_of_their_shape() {
        let shape = ListQuery {
            scope: Scope::All,
            filter: AccountFilter::default(),
            sort: Sort::default(),
            cursor: None,
            per_page: 50,
        };
        let other = ListQuery { scope: Scope::MemberOf(UserId(3)), ..shape.clone() };
        let wider = ListQuery { per_page: 100, ..shape.clone() };
        let (a, b, c) = (CacheKey::AccountList(shape), CacheKey::AccountList(other), CacheKey::AccountList(wider));
        assert!(a.is_page());
        assert_ne!(a.to_string(), b.to_string());
        assert_ne!(a.to_string(), c.to_string());
    }
}
