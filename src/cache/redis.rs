//! The Redis side of the object cache: every value sealed (an HMAC over its key and
//! content, so a Redis writer can't forge or move one), every call under the time limit
//! and circuit breaker of `redis_guard`, and an auto-reconnecting connection, so a Redis
//! outage costs cache hits, never an answer.
//!
//! The generation, the stamp counter and the stamps are plain values beside the
//! entries, read together in one `MGET`; a narrow write renews its stamps in one script,
//! so a reader sees all of a write's stamps or none.

use std::sync::Arc;
use std::time::Duration;

use cached::{AsyncRedisCache, ConcurrentCachedAsync};
use redis::aio::ConnectionManager;

use crate::redis_guard::{Breaker, Seal};

/// Advances the counter (`KEYS[1]`) and sets every other key to its new value for
/// `ARGV[1]` seconds, as one step.
const RENEW: &str = "local n = redis.call('INCR', KEYS[1]) \
    for i = 2, #KEYS do redis.call('SET', KEYS[i], n, 'EX', ARGV[1]) end return n";

pub struct RedisStore {
    cache: AsyncRedisCache<String, String>,
    seal: Seal,
    breaker: Arc<Breaker>,
    conn: ConnectionManager,
    prefix: String,
    ttl: Duration,
    renew: redis::Script,
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
        let client = redis::Client::open(url).map_err(|e| anyhow::anyhow!("REDIS_URL: {e}"))?;
        let conn = client
            .get_connection_manager()
            .await
            .map_err(|e| anyhow::anyhow!("REDIS_URL: could not open the object cache: {e}"))?;
        let seal = Seal::new(secret, "object-cache");
        let (prefix, renew) = (format!("{prefix}:objects:"), redis::Script::new(RENEW));
        Ok(Self { cache, seal, breaker, conn, prefix, ttl, renew })
    }

    fn plain_key(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// The generation token and the stamp counter, in one round trip; `None` when
    /// Redis did not answer.
    pub async fn generation(&self) -> Option<(Option<String>, u64)> {
        let keys = [self.plain_key("generation"), self.plain_key("count")];
        let mut mget = redis::cmd("MGET");
        mget.arg(&keys);
        match self.query::<Vec<Option<String>>>(mget).await {
            Ok(mut values) if values.len() == 2 => {
                let count = values.pop().flatten().and_then(|v| v.parse().ok()).unwrap_or(0);
                Some((values.pop().flatten(), count))
            }
            Ok(_) => None,
            Err(e) => {
                tracing::warn!(error = %e, "object cache read failed; reading the database");
                None
            }
        }
    }

    /// Starts generation `token`; false when Redis did not take it.
    pub async fn set_generation(&self, token: &str) -> bool {
        let mut set = redis::cmd("SET");
        set.arg(self.plain_key("generation")).arg(token).arg("EX").arg(self.ttl.as_secs().max(1));
        self.outcome(self.query::<()>(set).await)
    }

    /// Renews these stamps; false when Redis did not take it.
    pub async fn renew(&self, names: &[String]) -> bool {
        let mut invocation = self.renew.key(self.plain_key("count"));
        for name in names {
            invocation.key(self.plain_key(name));
        }
        invocation.arg(self.ttl.saturating_mul(2).as_secs().max(2));
        let mut conn = self.conn.clone();
        let call = invocation.invoke_async::<u64>(&mut conn);
        self.outcome(self.breaker.call(call).await)
    }

    /// Whether none of these stamps was renewed after the counter stood at `count`
    /// (false when Redis did not answer).
    pub async fn fresh(&self, names: &[String], count: u64) -> bool {
        if names.is_empty() {
            return true;
        }
        let keys: Vec<String> = names.iter().map(|n| self.plain_key(n)).collect();
        let mut mget = redis::cmd("MGET");
        mget.arg(&keys);
        match self.query::<Vec<Option<u64>>>(mget).await {
            Ok(renewed) => renewed.into_iter().all(|r| r.is_none_or(|r| r <= count)),
            Err(e) => {
                tracing::warn!(error = %e, "object cache read failed; reading the database");
                false
            }
        }
    }

    async fn query<T: redis::FromRedisValue>(&self, cmd: redis::Cmd) -> Result<T, crate::redis_guard::RedisDown> {
        let mut conn = self.conn.clone();
        self.breaker.call(async move { cmd.query_async::<T>(&mut conn).await }).await
    }

    fn outcome<T>(&self, done: Result<T, crate::redis_guard::RedisDown>) -> bool {
        match done {
            Ok(_) => true,
            Err(e) => {
                tracing::error!(error = %e, "object cache invalidation failed");
                false
            }
        }
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

    /// Whether Redis answers now on both connections (for the health check).
    pub async fn answers(&self) -> bool {
        self.breaker.call(self.cache.async_cache_get(&"health".to_owned())).await.is_ok()
            && self.query::<String>(redis::cmd("PING")).await.is_ok()
    }

    /// The breaker, whose pending note says a write's invalidation was lost.
    pub fn breaker(&self) -> &Breaker {
        &self.breaker
    }
}
