//! `seed-demo`: realistic, deterministic demo data for every table, written in bulk
//! (multi-row inserts, one transaction per batch of accounts).
//!
//! The same seed gives the same companies, people, tags, memberships and token counts.
//! Dates are laid out backwards from the first day of the current month, so the billing
//! summary has a "this month" to show.

mod data;
mod generator;
mod rows;

use std::collections::HashSet;

use anyhow::Context;
use chrono::{Datelike, NaiveDate, TimeDelta};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

use crate::db::models::metadata;
use crate::db::schema::{
    account_contacts, accounts, annotations, audit_entries, charges, daily_billing_records, email_outbox, tagged_items,
    user_profiles,
};
use crate::db::{DbConnection, now, write_transaction};
use crate::domain::Tag;
use crate::with_backend;
use generator::{Generator, ascii_slug};
use rows::*;

/// Accounts written per transaction.
const BATCH: usize = 1_000;
/// Rows per multi-row insert: under SQLite's limit of 32 766 bound values.
const ROWS_PER_INSERT: usize = 1_500;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Seeded {
    pub accounts: usize,
    pub users: usize,
    pub memberships: usize,
    pub contacts: usize,
    pub charges: usize,
    pub billing_records: usize,
}

/// Inserts `rows` into `table` in chunks, on the concrete connection.
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {
        for chunk in $rows.chunks(ROWS_PER_INSERT) {
            with_backend!(&mut *$conn, c => diesel::insert_into($table).values(chunk).execute(c))?;
        }
    };
}

// After `insert_rows!`, which it uses.
mod people;

use people::seed_users;

/// Writes `count` demo accounts (with everything around them) seeded by `seed`.
/// `progress` is called with the number of accounts written so far.
pub fn seed(conn: &mut DbConnection, count: usize, seed: u64, progress: &dyn Fn(usize)) -> anyhow::Result<Seeded> {
    if conn.is_sqlite() {
        // A bulk load touches every index: a larger page cache saves most of the I/O.
        diesel::connection::SimpleConnection::batch_execute(conn, "PRAGMA cache_size = -131072;")?;
    }
    let today = now().date();
    let month_start = today.with_day(1).unwrap_or(today);
    let mut g = Generator {
        rng: StdRng::seed_from_u64(seed),
        anchor: month_start.and_hms_opt(0, 0, 0).unwrap_or_default() + TimeDelta::days(14),
        taken_numbers: accounts::table.select(accounts::account_number).load::<String>(conn)?.into_iter().collect(),
    };
    let mut done = Seeded::default();
    let tag_ids: Vec<(i64, &'static str)> = data::TAGS
        .iter()
        .map(|t| Tag::parse(t).map_err(anyhow::Error::msg).and_then(|tag| Ok((metadata::tag_id(conn, &tag)?, *t))))
        .collect::<anyhow::Result<_>>()?;
    let users = seed_users(conn, &mut g, count.div_ceil(20).max(1), seed)?;
    done.users = users.len();
    let mut written = 0;
    while written < count {
        let size = BATCH.min(count - written);
        let batch = write_transaction(conn, |conn| seed_batch(conn, &mut g, size, &tag_ids, &users, month_start))
            .context("writing a batch of demo accounts")?;
        done.accounts += batch.accounts;
        done.memberships += batch.memberships;
        done.contacts += batch.contacts;
        done.charges += batch.charges;
        done.billing_records += batch.billing_records;
        written += size;
        progress(written);
    }
    if !conn.is_sqlite() {
        // Fresh planner statistics after a bulk load: without them (autovacuum off, or
        // not yet run) PostgreSQL planned the list's queries for an empty table. The
        // vacuum marks the new rows' pages all-visible, so index-only scans (the
        // username suggestions) need not visit the rows.
        diesel::connection::SimpleConnection::batch_execute(conn, "VACUUM ANALYZE")?;
    }
    Ok(done)
}

fn seed_batch(
    conn: &mut DbConnection,
    g: &mut Generator,
    size: usize,
    tag_ids: &[(i64, &'static str)],
    users: &[i64],
    month_start: NaiveDate,
) -> anyhow::Result<Seeded> {
    let rows: Vec<NewAccountRow> = (0..size).map(|_| g.account()).collect();
    let numbers: Vec<String> = rows.iter().map(|r| r.account_number.clone()).collect();
    insert_rows!(conn, accounts::table, rows);
    let mut ids: Vec<(String, i64)> = Vec::with_capacity(size);
    for chunk in numbers.chunks(ROWS_PER_INSERT) {
        ids.extend(
            accounts::table
                .filter(accounts::account_number.eq_any(chunk))
                .select((accounts::account_number, accounts::id))
                .load::<(String, i64)>(conn)?,
        );
    }
    let id_of: std::collections::HashMap<String, i64> = ids.into_iter().collect();
    let at = now();
    let (mut tagged, mut notes, mut contacts, mut outbox, mut audits, mut profiles) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for row in &rows {
        let id = id_of[&row.account_number];
        let n = g.rng.random_range(0..=3);
        for (tag, spelling) in tag_ids.choose_multiple(&mut g.rng, n) {
            tagged.push(NewTaggedRow {
                tag_id: *tag,
                spelling,
                object_type: metadata::ACCOUNT,
                object_id: id,
                created_at: at,
                updated_at: at,
            });
        }
        let n = g.rng.random_range(0..=2);
        let keys: Vec<&str> = data::ANNOTATION_KEYS.choose_multiple(&mut g.rng, n).copied().collect();
        for (position, key) in keys.into_iter().enumerate() {
            let value = data::ANNOTATION_VALUES.choose(&mut g.rng).copied().unwrap_or("gold");
            notes.push(NewAnnotationRow {
                object_type: metadata::ACCOUNT,
                object_id: id,
                position: position as i32,
                key: (*key).to_owned(),
                value: value.to_owned(),
                created_at: at,
                updated_at: at,
            });
        }
        let domain = format!("{}.example.com", ascii_slug(&row.company_name));
        let mut emails = HashSet::new();
        for n in 0..g.rng.random_range(1..=3) {
            let (first, last) = g.person();
            let email = format!("{}.{}@{domain}", ascii_slug(&first), ascii_slug(&last));
            if !emails.insert(email.clone()) {
                continue;
            }
            let phone = g.rng.random_bool(0.7).then(|| g.phone());
            outbox.push(NewOutboxRow {
                to_address: email.clone(),
                subject: crate::db::models::contact::WELCOME_SUBJECT.to_owned(),
                body: format!("Hello {first},\n\nYou have been added as a contact for your organisation on Smarter.\n"),
                sent_at: Some(row.created_at),
                created_at: row.created_at,
                updated_at: row.created_at,
            });
            contacts.push(NewContactRow {
                account_id: id,
                first_name: first,
                last_name: last,
                email_folded: crate::domain::fold_case(&email),
                email,
                phone,
                is_primary: n == 0,
                welcomed: true,
                created_at: row.created_at,
                updated_at: row.created_at,
            });
        }
        let n = g.rng.random_range(0..=2);
        let chosen: Vec<i64> = users.choose_multiple(&mut g.rng, n).copied().collect();
        for user in &chosen {
            profiles.push(NewProfileRow {
                user_id: *user,
                account_id: id,
                name: format!("member{user}"),
                description: String::new(),
                version: "1.0.0".to_owned(),
                created_at: row.created_at,
                updated_at: row.created_at,
            });
        }
        audits.push(NewAuditRow {
            actor_id: None,
            actor_username: "seed-demo",
            action: "create",
            object_type: "account",
            object_id: id,
            account_id: Some(id),
            account_number: Some(row.account_number.clone()),
            summary: format!("{} - {}", row.account_number, row.company_name),
            changes: "[]".to_owned(),
            created_at: row.created_at,
            updated_at: row.created_at,
        });
    }
    insert_rows!(conn, tagged_items::table, tagged);
    insert_rows!(conn, annotations::table, notes);
    insert_rows!(conn, account_contacts::table, contacts);
    insert_rows!(conn, email_outbox::table, outbox);
    insert_rows!(conn, audit_entries::table, audits);
    insert_rows!(conn, user_profiles::table, profiles);
    let account_ids: Vec<i64> = id_of.values().copied().collect();
    let mut members: Vec<(i64, i64, i64)> = Vec::new();
    for chunk in account_ids.chunks(ROWS_PER_INSERT) {
        members.extend(
            user_profiles::table
                .filter(user_profiles::account_id.eq_any(chunk))
                .select((user_profiles::id, user_profiles::account_id, user_profiles::user_id))
                .order(user_profiles::id.asc())
                .load::<(i64, i64, i64)>(conn)?,
        );
    }
    let (mut billing, mut pending) = (Vec::new(), Vec::new());
    for (profile, account, user) in &members {
        if !g.rng.random_ratio(1, 3) {
            continue;
        }
        let mut days = HashSet::new();
        for _ in 0..g.rng.random_range(1..=6) {
            let date = month_start + TimeDelta::days(13) - TimeDelta::days(g.rng.random_range(0..180));
            let (provider, _) = *data::MODELS.choose(&mut g.rng).unwrap_or(&data::MODELS[0]);
            let charge_type =
                crate::db::models::charge::CHARGE_TYPES.choose(&mut g.rng).copied().unwrap_or("completion");
            if !days.insert((date, provider, charge_type)) {
                continue;
            }
            let (prompt, completion) = (g.rng.random_range(100..50_000), g.rng.random_range(50..20_000));
            billing.push(NewBillingRow {
                account_id: *account,
                user_id: *user,
                provider: provider.to_owned(),
                charge_type: charge_type.to_owned(),
                date,
                prompt_tokens: prompt,
                completion_tokens: completion,
                total_tokens: prompt + completion,
                created_at: at,
                updated_at: at,
            });
        }
        for _ in 0..g.rng.random_range(0..=2) {
            let (provider, model) = *data::MODELS.choose(&mut g.rng).unwrap_or(&data::MODELS[0]);
            let (prompt, completion) = (g.rng.random_range(10..4_000), g.rng.random_range(10..2_000));
            let when = g.anchor - TimeDelta::seconds(g.rng.random_range(0..3 * 86_400));
            pending.push(NewChargeRow {
                user_profile_id: *profile,
                provider: provider.to_owned(),
                charge_type: "completion".to_owned(),
                prompt_tokens: prompt,
                completion_tokens: completion,
                total_tokens: prompt + completion,
                model: model.to_owned(),
                reference: format!("req-{:016x}", g.rng.random::<u64>()),
                created_at: when,
                updated_at: when,
            });
        }
    }
    insert_rows!(conn, daily_billing_records::table, billing);
    insert_rows!(conn, charges::table, pending);
    Ok(Seeded {
        accounts: rows.len(),
        users: 0,
        memberships: members.len(),
        contacts: contacts.len(),
        charges: pending.len(),
        billing_records: billing.len(),
    })
}
