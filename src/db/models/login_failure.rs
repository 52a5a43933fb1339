//! Failed sign-ins, the throttle's memory. Keys look like `user:<name>` or `ip:<addr>`.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use crate::db::schema::login_failures;
use crate::db::{DbConnection, now};

/// How many failures a key has had since `since`, and when the oldest of them was.
pub fn count_since(
    conn: &mut DbConnection,
    key: &str,
    since: NaiveDateTime,
) -> QueryResult<(i64, Option<NaiveDateTime>)> {
    let rows = login_failures::table.filter(login_failures::key.eq(key)).filter(login_failures::created_at.gt(since));
    let count = rows.count().get_result(conn)?;
    let oldest = rows.select(diesel::dsl::min(login_failures::created_at)).first(conn)?;
    Ok((count, oldest))
}

pub fn record(conn: &mut DbConnection, keys: &[String]) -> QueryResult<()> {
    let at = now();
    for key in keys {
        diesel::insert_into(login_failures::table)
            .values((login_failures::key.eq(key), login_failures::created_at.eq(at), login_failures::updated_at.eq(at)))
            .execute(conn)?;
    }
    Ok(())
}

/// Forgets a key's failures (after a successful sign-in) and any older than `keep`.
pub fn clear(conn: &mut DbConnection, key: &str, keep: TimeDelta) -> QueryResult<()> {
    diesel::delete(login_failures::table.filter(login_failures::key.eq(key))).execute(conn)?;
    diesel::delete(login_failures::table.filter(login_failures::created_at.lt(now() - keep))).execute(conn)?;
    Ok(())
}
