//! Test helpers: a fresh database per test (a temp SQLite file always; a fresh
//! PostgreSQL database when TEST_DATABASE_URL is set), and an app built on it.

use std::io::Write;
use std::sync::Arc;

use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use smarter_accounts::cache::ObjectCache;
use smarter_accounts::config::{DatabaseUrl, Settings};
use smarter_accounts::db::{self, DbPool, PooledConn};
use smarter_accounts::startup::{self, AppState};
use smarter_accounts::store::Store;

/// Prints a notice the test harness does not capture, so a skip is visible.
pub fn notice(message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{message}");
}

fn random_suffix() -> String {
    let mut bytes = [0u8; 6];
    rand::fill(&mut bytes);
    hex::encode(bytes)
}

pub struct TestDb {
    pub url: DatabaseUrl,
    _dir: Option<tempfile::TempDir>,
    postgres_admin: Option<(String, String)>,
}

impl TestDb {
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = dir.path().join("test.db");
        Self {
            url: DatabaseUrl::Sqlite(path.display().to_string()),
            _dir: Some(dir),
            postgres_admin: None,
        }
    }

    /// A fresh database on the server TEST_DATABASE_URL names, dropped afterwards;
    /// `None` (with a notice) when the variable is unset.
    pub fn postgres() -> Option<Self> {
        let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") else {
            notice("skipped: PostgreSQL test (set TEST_DATABASE_URL to run it)");
            return None;
        };
        let name = format!("sa_test_{}", random_suffix());
        let mut admin =
            PgConnection::establish(&admin_url).expect("TEST_DATABASE_URL must be reachable");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("CREATE DATABASE");
        let mut url = url::Url::parse(&admin_url).expect("TEST_DATABASE_URL is a URL");
        url.set_path(&format!("/{name}"));
        Some(Self {
            url: DatabaseUrl::Postgres(url.to_string()),
            _dir: None,
            postgres_admin: Some((admin_url, name)),
        })
    }

    pub fn settings(&self) -> Settings {
        let mut settings = Settings::for_database(self.url.clone());
        settings.cache_prefix = format!("sa-test-{}", random_suffix());
        settings
    }

    /// A migrated, bootstrapped pool.
    pub fn pool(&self) -> DbPool {
        let settings = self.settings();
        let pool = db::build_pool(&self.url, 8);
        startup::prepare_database(&settings, &pool).expect("prepare the database");
        pool
    }

    pub fn conn(pool: &DbPool) -> PooledConn {
        pool.get().expect("a pooled connection")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = &self.postgres_admin
            && let Ok(mut admin) = PgConnection::establish(admin_url)
        {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// An app state on a prepared database with an in-process cache.
pub async fn state(db: &TestDb) -> AppState {
    startup::prepare(db.settings()).await.expect("app state")
}

/// A store on `pool` with its own in-process cache.
pub fn store(pool: &DbPool) -> Store {
    Store::new(
        pool.clone(),
        Arc::new(ObjectCache::local(std::time::Duration::from_secs(60))),
    )
}

/// Runs each test body once on SQLite and once on PostgreSQL (when configured).
#[macro_export]
macro_rules! on_both_databases {
    ($(async fn $name:ident($db:ident: TestDb) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn body($db: $crate::support::TestDb) $body

                #[actix_web::test]
                async fn sqlite() {
                    body($crate::support::TestDb::sqlite()).await
                }

                #[actix_web::test]
                async fn postgres() {
                    if let Some(db) = $crate::support::TestDb::postgres() {
                        body(db).await
                    }
                }
            }
        )*
    };
}
