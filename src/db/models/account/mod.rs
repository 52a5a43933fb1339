//! Accounts (SPEC 2.1): the read model and its lookups here; creating in `create.rs`,
//! every other write in `change.rs`, each in one transaction with its audit entry.

mod change;
mod create;

use std::fmt;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cache;
use crate::db::DbConnection;
use crate::db::models::audit::{AuditTarget, FieldChange};
use crate::db::schema::accounts;
use crate::domain::{AccountFields, AccountNumber, FieldErrors};

/// How many generated numbers a create tries before it gives up.
pub const MAX_NUMBER_ATTEMPTS: u32 = 20;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable, Serialize, Deserialize)]
#[diesel(table_name = accounts)]
pub struct Account {
    pub id: i64,
    pub account_number: String,
    pub is_default_account: bool,
    pub company_name: String,
    pub phone_number: Option<String>,
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: String,
    pub language: String,
    pub timezone: Option<String>,
    pub currency: String,
    pub is_active: bool,
    pub name: String,
    pub description: String,
    pub version: String,
    pub lock_version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl fmt::Display for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} - {}", self.account_number, self.company_name)
    }
}

/// The lookups the object cache serves (SPEC 2.7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountLookup {
    Pk(i64),
    Name(String),
    AccountNumber(String),
    CompanyName(String),
}

impl AccountLookup {
    pub fn cache_key(&self) -> String {
        match self {
            Self::Pk(id) => cache::key("account", "pk", id),
            Self::Name(v) => cache::key("account", "name", v),
            Self::AccountNumber(v) => cache::key("account", "account_number", v),
            Self::CompanyName(v) => cache::key("account", "company_name", v),
        }
    }
}

/// The two flags only a superuser sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountFlags {
    pub is_active: bool,
    pub is_default_account: bool,
}

impl Default for AccountFlags {
    fn default() -> Self {
        Self { is_active: true, is_default_account: false }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("invalid account: {0}")]
    Invalid(FieldErrors),
    #[error("the account changed since it was loaded")]
    Stale { current: Box<Account> },
    #[error("no such account")]
    NotFound,
    #[error("{0}")]
    Refused(&'static str),
    #[error("no unused account number found after {MAX_NUMBER_ATTEMPTS} tries; try again")]
    NumbersExhausted,
    #[error(transparent)]
    Unavailable(#[from] crate::store::Unavailable),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

/// The outcome of a write: the row as it now is, and every cache key the write made
/// stale (old and new values, of this row and of any other row it changed).
#[derive(Debug, Clone)]
pub struct Written<T> {
    pub value: T,
    pub stale_keys: Vec<String>,
}

type AccountResult<T> = Result<T, AccountError>;

impl Account {
    pub fn cache_keys(&self) -> Vec<String> {
        [
            AccountLookup::Pk(self.id),
            AccountLookup::Name(self.name.clone()),
            AccountLookup::AccountNumber(self.account_number.clone()),
            AccountLookup::CompanyName(self.company_name.clone()),
        ]
        .iter()
        .map(AccountLookup::cache_key)
        .collect()
    }

    fn audit_target(&self) -> String {
        self.to_string()
    }

    /// The field values an audit entry compares, in form order.
    fn audited_fields(&self) -> [(&'static str, Option<String>); 17] {
        [
            ("account_number", Some(self.account_number.clone())),
            ("company_name", Some(self.company_name.clone())),
            ("phone_number", self.phone_number.clone()),
            ("address1", self.address1.clone()),
            ("address2", self.address2.clone()),
            ("city", self.city.clone()),
            ("state", self.state.clone()),
            ("postal_code", self.postal_code.clone()),
            ("country", Some(self.country.clone())),
            ("language", Some(self.language.clone())),
            ("timezone", self.timezone.clone()),
            ("currency", Some(self.currency.clone())),
            ("name", Some(self.name.clone())),
            ("description", Some(self.description.clone())),
            ("version", Some(self.version.clone())),
            ("is_active", Some(self.is_active.to_string())),
            ("is_default_account", Some(self.is_default_account.to_string())),
        ]
    }

    fn diff(old: Option<&Self>, new: &Self) -> Vec<FieldChange> {
        let mut changes = Vec::new();
        let new_fields = new.audited_fields();
        let old_fields = old.map(Self::audited_fields);
        for (i, (field, value)) in new_fields.iter().enumerate() {
            let before = old_fields.as_ref().and_then(|o| o[i].1.as_deref());
            // A new row's empty values are not news.
            let after = value.as_deref().filter(|v| old.is_some() || !v.is_empty());
            FieldChange::push_if_changed(&mut changes, field, before, after);
        }
        changes
    }

    pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Self>> {
        accounts::table.find(id).select(Self::as_select()).first(conn).optional()
    }

    /// The account with this number, read from the database (never the cache).
    pub fn get_by_account_number(conn: &mut DbConnection, number: &str) -> QueryResult<Option<Self>> {
        accounts::table.filter(accounts::account_number.eq(number)).select(Self::as_select()).first(conn).optional()
    }

    /// The row a cache lookup stands for. Names and company names need not be unique:
    /// the oldest such account answers.
    pub fn find_by(conn: &mut DbConnection, lookup: &AccountLookup) -> QueryResult<Option<Self>> {
        let query = accounts::table.select(Self::as_select()).order(accounts::id.asc());
        match lookup {
            AccountLookup::Pk(id) => Self::find(conn, *id),
            AccountLookup::AccountNumber(n) => Self::get_by_account_number(conn, n),
            AccountLookup::Name(n) => query.filter(accounts::name.eq(n)).first(conn).optional(),
            AccountLookup::CompanyName(n) => query.filter(accounts::company_name.eq(n)).first(conn).optional(),
        }
    }

    pub fn default_account(conn: &mut DbConnection) -> QueryResult<Option<Self>> {
        accounts::table.filter(accounts::is_default_account.eq(true)).select(Self::as_select()).first(conn).optional()
    }

    pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
        accounts::table.count().get_result(conn)
    }

    /// A random number no account has yet (upstream `randomized_account_number`).
    /// Another writer may still take it first; creates guard with the unique index.
    pub fn randomized_account_number(conn: &mut DbConnection) -> AccountResult<AccountNumber> {
        for _ in 0..MAX_NUMBER_ATTEMPTS {
            let candidate = AccountNumber::random();
            if !candidate.is_sentinel() && Self::get_by_account_number(conn, candidate.as_str())?.is_none() {
                return Ok(candidate);
            }
        }
        Err(AccountError::NumbersExhausted)
    }

    fn target<'a>(&self, summary: &'a str) -> AuditTarget<'a> {
        AuditTarget { object_type: "account", object_id: self.id, account_id: Some(self.id), summary }
    }
}

/// The editable columns, as one insert or update value.
#[derive(AsChangeset, Insertable)]
#[diesel(table_name = accounts, treat_none_as_null = true)]
struct FieldValues {
    company_name: String,
    phone_number: Option<String>,
    address1: Option<String>,
    address2: Option<String>,
    city: Option<String>,
    state: Option<String>,
    postal_code: Option<String>,
    country: String,
    language: String,
    timezone: Option<String>,
    currency: String,
    name: String,
    description: String,
    version: String,
}

impl From<&AccountFields> for FieldValues {
    fn from(f: &AccountFields) -> Self {
        Self {
            company_name: f.company_name.as_str().to_owned(),
            phone_number: f.phone_number.as_ref().map(|p| p.as_str().to_owned()),
            address1: f.address1.clone(),
            address2: f.address2.clone(),
            city: f.city.clone(),
            state: f.state.clone(),
            postal_code: f.postal_code.clone(),
            country: f.country.as_str().to_owned(),
            language: f.language.as_str().to_owned(),
            timezone: f.timezone.as_ref().map(|t| t.as_str().to_owned()),
            currency: f.currency.as_str().to_owned(),
            name: f.name.as_str().to_owned(),
            description: f.description.as_str().to_owned(),
            version: f.version.to_string(),
        }
    }
}

impl FieldValues {
    fn matches(&self, a: &Account) -> bool {
        self.company_name == a.company_name
            && self.phone_number == a.phone_number
            && self.address1 == a.address1
            && self.address2 == a.address2
            && self.city == a.city
            && self.state == a.state
            && self.postal_code == a.postal_code
            && self.country == a.country
            && self.language == a.language
            && self.timezone == a.timezone
            && self.currency == a.currency
            && self.name == a.name
            && self.description == a.description
            && self.version == a.version
    }
}
