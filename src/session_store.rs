//! The session store chosen at start: signed, encrypted cookies by default, or Redis
//! when `REDIS_URL` is set (the cookie then holds only a session key, and every
//! instance sees the same sessions, including their end).

use std::collections::HashMap;

use actix_session::storage::{
    CookieSessionStore, LoadError, RedisSessionStore, SaveError, SessionKey, SessionStore, UpdateError,
};
use actix_web::cookie::time::Duration;

#[derive(Clone)]
pub enum SessionBackend {
    Cookie,
    Redis(RedisSessionStore),
}

impl SessionBackend {
    /// Sessions in Redis under `<prefix>:session:<key>`.
    pub async fn redis(url: &str, prefix: &str) -> anyhow::Result<Self> {
        let prefix = prefix.to_owned();
        let store = RedisSessionStore::builder(url.to_owned())
            .cache_keygen(move |key| format!("{prefix}:session:{key}"))
            .build()
            .await
            .map_err(|e| anyhow::anyhow!("REDIS_URL: could not open the session store: {e}"))?;
        Ok(Self::Redis(store))
    }
}

type State = HashMap<String, String>;

impl SessionStore for SessionBackend {
    async fn load(&self, key: &SessionKey) -> Result<Option<State>, LoadError> {
        match self {
            Self::Cookie => CookieSessionStore::default().load(key).await,
            Self::Redis(s) => s.load(key).await,
        }
    }

    async fn save(&self, state: State, ttl: &Duration) -> Result<SessionKey, SaveError> {
        match self {
            Self::Cookie => CookieSessionStore::default().save(state, ttl).await,
            Self::Redis(s) => s.save(state, ttl).await,
        }
    }

    async fn update(&self, key: SessionKey, state: State, ttl: &Duration) -> Result<SessionKey, UpdateError> {
        match self {
            Self::Cookie => CookieSessionStore::default().update(key, state, ttl).await,
            Self::Redis(s) => s.update(key, state, ttl).await,
        }
    }

    async fn update_ttl(&self, key: &SessionKey, ttl: &Duration) -> Result<(), anyhow::Error> {
        match self {
            Self::Cookie => CookieSessionStore::default().update_ttl(key, ttl).await,
            Self::Redis(s) => s.update_ttl(key, ttl).await,
        }
    }

    async fn delete(&self, key: &SessionKey) -> Result<(), anyhow::Error> {
        match self {
            Self::Cookie => CookieSessionStore::default().delete(key).await,
            Self::Redis(s) => s.delete(key).await,
        }
    }
}
