//! Stamps in process: a counter that every narrow write advances, and for each stamp the
//! count at which it was last renewed. An entry read when the counter stood at `n` is
//! good while none of its stamps was renewed past `n`.
//!
//! A renewal is forgotten once it is older than twice the entries' lifetime: by then
//! every entry read before it has expired (a read that takes longer than the lifetime
//! is not kept at all: [`super::ObjectCache::put`]).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Past this many remembered renewals, the old ones are forgotten.
const PRUNE_ABOVE: usize = 50_000;

pub(super) struct LocalStamps {
    inner: Mutex<Inner>,
    keep: Duration,
}

#[derive(Default)]
struct Inner {
    count: u64,
    renewed: HashMap<String, (u64, Instant)>,
    /// Prune when `renewed` grows past this: twice what the last pruning kept, so
    /// steady writes prune now and then, not on every write.
    prune_above: usize,
}

impl LocalStamps {
    pub(super) fn new(ttl: Duration) -> Self {
        Self { inner: Mutex::default(), keep: ttl.saturating_mul(2) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The counter now: note it before reading the database.
    pub(super) fn count(&self) -> u64 {
        self.lock().count
    }

    /// Renews these stamps: entries that name one of them, read before now, are stale.
    pub(super) fn renew(&self, names: &[String]) {
        let now = Instant::now();
        let mut inner = self.lock();
        inner.count += 1;
        let count = inner.count;
        for name in names {
            inner.renewed.insert(name.clone(), (count, now));
        }
        if inner.renewed.len() > inner.prune_above.max(PRUNE_ABOVE) {
            let keep = self.keep;
            inner.renewed.retain(|_, (_, at)| now.duration_since(*at) < keep);
            inner.prune_above = inner.renewed.len().saturating_mul(2);
        }
    }

    /// Whether none of `names` was renewed after the counter stood at `count`.
    pub(super) fn fresh(&self, names: &[String], count: u64) -> bool {
        let inner = self.lock();
        names.iter().all(|name| inner.renewed.get(name).is_none_or(|(renewed, _)| *renewed <= count))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_stale_once_a_stamp_it_names_is_renewed() {
        let stamps = LocalStamps::new(Duration::from_secs(60));
        let (a, b) = ("stamp:account:1".to_owned(), "stamp:account:2".to_owned());
        let read_at = stamps.count();
        assert!(stamps.fresh(&[a.clone(), b.clone()], read_at));
        stamps.renew(std::slice::from_ref(&a));
        assert!(!stamps.fresh(std::slice::from_ref(&a), read_at), "renewed after the read");
        assert!(stamps.fresh(std::slice::from_ref(&b), read_at), "another stamp is untouched");
        assert!(stamps.fresh(&[a, b], stamps.count()), "a read after the renewal is good");
    }

    #[test]
    fn renewals_older_than_twice_the_lifetime_are_forgotten_now_and_then() {
        let stamps = LocalStamps::new(Duration::from_millis(1));
        for i in 0..PRUNE_ABOVE {
            stamps.renew(&[format!("stamp:account:{i}")]);
        }
        std::thread::sleep(Duration::from_millis(5));
        stamps.renew(&["stamp:account:last".to_owned()]);
        let inner = stamps.lock();
        assert_eq!(inner.renewed.len(), 1, "only the fresh renewal is kept");
        assert_eq!(inner.prune_above, 2);
    }
}
