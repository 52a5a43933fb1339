//! Accounts: the read model and its lookups here; creating in `create.rs`,
//! every other write in `change.rs`, each in one transaction with its audit entry.

mod bulk;
mod change;
mod create;
mod snapshot;

use std::fmt;

pub use bulk::BulkChange;
pub use change::Edit;
pub use snapshot::{MemberSnapshot, RestorePlan, Skipped, Snapshot};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::models::audit::{AuditTarget, FieldChange};
use crate::db::models::written::Written;
use crate::db::schema::accounts;
use crate::db::{AccountId, DbConnection};
use crate::domain::{AccountFields, AccountNumber, Annotations, FieldErrors, RawAccountFields, Tags};

/// How many generated numbers a create tries before it gives up.
pub const MAX_NUMBER_ATTEMPTS: u32 = 20;

macro_rules! define_account {
    ($($field:ident: $ty:ty => $stored:ty = $parse:expr, $group:literal, $label:literal, $kind:literal,
       $max:literal, $export:literal, $hint:literal;)*) => {
        /// An account as stored. Its editable columns come from the one declaration of
        /// the account's fields (`crate::account_fields!`).
        #[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable, Serialize, Deserialize)]
        #[diesel(table_name = accounts)]
        pub struct Account {
            pub id: AccountId,
            pub account_number: String,
            pub is_default_account: bool,
            $(pub $field: $stored,)*
            pub is_active: bool,
            pub lock_version: i64,
            pub created_at: NaiveDateTime,
            pub updated_at: NaiveDateTime,
        }

        /// The editable columns, as one insert or update value.
        #[derive(AsChangeset, Insertable)]
        #[diesel(table_name = accounts, treat_none_as_null = true)]
        struct FieldValues {
            $($field: $stored,)*
        }

        impl From<&AccountFields> for FieldValues {
            fn from(f: &AccountFields) -> Self {
                Self { $($field: ToColumn::to_column(&f.$field),)* }
            }
        }

        impl FieldValues {
            /// The values `a` has stored.
            fn of(a: &Account) -> Self {
                Self { $($field: a.$field.clone(),)* }
            }

            /// True when storing these values would change nothing.
            fn matches(&self, a: &Account) -> bool {
                true $(&& self.$field == a.$field)*
            }
        }

        impl Account {
            /// The editable fields as a form would post them, with these tags and
            /// annotations.
            pub fn raw_fields(&self, tags: &Tags, annotations: &Annotations) -> RawAccountFields {
                RawAccountFields {
                    $($field: ColumnText::form_text(&self.$field),)*
                    tags: tags.to_string(),
                    annotations: annotations.to_string(),
                }
            }

            /// The field values an audit entry compares: the number, every editable
            /// column in form order, then the flags.
            pub fn audited_fields(&self) -> Vec<(&'static str, Option<String>)> {
                let mut fields = vec![("account_number", Some(self.account_number.clone()))];
                $(fields.push((stringify!($field), ColumnText::audit_value(&self.$field)));)*
                fields.push(("is_active", Some(self.is_active.to_string())));
                fields.push(("is_default_account", Some(self.is_default_account.to_string())));
                fields
            }
        }
    };
}

crate::account_fields!(define_account);

impl fmt::Display for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} - {}", self.account_number, self.company_name)
    }
}

/// The lookups the object cache serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountLookup {
    Pk(AccountId),
    Name(String),
    AccountNumber(String),
    CompanyName(String),
}

impl AccountLookup {
    /// Every lookup the values of `account` answer.
    pub fn all_of(account: &Account) -> [Self; 4] {
        [
            Self::Pk(account.id),
            Self::Name(account.name.clone()),
            Self::AccountNumber(account.account_number.clone()),
            Self::CompanyName(account.company_name.clone()),
        ]
    }
}

/// How many rows go with an account when it is deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dependents {
    pub contacts: i64,
    /// Memberships; the users themselves stay.
    pub members: i64,
    pub charges: i64,
    pub billing_records: i64,
}

/// The two flags only a superuser sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountFlags {
    pub is_active: bool,
    pub is_default_account: bool,
}

impl AccountFlags {
    /// What the default-account rules say of these flags: exactly one default account,
    /// and it is active. `is_default_now` says whether the account is the default today.
    pub fn problems(self, is_default_now: bool) -> FieldErrors {
        if self.is_default_account && !self.is_active {
            FieldErrors::single("is_default_account", "The default account must be active: tick Active as well.")
        } else if is_default_now && !self.is_default_account {
            FieldErrors::single(
                "is_default_account",
                "This is the default account: make another account the default instead.",
            )
        } else {
            FieldErrors::new()
        }
    }
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
    /// A change many accounts can't all take: each account named, with why.
    #[error("refused for {} accounts", .0.len())]
    RefusedFor(Vec<(String, &'static str)>),
    #[error("no unused account number found after {MAX_NUMBER_ATTEMPTS} tries; try again")]
    NumbersExhausted,
    #[error(transparent)]
    Unavailable(#[from] crate::db::Unavailable),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

type AccountResult<T> = Result<T, AccountError>;

impl Account {
    fn audit_target(&self) -> String {
        self.to_string()
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

    pub fn find(conn: &mut DbConnection, id: AccountId) -> QueryResult<Option<Self>> {
        accounts::table.find(id).select(Self::as_select()).first(conn).optional()
    }

    /// The account with this number, read from the database (never the cache).
    pub fn get_by_account_number(conn: &mut DbConnection, number: &str) -> QueryResult<Option<Self>> {
        // No `LIMIT 1` (the number is unique): see [`crate::db::unique`].
        let found = accounts::table.filter(accounts::account_number.eq(number)).select(Self::as_select()).load(conn)?;
        Ok(crate::db::unique(found))
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

    fn target<'a>(&'a self, summary: &'a str) -> AuditTarget<'a> {
        AuditTarget {
            object_type: "account",
            object_id: self.id.into(),
            account_id: Some(self.id),
            account_number: Some(&self.account_number),
            summary,
        }
    }
}

/// How a parsed value is stored: a required value as text, an optional one as text or
/// NULL.
trait ToColumn<C> {
    fn to_column(&self) -> C;
}

impl<T: fmt::Display> ToColumn<String> for T {
    fn to_column(&self) -> String {
        self.to_string()
    }
}

impl<T: fmt::Display> ToColumn<Option<String>> for Option<T> {
    fn to_column(&self) -> Option<String> {
        self.as_ref().map(ToString::to_string)
    }
}

/// A stored column as the audit log and the form show it.
pub trait ColumnText {
    /// The value an audit entry records (`None` for NULL).
    fn audit_value(&self) -> Option<String>;
    /// The value a form shows (blank for NULL).
    fn form_text(&self) -> String {
        self.audit_value().unwrap_or_default()
    }
}

impl ColumnText for String {
    fn audit_value(&self) -> Option<String> {
        Some(self.clone())
    }
}

impl ColumnText for Option<String> {
    fn audit_value(&self) -> Option<String> {
        self.clone()
    }
}
