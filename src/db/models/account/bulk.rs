//! One change applied to many accounts at once: all of it in one transaction, or none
//! of it. Each account changed gets its own audit entry and version bump; accounts the
//! change would not change are left alone. A selection that breaks a rule is refused
//! whole, naming every account and why.

use diesel::prelude::*;

use super::{Account, AccountError, AccountResult, Written};
use crate::db::models::audit::{self, Actor, FieldChange, NewEntry};
use crate::db::models::metadata;
use crate::db::models::{CacheEffect, Change};
use crate::db::schema::accounts;
use crate::db::{AccountId, DbConnection, now, write_transaction};
use crate::domain::{Tag, Tags};

/// What a bulk action does to each account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkChange {
    Activate,
    Deactivate,
    Tag(Tag),
    Untag(Tag),
    Delete,
}

/// Why an account can't take a bulk change.
fn refusal(change: &BulkChange, account: &Account, by_superuser: bool) -> Option<&'static str> {
    match change {
        BulkChange::Deactivate if account.is_default_account => Some("the default account can't be deactivated"),
        BulkChange::Delete if account.is_default_account => Some("the default account can't be deleted"),
        BulkChange::Tag(_) | BulkChange::Untag(_) if !by_superuser && !account.is_active => {
            Some("inactive: only a superuser can change it")
        }
        _ => None,
    }
}

impl Account {
    /// Applies `change` to every account of `ids`; returns how many changed.
    pub fn apply_to_all(
        conn: &mut DbConnection,
        actor: &Actor,
        ids: &[AccountId],
        change: &BulkChange,
        by_superuser: bool,
    ) -> AccountResult<Written<usize>> {
        write_transaction(conn, |conn| {
            let mut targets = Vec::with_capacity(ids.len());
            for chunk in ids.chunks(1_000) {
                targets
                    .extend(accounts::table.filter(accounts::id.eq_any(chunk)).select(Self::as_select()).load(conn)?);
            }
            if targets.len() != ids.len() {
                return Err(AccountError::NotFound);
            }
            let refused: Vec<(String, &'static str)> = targets
                .iter()
                .filter_map(|a| refusal(change, a, by_superuser).map(|why| (a.to_string(), why)))
                .collect();
            if !refused.is_empty() {
                return Err(AccountError::RefusedFor(refused));
            }
            // The entries of one action share a batch id: it is reverted as a whole.
            let batch = audit::new_batch_id();
            let batch = Some(batch.as_str());
            let changes = match change {
                BulkChange::Activate => Self::set_active_all(conn, actor, &targets, true, batch)?,
                BulkChange::Deactivate => Self::set_active_all(conn, actor, &targets, false, batch)?,
                BulkChange::Tag(tag) => Self::retag_all(conn, actor, &targets, tag, true, batch)?,
                BulkChange::Untag(tag) => Self::retag_all(conn, actor, &targets, tag, false, batch)?,
                BulkChange::Delete => {
                    let mut effect = CacheEffect::None;
                    for account in &targets {
                        effect = effect.and(Self::delete_in(conn, actor, account.id, batch)?.effect);
                    }
                    return Ok(Written::with(targets.len(), effect));
                }
            };
            Ok(Written::changes(changes.len(), changes))
        })
    }

    /// Activates or deactivates every account of `targets` that isn't so already: one
    /// update per thousand accounts and the audit entries in multi-row inserts. Returns
    /// the change to each account changed.
    fn set_active_all(
        conn: &mut DbConnection,
        actor: &Actor,
        targets: &[Account],
        active: bool,
        batch: Option<&str>,
    ) -> AccountResult<Vec<Change>> {
        let changing: Vec<&Account> = targets.iter().filter(|a| a.is_active != active).collect();
        let at = now();
        for chunk in changing.chunks(1_000) {
            let ids: Vec<AccountId> = chunk.iter().map(|a| a.id).collect();
            diesel::update(accounts::table.filter(accounts::id.eq_any(&ids)))
                .set((
                    accounts::is_active.eq(active),
                    accounts::lock_version.eq(accounts::lock_version + 1),
                    accounts::updated_at.eq(at),
                ))
                .execute(conn)?;
        }
        let action = if active { "activate" } else { "deactivate" };
        let mut entries = Vec::with_capacity(changing.len());
        let mut changes = Vec::with_capacity(changing.len());
        for old in changing {
            let new = Account { is_active: active, lock_version: old.lock_version + 1, updated_at: at, ..old.clone() };
            let summary = new.audit_target();
            entries
                .push(NewEntry::new(actor, action, new.target(&summary), &Self::diff(Some(old), &new)).in_batch(batch));
            changes.push(Change::account(old, &new, false));
        }
        audit::record_many(conn, entries)?;
        Ok(changes)
    }

    /// Adds `tag` to (or takes it off) every account of `targets` that lacks (or has)
    /// it: multi-row writes, a version bump and an audit entry per account changed.
    /// Returns the change to each account changed.
    fn retag_all(
        conn: &mut DbConnection,
        actor: &Actor,
        targets: &[Account],
        tag: &Tag,
        add: bool,
        batch: Option<&str>,
    ) -> AccountResult<Vec<Change>> {
        let current = metadata::load_account_tags(conn, targets)?;
        let mut changing = Vec::new();
        for account in targets {
            let old = current.get(&account.id).cloned().unwrap_or_default();
            let new = if add { old.with(tag) } else { old.without(tag) };
            if !new.same_as(&old) {
                changing.push((account, old, new));
            }
        }
        let full: Vec<(String, &'static str)> = changing
            .iter()
            .filter(|(_, _, new)| new.len() > Tags::MAX_TAGS)
            .map(|(a, _, _)| (a.to_string(), "it has the most tags an account may"))
            .collect();
        if !full.is_empty() {
            return Err(AccountError::RefusedFor(full));
        }
        let ids: Vec<AccountId> = changing.iter().map(|(a, _, _)| a.id).collect();
        metadata::tag_accounts(conn, &ids, tag, add)?;
        let at = now();
        for chunk in ids.chunks(1_000) {
            diesel::update(accounts::table.filter(accounts::id.eq_any(chunk)))
                .set((accounts::lock_version.eq(accounts::lock_version + 1), accounts::updated_at.eq(at)))
                .execute(conn)?;
        }
        let mut entries = Vec::with_capacity(changing.len());
        let mut changes = Vec::with_capacity(changing.len());
        for (old, old_tags, new_tags) in changing {
            let new = Account { lock_version: old.lock_version + 1, updated_at: at, ..old.clone() };
            let mut fields = Vec::new();
            FieldChange::push_if_changed(&mut fields, "tags", Some(&old_tags.to_string()), Some(&new_tags.to_string()));
            let summary = new.audit_target();
            entries.push(NewEntry::new(actor, "update", new.target(&summary), &fields).in_batch(batch));
            changes.push(Change::account(old, &new, true));
        }
        audit::record_many(conn, entries)?;
        Ok(changes)
    }
}
