//! The sign-in throttle: too many failures for one username, or from one client
//! address, within a window, and further attempts get 429 until the window moves on.
//! Failures live in the database, so every instance on it counts them together.

use chrono::TimeDelta;

use crate::db::models::login_failure;
use crate::db::{DbConnection, now};

pub const WINDOW: TimeDelta = TimeDelta::minutes(15);
pub const MAX_FAILURES_PER_USERNAME: i64 = 5;
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;

fn username_key(username: &str) -> String {
    format!("user:{}", username.trim().to_lowercase())
}

fn address_key(address: &str) -> String {
    format!("ip:{address}")
}

/// Seconds to wait before another attempt, or `None` when one is allowed now.
pub fn retry_after(conn: &mut DbConnection, username: &str, address: &str) -> diesel::QueryResult<Option<i64>> {
    let since = now() - WINDOW;
    let mut wait: Option<i64> = None;
    for (key, limit) in
        [(username_key(username), MAX_FAILURES_PER_USERNAME), (address_key(address), MAX_FAILURES_PER_ADDRESS)]
    {
        let (count, oldest) = login_failure::count_since(conn, &key, since)?;
        if count >= limit {
            let frees_at = oldest.unwrap_or_else(now) + WINDOW;
            let seconds = (frees_at - now()).num_seconds().max(1);
            wait = Some(wait.map_or(seconds, |w| w.max(seconds)));
        }
    }
    Ok(wait)
}

pub fn record_failure(conn: &mut DbConnection, username: &str, address: &str) -> diesel::QueryResult<()> {
    login_failure::record(conn, &[username_key(username), address_key(address)])
}

pub fn record_success(conn: &mut DbConnection, username: &str) -> diesel::QueryResult<()> {
    login_failure::clear(conn, &username_key(username), WINDOW)
}
