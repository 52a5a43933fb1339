//! Values handed out by reference count.

use std::sync::Arc;

use serde::Serialize;

/// A value the cache hands out by reference count: a hit clones the pointer, not the
/// value (for large values read on every view, such as an account page's surroundings).
/// In Redis it is stored as the value itself.
#[derive(Debug)]
pub struct Shared<T>(Arc<T>);

impl<T> Shared<T> {
    pub fn new(value: T) -> Self {
        Self(Arc::new(value))
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Serialize> Serialize for Shared<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Shared<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Self::new)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::Shared;
    use crate::cache::{CacheKey, ObjectCache};
    use crate::db::models::account_list::Scope;

    #[test]
    fn a_shared_value_is_stored_as_the_value_itself() {
        let shared = Shared::new(vec!["ada".to_owned()]);
        let json = serde_json::to_string(&shared).unwrap();
        assert_eq!(json, r#"["ada"]"#);
        let back: Shared<Vec<String>> = serde_json::from_str(&json).unwrap();
        assert_eq!(*back, *shared);
    }

    #[tokio::test]
    async fn in_process_hits_of_a_shared_value_share_one_copy() {
        let cache = ObjectCache::local(Duration::from_secs(60));
        let key = CacheKey::TagSuggestions { scope: Scope::All };
        cache.generation().await; // the very first read only starts the generation
        let (seen, _) = cache.lookup::<Shared<Vec<String>>>(&key).await;
        cache.put(&key, &Shared::new(vec!["ada".to_owned()]), &seen).await;
        let (_, first) = cache.lookup::<Shared<Vec<String>>>(&key).await;
        let (_, second) = cache.lookup::<Shared<Vec<String>>>(&key).await;
        let (first, second) = (first.unwrap(), second.unwrap());
        assert_eq!(*first, ["ada"]);
        assert!(std::ptr::eq(&*first, &*second), "one copy, handed out twice");
    }
}
