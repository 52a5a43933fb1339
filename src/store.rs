//! Data access for request handlers: runs diesel off the async executor on a pooled
//! connection, serves cached lookups, and invalidates the cache after every write.

use std::sync::Arc;

use crate::cache::ObjectCache;
use crate::db::models::account::Written;
use crate::db::models::{Account, AccountLookup, User};
use crate::db::{DbConnection, DbPool};

/// The database could not be reached (no connection in time, or the blocking pool is
/// gone): a 503, not a bug.
#[derive(Debug, thiserror::Error)]
#[error("database unavailable: {0}")]
pub struct Unavailable(pub String);

/// A query that failed, or could not run.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Unavailable(#[from] Unavailable),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
}

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

    pub fn cache(&self) -> &ObjectCache {
        &self.cache
    }

    /// Runs `f` with a pooled connection on a blocking thread.
    pub async fn run<T, E, F>(&self, f: F) -> Result<T, E>
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

    /// Runs a write and invalidates every cache key it made stale before returning.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<Written<T>, E> + Send + 'static,
        T: Send + 'static,
        E: From<Unavailable> + Send + 'static,
    {
        let written = self.run(f).await?;
        self.cache.invalidate(&written.stale_keys).await;
        Ok(written.value)
    }

    /// Runs a write that makes no cached row stale by itself but changes what cached
    /// pages show (contacts, memberships): it renews the cache's generation.
    pub async fn run_write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<Unavailable> + Send + 'static,
    {
        let value = self.run(f).await?;
        self.cache.invalidate(&[]).await;
        Ok(value)
    }

    /// `get_cached_object`: an account by pk, name, number or company name, through the
    /// object cache. A miss is `None`.
    pub async fn account(&self, lookup: AccountLookup) -> Result<Option<Account>, StoreError> {
        let key = lookup.cache_key();
        let seen = self.cache.generation().await;
        if let Some(account) = self.cache.get::<Account>(&key, &seen).await {
            return Ok(Some(account));
        }
        let found = self.run(move |conn| Account::find_by(conn, &lookup).map_err(StoreError::from)).await?;
        if let Some(account) = &found {
            self.cache.put(&key, account, &seen).await;
        }
        Ok(found)
    }

    /// A user by id, through the object cache (the session's user on every request).
    pub async fn user(&self, id: i64) -> Result<Option<User>, StoreError> {
        let key = User::cache_key(id);
        let seen = self.cache.generation().await;
        if let Some(user) = self.cache.get::<User>(&key, &seen).await {
            return Ok(Some(user));
        }
        let found = self.run(move |conn| User::find(conn, id).map_err(StoreError::from)).await?;
        if let Some(user) = &found {
            self.cache.put(&key, user, &seen).await;
        }
        Ok(found)
    }
}
