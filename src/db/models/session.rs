//! Signed-in sessions, kept on the server: a session is valid only while its record
//! exists, was used within the idle timeout, and is younger than the absolute lifetime.
//! The session itself carries a random token; the record keeps only its SHA-256.

use std::time::Duration;

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::db::models::User;
use crate::db::schema::{sessions, users};
use crate::db::{DbConnection, UserId, now};

/// How stale `last_seen_at` may get before a request writes it again: the idle timeout
/// is counted in minutes, so once a minute is enough, and most requests write nothing.
const TOUCH_EVERY: TimeDelta = TimeDelta::minutes(1);

/// What the sessions table keeps of a token: its SHA-256, never the token.
pub fn token_hash(token: &str) -> String {
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

/// A session's record: whose it is, and when it began and was last used.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SessionRecord {
    pub id: i64,
    pub user_id: UserId,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
}

/// Where a session stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Live,
    /// Live, and its last use is older than [`TOUCH_EVERY`]: note this one.
    LiveUnnoted,
    /// Past its idle timeout or its lifetime: it ends.
    Expired,
}

impl SessionRecord {
    pub fn standing(&self, at: NaiveDateTime, lifetime: Lifetime) -> Standing {
        let expired = |since: NaiveDateTime, limit: Duration| {
            TimeDelta::from_std(limit).is_ok_and(|limit| at.signed_duration_since(since) > limit)
        };
        if expired(self.last_seen_at, lifetime.idle) || expired(self.created_at, lifetime.max) {
            Standing::Expired
        } else if at.signed_duration_since(self.last_seen_at) > TOUCH_EVERY {
            Standing::LiveUnnoted
        } else {
            Standing::Live
        }
    }
}

/// A session's record with its user: what every request resolves, in one query.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SignedIn {
    pub record: SessionRecord,
    pub user: User,
}

/// The session whose token has this hash, with its user (none once either is gone).
pub fn find(conn: &mut DbConnection, hash: &str) -> QueryResult<Option<SignedIn>> {
    type Row = ((i64, UserId, NaiveDateTime, NaiveDateTime), User);
    // No `LIMIT 1` (the token is unique): see [`crate::db::unique`].
    let found: Option<Row> = crate::db::unique(
        sessions::table
            .inner_join(users::table)
            .filter(sessions::token_hash.eq(hash))
            .select((
                (sessions::id, sessions::user_id, sessions::created_at, sessions::last_seen_at),
                User::as_select(),
            ))
            .load(conn)?,
    );
    Ok(found.map(|((id, user_id, created_at, last_seen_at), user)| SignedIn {
        record: SessionRecord { id, user_id, created_at, last_seen_at },
        user,
    }))
}

/// Notes that the session was used now.
pub fn note_use(conn: &mut DbConnection, id: i64) -> QueryResult<()> {
    let at = now();
    diesel::update(sessions::table.find(id))
        .set((sessions::last_seen_at.eq(at), sessions::updated_at.eq(at)))
        .execute(conn)?;
    Ok(())
}

/// Deletes an expired session's record.
pub fn remove(conn: &mut DbConnection, id: i64) -> QueryResult<()> {
    diesel::delete(sessions::table.find(id)).execute(conn)?;
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_stands_by_its_idle_time_and_its_age() {
        let lifetime = Lifetime { idle: Duration::from_secs(3_600), max: Duration::from_secs(86_400) };
        let at = NaiveDateTime::default() + TimeDelta::days(10);
        let record = |age: TimeDelta, unused: TimeDelta| SessionRecord {
            id: 1,
            user_id: UserId(1),
            created_at: at - age,
            last_seen_at: at - unused,
        };
        let standing = |age, unused| record(age, unused).standing(at, lifetime);
        assert_eq!(standing(TimeDelta::hours(1), TimeDelta::seconds(30)), Standing::Live);
        assert_eq!(standing(TimeDelta::hours(1), TimeDelta::minutes(2)), Standing::LiveUnnoted);
        assert_eq!(standing(TimeDelta::hours(2), TimeDelta::minutes(61)), Standing::Expired, "idle");
        assert_eq!(standing(TimeDelta::hours(25), TimeDelta::seconds(1)), Standing::Expired, "too old");
    }
}
