//! Every write to an existing account: update, activate, make default, delete.

use diesel::prelude::*;

use super::{Account, AccountError, AccountFlags, AccountResult, FieldValues, Snapshot, Written};
use crate::db::models::Change;
use crate::db::models::audit::{self, Actor, FieldChange, NewEntry, Record};
use crate::db::models::{AccountContact, UserProfile, metadata};
use crate::db::schema::accounts;
use crate::db::{AccountId, DbConnection, lock_default_account_flag, now, write_transaction};
use crate::domain::{AccountFields, Annotations, FieldErrors, Tags};

/// One edit of an account: the fields (and, for a superuser, the flags) to store in the
/// row at `based_on_version`; `submitted_number` is the number the form showed.
#[derive(Debug, Clone, Copy)]
pub struct Edit<'a> {
    pub id: AccountId,
    pub based_on_version: i64,
    pub submitted_number: Option<&'a str>,
    pub fields: &'a AccountFields,
    pub flags: Option<AccountFlags>,
}

impl Account {
    /// Takes the default flag off whichever account has it, audited; returns that change.
    pub(super) fn clear_default(conn: &mut DbConnection, actor: &Actor) -> AccountResult<Vec<Change>> {
        lock_default_account_flag(conn)?;
        let Some(previous) = Self::default_account(conn)? else {
            return Ok(Vec::new());
        };
        let updated = Self::set_flags(conn, &previous, previous.is_active, false)?;
        Self::audit_change(conn, actor, "unset_default", &previous, &updated)?;
        Ok(vec![Change::account(&previous, &updated, false)])
    }

    pub(super) fn set_flags(
        conn: &mut DbConnection,
        row: &Self,
        is_active: bool,
        is_default: bool,
    ) -> AccountResult<Self> {
        let changed = diesel::update(accounts::table.find(row.id))
            .set((
                accounts::is_active.eq(is_active),
                accounts::is_default_account.eq(is_default),
                accounts::lock_version.eq(accounts::lock_version + 1),
                accounts::updated_at.eq(now()),
            ))
            .execute(conn)?;
        if changed == 0 {
            return Err(AccountError::NotFound);
        }
        Self::find(conn, row.id)?.ok_or(AccountError::NotFound)
    }

    pub(super) fn audit_change(
        conn: &mut DbConnection,
        actor: &Actor,
        action: &str,
        old: &Self,
        new: &Self,
    ) -> AccountResult<()> {
        let summary = new.audit_target();
        audit::record(conn, actor, action, new.target(&summary), &Self::diff(Some(old), new))?;
        Ok(())
    }

    /// Updates the editable fields (and, for a superuser, the flags) of the account at
    /// `based_on_version`. Fails with `Stale`, changing nothing, when the row has moved
    /// on; with a field error when `submitted_number` differs from the stored number.
    /// An update that changes nothing writes nothing.
    pub fn update(
        conn: &mut DbConnection,
        actor: &Actor,
        id: AccountId,
        based_on_version: i64,
        submitted_number: Option<&str>,
        fields: &AccountFields,
        flags: Option<AccountFlags>,
    ) -> AccountResult<Written<Self>> {
        let edit = Edit { id, based_on_version, submitted_number, fields, flags };
        Self::update_recorded(conn, actor, edit, Record::plain("update"))
    }

    /// [`Account::update`], on the record as `record` says.
    pub fn update_recorded(
        conn: &mut DbConnection,
        actor: &Actor,
        edit: Edit<'_>,
        record: Record<'_>,
    ) -> AccountResult<Written<Self>> {
        let Edit { id, based_on_version, submitted_number, fields, flags } = edit;
        write_transaction(conn, |conn| {
            let old = Self::find(conn, id)?.ok_or(AccountError::NotFound)?;
            let flags = old.check_edit(based_on_version, submitted_number, flags)?;
            let old_tags = metadata::load_tags(conn, metadata::ACCOUNT, id.into())?;
            let old_annotations = metadata::load_annotations(conn, metadata::ACCOUNT, id.into())?;
            let values = FieldValues::from(fields);
            let unchanged = values.matches(&old)
                && flags.is_active == old.is_active
                && flags.is_default_account == old.is_default_account
                && old_tags.same_as(&fields.tags)
                && old_annotations == fields.annotations;
            if unchanged {
                return Ok(Written::leaves_cache(old));
            }
            // Moving the default flag changes the previous default too.
            let mut moved_default = Vec::new();
            if flags.is_default_account && !old.is_default_account {
                moved_default = Self::clear_default(conn, actor)?;
            }
            let changed = diesel::update(accounts::table.find(id).filter(accounts::lock_version.eq(based_on_version)))
                .set((
                    values,
                    accounts::is_active.eq(flags.is_active),
                    accounts::is_default_account.eq(flags.is_default_account),
                    accounts::lock_version.eq(accounts::lock_version + 1),
                    accounts::updated_at.eq(now()),
                ))
                .execute(conn)?;
            if changed == 0 {
                let current = Self::find(conn, id)?.ok_or(AccountError::NotFound)?;
                return Err(AccountError::Stale { current: Box::new(current) });
            }
            let new = Self::find(conn, id)?.ok_or(AccountError::NotFound)?;
            let mut changes = Self::diff(Some(&old), &new);
            Self::update_metadata(conn, id, (&old_tags, &old_annotations), fields, &mut changes)?;
            let summary = record.summary(&new.audit_target());
            let entry = NewEntry::new(actor, record.action, new.target(&summary), &changes).in_batch(record.batch);
            audit::record_many(conn, vec![entry])?;
            let tags = !old_tags.same_as(&fields.tags);
            moved_default.push(Change::account(&old, &new, tags));
            Ok(Written::changes(new, moved_default))
        })
    }

    /// The flags an edit of this row at `based_on_version` leaves it with (`None`:
    /// as they are), or why the edit can't be made.
    fn check_edit(
        &self,
        based_on_version: i64,
        submitted_number: Option<&str>,
        flags: Option<AccountFlags>,
    ) -> AccountResult<AccountFlags> {
        if submitted_number.is_some_and(|n| n.trim() != self.account_number) {
            let message = "The account number can't be changed.";
            return Err(AccountError::Invalid(FieldErrors::single("account_number", message)));
        }
        if self.lock_version != based_on_version {
            return Err(AccountError::Stale { current: Box::new(self.clone()) });
        }
        let flags =
            flags.unwrap_or(AccountFlags { is_active: self.is_active, is_default_account: self.is_default_account });
        let problems = flags.problems(self.is_default_account);
        if !problems.is_empty() {
            return Err(AccountError::Invalid(problems));
        }
        Ok(flags)
    }

    /// Stores the tags and annotations that changed and notes them with the other
    /// changes.
    fn update_metadata(
        conn: &mut DbConnection,
        id: AccountId,
        (old_tags, old_annotations): (&Tags, &Annotations),
        fields: &AccountFields,
        changes: &mut Vec<FieldChange>,
    ) -> AccountResult<()> {
        if !old_tags.same_as(&fields.tags) {
            metadata::set_tags(conn, metadata::ACCOUNT, id.into(), &fields.tags)?;
            FieldChange::push_if_changed(changes, "tags", Some(&old_tags.to_string()), Some(&fields.tags.to_string()));
        }
        if *old_annotations != fields.annotations {
            metadata::set_annotations(conn, metadata::ACCOUNT, id.into(), &fields.annotations)?;
            let (before, after) = (old_annotations.to_string(), fields.annotations.to_string());
            FieldChange::push_if_changed(changes, "annotations", Some(&before), Some(&after));
        }
        Ok(())
    }

    /// Activates or deactivates an account. The default account can't be deactivated.
    pub fn set_active(
        conn: &mut DbConnection,
        actor: &Actor,
        id: AccountId,
        active: bool,
    ) -> AccountResult<Written<Self>> {
        write_transaction(conn, |conn| {
            let old = Self::find(conn, id)?.ok_or(AccountError::NotFound)?;
            if !active && old.is_default_account {
                return Err(AccountError::Refused("The default account can't be deactivated."));
            }
            if old.is_active == active {
                return Ok(Written::leaves_cache(old));
            }
            let new = Self::set_flags(conn, &old, active, old.is_default_account)?;
            Self::audit_change(conn, actor, if active { "activate" } else { "deactivate" }, &old, &new)?;
            Ok(Written::changes(new.clone(), vec![Change::account(&old, &new, false)]))
        })
    }

    /// Makes this account the default, taking the flag from the previous default in the
    /// same transaction. Only an active account can be the default.
    pub fn make_default(conn: &mut DbConnection, actor: &Actor, id: AccountId) -> AccountResult<Written<Self>> {
        write_transaction(conn, |conn| {
            let mut changes = Self::clear_default_unless(conn, actor, id)?;
            let old = Self::find(conn, id)?.ok_or(AccountError::NotFound)?;
            if old.is_default_account {
                // Nothing moved unless another account held the flag.
                return Ok(Written::changes(old, changes));
            }
            if !old.is_active {
                return Err(AccountError::Refused("An inactive account can't be the default."));
            }
            let new = Self::set_flags(conn, &old, old.is_active, true)?;
            Self::audit_change(conn, actor, "make_default", &old, &new)?;
            changes.push(Change::account(&old, &new, false));
            Ok(Written::changes(new, changes))
        })
    }

    pub(super) fn clear_default_unless(
        conn: &mut DbConnection,
        actor: &Actor,
        keep: AccountId,
    ) -> AccountResult<Vec<Change>> {
        lock_default_account_flag(conn)?;
        match Self::default_account(conn)? {
            Some(current) if current.id != keep => Self::clear_default(conn, actor),
            _ => Ok(Vec::new()),
        }
    }

    /// Deletes an account with its contacts, memberships, charges and billing records
    /// (the database cascades) and its metadata. The default account can't be deleted.
    pub fn delete(conn: &mut DbConnection, actor: &Actor, id: AccountId) -> AccountResult<Written<Self>> {
        Self::delete_in(conn, actor, id, None)
    }

    /// [`Account::delete`] as part of the bulk action `batch`. Its entry keeps a
    /// snapshot of the account and what goes with it, for a restore.
    pub(super) fn delete_in(
        conn: &mut DbConnection,
        actor: &Actor,
        id: AccountId,
        batch: Option<&str>,
    ) -> AccountResult<Written<Self>> {
        write_transaction(conn, |conn| {
            let old = Self::find(conn, id)?.ok_or(AccountError::NotFound)?;
            if old.is_default_account {
                return Err(AccountError::Refused("The default account can't be deleted."));
            }
            let snapshot = Snapshot::take(conn, &old)?;
            // Everything that goes with the account is on the record too.
            AccountContact::audit_removal_with(conn, actor, id)?;
            UserProfile::remove_all_of(conn, actor, &old)?;
            metadata::delete_all(conn, metadata::ACCOUNT, id.into())?;
            diesel::delete(accounts::table.find(id)).execute(conn)?;
            let summary = old.audit_target();
            let changes = Self::diff(None, &old)
                .into_iter()
                .map(|c| FieldChange { old: c.new, new: None, field: c.field })
                .collect::<Vec<_>>();
            let mut entry = NewEntry::new(actor, "delete", old.target(&summary), &changes).in_batch(batch);
            entry.snapshot = Some(snapshot.to_json());
            audit::record_many(conn, vec![entry])?;
            let members = snapshot.members.iter().map(|m| m.user_id).collect();
            let change = Change::Removed { account: Box::new(old.clone()), tags: !snapshot.tags.is_empty(), members };
            Ok(Written::changes(old, vec![change]))
        })
    }
}
