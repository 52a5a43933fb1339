//! The Redis side of the object cache: every value sealed (an HMAC over its key and
//! content, so a Redis writer can't forge or move one), every call under the time limit
//! and circuit breaker of `redis_guard`, and an auto-reconnecting connection, so a Redis
//! outage costs cache hits, never an answer.
//!
//! Beside the entries lie the generation, the stamp counter and the stamps, as plain
//! values. A lookup reads the generation, the counter, the entry and the stamps its key
//! names in one `MGET`; a narrow write renews its stamps in one script, so a reader sees
//! all of a write's stamps or none.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use redis::aio::ConnectionManager;

use crate::redis_guard::{Breaker, RedisDown, Seal};

/// Advances the counter (`KEYS[1]`) and sets every other key to its new value for
/// `ARGV[1]` seconds, as one step.
const RENEW: &str = "local n = redis.call('INCR', KEYS[1]) \
    for i = 2, #KEYS do redis.call('SET', KEYS[i], n, 'EX', ARGV[1]) end return n";

pub struct RedisStore {
    seal: Seal,
    breaker: Arc<Breaker>,
    conn: ConnectionManager,
    prefix: String,
    ttl: Duration,
    renew: redis::Script,
    /// How many calls it has made to Redis.
    calls: AtomicU64,
}

/// What one lookup found: the generation token and stamp counter, the entry's text
/// (its seal checked), and when each stamp asked for was last renewed.
pub struct Found {
    pub generation: Option<String>,
    pub count: u64,
    pub entry: Option<String>,
    pub renewed: Vec<Option<u64>>,
}

/// Where the cache stands in Redis: the generation (if one lives) and the counter.
pub type Standing = (Option<String>, u64);

/// The generation and the counter, the next two values of an `MGET` answer.
fn standing(values: &mut impl Iterator<Item = Option<String>>) -> Standing {
    let generation = values.next().flatten();
    let count = values.next().flatten().and_then(|v| v.parse().ok()).unwrap_or(0);
    (generation, count)
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
        let client = redis::Client::open(url).map_err(|e| anyhow::anyhow!("REDIS_URL: {e}"))?;
        let conn = client
            .get_connection_manager()
            .await
            .map_err(|e| anyhow::anyhow!("REDIS_URL: could not open the object cache: {e}"))?;
        let seal = Seal::new(secret, "object-cache");
        let (prefix, renew) = (format!("{prefix}:objects:"), redis::Script::new(RENEW));
        Ok(Self { seal, breaker, conn, prefix, ttl, renew, calls: AtomicU64::new(0) })
    }

    fn key(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// How many calls (round trips) it has made to Redis so far.
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    async fn query<T: redis::FromRedisValue>(&self, cmd: redis::Cmd) -> Result<T, RedisDown> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let mut conn = self.conn.clone();
        self.breaker.call(async move { cmd.query_async::<T>(&mut conn).await }).await
    }

    /// The generation, the counter, the entry under `key` (if given) and the stamps
    /// named, in one round trip; `None` when Redis did not answer.
    pub async fn lookup(&self, key: Option<&str>, stamps: &[String]) -> Option<Found> {
        let names = ["generation", "count"].into_iter().chain(key).chain(stamps.iter().map(String::as_str));
        let mut values = self.mget(names).await?.into_iter();
        let (generation, count) = standing(&mut values);
        let entry = match key {
            Some(key) => values.next().flatten().and_then(|sealed| self.unsealed(key, &sealed)),
            None => None,
        };
        let renewed = values.map(|v| v.and_then(|v| v.parse().ok())).collect();
        Some(Found { generation, count, entry, renewed })
    }

    /// The value under `outside` (a Redis key of its own, not an entry of this cache)
    /// with the generation and the counter, in one round trip.
    pub async fn read_beside(&self, outside: &str) -> Result<(Option<String>, Standing), RedisDown> {
        let mut mget = redis::cmd("MGET");
        mget.arg(outside).arg(self.key("generation")).arg(self.key("count"));
        let mut values = self.query::<Vec<Option<String>>>(mget).await?.into_iter();
        let value = values.next().flatten();
        Ok((value, standing(&mut values)))
    }

    fn unsealed(&self, key: &str, stored: &str) -> Option<String> {
        let (tag, value) = stored.split_once('.')?;
        if self.seal.verify(&[key.as_bytes(), value.as_bytes()], tag) {
            Some(value.to_owned())
        } else {
            tracing::warn!(key, "an object cache entry's seal does not hold; ignoring it");
            None
        }
    }

    /// Stores `value` under `key`, sealed, for the entries' lifetime.
    pub async fn put(&self, key: &str, value: &str) {
        let sealed = format!("{}.{value}", self.seal.tag(&[key.as_bytes(), value.as_bytes()]));
        let mut set = redis::cmd("SET");
        set.arg(self.key(key)).arg(sealed).arg("EX").arg(self.ttl.as_secs().max(1));
        if let Err(e) = self.query::<()>(set).await {
            tracing::warn!(error = %e, "object cache write failed");
        }
    }

    /// Starts generation `token`; false when Redis did not take it.
    pub async fn set_generation(&self, token: &str) -> bool {
        let mut set = redis::cmd("SET");
        set.arg(self.key("generation")).arg(token).arg("EX").arg(self.ttl.as_secs().max(1));
        self.done(self.query::<()>(set).await)
    }

    /// Removes these keys; false when Redis did not answer.
    pub async fn remove(&self, keys: &[String]) -> bool {
        if keys.is_empty() {
            return true;
        }
        let mut del = redis::cmd("DEL");
        for key in keys {
            del.arg(self.key(key));
        }
        self.done(self.query::<()>(del).await)
    }

    /// Renews these stamps; false when Redis did not take it.
    pub async fn renew(&self, names: &[String]) -> bool {
        let mut invocation = self.renew.key(self.key("count"));
        for name in names {
            invocation.key(self.key(name));
        }
        invocation.arg(self.ttl.saturating_mul(2).as_secs().max(2));
        self.calls.fetch_add(1, Ordering::Relaxed);
        let mut conn = self.conn.clone();
        let call = async move { invocation.invoke_async::<u64>(&mut conn).await };
        self.done(self.breaker.call(call).await)
    }

    /// Whether none of these stamps was renewed after the counter stood at `count`
    /// (false when Redis did not answer).
    pub async fn fresh(&self, names: &[String], count: u64) -> bool {
        if names.is_empty() {
            return true;
        }
        let Some(values) = self.mget(names.iter().map(String::as_str)).await else { return false };
        let renewed: Vec<Option<u64>> = values.into_iter().map(|v| v.and_then(|v| v.parse().ok())).collect();
        renewed_by(&renewed, count)
    }

    /// The values under these names, in one round trip; `None` when Redis did not answer.
    async fn mget<'a>(&self, names: impl Iterator<Item = &'a str>) -> Option<Vec<Option<String>>> {
        let mut mget = redis::cmd("MGET");
        let mut asked = 0;
        for name in names {
            mget.arg(self.key(name));
            asked += 1;
        }
        match self.query::<Vec<Option<String>>>(mget).await {
            Ok(values) if values.len() == asked => Some(values),
            Ok(_) => None,
            Err(e) => {
                tracing::warn!(error = %e, "object cache read failed; reading the database");
                None
            }
        }
    }

    /// Whether Redis answers now (for the health check).
    pub async fn answers(&self) -> bool {
        self.query::<String>(redis::cmd("PING")).await.is_ok()
    }

    /// The breaker, whose pending note says a write's invalidation was lost.
    pub fn breaker(&self) -> &Breaker {
        &self.breaker
    }

    fn done<T>(&self, outcome: Result<T, RedisDown>) -> bool {
        match outcome {
            Ok(_) => true,
            Err(e) => {
                tracing::error!(error = %e, "object cache invalidation failed");
                false
            }
        }
    }
}

/// Whether every stamp was last renewed at or before `count` (or not lately at all).
pub fn renewed_by(renewed: &[Option<u64>], count: u64) -> bool {
    renewed.iter().all(|r| r.is_none_or(|r| r <= count))
}
