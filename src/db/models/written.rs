//! What a write returns: its value, and what it did to what the object cache may hold.
//! Whether a write retires cached pages is decided here, by the write, in the open.

use crate::db::models::Account;
use crate::db::{AccountId, UserId};

/// A row whose cached copies a write made stale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaleRow {
    /// One version of an account (before or after the write): every lookup its values
    /// answer, so both the old and the new version are named.
    Account(Box<Account>),
    /// A user, by id.
    User(UserId),
}

/// What a write did to what the cache may hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheEffect {
    /// Nothing cached shows what was written (nothing changed, or only rows no page
    /// shows): the cache stays as it is.
    None,
    /// Cached rows or pages show what was written: these rows' keys go, and the cache
    /// starts a new generation, so nothing read before the write is served after it.
    /// Contacts and memberships are shown on cached pages but are not cached by key:
    /// their writes name no rows and still retire the pages.
    Stale(Vec<StaleRow>),
    /// Cached rows or pages of these accounts show what was written, and nothing else
    /// does: the cache drops what shows them (their rows, their account pages, list pages
    /// holding them, and lists whose filter or order reads a column that changed) and
    /// keeps the rest.
    Changed(Vec<Change>),
}

/// What one write did to one existing account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Its row went from `old` to `new`; `tags` when its tags changed too.
    Account { old: Box<Account>, new: Box<Account>, tags: bool },
    /// Only something its own page shows (a contact): no list shows it.
    Around(AccountId),
    /// The record of the session whose token has this hash (signed out, expired, used).
    Session(String),
}

/// The outcome of a write.
#[derive(Debug, Clone)]
pub struct Written<T> {
    pub value: T,
    pub effect: CacheEffect,
}

impl<T> Written<T> {
    /// A write that changed nothing the cache shows.
    pub fn leaves_cache(value: T) -> Self {
        Self { value, effect: CacheEffect::None }
    }

    /// A write that made these rows, and every cached page, stale.
    pub fn makes_stale(value: T, rows: Vec<StaleRow>) -> Self {
        Self { value, effect: CacheEffect::Stale(rows) }
    }

    /// A write that changed these accounts and nothing else the cache shows.
    pub fn changes(value: T, changes: Vec<Change>) -> Self {
        Self { value, effect: CacheEffect::Changed(changes) }
    }

    /// The rows this write made stale (a narrow change names its accounts' versions).
    pub fn stale_rows(&self) -> Vec<StaleRow> {
        match &self.effect {
            CacheEffect::None => Vec::new(),
            CacheEffect::Stale(rows) => rows.clone(),
            CacheEffect::Changed(changes) => changes
                .iter()
                .flat_map(|change| match change {
                    Change::Account { old, new, .. } => {
                        vec![StaleRow::Account(old.clone()), StaleRow::Account(new.clone())]
                    }
                    Change::Around(_) | Change::Session(_) => Vec::new(),
                })
                .collect(),
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Written<U> {
        Written { value: f(self.value), effect: self.effect }
    }
}

impl Change {
    pub fn account(old: &Account, new: &Account, tags: bool) -> Self {
        Self::Account { old: Box::new(old.clone()), new: Box::new(new.clone()), tags }
    }
}

impl StaleRow {
    pub fn account(account: &Account) -> Self {
        Self::Account(Box::new(account.clone()))
    }
}
