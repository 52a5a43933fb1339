//! Values the program keeps for itself, such as the generated session key.

use diesel::prelude::*;

use crate::db::models::is_unique_violation;
use crate::db::schema::app_settings;
use crate::db::{DbConnection, now};

const SECRET_KEY: &str = "secret_key";

pub fn get(conn: &mut DbConnection, key: &str) -> QueryResult<Option<String>> {
    app_settings::table.filter(app_settings::key.eq(key)).select(app_settings::value).first(conn).optional()
}

/// Stores `value` under `key` unless a value is there already; returns the value kept.
/// Two instances starting at once agree on one value: the unique key decides.
pub fn get_or_insert(conn: &mut DbConnection, key: &str, value: &str) -> QueryResult<String> {
    if let Some(existing) = get(conn, key)? {
        return Ok(existing);
    }
    let at = now();
    let inserted = conn.transaction(|conn| {
        diesel::insert_into(app_settings::table)
            .values((
                app_settings::key.eq(key),
                app_settings::value.eq(value),
                app_settings::created_at.eq(at),
                app_settings::updated_at.eq(at),
            ))
            .execute(conn)
    });
    match inserted {
        Ok(_) => Ok(value.to_owned()),
        Err(e) if is_unique_violation(&e) => get(conn, key)?.ok_or(e),
        Err(e) => Err(e),
    }
}

/// The session key kept in the database, generated on first use (64 random bytes).
pub fn secret_key(conn: &mut DbConnection) -> QueryResult<Vec<u8>> {
    let mut fresh = [0u8; 64];
    rand::fill(&mut fresh);
    let stored = get_or_insert(conn, SECRET_KEY, &hex::encode(fresh))?;
    hex::decode(stored.trim()).map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))
}
