//! The object cache: rows and pages by [`CacheKey`], held in-process by default or in
//! Redis when `REDIS_URL` is set, so that every instance sharing the Redis shares it.
//! Request handlers use it only through the store (`src/store/`).
//!
//! In process (`local.rs`), values are kept as they are (shared, cloned out on a hit);
//! in Redis (`redis.rs`) they are sealed JSON, and each instance holds near copies of
//! what it stored or found there, judged on every lookup by Redis's marks
//! (`shared.rs`).
//!
//! Deleting keys alone leaves a race: a reader that loaded a row just before a write
//! committed could store the old row after the writer's delete. So readers note where
//! the cache stands before they read the database, and an entry counts only while
//! nothing it was read from changed since. Two marks say that:
//! - the *generation*: a write that may touch anything renews it ([`ObjectCache::invalidate`]),
//!   and every entry stored under an earlier one is stale;
//! - *stamps* ([`Stamp`]): a write that changed only some accounts renews just theirs
//!   ([`ObjectCache::renew`]), and an entry is stale when a stamp it names was renewed
//!   after it was read. The account pages and list pages that don't show those accounts
//!   stay.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde::de::DeserializeOwned;

mod counted;
mod key;
mod local;
mod redis;
mod shared;
mod stamps;

pub use counted::Shared;
pub use key::{CacheKey, Stamp};
use local::{Entries, LocalCache};
use redis::RedisStore;
use shared::SharedCache;
pub use shared::per_request;

/// Where the cache stood when a reader looked, before it read the database: the
/// generation, the stamp counter, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generation {
    token: Option<String>,
    count: u64,
    at: Instant,
}

impl Generation {
    /// Where the cache stands when it can't be told (off, or Redis did not answer):
    /// nothing read under it is kept.
    fn unknown() -> Self {
        Self { token: None, count: 0, at: Instant::now() }
    }
}

/// The form of an entry in Redis: raised whenever the stamps entries name change, so
/// that an instance trusts no entry stored by an instance of an earlier version, which
/// names fewer stamps (a write here renews only the new ones). Entries without it are
/// of the first form.
const ENTRY_FORM: u32 = 2;

#[derive(Serialize, serde::Deserialize)]
struct Envelope<T> {
    #[serde(default = "first_form")]
    form: u32,
    generation: Option<String>,
    count: u64,
    stamps: Vec<String>,
    value: T,
}

fn first_form() -> u32 {
    1
}

fn fresh_token() -> String {
    let mut bytes = [0u8; 12];
    rand::fill(&mut bytes);
    hex::encode(bytes)
}

enum Backend {
    Off,
    Local(Box<LocalCache>),
    Redis(Box<SharedCache>),
}

pub struct ObjectCache {
    backend: Backend,
    /// Entries live this long; a read that took longer is not kept.
    ttl: Duration,
}

impl std::fmt::Debug for ObjectCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.backend {
            Backend::Off => "off",
            Backend::Local(_) => "in-process",
            Backend::Redis(_) => "redis",
        };
        write!(f, "ObjectCache({kind})")
    }
}

impl ObjectCache {
    /// An in-process cache; a zero lifetime turns caching off.
    pub fn local(ttl: Duration) -> Self {
        let backend = match LocalCache::new(ttl) {
            Some(local) if !ttl.is_zero() => Backend::Local(Box::new(local)),
            _ => Backend::Off,
        };
        Self { backend, ttl }
    }

    /// A cache in Redis under `prefix`, its entries sealed with a key derived from
    /// `secret`, its calls through `breaker` (shared with the session store on the same
    /// Redis), with near copies in process; fails when Redis can't be reached at start.
    pub async fn redis(
        url: &str,
        prefix: &str,
        ttl: Duration,
        secret: &[u8],
        breaker: Arc<crate::redis_guard::Breaker>,
    ) -> anyhow::Result<Self> {
        let Some(near) = Entries::near(ttl).filter(|_| !ttl.is_zero()) else {
            return Ok(Self { backend: Backend::Off, ttl });
        };
        let store = RedisStore::open(url, prefix, ttl, secret, breaker).await?;
        Ok(Self { backend: Backend::Redis(Box::new(SharedCache::new(store, near))), ttl })
    }

    /// Whether the cache's Redis answers; `None` when the cache is not in Redis.
    pub async fn redis_answers(&self) -> Option<bool> {
        match &self.backend {
            Backend::Redis(shared) => Some(shared.store.answers().await),
            _ => None,
        }
    }

    /// With the cache in Redis: the value under the Redis key `outside`, read in the
    /// same round trip that asks where the cache stands (noted for the rest of the
    /// request, as a lookup's answer would be). `None` when the cache is not in Redis.
    pub async fn read_beside(&self, outside: &str) -> Option<Result<Option<String>, crate::redis_guard::RedisDown>> {
        match &self.backend {
            Backend::Redis(shared) => Some(shared.read_beside(outside).await),
            _ => None,
        }
    }

    /// How many calls this cache has made to Redis; `None` when it is not in Redis.
    pub fn redis_calls(&self) -> Option<u64> {
        match &self.backend {
            Backend::Redis(shared) => Some(shared.store.calls()),
            _ => None,
        }
    }

    /// Where the cache stands; note it before reading the database for [`Self::put`].
    /// When there is no generation (first use, or the token expired) a fresh one is
    /// started and this read is not cached: a fresh token can only invalidate, never
    /// revive, entries.
    pub async fn generation(&self) -> Generation {
        match &self.backend {
            Backend::Off => Generation::unknown(),
            Backend::Redis(shared) => shared.generation().await,
            Backend::Local(local) => {
                let at = Instant::now();
                let (token, count) = local.generation();
                if token.is_none() {
                    local.set_generation(fresh_token());
                }
                Generation { token, count, at }
            }
        }
    }

    /// The value under `key`, if it was stored in generation `current` (which the
    /// caller just read with [`Self::generation`]) and none of its stamps was renewed
    /// since it was read.
    pub async fn get<T: Cacheable>(&self, key: &CacheKey, current: &Generation) -> Option<T> {
        let token = current.token.as_ref()?;
        match &self.backend {
            Backend::Off => None,
            Backend::Local(local) => local.get(key, token),
            Backend::Redis(shared) => shared.get(key, current).await,
        }
    }

    /// Where the cache stands and the value under `key` if it is good, as
    /// [`Self::generation`] then [`Self::get`] would say. In Redis this is at most one
    /// round trip for an entry this instance holds, and none when the request already
    /// saw the generation it was read under.
    pub async fn lookup<T: Cacheable>(&self, key: &CacheKey) -> (Generation, Option<T>) {
        if let Backend::Redis(shared) = &self.backend {
            return shared.lookup(key).await;
        }
        let seen = self.generation().await;
        let hit = self.get(key, &seen).await;
        (seen, hit)
    }

    /// Stores `value` as read since `seen`, depending on its key's stamps.
    pub async fn put<T: Cacheable>(&self, key: &CacheKey, value: &T, seen: &Generation) {
        self.put_with(key, value, seen, Vec::new()).await;
    }

    /// Stores `value` as read since `seen`, depending on its key's stamps and `more`
    /// (what only the value tells: the accounts a list page holds).
    pub async fn put_with<T: Cacheable>(&self, key: &CacheKey, value: &T, seen: &Generation, more: Vec<Stamp>) {
        // A read slower than an entry's life is not kept: stamps are remembered for
        // twice that, which must cover every entry read before their renewal.
        let Some(token) = seen.token.as_deref() else { return };
        if seen.at.elapsed() >= self.ttl {
            return;
        }
        let stamps: Vec<String> = key.stamps().iter().chain(&more).map(Stamp::to_string).collect();
        match &self.backend {
            Backend::Off => {}
            Backend::Local(local) => local.put(key, value, (token, seen.count), stamps),
            Backend::Redis(shared) => shared.put(key, value, seen, stamps).await,
        }
    }

    /// Renews `stamps` after a write that changed only what they name: entries that
    /// depend on one of them are stale, the rest stay. A failure in Redis is noted, so
    /// the next reader starts a new generation.
    pub async fn renew(&self, stamps: &[Stamp]) {
        let names: Vec<String> = stamps.iter().map(Stamp::to_string).collect();
        match &self.backend {
            Backend::Off => {}
            Backend::Local(local) => local.renew(&names),
            Backend::Redis(shared) => shared.renew(&names).await,
        }
    }

    /// Starts a new generation and removes every key given. A failure is logged: the
    /// write it follows has committed.
    pub async fn invalidate(&self, keys: &[CacheKey]) {
        match &self.backend {
            Backend::Off => {}
            Backend::Local(local) => {
                local.set_generation(fresh_token());
                local.remove(keys);
            }
            Backend::Redis(shared) => shared.invalidate(keys).await,
        }
    }
}

/// What the cache can hold: JSON for Redis, a shared clone in process.
pub trait Cacheable: Serialize + DeserializeOwned + Clone + Send + Sync + 'static {}

impl<T: Serialize + DeserializeOwned + Clone + Send + Sync + 'static> Cacheable for T {}
