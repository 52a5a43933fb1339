//! The database layer: one connection type over SQLite and PostgreSQL, its pool, the
//! embedded migrations, and the few places where the two dialects differ.

pub mod count_rows;
mod error;
pub mod fixed_sql;
pub mod ids;
pub mod models;
pub mod schema;
mod transaction;

use std::ops::{Deref, DerefMut};
use std::time::{Duration, Instant};

use diesel::connection::{DefaultLoadingMode, SimpleConnection};
use diesel::pg::PgConnection;
use diesel::query_dsl::methods::{LimitDsl, LoadQuery};
use diesel::r2d2::{self, ManageConnection, Pool, PooledConnection, R2D2Connection};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, QueryResult, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::config::DatabaseUrl;

pub use error::{StoreError, Unavailable};
pub use ids::{AccountId, ContactId, UserId};
pub use transaction::{lock_default_account_flag, lock_superusers, lock_throttle, write_transaction};

/// A connection to whichever backend `DATABASE_URL` names.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

impl DbConnection {
    pub fn is_sqlite(&self) -> bool {
        matches!(self, DbConnection::Sqlite(_))
    }
}

/// Runs the same code on whichever concrete connection `conn` holds, for the few
/// statements diesel's multi-connection can't express (multi-row inserts).
#[macro_export]
macro_rules! with_backend {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::db::DbConnection::Sqlite($c) => $body,
            $crate::db::DbConnection::Postgresql($c) => $body,
        }
    };
}

/// A pooled connection with what the pool knows of its health.
pub struct Conn {
    inner: DbConnection,
    /// When the connection last answered a query the pool sent it (or was opened).
    checked_at: Instant,
    /// The last work done on it failed: prove it alive before handing it out again.
    suspect: bool,
}

impl Conn {
    /// Marks the connection for a check before its next use (after a failed query, which
    /// may mean the server went away).
    pub fn suspect(&mut self) {
        self.suspect = true;
    }
}

impl Deref for Conn {
    type Target = DbConnection;

    fn deref(&self) -> &DbConnection {
        &self.inner
    }
}

impl DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut DbConnection {
        &mut self.inner
    }
}

/// A connection that answered this recently and has not failed since is handed out
/// without a `SELECT 1`: on PostgreSQL that round trip was a quarter of the account
/// page's queries.
const CHECK_AFTER: Duration = Duration::from_secs(1);

pub type DbPool = Pool<ConnectionManager>;
pub type PooledConn = PooledConnection<ConnectionManager>;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// How long a SQLite writer waits for the lock before giving up with "database is locked".
const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;

/// Each SQLite connection's page cache, in KiB (SQLite's default is 2 000). Pages the
/// cache drops are still in the operating system's file cache, so a smaller cache costs
/// a copy, not a disk read: at 100 000 accounts under the real-use benchmark it cut the
/// peak memory by 10–15 MiB with no change in speed beyond the machine's noise.
const SQLITE_CACHE_KIB: u32 = 1_024;

/// Opens connections of the variant the URL's scheme names, so a bad URL reports the
/// real error (diesel's derived `establish` tries every backend and keeps none of their
/// errors), and sets SQLite's per-connection pragmas.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: DatabaseUrl,
}

impl ConnectionManager {
    pub fn new(url: DatabaseUrl) -> Self {
        Self { url }
    }

    pub fn establish(&self) -> Result<DbConnection, diesel::ConnectionError> {
        match &self.url {
            DatabaseUrl::Postgres(url) => PgConnection::establish(url).map(DbConnection::Postgresql),
            DatabaseUrl::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(path)?;
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS};
                     PRAGMA journal_mode = WAL;
                     PRAGMA synchronous = NORMAL;
                     PRAGMA foreign_keys = ON;
                     PRAGMA cache_size = -{SQLITE_CACHE_KIB};"
                ))
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

impl ManageConnection for ConnectionManager {
    type Connection = Conn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<Conn, r2d2::Error> {
        let inner = self.establish().map_err(r2d2::Error::ConnectionError)?;
        Ok(Conn { inner, checked_at: Instant::now(), suspect: false })
    }

    /// Checks a connection on check-out when it failed last time or has not been heard
    /// from for [`CHECK_AFTER`]; a dead one is dropped and the pool opens another.
    fn is_valid(&self, conn: &mut Conn) -> Result<(), r2d2::Error> {
        if !conn.suspect && conn.checked_at.elapsed() < CHECK_AFTER {
            return Ok(());
        }
        conn.inner.batch_execute("SELECT 1").map_err(r2d2::Error::QueryError)?;
        conn.checked_at = Instant::now();
        conn.suspect = false;
        Ok(())
    }

    /// A connection left inside a transaction it can't roll back is never reused.
    fn has_broken(&self, conn: &mut Conn) -> bool {
        std::thread::panicking() || conn.inner.is_broken()
    }
}

/// Builds the pool without opening a connection first, so the caller decides whether an
/// unreachable database is fatal (start-up) or a 503 (serving).
pub fn build_pool(url: &DatabaseUrl, size: u32) -> DbPool {
    Pool::builder()
        .max_size(size)
        .min_idle(Some(0))
        .connection_timeout(Duration::from_secs(5))
        .test_on_check_out(true)
        .build_unchecked(ConnectionManager::new(url.clone()))
}

/// Applies every pending migration of the connection's dialect.
/// The migration that adds the folded e-mail and username columns, filled by SQL
/// `lower()`; the program folds them again after it.
const FOLDED_KEYS_MIGRATION: &str = "20261130000006";

pub fn run_migrations(conn: &mut DbConnection) -> anyhow::Result<Vec<String>> {
    let applied = match conn {
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
        DbConnection::Postgresql(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
    }
    .map_err(|e| anyhow::anyhow!("migrations failed: {e}"))?;
    let applied: Vec<String> = applied.into_iter().map(|v| v.to_string()).collect();
    if applied.iter().any(|v| v == FOLDED_KEYS_MIGRATION) {
        models::fold_keys_again(conn).map_err(|e| anyhow::anyhow!("folding e-mails and usernames failed: {e}"))?;
    }
    Ok(applied)
}

/// Reverts the newest applied migration (its `down.sql`) and names it: for checking that
/// migrations undo cleanly and apply again over existing rows.
pub fn revert_last_migration(conn: &mut DbConnection) -> anyhow::Result<String> {
    let reverted = match conn {
        DbConnection::Sqlite(c) => c.revert_last_migration(SQLITE_MIGRATIONS),
        DbConnection::Postgresql(c) => c.revert_last_migration(POSTGRES_MIGRATIONS),
    }
    .map_err(|e| anyhow::anyhow!("reverting a migration failed: {e}"))?;
    Ok(reverted.to_string())
}

/// The one row a lookup by a unique key found, if any.
///
/// Such lookups are written without `LIMIT 1`: the bundled SQLite plans with the value
/// of a bound `LIMIT`, so it prepares a statement that has one again whenever the
/// value is bound anew, which is every run (the session, the account and its history
/// had spent a sixth of an uncached account page in SQLite's parser).
pub fn unique<T>(mut rows: Vec<T>) -> Option<T> {
    debug_assert!(rows.len() <= 1, "a unique key found {} rows", rows.len());
    rows.pop()
}

/// The first `limit` rows of an ordered query. On SQLite without a bound `LIMIT` (see
/// [`unique`]): the rows are read in the query's order and reading stops after `limit`,
/// which costs what a `LIMIT` would where an index gives the order.
pub fn first_rows<'q, Q, T>(conn: &mut DbConnection, query: Q, limit: i64) -> QueryResult<Vec<T>>
where
    Q: RunQueryDsl<DbConnection> + LimitDsl + LoadQuery<'q, DbConnection, T> + 'q,
    Q::Output: LoadQuery<'q, DbConnection, T>,
    T: 'q,
{
    if conn.is_sqlite() {
        let wanted = usize::try_from(limit).unwrap_or(0);
        return query.load_iter::<T, DefaultLoadingMode>(conn)?.take(wanted).collect();
    }
    query.limit(limit).load(conn)
}

/// The current time, cut to microseconds: PostgreSQL keeps no more, and a value read
/// back must equal the value written on both backends.
pub fn now() -> chrono::NaiveDateTime {
    use chrono::{DurationRound, TimeDelta};
    chrono::Utc::now()
        .naive_utc()
        .duration_trunc(TimeDelta::microseconds(1))
        .expect("truncating to microseconds cannot overflow")
}

diesel::define_sql_function! {
    /// SQL `lower()`, the same on both backends for ASCII.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}
