//! The audit log: one entry per write, in the writer's transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::schema::{accounts, audit_entries};
use crate::db::{AccountId, DbConnection, UserId, now};

/// Who made a change: a signed-in user, or the program itself (bootstrap, commands).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: Option<UserId>,
    pub username: String,
}

impl Actor {
    pub fn system() -> Self {
        Self { id: None, username: "system".to_owned() }
    }

    pub fn user(id: UserId, username: &str) -> Self {
        Self { id: Some(id), username: username.to_owned() }
    }
}

/// One field of an update, before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

impl FieldChange {
    /// Collects a change when the two values differ.
    pub fn push_if_changed(changes: &mut Vec<Self>, field: &str, old: Option<&str>, new: Option<&str>) {
        if old != new {
            changes.push(Self { field: field.to_owned(), old: old.map(str::to_owned), new: new.map(str::to_owned) });
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize, serde::Deserialize)]
#[diesel(table_name = audit_entries)]
pub struct AuditEntry {
    pub id: i64,
    pub actor_id: Option<UserId>,
    pub actor_username: String,
    pub action: String,
    pub object_type: String,
    pub object_id: i64,
    pub account_id: Option<AccountId>,
    pub summary: String,
    pub changes: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The number of `account_id`'s account, kept after the account is deleted.
    pub account_number: Option<String>,
    /// Shared by the entries of one bulk action.
    pub batch_id: Option<String>,
    /// What a deleted account was, for restoring it (JSON; delete entries only).
    pub snapshot: Option<String>,
}

impl AuditEntry {
    pub fn field_changes(&self) -> Vec<FieldChange> {
        serde_json::from_str(&self.changes).unwrap_or_default()
    }

    /// The account's newest `limit` entries, newest first (see [`crate::db::first_rows`]).
    pub fn for_account(conn: &mut DbConnection, account_id: AccountId, limit: i64) -> QueryResult<Vec<Self>> {
        let newest = audit_entries::table
            .filter(audit_entries::account_id.eq(account_id))
            .order((audit_entries::created_at.desc(), audit_entries::id.desc()))
            .select(Self::as_select());
        crate::db::first_rows(conn, newest, limit)
    }

    /// The account's entries older than entry `before` (all when `None`), newest first.
    pub fn for_account_before(
        conn: &mut DbConnection,
        account_id: AccountId,
        before: Option<i64>,
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        let mut query = audit_entries::table
            .filter(audit_entries::account_id.eq(account_id))
            .order(audit_entries::id.desc())
            .limit(limit)
            .select(Self::as_select())
            .into_boxed();
        if let Some(before) = before {
            query = query.filter(audit_entries::id.lt(before));
        }
        query.load(conn)
    }

    pub fn for_object(conn: &mut DbConnection, object_type: &str, object_id: i64) -> QueryResult<Vec<Self>> {
        audit_entries::table
            .filter(audit_entries::object_type.eq(object_type))
            .filter(audit_entries::object_id.eq(object_id))
            .order(audit_entries::id.asc())
            .select(Self::as_select())
            .load(conn)
    }

    pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Self>> {
        audit_entries::table.find(id).select(Self::as_select()).first(conn).optional()
    }

    /// The account entries of one bulk action, in the order they were written.
    pub fn of_batch(conn: &mut DbConnection, batch: &str) -> QueryResult<Vec<Self>> {
        audit_entries::table
            .filter(audit_entries::batch_id.eq(batch))
            .filter(audit_entries::object_type.eq("account"))
            .order(audit_entries::id.asc())
            .select(Self::as_select())
            .load(conn)
    }

    pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
        audit_entries::table.count().get_result(conn)
    }
}

/// What an entry is about.
pub struct AuditTarget<'a> {
    pub object_type: &'a str,
    pub object_id: i64,
    pub account_id: Option<AccountId>,
    /// The account's number when the writer has it at hand; else it is looked up.
    pub account_number: Option<&'a str>,
    pub summary: &'a str,
}

/// One entry of many written at once.
#[derive(Insertable)]
#[diesel(table_name = audit_entries)]
pub struct NewEntry {
    pub actor_id: Option<UserId>,
    pub actor_username: String,
    pub action: String,
    pub object_type: String,
    pub object_id: i64,
    pub account_id: Option<AccountId>,
    pub summary: String,
    pub changes: String,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
    pub account_number: Option<String>,
    pub batch_id: Option<String>,
    pub snapshot: Option<String>,
}

impl NewEntry {
    pub fn new(actor: &Actor, action: &str, target: AuditTarget<'_>, changes: &[FieldChange]) -> Self {
        let at = now();
        Self {
            actor_id: actor.id,
            actor_username: actor.username.clone(),
            action: action.to_owned(),
            object_type: target.object_type.to_owned(),
            object_id: target.object_id,
            account_id: target.account_id,
            summary: target.summary.to_owned(),
            changes: serde_json::to_string(changes).unwrap_or_else(|_| "[]".to_owned()),
            created_at: at,
            updated_at: at,
            account_number: target.account_number.map(str::to_owned),
            batch_id: None,
            snapshot: None,
        }
    }

    /// This entry as one of the bulk action `batch`.
    pub fn in_batch(mut self, batch: Option<&str>) -> Self {
        self.batch_id = batch.map(str::to_owned);
        self
    }
}

/// How a write goes on the record: its action, a note after the summary (a revert names
/// the entry it reverts), and the bulk action it is part of.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    pub action: &'a str,
    pub note: Option<&'a str>,
    pub batch: Option<&'a str>,
}

impl<'a> Record<'a> {
    pub fn plain(action: &'a str) -> Self {
        Self { action, note: None, batch: None }
    }

    /// `summary` with the note, if any.
    pub fn summary(&self, summary: &str) -> String {
        match self.note {
            Some(note) => format!("{summary} · {note}"),
            None => summary.to_owned(),
        }
    }
}

/// A new batch id for the entries of one bulk action.
pub fn new_batch_id() -> String {
    let mut bytes = [0u8; 12];
    rand::fill(&mut bytes);
    hex::encode(bytes)
}

/// Gives each entry that names an account but not its number the number of that
/// account (one query for all of them).
fn fill_account_numbers(conn: &mut DbConnection, entries: &mut [NewEntry]) -> QueryResult<()> {
    let mut missing: Vec<AccountId> =
        entries.iter().filter(|e| e.account_number.is_none()).filter_map(|e| e.account_id).collect();
    missing.sort_unstable();
    missing.dedup();
    if missing.is_empty() {
        return Ok(());
    }
    let mut numbers: Vec<(AccountId, String)> = Vec::with_capacity(missing.len());
    for chunk in missing.chunks(1_000) {
        numbers.extend(
            accounts::table
                .filter(accounts::id.eq_any(chunk))
                .select((accounts::id, accounts::account_number))
                .load::<(AccountId, String)>(conn)?,
        );
    }
    for entry in entries.iter_mut().filter(|e| e.account_number.is_none()) {
        if let Some(id) = entry.account_id {
            entry.account_number = numbers.iter().find(|(n, _)| *n == id).map(|(_, number)| number.clone());
        }
    }
    Ok(())
}

/// Writes many entries in multi-row inserts; call it inside the transaction of the
/// writes they record.
pub fn record_many(conn: &mut DbConnection, mut entries: Vec<NewEntry>) -> QueryResult<()> {
    fill_account_numbers(conn, &mut entries)?;
    // Under SQLite's limit of 32 766 bound values per statement (10 a row).
    for chunk in entries.chunks(1_000) {
        crate::with_backend!(conn, c => diesel::insert_into(audit_entries::table).values(chunk).execute(c))?;
    }
    Ok(())
}

/// Writes one entry; call it inside the transaction of the write it records.
pub fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    action: &str,
    target: AuditTarget<'_>,
    changes: &[FieldChange],
) -> QueryResult<()> {
    record_many(conn, vec![NewEntry::new(actor, action, target, changes)])
}
