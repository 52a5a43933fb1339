//! Demo users: people with usernames unique to the seed, who can't sign in.

use std::collections::HashSet;

use diesel::prelude::*;

use super::ROWS_PER_INSERT;
use super::generator::{Generator, ascii_slug};
use super::rows::NewUserRow;
use crate::db::schema::users;
use crate::db::{DbConnection, now, write_transaction};
use crate::with_backend;

pub(super) fn seed_users(
    conn: &mut DbConnection,
    g: &mut Generator,
    count: usize,
    seed: u64,
) -> anyhow::Result<Vec<i64>> {
    // Demo users can't sign in: their hash is of a random secret nobody keeps.
    let mut secret = [0u8; 32];
    rand::fill(&mut secret);
    let unusable = password_auth::generate_hash(hex::encode(secret));
    let existing: HashSet<String> = users::table.select(users::username).load::<String>(conn)?.into_iter().collect();
    let at = now();
    let rows: Vec<NewUserRow> = (0..count)
        .filter_map(|i| {
            let (first, last) = g.person();
            let username = format!("{}.{}.{seed}.{i}", ascii_slug(&first), ascii_slug(&last));
            (!existing.contains(&username)).then(|| NewUserRow {
                email: format!("{username}@example.com"),
                username_folded: crate::domain::fold_case(&username),
                username,
                first_name: first,
                last_name: last,
                password_hash: unusable.clone(),
                is_active: true,
                is_staff: false,
                is_superuser: false,
                date_joined: at,
                created_at: at,
                updated_at: at,
            })
        })
        .collect();
    let names: Vec<String> = rows.iter().map(|r| r.username.clone()).collect();
    write_transaction(conn, |conn| -> anyhow::Result<Vec<i64>> {
        insert_rows!(conn, users::table, rows);
        let mut ids = Vec::with_capacity(names.len());
        for chunk in names.chunks(ROWS_PER_INSERT) {
            ids.extend(users::table.filter(users::username.eq_any(chunk)).select(users::id).load::<i64>(conn)?);
        }
        ids.sort_unstable();
        Ok(ids)
    })
}
