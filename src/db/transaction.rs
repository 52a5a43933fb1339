//! Write transactions: SQLite's writers take their turn and the write lock up front;
//! PostgreSQL's serialise where a rule spans rows, with advisory locks.

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::{Connection, QueryResult};

use super::{DbConnection, SQLITE_BUSY_TIMEOUT_MS};

/// Where this process's SQLite writers take turns before `BEGIN IMMEDIATE`. SQLite's
/// own wait for its write lock (`busy_timeout`) sleeps in growing steps (1, 2, 5, 10, …
/// 100 ms) and so wakes well after the lock is free: 16 clients posting activations
/// alone waited 45–117 ms at the 90th percentile, 5–19 ms with turns taken here
/// (docs/PERFORMANCE.md). A mutex hands the turn over as the previous writer commits.
/// One for every SQLite database the process opens (one, but for tests): writes are
/// short.
static SQLITE_WRITERS: parking_lot::Mutex<()> = parking_lot::Mutex::new(());

/// Runs `f` in a transaction that holds the write lock from its first statement.
///
/// On SQLite a deferred transaction that reads and then writes can fail with
/// "database is locked" without waiting when another writer got there first; `BEGIN
/// IMMEDIATE` takes the lock up front, after this process's earlier writers are done
/// ([`SQLITE_WRITERS`]; a writer that waits longer than `busy_timeout` for its turn
/// goes on to SQLite's own wait, as a writer in another process does).
/// PostgreSQL uses an ordinary transaction.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let DbConnection::Sqlite(sqlite) = conn else {
        return conn.transaction(f);
    };
    let depth = AnsiTransactionManager::transaction_manager_status_mut(sqlite).transaction_depth()?;
    if depth.is_some() {
        // Already inside a transaction, which holds the lock: a savepoint will do.
        return conn.transaction(f);
    }
    let _turn = SQLITE_WRITERS.try_lock_for(Duration::from_millis(SQLITE_BUSY_TIMEOUT_MS.into()));
    AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?;
    match f(conn) {
        Ok(value) => {
            <DbConnection as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(err) => {
            <DbConnection as Connection>::TransactionManager::rollback_transaction(conn)?;
            Err(err)
        }
    }
}

/// Serialises writers that move a database-wide flag (the default account) on
/// PostgreSQL; SQLite's immediate transactions are serialised already.
pub fn lock_default_account_flag(conn: &mut DbConnection) -> QueryResult<()> {
    advisory_lock(conn, 314_159_265_358)
}

/// Serialises changes that could leave no active superuser for the rest of the
/// transaction (PostgreSQL; SQLite's writers are serialised already).
pub fn lock_superusers(conn: &mut DbConnection) -> QueryResult<()> {
    advisory_lock(conn, 161_803_398_874)
}

/// Serialises the sign-in throttle's reservations for the rest of the transaction
/// (PostgreSQL; SQLite's writers are serialised already).
pub fn lock_throttle(conn: &mut DbConnection) -> QueryResult<()> {
    advisory_lock(conn, 271_828_182_846)
}

/// Takes PostgreSQL's transaction-scoped advisory lock `key`; nothing on SQLite.
fn advisory_lock(conn: &mut DbConnection, key: i64) -> QueryResult<()> {
    match conn {
        DbConnection::Postgresql(c) => c.batch_execute(&format!("SELECT pg_advisory_xact_lock({key})")),
        DbConnection::Sqlite(_) => Ok(()),
    }
}
