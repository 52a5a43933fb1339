//! Failed sign-ins, the throttle's memory. Keys look like `pair:<addr>:<name>` or
//! `ip:<addr>`.

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

/// Records a failure under each key; returns the rows' ids.
pub fn record(conn: &mut DbConnection, keys: &[String]) -> QueryResult<Vec<i64>> {
    let at = now();
    let mut ids = Vec::with_capacity(keys.len());
    for key in keys {
        diesel::insert_into(login_failures::table)
            .values((login_failures::key.eq(key), login_failures::created_at.eq(at), login_failures::updated_at.eq(at)))
            .execute(conn)?;
        let id = login_failures::table
            .filter(login_failures::key.eq(key))
            .select(diesel::dsl::max(login_failures::id))
            .first::<Option<i64>>(conn)?;
        ids.extend(id);
    }
    Ok(ids)
}

/// Takes back failures recorded before their outcome was known.
pub fn forget(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<()> {
    diesel::delete(login_failures::table.filter(login_failures::id.eq_any(ids))).execute(conn)?;
    Ok(())
}

/// Forgets a key's failures (after a successful sign-in) and any older than `keep`.
pub fn clear(conn: &mut DbConnection, key: &str, keep: TimeDelta) -> QueryResult<()> {
    diesel::delete(login_failures::table.filter(login_failures::key.eq(key))).execute(conn)?;
    diesel::delete(login_failures::table.filter(login_failures::created_at.lt(now() - keep))).execute(conn)?;
    Ok(())
}
