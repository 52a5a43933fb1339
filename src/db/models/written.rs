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
    /// Too much changed to name piece by piece (see [`CacheEffect::bounded`]): these
    /// rows' keys go, and the cache starts a new generation, so nothing read before the
    /// write is served after it.
    Stale(Vec<StaleRow>),
    /// Cached rows or pages show what these changes changed, and nothing else does: the
    /// cache drops what shows them (their rows, their account pages, list pages holding
    /// them, lists whose filter or order reads a column that changed, what is read in a
    /// changed member's scope) and keeps the rest.
    Changed(Vec<Change>),
}

/// Past this many changes in one write the cache starts a new generation instead of
/// renewing each change's stamps: a write that changes over a thousand accounts holds
/// ten or so stamps per account, and retires most list pages anyway.
pub const NARROW_LIMIT: usize = 1_000;

impl CacheEffect {
    /// What two writes made in one transaction did together: narrow while both are.
    pub fn and(self, other: Self) -> Self {
        match (self, other) {
            (Self::None, effect) | (effect, Self::None) => effect,
            (Self::Changed(mut first), Self::Changed(then)) => {
                first.extend(then);
                Self::Changed(first)
            }
            (first, then) => Self::Stale([first.stale_rows(), then.stale_rows()].concat()),
        }
    }

    /// This effect as the cache applies it: a write of more than [`NARROW_LIMIT`]
    /// changes starts a new generation, naming the rows the changes made stale.
    pub fn bounded(self) -> Self {
        match self {
            Self::Changed(changes) if changes.len() > NARROW_LIMIT => Self::Stale(Self::Changed(changes).stale_rows()),
            effect => effect,
        }
    }

    /// The rows this effect made stale (a narrow change names its accounts' versions).
    pub fn stale_rows(&self) -> Vec<StaleRow> {
        match self {
            Self::None => Vec::new(),
            Self::Stale(rows) => rows.clone(),
            Self::Changed(changes) => changes
                .iter()
                .flat_map(|change| match change {
                    Change::Account { old, new, .. } => {
                        vec![StaleRow::Account(old.clone()), StaleRow::Account(new.clone())]
                    }
                    Change::Added { account, .. } | Change::Removed { account, .. } => {
                        vec![StaleRow::Account(account.clone())]
                    }
                    Change::User { id, .. } => vec![StaleRow::User(*id)],
                    Change::Around(_) | Change::Session(_) | Change::Membership { .. } => Vec::new(),
                })
                .collect(),
        }
    }
}

/// What one write did to one account, user, membership or session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Its row went from `old` to `new`; `tags` when its tags changed too.
    Account { old: Box<Account>, new: Box<Account>, tags: bool },
    /// A new or restored account: it may belong on any list page (and its tags among
    /// the suggestions, when `tags`; in the scope of its `members`), and on no other
    /// account's page.
    Added { account: Box<Account>, tags: bool, members: Vec<UserId> },
    /// A deleted account, and with it its contacts, its memberships (of `members`) and
    /// its billing records.
    Removed { account: Box<Account>, tags: bool, members: Vec<UserId> },
    /// Only something its own page shows (a contact): no list shows it.
    Around(AccountId),
    /// The record of the session whose token has this hash (signed out, expired, used).
    Session(String),
    /// A user's row or sessions; the pages of `accounts` list them as a member.
    User { id: UserId, accounts: Vec<AccountId> },
    /// A user joined or left an account: its page, and what is read in their scope.
    Membership { user: UserId, account: AccountId },
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

    /// A write that made these changes and nothing else the cache shows (none: it
    /// leaves the cache as it is).
    pub fn changes(value: T, changes: Vec<Change>) -> Self {
        let effect = if changes.is_empty() { CacheEffect::None } else { CacheEffect::Changed(changes) };
        Self { value, effect }
    }

    /// A write whose effect was gathered from the writes it is made of.
    pub fn with(value: T, effect: CacheEffect) -> Self {
        Self { value, effect }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Written<U> {
        Written { value: f(self.value), effect: self.effect }
    }
}

impl Change {
    pub fn account(old: &Account, new: &Account, tags: bool) -> Self {
        Self::Account { old: Box::new(old.clone()), new: Box::new(new.clone()), tags }
    }

    pub fn added(account: &Account, tags: bool) -> Self {
        Self::Added { account: Box::new(account.clone()), tags, members: Vec::new() }
    }
}

impl StaleRow {
    pub fn account(account: &Account) -> Self {
        Self::Account(Box::new(account.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contacts(ids: std::ops::Range<i64>) -> CacheEffect {
        CacheEffect::Changed(ids.map(|id| Change::Around(AccountId(id))).collect())
    }

    #[test]
    fn writes_together_stay_narrow_only_while_each_is() {
        assert_eq!(CacheEffect::None.and(contacts(1..3)), contacts(1..3));
        assert_eq!(contacts(1..3).and(CacheEffect::None), contacts(1..3));
        assert_eq!(contacts(1..3).and(contacts(3..5)), contacts(1..5));
        let user = CacheEffect::Stale(vec![StaleRow::User(UserId(7))]);
        assert_eq!(contacts(1..3).and(user.clone()), user);
        assert_eq!(user.clone().and(user.clone()), CacheEffect::Stale(vec![StaleRow::User(UserId(7)); 2]));
    }

    #[test]
    fn a_write_of_more_than_the_limit_starts_a_new_generation() {
        let at_limit = contacts(0..NARROW_LIMIT as i64);
        assert_eq!(at_limit.clone().bounded(), at_limit);
        assert_eq!(contacts(0..NARROW_LIMIT as i64 + 1).bounded(), CacheEffect::Stale(Vec::new()));
        assert_eq!(CacheEffect::None.bounded(), CacheEffect::None);
    }
}
