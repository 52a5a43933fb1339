//! One change applied to many accounts at once: all of it in one transaction, or none
//! of it. Each account changed gets its own audit entry and version bump; accounts the
//! change would not change are left alone. A selection that breaks a rule is refused
//! whole, naming every account and why.

use diesel::prelude::*;

use super::{Account, AccountError, AccountResult, StaleRow, Written};
use crate::db::models::CacheEffect;
use crate::db::models::audit::{self, Actor, FieldChange};
use crate::db::models::metadata;
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
            let (mut stale, mut changed) = (Vec::new(), 0);
            for account in &targets {
                let written = match change {
                    BulkChange::Activate => Self::set_active(conn, actor, account.id, true)?.map(|_| ()),
                    BulkChange::Deactivate => Self::set_active(conn, actor, account.id, false)?.map(|_| ()),
                    BulkChange::Delete => Self::delete(conn, actor, account.id)?.map(|_| ()),
                    BulkChange::Tag(tag) => Self::retag(conn, actor, account, |tags| tags.with(tag))?,
                    BulkChange::Untag(tag) => Self::retag(conn, actor, account, |tags| tags.without(tag))?,
                };
                if let CacheEffect::Stale(rows) = written.effect {
                    changed += 1;
                    stale.extend(rows);
                }
            }
            Ok(Written::makes_stale(changed, stale))
        })
    }

    /// Gives `account` the tags `retagged` makes of its own, audited, with a version bump;
    /// nothing when they come out the same.
    fn retag(
        conn: &mut DbConnection,
        actor: &Actor,
        account: &Account,
        retagged: impl FnOnce(&Tags) -> Tags,
    ) -> AccountResult<Written<()>> {
        let old = metadata::load_tags(conn, metadata::ACCOUNT, account.id.into())?;
        let new = retagged(&old);
        if new.same_as(&old) {
            return Ok(Written::leaves_cache(()));
        }
        if new.len() > Tags::MAX_TAGS {
            return Err(AccountError::RefusedFor(vec![(account.to_string(), "it has the most tags an account may")]));
        }
        metadata::set_tags(conn, metadata::ACCOUNT, account.id.into(), &new)?;
        diesel::update(accounts::table.find(account.id))
            .set((accounts::lock_version.eq(accounts::lock_version + 1), accounts::updated_at.eq(now())))
            .execute(conn)?;
        let updated = Self::find(conn, account.id)?.ok_or(AccountError::NotFound)?;
        let mut changes = Vec::new();
        FieldChange::push_if_changed(&mut changes, "tags", Some(&old.to_string()), Some(&new.to_string()));
        let summary = updated.audit_target();
        audit::record(conn, actor, "update", updated.target(&summary), &changes)?;
        Ok(Written::makes_stale((), vec![StaleRow::account(account), StaleRow::account(&updated)]))
    }
}
