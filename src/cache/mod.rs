//! The object cache: rows and pages by [`CacheKey`], held in-process by default or in
//! Redis when `REDIS_URL` is set, so that every instance sharing the Redis shares it.
//! Request handlers use it only through the store (`src/store/`).
//!
//! In process, values are kept as they are (shared, cloned out on a hit); in Redis they
//! are JSON. Writers call [`ObjectCache::invalidate`] with every key of the rows they
//! changed, for their old and new values, before their request returns.
//!
//! Deleting keys alone leaves a race: a reader that loaded a row just before a write
//! committed could store the old row after the writer's delete. So every write also
//! sets a new *generation* token, readers note the token before they read the
//! database, and an entry counts only while the token it was stored under is current.

use std::any::Any;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cached::{Cached, LruTtlCache};
use serde::Serialize;
use serde::de::DeserializeOwned;

mod key;
mod redis;

pub use key::CacheKey;
use redis::RedisStore;

/// How many rows the in-process cache keeps before evicting the least recent.
const LOCAL_CAPACITY: usize = 20_000;
/// How many list pages it keeps: pages are up to a hundred rows each, so far fewer.
const LOCAL_PAGE_CAPACITY: usize = 256;

/// The cache key of the generation token.
const GENERATION_KEY: &str = "generation";

/// The generation a reader saw before it read the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generation(Option<String>);

#[derive(Serialize, serde::Deserialize)]
struct Envelope<T> {
    generation: Option<String>,
    value: T,
}

fn fresh_token() -> String {
    let mut bytes = [0u8; 12];
    rand::fill(&mut bytes);
    hex::encode(bytes)
}

/// What the in-process store keeps under a key: the value itself, not its JSON (a
/// profile of the cached list page had a third of its time in parsing the page back).
#[derive(Clone)]
struct LocalEntry {
    generation: Option<String>,
    value: Arc<dyn Any + Send + Sync>,
}

type LocalStore = Mutex<LruTtlCache<String, LocalEntry>>;

enum Backend {
    Off,
    Local { rows: Box<LocalStore>, pages: Box<LocalStore> },
    Redis(Box<RedisStore>),
}

pub struct ObjectCache {
    backend: Backend,
}

impl std::fmt::Debug for ObjectCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.backend {
            Backend::Off => "off",
            Backend::Local { .. } => "in-process",
            Backend::Redis(_) => "redis",
        };
        write!(f, "ObjectCache({kind})")
    }
}

impl ObjectCache {
    /// An in-process cache; a zero lifetime turns caching off.
    pub fn local(ttl: Duration) -> Self {
        let rows = LruTtlCache::builder().max_size(LOCAL_CAPACITY).ttl(ttl).build();
        let pages = LruTtlCache::builder().max_size(LOCAL_PAGE_CAPACITY).ttl(ttl).build();
        let backend = match (rows, pages) {
            (Ok(rows), Ok(pages)) if !ttl.is_zero() => {
                Backend::Local { rows: Box::new(Mutex::new(rows)), pages: Box::new(Mutex::new(pages)) }
            }
            _ => Backend::Off,
        };
        Self { backend }
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
            return Ok(Self { backend: Backend::Off });
        }
        let store = RedisStore::open(url, prefix, ttl, secret, breaker).await?;
        Ok(Self { backend: Backend::Redis(Box::new(store)) })
    }

    /// Whether the cache's Redis answers; `None` when the cache is not in Redis.
    pub async fn redis_answers(&self) -> Option<bool> {
        match &self.backend {
            Backend::Redis(store) => Some(store.answers().await),
            _ => None,
        }
    }

    /// The current generation; note it before reading the database for [`Self::put`].
    /// When there is none (first use, or the token expired) a fresh one is started and
    /// this read is not cached: a fresh token can only invalidate, never revive, entries.
    pub async fn generation(&self) -> Generation {
        if matches!(self.backend, Backend::Off) {
            return Generation(None);
        }
        if let Backend::Redis(store) = &self.backend
            && store.breaker().take_pending()
        {
            // A write's invalidation was lost while Redis was away: nothing cached
            // before it may be served now.
            self.new_generation().await;
        }
        let current = match &self.backend {
            Backend::Local { rows, .. } => {
                lock(rows).cache_get(GENERATION_KEY).and_then(|e| e.value.downcast_ref::<String>().cloned())
            }
            _ => self.raw_get(GENERATION_KEY).await,
        };
        if current.is_none() {
            self.new_generation().await;
        }
        Generation(current)
    }

    /// Starts a new generation: every entry stored under an earlier one is stale.
    async fn new_generation(&self) {
        let token = fresh_token();
        match &self.backend {
            Backend::Off => {}
            Backend::Local { rows, .. } => {
                let entry = LocalEntry { generation: None, value: Arc::new(token) };
                lock(rows).cache_set(GENERATION_KEY.to_owned(), entry);
            }
            Backend::Redis(_) => self.raw_put(GENERATION_KEY, token).await,
        }
    }

    /// The value under `key`, if it was stored in generation `current` (which the
    /// caller just read with [`Self::generation`]).
    pub async fn get<T: Cacheable>(&self, key: &CacheKey, current: &Generation) -> Option<T> {
        let current = current.0.as_ref()?;
        let spelled = key.to_string();
        if let Backend::Local { rows, pages } = &self.backend {
            let value = {
                let mut store = lock(local_store(key, rows, pages));
                let entry = store.cache_get(&spelled)?;
                (entry.generation.as_deref() == Some(current.as_str())).then(|| entry.value.clone())?
            };
            return value.downcast_ref::<T>().cloned();
        }
        let envelope: Envelope<T> = serde_json::from_str(&self.raw_get(&spelled).await?).ok()?;
        (envelope.generation.as_deref() == Some(current.as_str())).then_some(envelope.value)
    }

    /// Stores `value` as read in generation `seen`.
    pub async fn put<T: Cacheable>(&self, key: &CacheKey, value: &T, seen: &Generation) {
        if seen.0.is_none() {
            return;
        }
        if let Backend::Local { rows, pages } = &self.backend {
            let entry = LocalEntry { generation: seen.0.clone(), value: Arc::new(value.clone()) };
            lock(local_store(key, rows, pages)).cache_set(key.to_string(), entry);
            return;
        }
        let envelope = Envelope { generation: seen.0.clone(), value };
        if let Ok(json) = serde_json::to_string(&envelope) {
            self.raw_put(&key.to_string(), json).await;
        }
    }

    /// A Redis read (the in-process store needs no text).
    async fn raw_get(&self, key: &str) -> Option<String> {
        let Backend::Redis(store) = &self.backend else { return None };
        store.get(key).await
    }

    /// A Redis write; a lost one is noted, so the next reader starts a new generation.
    async fn raw_put(&self, key: &str, json: String) {
        let Backend::Redis(store) = &self.backend else { return };
        if !store.put(key, &json).await && key == GENERATION_KEY {
            store.breaker().mark_pending();
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
            Backend::Local { rows, pages } => {
                for key in keys {
                    let _ = lock(local_store(key, rows, pages)).cache_remove(&key.to_string());
                }
            }
            Backend::Redis(store) => {
                for key in keys {
                    if !store.remove(&key.to_string()).await {
                        store.breaker().mark_pending();
                    }
                }
            }
        }
    }
}

/// What the cache can hold: JSON for Redis, a shared clone in process.
pub trait Cacheable: Serialize + DeserializeOwned + Clone + Send + Sync + 'static {}

impl<T: Serialize + DeserializeOwned + Clone + Send + Sync + 'static> Cacheable for T {}

fn local_store<'a, T>(key: &CacheKey, rows: &'a Mutex<T>, pages: &'a Mutex<T>) -> &'a Mutex<T> {
    if key.is_page() { pages } else { rows }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
