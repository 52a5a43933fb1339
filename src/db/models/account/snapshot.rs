//! What a deleted account was, kept in its `delete` audit entry (written in the
//! delete's transaction), and restoring it from there: the same id and number, every
//! field, tags, annotations, contacts and the memberships of users still active, in one
//! transaction, on the record as `restore`. Billing records are not restored.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::{Account, AccountError, AccountResult, FieldValues, Written};
use crate::db::models::audit::{self, Actor, AuditEntry, NewEntry, Record};
use crate::db::models::{AccountContact, Change, UserProfile, metadata};
use crate::db::schema::{account_contacts, accounts, user_profiles, users};
use crate::db::{DbConnection, UserId, now, write_transaction};
use crate::domain::{Annotations, Tags, fold_case};

/// A membership as it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberSnapshot {
    pub id: i64,
    pub user_id: UserId,
    pub username: String,
    pub name: String,
    pub description: String,
    pub version: String,
}

/// An account and what went with it when it was deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub account: Account,
    pub tags: String,
    pub annotations: String,
    pub contacts: Vec<AccountContact>,
    pub members: Vec<MemberSnapshot>,
}

/// A membership a restore leaves out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub username: String,
    pub why: &'static str,
}

/// What restoring a snapshot would do now.
#[derive(Debug, Clone)]
pub struct RestorePlan {
    pub snapshot: Snapshot,
    /// Another account has the number now: the restore is refused.
    pub number_taken: bool,
    pub skipped: Vec<Skipped>,
}

impl Snapshot {
    /// The account as it is now, with its metadata, contacts and members.
    pub fn take(conn: &mut DbConnection, account: &Account) -> QueryResult<Self> {
        let members = UserProfile::members_of(conn, account.id)?
            .into_iter()
            .map(|(p, u)| MemberSnapshot {
                id: p.id,
                user_id: u.id,
                username: u.username,
                name: p.name,
                description: p.description,
                version: p.version,
            })
            .collect();
        Ok(Self {
            tags: metadata::load_tags(conn, metadata::ACCOUNT, account.id.into())?.to_string(),
            annotations: metadata::load_annotations(conn, metadata::ACCOUNT, account.id.into())?.to_string(),
            contacts: AccountContact::for_account(conn, account.id)?,
            members,
            account: account.clone(),
        })
    }

    /// The snapshot a `delete` entry of an account keeps, if it has one.
    pub fn of_entry(entry: &AuditEntry) -> Option<Self> {
        if entry.object_type != "account" || entry.action != "delete" {
            return None;
        }
        serde_json::from_str(entry.snapshot.as_deref()?).ok()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// What restoring it would do now.
    pub fn plan(self, conn: &mut DbConnection) -> QueryResult<RestorePlan> {
        let number_taken = Account::get_by_account_number(conn, &self.account.account_number)?.is_some()
            || Account::find(conn, self.account.id)?.is_some();
        let mut skipped = Vec::new();
        for member in &self.members {
            let active: Option<bool> =
                users::table.find(member.user_id).select(users::is_active).first(conn).optional()?;
            let why = match active {
                None => Some("the user no longer exists"),
                Some(false) => Some("the user is inactive"),
                Some(true) => None,
            };
            if let Some(why) = why {
                skipped.push(Skipped { username: member.username.clone(), why });
            }
        }
        Ok(RestorePlan { snapshot: self, number_taken, skipped })
    }
}

impl Account {
    /// Restores the account a `delete` entry kept, as [`Snapshot`] says; refused when
    /// its number is taken again. Returns the account and the memberships left out.
    pub fn restore(
        conn: &mut DbConnection,
        actor: &Actor,
        entry: &AuditEntry,
        batch: Option<&str>,
    ) -> AccountResult<Written<(Self, Vec<Skipped>)>> {
        let snapshot =
            Snapshot::of_entry(entry).ok_or(AccountError::Refused("This entry keeps no account to restore."))?;
        write_transaction(conn, |conn| {
            let plan = snapshot.plan(conn)?;
            if plan.number_taken {
                return Err(AccountError::Refused(
                    "Another account has this number now: the deleted account can't be restored.",
                ));
            }
            let RestorePlan { snapshot, skipped, .. } = plan;
            let old = &snapshot.account;
            let at = now();
            diesel::insert_into(accounts::table)
                .values((
                    accounts::id.eq(old.id),
                    accounts::account_number.eq(&old.account_number),
                    accounts::is_default_account.eq(false),
                    FieldValues::of(old),
                    accounts::is_active.eq(old.is_active),
                    accounts::lock_version.eq(old.lock_version + 1),
                    accounts::created_at.eq(old.created_at),
                    accounts::updated_at.eq(at),
                ))
                .execute(conn)?;
            let account = Self::find(conn, old.id)?.ok_or(AccountError::NotFound)?;
            let tags = Tags::parse(&snapshot.tags).unwrap_or_default();
            let annotations = Annotations::parse(&snapshot.annotations).unwrap_or_default();
            metadata::set_tags(conn, metadata::ACCOUNT, account.id.into(), &tags)?;
            metadata::set_annotations(conn, metadata::ACCOUNT, account.id.into(), &annotations)?;
            let note = format!("restored from entry #{}", entry.id);
            let record = Record { action: "restore", note: Some(&note), batch };
            let mut entries = Vec::new();
            let summary = record.summary(&account.audit_target());
            entries.push(
                NewEntry::new(actor, "restore", account.target(&summary), &Self::diff(None, &account)).in_batch(batch),
            );
            for contact in &snapshot.contacts {
                restore_contact(conn, contact)?;
                entries.push(contact.restored_entry(actor, &account, batch));
            }
            let mut members = Vec::new();
            for member in snapshot.members.iter().filter(|m| !skipped.iter().any(|s| s.username == m.username)) {
                restore_member(conn, member, &account)?;
                entries.push(UserProfile::restored_entry(actor, member.id, &member.username, &account, batch));
                members.push(member.user_id);
            }
            audit::record_many(conn, entries)?;
            let change = Change::Added { account: Box::new(account.clone()), tags: !tags.is_empty(), members };
            Ok(Written::changes((account, skipped), vec![change]))
        })
    }
}

fn restore_contact(conn: &mut DbConnection, c: &AccountContact) -> QueryResult<()> {
    diesel::insert_into(account_contacts::table)
        .values((
            account_contacts::id.eq(c.id),
            account_contacts::account_id.eq(c.account_id),
            account_contacts::first_name.eq(&c.first_name),
            account_contacts::last_name.eq(&c.last_name),
            account_contacts::email.eq(&c.email),
            account_contacts::email_folded.eq(fold_case(&c.email)),
            account_contacts::phone.eq(&c.phone),
            account_contacts::is_primary.eq(c.is_primary),
            account_contacts::welcomed.eq(c.welcomed),
            account_contacts::created_at.eq(c.created_at),
            account_contacts::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

fn restore_member(conn: &mut DbConnection, m: &MemberSnapshot, account: &Account) -> QueryResult<()> {
    let at = now();
    diesel::insert_into(user_profiles::table)
        .values((
            user_profiles::id.eq(m.id),
            user_profiles::user_id.eq(m.user_id),
            user_profiles::account_id.eq(account.id),
            user_profiles::name.eq(&m.name),
            user_profiles::description.eq(&m.description),
            user_profiles::version.eq(&m.version),
            user_profiles::created_at.eq(at),
            user_profiles::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}
