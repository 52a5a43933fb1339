//! The object cache in Redis, shared by every instance, with near copies in process.
//!
//! Redis is the authority on what is current: the generation, the stamp counter and the
//! stamps live there and are read on every lookup. What a lookup needn't do again is
//! fetch, unseal and parse an entry this instance already holds: an entry it stored, or
//! found in Redis, is kept in process too (`local::Entries`) with the generation, counter
//! and stamps it was read under, and judged by the same rule as an entry in Redis. A
//! lookup of a held entry reads the generation, the counter and that entry's stamps in
//! one `MGET`, and no value crosses the wire.
//!
//! Within one request (see [`per_request`]) the generation and counter are read once: a
//! write that finished before the request began is seen by all of it, and a held entry
//! read under the very same generation and counter is good without asking again (no
//! stamp was renewed since, or the counter would have moved). A write the request makes
//! itself forgets what it read, so its own later reads ask Redis again.

use std::cell::RefCell;
use std::future::Future;
use std::time::Instant;

use super::local::{Entries, Entry};
use super::redis::{self, Found, RedisStore};
use super::{CacheKey, Cacheable, ENTRY_FORM, Envelope, Generation, Stamp, fresh_token};
use crate::redis_guard::RedisDown;

tokio::task_local! {
    /// Where the cache stood when the current request first asked Redis.
    static SEEN: RefCell<Option<Generation>>;
}

/// Runs one request (`work`) with its own view of where the shared cache stands.
pub async fn per_request<F: Future>(work: F) -> F::Output {
    SEEN.scope(RefCell::new(None), work).await
}

/// What this request saw, if it is in one and has asked Redis.
fn seen_in_request() -> Option<Generation> {
    SEEN.try_with(|seen| seen.borrow().clone()).ok().flatten()
}

fn remember(seen: &Generation) {
    let keep = seen.token.is_some().then(|| seen.clone());
    let _ = SEEN.try_with(|slot| *slot.borrow_mut() = keep);
}

fn forget() {
    let _ = SEEN.try_with(|slot| slot.borrow_mut().take());
}

pub(super) struct SharedCache {
    pub(super) store: RedisStore,
    near: Entries,
}

impl SharedCache {
    pub(super) fn new(store: RedisStore, near: Entries) -> Self {
        Self { store, near }
    }

    /// Starts a new generation: every entry stored under an earlier one is stale. When
    /// Redis does not take it, the next reader (on this instance) tries again first.
    pub(super) async fn new_generation(&self) {
        forget();
        if !self.store.set_generation(&fresh_token()).await {
            self.store.breaker().mark_pending();
        }
    }

    /// A write's invalidation was lost while Redis was away: nothing cached before it
    /// may be served now.
    async fn catch_up(&self) {
        if self.store.breaker().take_pending() {
            self.new_generation().await;
        }
    }

    /// Asks Redis where the cache stands, with the entry under `key` (if given) and the
    /// stamps named, and notes the answer for the rest of the request; `None` when
    /// Redis did not answer. With no generation living, a new one is started, and
    /// nothing read under this answer is good.
    async fn ask(&self, key: Option<&str>, stamps: &[String]) -> Option<(Generation, Found)> {
        let at = Instant::now();
        let mut found = self.store.lookup(key, stamps).await?;
        let seen = self.note(found.generation.take(), found.count, at).await;
        Some((seen, found))
    }

    /// Notes Redis's answer (asked at `at`) for the rest of the request, or starts a new
    /// generation when none lives.
    async fn note(&self, token: Option<String>, count: u64, at: Instant) -> Generation {
        let seen = Generation { token, count, at };
        if seen.token.is_none() {
            self.new_generation().await;
        } else {
            remember(&seen);
        }
        seen
    }

    /// The value under the Redis key `outside` (the session's state), read in the same
    /// round trip that asks where the cache stands; the answer is noted for the rest of
    /// the request, so a held entry read under it needs no further call.
    pub(super) async fn read_beside(&self, outside: &str) -> Result<Option<String>, RedisDown> {
        self.catch_up().await;
        let at = Instant::now();
        let (value, (token, count)) = self.store.read_beside(outside).await?;
        self.note(token, count, at).await;
        Ok(value)
    }

    /// Where the cache stands: what this request saw, or Redis's answer now.
    pub(super) async fn generation(&self) -> Generation {
        self.catch_up().await;
        if let Some(seen) = seen_in_request() {
            return seen;
        }
        self.ask(None, &[]).await.map_or_else(Generation::unknown, |(seen, _)| seen)
    }

    /// Where the cache stands and the value under `key` if it is good.
    pub(super) async fn lookup<T: Cacheable>(&self, key: &CacheKey) -> (Generation, Option<T>) {
        self.catch_up().await;
        if let Some(entry) = self.near.entry(key) {
            match self.judge(&entry).await {
                Some((seen, true)) => return (seen, entry.value()),
                Some((_, false)) => self.near.remove(std::slice::from_ref(key)),
                None => return (Generation::unknown(), None),
            }
        }
        let known: Vec<String> = key.stamps().iter().map(Stamp::to_string).collect();
        let Some((seen, found)) = self.ask(Some(&key.to_string()), &known).await else {
            return (Generation::unknown(), None);
        };
        let hit = match &found.entry {
            Some(entry) => self.unpack(key, entry, &seen, &known, &found.renewed).await,
            None => None,
        };
        (seen, hit)
    }

    /// Whether a held entry is good: where the cache stands (`None` when Redis did not
    /// answer) and the verdict.
    async fn judge(&self, entry: &Entry) -> Option<(Generation, bool)> {
        if let Some(seen) = seen_in_request()
            && seen.token == entry.generation
            && seen.count == entry.count
        {
            return Some((seen, true));
        }
        let (seen, found) = self.ask(None, &entry.stamps).await?;
        let good = seen.token.is_some()
            && seen.token == entry.generation
            && entry.count <= seen.count
            && redis::renewed_by(&found.renewed, entry.count);
        Some((seen, good))
    }

    /// The value under `key` if it was stored in generation `current` and none of its
    /// stamps was renewed since.
    pub(super) async fn get<T: Cacheable>(&self, key: &CacheKey, current: &Generation) -> Option<T> {
        current.token.as_ref()?;
        if let Some(entry) = self.near.entry(key)
            && entry.generation == current.token
            && entry.count == current.count
        {
            return entry.value();
        }
        let entry = self.store.lookup(Some(&key.to_string()), &[]).await?.entry?;
        self.unpack(key, &entry, current, &[], &[]).await
    }

    /// A Redis entry's value if it was stored in generation `seen` and none of its stamps
    /// was renewed since: `renewed` answers for the stamps in `known`, Redis for the rest
    /// (unless the counter has not moved since the entry was read). A good one is held.
    async fn unpack<T: Cacheable>(
        &self,
        key: &CacheKey,
        entry: &str,
        seen: &Generation,
        known: &[String],
        renewed: &[Option<u64>],
    ) -> Option<T> {
        let token = seen.token.as_deref()?;
        let envelope: Envelope<T> = serde_json::from_str(entry).ok()?;
        if envelope.form != ENTRY_FORM {
            return None;
        }
        if envelope.generation.as_deref() != Some(token) || !redis::renewed_by(renewed, envelope.count) {
            return None;
        }
        if envelope.count != seen.count {
            let rest: Vec<String> = envelope.stamps.iter().filter(|s| !known.contains(s)).cloned().collect();
            if !self.store.fresh(&rest, envelope.count).await {
                return None;
            }
        }
        let held = Entry::new(envelope.value.clone(), (token, envelope.count), envelope.stamps);
        self.near.put(key, held);
        Some(envelope.value)
    }

    /// Stores `value` as read since `seen`, depending on `stamps`, in Redis and here.
    pub(super) async fn put<T: Cacheable>(&self, key: &CacheKey, value: &T, seen: &Generation, stamps: Vec<String>) {
        let Some(token) = seen.token.as_deref() else { return };
        let envelope = Envelope { form: ENTRY_FORM, generation: seen.token.clone(), count: seen.count, stamps, value };
        if let Ok(json) = serde_json::to_string(&envelope) {
            self.store.put(&key.to_string(), &json).await;
        }
        self.near.put(key, Entry::new(value.clone(), (token, seen.count), envelope.stamps));
    }

    /// Renews `stamps` after a narrow write; a failure is noted, so the next reader
    /// starts a new generation.
    pub(super) async fn renew(&self, names: &[String]) {
        forget();
        if !self.store.renew(names).await {
            self.store.breaker().mark_pending();
        }
    }

    /// Starts a new generation and removes every key given.
    pub(super) async fn invalidate(&self, keys: &[CacheKey]) {
        self.new_generation().await;
        self.near.remove(keys);
        if !self.store.remove(&keys.iter().map(CacheKey::to_string).collect::<Vec<_>>()).await {
            self.store.breaker().mark_pending();
        }
    }
}
