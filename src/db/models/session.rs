//! Signed-in sessions, kept on the server: a session is valid only while its record
//! exists, was used within the idle timeout, and is younger than the absolute lifetime.
//! The session itself carries a random token; the record keeps only its SHA-256.

use std::time::Duration;

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::db::schema::sessions;
use crate::db::{DbConnection, UserId, now};

/// How stale `last_seen_at` may get before a request writes it again: the idle timeout
/// is counted in minutes, so once a minute is enough, and most requests write nothing.
const TOUCH_EVERY: TimeDelta = TimeDelta::minutes(1);

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    hex::encode(bytes)
}

/// How long sessions may last.
#[derive(Debug, Clone, Copy)]
pub struct Lifetime {
    /// Unused this long, a session ends.
    pub idle: Duration,
    /// This long after sign-in, a session ends however much it is used.
    pub max: Duration,
}

/// Starts a session for `user`; returns the token the session keeps.
pub fn start(conn: &mut DbConnection, user: UserId) -> QueryResult<String> {
    let token = new_token();
    let at = now();
    diesel::insert_into(sessions::table)
        .values((
            sessions::token_hash.eq(token_hash(&token)),
            sessions::user_id.eq(user),
            sessions::last_seen_at.eq(at),
            sessions::created_at.eq(at),
            sessions::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(token)
}

/// The user of the session with `token`, if it is still valid. An expired record is
/// deleted; a live one has its last use noted (at most once a minute).
pub fn resolve(conn: &mut DbConnection, token: &str, lifetime: Lifetime) -> QueryResult<Option<UserId>> {
    let hash = token_hash(token);
    let found: Option<(i64, UserId, NaiveDateTime, NaiveDateTime)> = sessions::table
        .filter(sessions::token_hash.eq(&hash))
        .select((sessions::id, sessions::user_id, sessions::created_at, sessions::last_seen_at))
        .first(conn)
        .optional()?;
    let Some((id, user, created_at, last_seen_at)) = found else {
        return Ok(None);
    };
    let at = now();
    let expired = |since: NaiveDateTime, limit: Duration| {
        TimeDelta::from_std(limit).is_ok_and(|limit| at.signed_duration_since(since) > limit)
    };
    if expired(last_seen_at, lifetime.idle) || expired(created_at, lifetime.max) {
        diesel::delete(sessions::table.find(id)).execute(conn)?;
        return Ok(None);
    }
    if at.signed_duration_since(last_seen_at) > TOUCH_EVERY {
        diesel::update(sessions::table.find(id))
            .set((sessions::last_seen_at.eq(at), sessions::updated_at.eq(at)))
            .execute(conn)?;
    }
    Ok(Some(user))
}

/// Ends the session with `token` (signing out).
pub fn end(conn: &mut DbConnection, token: &str) -> QueryResult<()> {
    diesel::delete(sessions::table.filter(sessions::token_hash.eq(token_hash(token)))).execute(conn)?;
    Ok(())
}

/// Ends every session of `user` but the one with token `keep`; returns how many ended.
pub fn end_all_of(conn: &mut DbConnection, user: UserId, keep: Option<&str>) -> QueryResult<usize> {
    let mut doomed = diesel::delete(sessions::table).filter(sessions::user_id.eq(user)).into_boxed();
    if let Some(keep) = keep {
        doomed = doomed.filter(sessions::token_hash.ne(token_hash(keep)));
    }
    doomed.execute(conn)
}
