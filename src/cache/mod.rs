//! The object cache: rows and pages by [`CacheKey`], held in-process by default or in
//! Redis when `REDIS_URL` is set, so that every instance sharing the Redis shares it.
//! Request handlers use it only through the store (`src/store/`).
//!
//! In process (`local.rs`), values are kept as they are (shared, cloned out on a hit);
//! in Redis (`redis.rs`) they are sealed JSON.
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

mod key;
mod local;
mod redis;
mod stamps;

pub use key::{CacheKey, Stamp};
use local::LocalCache;
use redis::RedisStore;

/// Where the cache stood when a reader looked, before it read the database: the
/// generation, the stamp counter, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generation {
    token: Option<String>,
    count: u64,
    at: Instant,
}

#[derive(Serialize, serde::Deserialize)]
struct Envelope<T> {
    generation: Option<String>,
    count: u64,
    stamps: Vec<String>,
    value: T,
}

fn fresh_token() -> String {
    let mut bytes = [0u8; 12];
    rand::fill(&mut bytes);
    hex::encode(bytes)
}

enum Backend {
    Off,
    Local(Box<LocalCache>),
    Redis(Box<RedisStore>),
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
    /// Redis); fails when Redis can't be reached at start.
    pub async fn redis(
        url: &str,
        prefix: &str,
        ttl: Duration,
        secret: &[u8],
        breaker: Arc<crate::redis_guard::Breaker>,
    ) -> anyhow::Result<Self> {
        if ttl.is_zero() {
            return Ok(Self { backend: Backend::Off, ttl });
        }
        let store = RedisStore::open(url, prefix, ttl, secret, breaker).await?;
        Ok(Self { backend: Backend::Redis(Box::new(store)), ttl })
    }

    /// Whether the cache's Redis answers; `None` when the cache is not in Redis.
    pub async fn redis_answers(&self) -> Option<bool> {
        match &self.backend {
            Backend::Redis(store) => Some(store.answers().await),
            _ => None,
        }
    }

    /// Where the cache stands; note it before reading the database for [`Self::put`].
    /// When there is no generation (first use, or the token expired) a fresh one is
    /// started and this read is not cached: a fresh token can only invalidate, never
    /// revive, entries.
    pub async fn generation(&self) -> Generation {
        let at = Instant::now();
        let none = Generation { token: None, count: 0, at };
        if matches!(self.backend, Backend::Off) {
            return none;
        }
        if let Backend::Redis(store) = &self.backend
            && store.breaker().take_pending()
        {
            // A write's invalidation was lost while Redis was away: nothing cached
            // before it may be served now.
            self.new_generation().await;
        }
        let (token, count) = match &self.backend {
            Backend::Local(local) => local.generation(),
            Backend::Redis(store) => match store.lookup(None, &[]).await {
                Some(found) => (found.generation, found.count),
                None => return none,
            },
            Backend::Off => return none,
        };
        if token.is_none() {
            self.new_generation().await;
        }
        Generation { token, count, at }
    }

    /// Starts a new generation: every entry stored under an earlier one is stale.
    async fn new_generation(&self) {
        let token = fresh_token();
        match &self.backend {
            Backend::Off => {}
            Backend::Local(local) => local.set_generation(token),
            Backend::Redis(store) => {
                if !store.set_generation(&token).await {
                    store.breaker().mark_pending();
                }
            }
        }
    }

    /// The value under `key`, if it was stored in generation `current` (which the
    /// caller just read with [`Self::generation`]) and none of its stamps was renewed
    /// since it was read.
    pub async fn get<T: Cacheable>(&self, key: &CacheKey, current: &Generation) -> Option<T> {
        let token = current.token.as_ref()?;
        if let Backend::Local(local) = &self.backend {
            return local.get(key, token);
        }
        let Backend::Redis(store) = &self.backend else { return None };
        let entry = store.lookup(Some(&key.to_string()), &[]).await?.entry?;
        self.unpack(store, &entry, token, &[], &[]).await
    }

    /// Where the cache stands and the value under `key` if it is good, as
    /// [`Self::generation`] then [`Self::get`] would say. In Redis this is one round trip
    /// (two for an entry that depends on stamps its key doesn't name).
    pub async fn lookup<T: Cacheable>(&self, key: &CacheKey) -> (Generation, Option<T>) {
        let Backend::Redis(store) = &self.backend else {
            let seen = self.generation().await;
            let hit = self.get(key, &seen).await;
            return (seen, hit);
        };
        let at = Instant::now();
        if store.breaker().take_pending() {
            self.new_generation().await;
        }
        let known: Vec<String> = key.stamps().iter().map(Stamp::to_string).collect();
        let Some(found) = store.lookup(Some(&key.to_string()), &known).await else {
            return (Generation { token: None, count: 0, at }, None);
        };
        let seen = Generation { token: found.generation, count: found.count, at };
        let Some(token) = &seen.token else {
            self.new_generation().await;
            return (seen, None);
        };
        let hit = match &found.entry {
            Some(entry) => self.unpack(store, entry, token, &known, &found.renewed).await,
            None => None,
        };
        (seen, hit)
    }

    /// A Redis entry's value if it was stored in generation `token` and none of its
    /// stamps was renewed since: `renewed` answers for the stamps in `known`, Redis for
    /// the rest.
    async fn unpack<T: Cacheable>(
        &self,
        store: &RedisStore,
        entry: &str,
        token: &str,
        known: &[String],
        renewed: &[Option<u64>],
    ) -> Option<T> {
        let envelope: Envelope<T> = serde_json::from_str(entry).ok()?;
        if envelope.generation.as_deref() != Some(token) || !redis::renewed_by(renewed, envelope.count) {
            return None;
        }
        let rest: Vec<String> = envelope.stamps.iter().filter(|s| !known.contains(s)).cloned().collect();
        store.fresh(&rest, envelope.count).await.then_some(envelope.value)
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
        if let Backend::Local(local) = &self.backend {
            local.put(key, value, (token, seen.count), stamps);
            return;
        }
        let Backend::Redis(store) = &self.backend else { return };
        let envelope = Envelope { generation: seen.token.clone(), count: seen.count, stamps, value };
        if let Ok(json) = serde_json::to_string(&envelope) {
            store.put(&key.to_string(), &json).await;
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
            Backend::Redis(store) => {
                if !store.renew(&names).await {
                    store.breaker().mark_pending();
                }
            }
        }
    }

    /// Starts a new generation and removes every key given. A failure is logged: the
    /// write it follows has committed.
    pub async fn invalidate(&self, keys: &[CacheKey]) {
        if matches!(self.backend, Backend::Off) {
            return;
        }
        self.new_generation().await;
        match &self.backend {
            Backend::Off => {}
            Backend::Local(local) => local.remove(keys),
            Backend::Redis(store) => {
                if !store.remove(&keys.iter().map(CacheKey::to_string).collect::<Vec<_>>()).await {
                    store.breaker().mark_pending();
                }
            }
        }
    }
}

/// What the cache can hold: JSON for Redis, a shared clone in process.
pub trait Cacheable: Serialize + DeserializeOwned + Clone + Send + Sync + 'static {}

impl<T: Serialize + DeserializeOwned + Clone + Send + Sync + 'static> Cacheable for T {}
