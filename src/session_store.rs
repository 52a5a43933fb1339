//! The session store chosen at start: signed, encrypted cookies by default, or Redis
//! when `REDIS_URL` is set (the cookie then holds only a session key, and every
//! instance sees the same sessions, including their end).
//!
//! In Redis, a session's state is sealed to its session key (see `redis_guard`): a
//! state that was forged, or copied under another session's key, does not load. Every
//! call has a time limit and goes through a circuit breaker; when Redis can't answer,
//! the error names [`SESSION_STORE_DOWN`], which the app answers with 503.

use std::collections::HashMap;
use std::sync::Arc;

use actix_session::storage::{
    CookieSessionStore, LoadError, RedisSessionStore, SaveError, SessionKey, SessionStore, UpdateError,
};
use actix_web::cookie::time::Duration;

use crate::cache::ObjectCache;
use crate::redis_guard::{Breaker, RedisDown, Seal};

/// Part of the message of every error from an unreachable session store.
pub const SESSION_STORE_DOWN: &str = "session store unavailable";

/// The state entry that holds the seal.
const SEAL: &str = "_seal";

#[derive(Clone)]
pub enum SessionBackend {
    Cookie,
    Redis(Arc<RedisSessions>),
}

pub struct RedisSessions {
    store: RedisSessionStore,
    seal: Seal,
    breaker: Arc<Breaker>,
    prefix: String,
    /// The object cache on the same Redis: a session's state is read in the round trip
    /// that asks where the cache stands, so a request whose pages are all held in
    /// process asks Redis once.
    cache: Arc<ObjectCache>,
}

/// Where a session's state lives in Redis.
fn redis_key(prefix: &str, key: &str) -> String {
    format!("{prefix}:session:{key}")
}

impl SessionBackend {
    /// Sessions in Redis under `<prefix>:session:<key>`, sealed with a key derived from
    /// `secret`, their calls through `breaker` (shared with the object cache), read
    /// beside the object cache `cache` when it is in the same Redis.
    pub async fn redis(
        url: &str,
        prefix: &str,
        secret: &[u8],
        breaker: Arc<Breaker>,
        cache: Arc<ObjectCache>,
    ) -> anyhow::Result<Self> {
        let keys = prefix.to_owned();
        let store = RedisSessionStore::builder(url.to_owned())
            .cache_keygen(move |key| redis_key(&keys, key))
            .build()
            .await
            .map_err(|e| anyhow::anyhow!("REDIS_URL: could not open the session store: {e}"))?;
        let seal = Seal::new(secret, "session");
        let sessions = RedisSessions { store, seal, breaker, prefix: prefix.to_owned(), cache };
        Ok(Self::Redis(Arc::new(sessions)))
    }
}

impl SessionBackend {
    /// Whether a Redis call failed in the last moments (the breaker is open): requests
    /// that need a session answer 503 at once rather than wait for it.
    pub fn is_known_down(&self) -> bool {
        matches!(self, Self::Redis(r) if r.breaker.is_open())
    }

    /// Whether the session store's Redis answers; `None` for cookie sessions.
    pub async fn redis_answers(&self) -> Option<bool> {
        let Self::Redis(r) = self else { return None };
        let probe = SessionKey::try_from("health".to_owned()).ok()?;
        Some(r.breaker.call(r.store.load(&probe)).await.is_ok())
    }
}

type State = HashMap<String, String>;

fn down(e: RedisDown) -> anyhow::Error {
    anyhow::anyhow!("{SESSION_STORE_DOWN}: {e}")
}

impl RedisSessions {
    /// What the seal covers: the session key, then `state`'s entries in order.
    fn parts<'a>(key: &'a str, state: &'a State) -> Vec<&'a [u8]> {
        let mut entries: Vec<(&String, &String)> = state.iter().filter(|(k, _)| *k != SEAL).collect();
        entries.sort();
        let mut parts: Vec<&[u8]> = vec![key.as_bytes()];
        for (k, v) in entries {
            parts.extend([k.as_bytes(), v.as_bytes()]);
        }
        parts
    }

    fn sealed(&self, key: &str, mut state: State) -> State {
        state.remove(SEAL);
        let tag = self.seal.tag(&Self::parts(key, &state));
        state.insert(SEAL.to_owned(), tag);
        state
    }

    /// The state stored under `key`: with the object cache in this Redis, read in the
    /// same round trip that asks where the cache stands; else on its own.
    async fn stored(&self, key: &SessionKey) -> Result<Option<State>, LoadError> {
        let Some(read) = self.cache.read_beside(&redis_key(&self.prefix, key.as_ref())).await else {
            return self.breaker.call(self.store.load(key)).await.map_err(|e| LoadError::Other(down(e)));
        };
        match read.map_err(|e| LoadError::Other(down(e)))? {
            Some(json) => serde_json::from_str(&json).map(Some).map_err(|e| LoadError::Deserialization(e.into())),
            None => Ok(None),
        }
    }

    async fn load(&self, key: &SessionKey) -> Result<Option<State>, LoadError> {
        let Some(mut state) = self.stored(key).await? else { return Ok(None) };
        let tag = state.remove(SEAL).unwrap_or_default();
        if !self.seal.verify(&Self::parts(key.as_ref(), &state), &tag) {
            tracing::warn!("a session's seal does not hold; treating it as signed out");
            return Ok(None);
        }
        Ok(Some(state))
    }

    /// Stores `state` under `key` sealed; Redis may answer with a fresh key (when the
    /// old one expired), and the state is sealed again for that one.
    async fn store_sealed(&self, key: SessionKey, state: State, ttl: &Duration) -> Result<SessionKey, UpdateError> {
        let name = key.as_ref().to_owned();
        let sealed = self.sealed(&name, state.clone());
        let stored = self.breaker.call(self.store.update(key, sealed, ttl)).await;
        let stored = stored.map_err(|e| UpdateError::Other(down(e)))?;
        if stored.as_ref() == name {
            return Ok(stored);
        }
        let resealed = self.sealed(stored.as_ref(), state);
        self.breaker.call(self.store.update(stored, resealed, ttl)).await.map_err(|e| UpdateError::Other(down(e)))
    }
}

impl SessionStore for SessionBackend {
    async fn load(&self, key: &SessionKey) -> Result<Option<State>, LoadError> {
        match self {
            Self::Cookie => CookieSessionStore::default().load(key).await,
            Self::Redis(r) => r.load(key).await,
        }
    }

    async fn save(&self, state: State, ttl: &Duration) -> Result<SessionKey, SaveError> {
        match self {
            Self::Cookie => CookieSessionStore::default().save(state, ttl).await,
            Self::Redis(r) => {
                // The key comes from Redis, so the first write can't be sealed to it:
                // it is stored unsealed (so it would not load) and sealed at once.
                let saved = r.breaker.call(r.store.save(state.clone(), ttl)).await;
                let key = saved.map_err(|e| SaveError::Other(down(e)))?;
                r.store_sealed(key, state, ttl).await.map_err(|e| match e {
                    UpdateError::Serialization(e) => SaveError::Serialization(e),
                    UpdateError::Other(e) => SaveError::Other(e),
                })
            }
        }
    }

    async fn update(&self, key: SessionKey, state: State, ttl: &Duration) -> Result<SessionKey, UpdateError> {
        match self {
            Self::Cookie => CookieSessionStore::default().update(key, state, ttl).await,
            Self::Redis(r) => r.store_sealed(key, state, ttl).await,
        }
    }

    async fn update_ttl(&self, key: &SessionKey, ttl: &Duration) -> Result<(), anyhow::Error> {
        match self {
            Self::Cookie => CookieSessionStore::default().update_ttl(key, ttl).await,
            Self::Redis(r) => r.breaker.call(r.store.update_ttl(key, ttl)).await.map_err(down),
        }
    }

    async fn delete(&self, key: &SessionKey) -> Result<(), anyhow::Error> {
        match self {
            Self::Cookie => CookieSessionStore::default().delete(key).await,
            Self::Redis(r) => r.breaker.call(r.store.delete(key)).await.map_err(down),
        }
    }
}
