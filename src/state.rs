//! What every request handler may reach: the store, the settings and the session store,
//! built once at start-up and cloned into each worker.

use std::sync::Arc;

use crate::config::{Secret, Settings};
use crate::db::models::session::Lifetime;
use crate::session_store::SessionBackend;
use crate::store::Store;

/// Everything a request handler may need, cloned into each worker.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub settings: Arc<Settings>,
    /// Signs and encrypts session cookies; the same on every instance.
    pub session_key: Arc<Secret<Vec<u8>>>,
    pub sessions: SessionBackend,
}

impl AppState {
    /// How long sessions may last, from the settings.
    pub fn session_lifetime(&self) -> Lifetime {
        Lifetime { idle: self.settings.session_idle, max: self.settings.session_max }
    }
}
