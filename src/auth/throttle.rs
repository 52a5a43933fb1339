//! The sign-in throttle. Failures are counted per (username, client address) and per
//! client address: 5 for a pair and 20 for an address within 15 minutes, then that pair
//! or that address waits (429) until the window moves on. Nobody else is held up: a
//! correct password from an address that is not over its limits always signs in, so
//! guessing at one user's password from one address can't lock that user out elsewhere.
//!
//! Counting is atomic: an attempt first *reserves* its place (counting and recording a
//! provisional failure in one transaction that every other reservation waits for), so
//! concurrent guesses can't pass a limit together; a correct password takes its
//! provisional failure back. Failures live in the database, so every instance on it
//! counts them together. The same throttle guards `current_password` on `/password`.

use chrono::TimeDelta;

use crate::db::models::login_failure;
use crate::db::{DbConnection, lock_throttle, now, write_transaction};

pub const WINDOW: TimeDelta = TimeDelta::minutes(15);
pub const MAX_FAILURES_PER_PAIR: i64 = 5;
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;

fn pair_key(username: &str, address: &str) -> String {
    format!("pair:{address}:{}", username.trim().to_lowercase())
}

fn address_key(address: &str) -> String {
    format!("ip:{address}")
}

/// A reserved attempt: its provisional failures, until the password is checked.
#[derive(Debug)]
pub struct Reservation {
    ids: Vec<i64>,
    pair: String,
}

/// An attempt may go ahead (reserved), or must wait this many seconds.
pub enum Attempt {
    Reserved(Reservation),
    Wait(i64),
}

/// Reserves an attempt for `username` from `address`, or says how long to wait.
pub fn reserve(conn: &mut DbConnection, username: &str, address: &str) -> diesel::QueryResult<Attempt> {
    let keys = [(pair_key(username, address), MAX_FAILURES_PER_PAIR), (address_key(address), MAX_FAILURES_PER_ADDRESS)];
    write_transaction(conn, |conn| {
        lock_throttle(conn)?;
        let since = now() - WINDOW;
        let mut wait: Option<i64> = None;
        for (key, limit) in &keys {
            let (count, oldest) = login_failure::count_since(conn, key, since)?;
            if count >= *limit {
                let seconds = (oldest.unwrap_or_else(now) + WINDOW - now()).num_seconds().max(1);
                wait = Some(wait.map_or(seconds, |w| w.max(seconds)));
            }
        }
        if let Some(seconds) = wait {
            return Ok(Attempt::Wait(seconds));
        }
        let ids = login_failure::record(conn, &[keys[0].0.clone(), keys[1].0.clone()])?;
        Ok(Attempt::Reserved(Reservation { ids, pair: keys[0].0.clone() }))
    })
}

/// The password was right: the attempt was no failure, and the pair starts afresh.
pub fn succeeded(conn: &mut DbConnection, reservation: Reservation) -> diesel::QueryResult<()> {
    login_failure::forget(conn, &reservation.ids)?;
    login_failure::clear(conn, &reservation.pair, WINDOW)
}
