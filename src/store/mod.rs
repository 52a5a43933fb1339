//! Data access for request handlers: runs diesel off the async executor on a pooled
//! connection, reads through the object cache, and applies what every write made stale
//! before the write's caller goes on. Request handlers reach the cache only through it
//! (commands that write behind it renew its generation at the end: `commands::run`).

mod account_list;
mod account_page;

use std::sync::Arc;

pub use account_list::{ListedAccounts, ListedRow};

use crate::cache::{CacheKey, Cacheable, ObjectCache, Shared, Stamp};
use crate::db::models::account_list::ListColumn;
use crate::db::models::session::{self, SignedIn};
use crate::db::models::{Account, AccountLookup, CacheEffect, Change, User, Written};
use crate::db::{DbConnection, DbPool, StoreError, Unavailable, UserId};

#[derive(Clone)]
pub struct Store {
    pool: DbPool,
    cache: Arc<ObjectCache>,
}

impl Store {
    pub fn new(pool: DbPool, cache: Arc<ObjectCache>) -> Self {
        Self { pool, cache }
    }

    pub fn pool(&self) -> &DbPool {
        &self.pool
    }

    /// Whether the object cache's Redis answers; `None` when the cache is not in Redis.
    pub async fn cache_redis_answers(&self) -> Option<bool> {
        self.cache.redis_answers().await
    }

    /// Runs `f` with a pooled connection on a blocking thread, bypassing the cache:
    /// reads that are not cached, and work that writes nothing the cache holds.
    pub async fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<Unavailable> + Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get().map_err(|e| E::from(Unavailable(e.to_string())))?;
            let done = f(&mut conn);
            if done.is_err() {
                conn.suspect();
            }
            done
        })
        .await
        .map_err(|e| E::from(Unavailable(e.to_string())))?
    }

    /// Runs a write and, before returning, applies what it says it did to the cache:
    /// the keys of every stale row go and a new generation starts; or the stamps of the
    /// accounts it changed are renewed (up to [`crate::db::models::NARROW_LIMIT`] changes:
    /// more start a new generation); or nothing happens.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<Written<T>, E> + Send + 'static,
        T: Send + 'static,
        E: From<Unavailable> + Send + 'static,
    {
        let Written { value, effect } = self.read(f).await?;
        match effect.bounded() {
            CacheEffect::None => {}
            CacheEffect::Stale(rows) => {
                let keys: Vec<CacheKey> = rows.iter().flat_map(CacheKey::stale).collect();
                self.cache.invalidate(&keys).await;
            }
            CacheEffect::Changed(changes) => {
                self.cache.renew(&changes.iter().flat_map(stamps_of).collect::<Vec<_>>()).await
            }
        }
        Ok(value)
    }

    /// The value under `key` if it was stored since the last write; otherwise `load`s
    /// it from the database and keeps it, unless a write came in between.
    pub async fn cached<T, E, F>(&self, key: CacheKey, load: F) -> Result<T, E>
    where
        T: Cacheable,
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        E: From<Unavailable> + Send + 'static,
    {
        self.read_through(key, load, |fresh| fresh).await
    }

    /// As [`Self::cached`], for a large value read on every view: every hit shares one
    /// copy instead of cloning it. That copy is made here, on the request's thread, so
    /// the long-lived value does not sit among the database thread's short-lived
    /// allocations (kept where it was read, the peak memory under real use was 9 MiB
    /// higher).
    pub async fn cached_shared<T, E, F>(&self, key: CacheKey, load: F) -> Result<Shared<T>, E>
    where
        T: Cacheable,
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        E: From<Unavailable> + Send + 'static,
    {
        self.read_through(key, load, |read: T| Shared::new(read.clone())).await
    }

    /// The value under `key` if it was stored since the last write; otherwise what
    /// `keep` makes of what `load` reads, kept unless a write came in between.
    async fn read_through<T, U, E, F>(&self, key: CacheKey, load: F, keep: impl FnOnce(T) -> U) -> Result<U, E>
    where
        T: Send + 'static,
        U: Cacheable,
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        E: From<Unavailable> + Send + 'static,
    {
        let (seen, hit) = self.cache.lookup::<U>(&key).await;
        if let Some(hit) = hit {
            return Ok(hit);
        }
        let fresh = keep(self.read(load).await?);
        self.cache.put(&key, &fresh, &seen).await;
        Ok(fresh)
    }

    /// An account by pk, name, number or company name, through the object cache (the
    /// upstream `Account.get_cached_object`). A miss is `None`, and is not kept.
    pub async fn get_cached_object(&self, lookup: AccountLookup) -> Result<Option<Account>, StoreError> {
        let key = CacheKey::Account(lookup.clone());
        self.cached_row(key, move |conn| Account::find_by(conn, &lookup), account_page::account_stamps).await
    }

    /// A user by id, through the object cache (the session's user on every request).
    pub async fn user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        self.cached_row(CacheKey::User(id), move |conn| User::find(conn, id), |_| Vec::new()).await
    }

    /// A session's record and its user by the token's hash, through the object cache
    /// (every request): every write to the record renews its stamp, and every write to
    /// its user renews theirs.
    pub async fn session(&self, hash: String) -> Result<Option<SignedIn>, StoreError> {
        let key = CacheKey::Session(hash.clone());
        let user = |signed: &SignedIn| vec![Stamp::User(signed.user.id)];
        self.cached_row(key, move |conn| session::find(conn, &hash), user).await
    }

    async fn cached_row<T, F>(
        &self,
        key: CacheKey,
        find: F,
        stamps: impl FnOnce(&T) -> Vec<Stamp>,
    ) -> Result<Option<T>, StoreError>
    where
        T: Cacheable,
        F: FnOnce(&mut DbConnection) -> diesel::QueryResult<Option<T>> + Send + 'static,
    {
        let (seen, hit) = self.cache.lookup::<T>(&key).await;
        if let Some(hit) = hit {
            return Ok(Some(hit));
        }
        let found = self.read(move |conn| find(conn).map_err(StoreError::from)).await?;
        if let Some(row) = &found {
            self.cache.put_with(&key, row, &seen, stamps(row)).await;
        }
        Ok(found)
    }
}

/// The stamps one change renews: its account, the keys of its old and new row, and the
/// list columns whose values it changed; for a new or deleted account, every list (and
/// for a deleted one, the billing totals); for a user,
/// their row and sessions and the pages that list them as a member.
fn stamps_of(change: &Change) -> Vec<Stamp> {
    let keys = |account: &Account| {
        AccountLookup::all_of(account).into_iter().map(|key| Stamp::Key(CacheKey::Account(key).to_string()))
    };
    match change {
        Change::Around(id) => vec![Stamp::Around(*id)],
        Change::Session(hash) => vec![Stamp::Key(CacheKey::Session(hash.clone()).to_string())],
        Change::User { id, accounts } => {
            [Stamp::User(*id)].into_iter().chain(accounts.iter().map(|a| Stamp::Around(*a))).collect()
        }
        Change::Membership { user, account } => vec![Stamp::Around(*account), Stamp::Member(*user)],
        Change::Added { account, tags, members } | Change::Removed { account, tags, members } => {
            let mut stamps: Vec<Stamp> = keys(account).collect();
            stamps.extend([Stamp::Account(account.id), Stamp::Around(account.id), Stamp::Accounts]);
            stamps.extend(members.iter().map(|user| Stamp::Member(*user)));
            if *tags {
                stamps.push(Stamp::Column(ListColumn::Tags));
            }
            if matches!(change, Change::Removed { .. }) {
                stamps.push(Stamp::Billing);
            }
            stamps
        }
        Change::Account { old, new, tags } => {
            let mut stamps: Vec<Stamp> = keys(old).chain(keys(new)).collect();
            stamps.push(Stamp::Account(old.id));
            stamps.extend(ListColumn::changed(old, new).into_iter().map(Stamp::Column));
            if *tags {
                stamps.push(Stamp::Column(ListColumn::Tags));
            }
            stamps
        }
    }
}
