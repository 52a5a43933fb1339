//! The in-process side of the object cache: four LRU stores with lifetimes (rows, plain
//! list pages, searches, other pages, each with its own capacity), and the generation
//! token among the rows, and the stamps (`stamps.rs`). Values are kept as they are, not
//! as JSON (a profile of the cached list page had a third of its time in parsing the
//! page back), and cloned out on a hit.
//!
//! The same stores ([`Entries`]) hold the near copies of a cache in Redis: there the
//! generation and the stamps that judge an entry are Redis's, read on every lookup.

use std::any::Any;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cached::{Cached, LruTtlCache};

use super::stamps::LocalStamps;
use super::{CacheKey, Cacheable};

/// How many rows it keeps before evicting the least recent.
const ROW_CAPACITY: usize = 20_000;
/// How many list pages without a text search it keeps: up to a hundred rows each, so
/// fewer than other pages.
const LIST_CAPACITY: usize = 288;
/// How many list pages of a text search it keeps, apart from the others: reading one
/// again looks up its matches first (several milliseconds for a common word, ten times
/// a plain list page), so cheap list pages must not push them out; room for the 300
/// different searches of the real-use benchmark (`bench/real_use.sh`), a guess at what
/// staff type within the cache's lifetime, not a measure of it. With every store full
/// the server stays under 64 MiB: 58.5 MiB at its peak under the real-use benchmark,
/// 62.7 with 96 more plain list pages (docs/PERFORMANCE.md).
const SEARCH_CAPACITY: usize = 320;
/// How many other pages (an account page's surroundings, suggestions, summaries).
const PAGE_CAPACITY: usize = 4_096;

/// The key of the generation token.
const GENERATION_KEY: &str = "generation";

/// What a store keeps under a key: the value, with the generation and stamp counter it
/// was read under and the stamps it depends on.
#[derive(Clone)]
pub(super) struct Entry {
    pub(super) generation: Option<String>,
    pub(super) count: u64,
    pub(super) stamps: Arc<[String]>,
    value: Arc<dyn Any + Send + Sync>,
}

impl Entry {
    /// An entry for `value` as read in generation `token` with the counter at `count`.
    pub(super) fn new<T: Cacheable>(value: T, (token, count): (&str, u64), stamps: Vec<String>) -> Self {
        Self { generation: Some(token.to_owned()), count, stamps: stamps.into(), value: Arc::new(value) }
    }

    /// The value, if it is a `T`.
    pub(super) fn value<T: Cacheable>(&self) -> Option<T> {
        self.value.downcast_ref::<T>().cloned()
    }
}

type Store = Mutex<LruTtlCache<String, Entry>>;

/// The four stores, each entry living the cache's lifetime from when it was stored.
pub(super) struct Entries {
    rows: Store,
    lists: Store,
    searches: Store,
    pages: Store,
}

impl Entries {
    /// The stores for entries living `ttl`; `None` when they can't be built (a zero
    /// lifetime).
    pub(super) fn new(ttl: Duration) -> Option<Self> {
        Self::with_lists(ttl, LIST_CAPACITY)
    }

    /// The stores for near copies of a cache in Redis: half the plain list pages, since
    /// a page missing here costs a parse of Redis's copy rather than a database read,
    /// and that parsing and the connection's buffers take memory of their own. Searches
    /// keep their room: a search found in neither place costs its lookup again.
    pub(super) fn near(ttl: Duration) -> Option<Self> {
        Self::with_lists(ttl, LIST_CAPACITY / 2)
    }

    fn with_lists(ttl: Duration, lists: usize) -> Option<Self> {
        let store = |capacity: usize| LruTtlCache::builder().max_size(capacity).ttl(ttl).build().ok().map(Mutex::new);
        Some(Self {
            rows: store(ROW_CAPACITY)?,
            lists: store(lists)?,
            searches: store(SEARCH_CAPACITY)?,
            pages: store(PAGE_CAPACITY)?,
        })
    }

    fn store_for(&self, key: &CacheKey) -> &Store {
        match key {
            CacheKey::AccountList(query) if query.filter.searches_text() => &self.searches,
            CacheKey::AccountList(_) => &self.lists,
            key if key.is_page() => &self.pages,
            _ => &self.rows,
        }
    }

    /// The entry under `key`, whatever it was read under.
    pub(super) fn entry(&self, key: &CacheKey) -> Option<Entry> {
        lock(self.store_for(key)).cache_get(&key.to_string()).cloned()
    }

    pub(super) fn put(&self, key: &CacheKey, entry: Entry) {
        lock(self.store_for(key)).cache_set(key.to_string(), entry);
    }

    pub(super) fn remove(&self, keys: &[CacheKey]) {
        for key in keys {
            let _ = lock(self.store_for(key)).cache_remove(&key.to_string());
        }
    }
}

pub(super) struct LocalCache {
    entries: Entries,
    stamps: LocalStamps,
}

impl LocalCache {
    /// The stores for entries living `ttl`; `None` when they can't be built (a zero
    /// lifetime).
    pub(super) fn new(ttl: Duration) -> Option<Self> {
        Some(Self { entries: Entries::new(ttl)?, stamps: LocalStamps::new(ttl) })
    }

    /// The generation token (if one lives) and the stamp counter.
    pub(super) fn generation(&self) -> (Option<String>, u64) {
        let token = lock(&self.entries.rows).cache_get(GENERATION_KEY).and_then(Entry::value::<String>);
        (token, self.stamps.count())
    }

    pub(super) fn set_generation(&self, token: String) {
        let entry = Entry { generation: None, count: 0, stamps: Arc::new([]), value: Arc::new(token) };
        lock(&self.entries.rows).cache_set(GENERATION_KEY.to_owned(), entry);
    }

    /// The value under `key` if it was stored in generation `token`, none of its stamps
    /// was renewed since, and it is a `T`.
    pub(super) fn get<T: Cacheable>(&self, key: &CacheKey, token: &str) -> Option<T> {
        let entry = self.entries.entry(key)?;
        let good = entry.generation.as_deref() == Some(token) && self.stamps.fresh(&entry.stamps, entry.count);
        good.then(|| entry.value())?
    }

    /// Stores `value` as read in generation `token` with the counter at `count`.
    pub(super) fn put<T: Cacheable>(&self, key: &CacheKey, value: &T, seen: (&str, u64), stamps: Vec<String>) {
        self.entries.put(key, Entry::new(value.clone(), seen, stamps));
    }

    pub(super) fn renew(&self, names: &[String]) {
        self.stamps.renew(names);
    }

    pub(super) fn remove(&self, keys: &[CacheKey]) {
        self.entries.remove(keys);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::models::account_list::{AccountFilter, ListQuery, Scope, Search, Sort};

    fn list(search: Option<&str>, per_page: i64) -> CacheKey {
        let filter = AccountFilter { search: search.and_then(Search::parse), ..AccountFilter::default() };
        CacheKey::AccountList(ListQuery { scope: Scope::All, filter, sort: Sort::default(), cursor: None, per_page })
    }

    fn stored(entries: &Entries, key: &CacheKey) -> bool {
        entries.entry(key).is_some()
    }

    #[test]
    fn plain_list_pages_never_push_out_a_search() {
        let entries = Entries::new(Duration::from_secs(60)).expect("stores");
        let entry = || Entry::new(0u8, ("g", 0), Vec::new());
        let search = list(Some("robotics"), 25);
        entries.put(&search, entry());
        // More plain pages than their store holds: the oldest of them go, the search stays.
        let plain: Vec<CacheKey> = (1..=LIST_CAPACITY as i64 + 1).map(|n| list(None, n)).collect();
        for key in &plain {
            entries.put(key, entry());
        }
        assert!(stored(&entries, &search));
        assert!(!stored(&entries, &plain[0]), "the least recent plain page went");
        assert!(stored(&entries, &plain[LIST_CAPACITY]));
        // Searches have a store of their own, with its own bound.
        let searches: Vec<CacheKey> = (1..=SEARCH_CAPACITY as i64).map(|n| list(Some("robotics"), 25 + n)).collect();
        for key in &searches {
            entries.put(key, entry());
        }
        assert!(!stored(&entries, &search), "the least recent search went");
        assert!(stored(&entries, &plain[LIST_CAPACITY]), "no plain page went for a search");
    }
}
