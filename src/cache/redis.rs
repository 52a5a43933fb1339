//! The Redis side of the object cache: every value sealed (an HMAC over its key and
//! content, so a Redis writer can't forge or move one), every call under the time limit
//! and circuit breaker of `redis_guard`, and an auto-reconnecting connection, so a Redis
//! outage costs cache hits, never an answer.

use std::sync::Arc;
use std::time::Duration;

use cached::{AsyncRedisCache, ConcurrentCachedAsync};

use crate::redis_guard::{Breaker, Seal};

pub struct RedisStore {
    cache: AsyncRedisCache<String, String>,
    seal: Seal,
    breaker: Arc<Breaker>,
}

impl RedisStore {
    /// Entries under `prefix`, sealed with a key derived from `secret`; fails when
    /// Redis can't be reached at start.
    pub async fn open(
        url: &str,
        prefix: &str,
        ttl: Duration,
        secret: &[u8],
        breaker: Arc<Breaker>,
    ) -> anyhow::Result<Self> {
        let cache = AsyncRedisCache::builder("objects")
            .namespace(prefix)
            .connection_string(url)
            .connection_manager(true)
            .ttl(ttl)
            .build()
            .await
            .map_err(|e| anyhow::anyhow!("REDIS_URL: could not open the object cache: {e}"))?;
        Ok(Self { cache, seal: Seal::new(secret, "object-cache"), breaker })
    }

    /// The value under `key` if Redis answers in time and its seal holds.
    pub async fn get(&self, key: &str) -> Option<String> {
        let stored = match self.breaker.call(self.cache.async_cache_get(&key.to_owned())).await {
            Ok(stored) => stored?,
            Err(e) => {
                tracing::warn!(error = %e, "object cache read failed; reading the database");
                return None;
            }
        };
        let (tag, value) = stored.split_once('.')?;
        if self.seal.verify(&[key.as_bytes(), value.as_bytes()], tag) {
            Some(value.to_owned())
        } else {
            tracing::warn!(key, "an object cache entry's seal does not hold; ignoring it");
            None
        }
    }

    /// Stores `value` under `key`, sealed; false when Redis did not take it.
    pub async fn put(&self, key: &str, value: &str) -> bool {
        let sealed = format!("{}.{value}", self.seal.tag(&[key.as_bytes(), value.as_bytes()]));
        match self.breaker.call(self.cache.async_cache_set(key.to_owned(), sealed)).await {
            Ok(_) => true,
            Err(e) => {
                tracing::warn!(error = %e, "object cache write failed");
                false
            }
        }
    }

    /// Removes `key`; false when Redis did not answer.
    pub async fn remove(&self, key: &str) -> bool {
        match self.breaker.call(self.cache.async_cache_remove(&key.to_owned())).await {
            Ok(_) => true,
            Err(e) => {
                tracing::error!(error = %e, key, "object cache invalidation failed");
                false
            }
        }
    }

    /// Whether Redis answers now (for the health check).
    pub async fn answers(&self) -> bool {
        self.breaker.call(self.cache.async_cache_get(&"health".to_owned())).await.is_ok()
    }

    /// The breaker, whose pending note says a write's invalidation was lost.
    pub fn breaker(&self) -> &Breaker {
        &self.breaker
    }
}
