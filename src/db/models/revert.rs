//! Reverting a change from its audit entry: the entry's old values are written again
//! as one ordinary audited write (action `revert`, its summary naming the entry), so
//! every rule of the domain still holds and the revert is itself on the record. A field
//! changed again since the entry is a conflict: nothing is written until the caller
//! says, per field, whether to revert it or keep what is stored. A bulk action's
//! entries are reverted together (deleted accounts restored), in one transaction.

use crate::db::models::CacheEffect;
use crate::db::models::audit::Actor;
use crate::db::models::audit::{AuditEntry, Record, new_batch_id};
use crate::db::models::{
    Account, AccountContact, AccountError, AccountFlags, ContactError, Edit, FieldChange, Snapshot, Written, metadata,
};
use crate::db::{ContactId, DbConnection, Unavailable, write_transaction};
use crate::domain::{AccountFields, Annotations, ContactFields, RawContactFields, Tags};

/// The actions whose entries changed fields and can be reverted.
pub const REVERTIBLE: [&str; 6] = ["update", "activate", "deactivate", "make_default", "unset_default", "revert"];
/// Fields only a superuser sets (staff revert the others).
pub const FLAGS: [&str; 3] = ["is_active", "is_default_account", "is_primary"];

/// What to do with a field changed again since the entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// Set the entry's old value anyway.
    Revert,
    /// Leave what is stored now.
    Keep,
}

/// One field of a revert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPlan {
    pub field: String,
    /// What the revert sets: the value before the entry.
    pub revert_to: Option<String>,
    /// What the entry set.
    pub entry_set: Option<String>,
    /// What is stored now.
    pub stored: Option<String>,
}

impl FieldPlan {
    /// Whether another change touched the field after the entry.
    pub fn conflict(&self) -> bool {
        self.stored != self.entry_set
    }

    /// Whether reverting it would change anything.
    pub fn changes(&self) -> bool {
        self.stored != self.revert_to
    }
}

/// What an entry is about, as stored now.
#[derive(Debug, Clone)]
pub enum Target {
    Account { account: Account, tags: Tags, annotations: Annotations },
    Contact { account: Account, contact: AccountContact },
}

impl Target {
    pub fn account(&self) -> &Account {
        match self {
            Self::Account { account, .. } | Self::Contact { account, .. } => account,
        }
    }

    fn stored(&self, field: &str) -> Option<String> {
        match self {
            Self::Account { account, tags, annotations } => match field {
                "tags" => Some(tags.to_string()),
                "annotations" => Some(annotations.to_string()),
                _ => account.audited_fields().into_iter().find(|(f, _)| *f == field).and_then(|(_, v)| v),
            },
            Self::Contact { contact, .. } => {
                contact.audited_fields().into_iter().find(|(f, _)| *f == field).and_then(|(_, v)| v)
            }
        }
    }
}

/// What reverting an entry would do now.
#[derive(Debug, Clone)]
pub struct RevertPlan {
    pub entry: AuditEntry,
    pub target: Target,
    pub fields: Vec<FieldPlan>,
}

impl RevertPlan {
    pub fn conflicts(&self) -> impl Iterator<Item = &FieldPlan> {
        self.fields.iter().filter(|f| f.conflict())
    }

    /// Whether it sets a flag (staff may not).
    pub fn touches_flags(&self) -> bool {
        self.fields.iter().any(|f| FLAGS.contains(&f.field.as_str()))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RevertError {
    #[error("no such entry")]
    NotFound,
    #[error("{0}")]
    NotRevertible(&'static str),
    /// Fields changed again since the entry, and no choice was made for them.
    #[error("fields changed since the entry")]
    Conflict(Box<RevertPlan>),
    /// A bulk action can't be reverted whole: each account named, with why.
    #[error("refused for {} accounts", .0.len())]
    Batch(Vec<(String, String)>),
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Contact(#[from] ContactError),
    #[error(transparent)]
    Unavailable(#[from] Unavailable),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

/// The plan for reverting `entry` now.
pub fn plan(conn: &mut DbConnection, entry: AuditEntry) -> Result<RevertPlan, RevertError> {
    if !REVERTIBLE.contains(&entry.action.as_str()) {
        return Err(RevertError::NotRevertible("Only changes of fields can be reverted."));
    }
    let gone = || RevertError::NotRevertible("What this entry changed no longer exists.");
    let account_id = entry.account_id.ok_or(RevertError::NotRevertible("This entry is about no account."))?;
    let account = Account::find(conn, account_id)?.ok_or_else(gone)?;
    let target = match entry.object_type.as_str() {
        "account" => Target::Account {
            tags: metadata::load_tags(conn, metadata::ACCOUNT, account.id.into())?,
            annotations: metadata::load_annotations(conn, metadata::ACCOUNT, account.id.into())?,
            account,
        },
        "account_contact" => {
            let contact = AccountContact::find(conn, account.id, ContactId(entry.object_id))?.ok_or_else(gone)?;
            Target::Contact { account, contact }
        }
        _ => return Err(RevertError::NotRevertible("Only changes of accounts and contacts can be reverted.")),
    };
    let fields: Vec<FieldPlan> = entry
        .field_changes()
        .into_iter()
        .filter(|c: &FieldChange| c.field != "account_number")
        .map(|c| FieldPlan { stored: target.stored(&c.field), field: c.field, revert_to: c.old, entry_set: c.new })
        .collect();
    if fields.is_empty() {
        return Err(RevertError::NotRevertible("This entry changed no fields."));
    }
    Ok(RevertPlan { entry, target, fields })
}

/// Reverts entry `id`: each field not changed since, and each changed field `choose`
/// says to revert. Without a choice for a changed field nothing is written
/// ([`RevertError::Conflict`]). Returns the account the change was about.
pub fn revert(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    choose: &dyn Fn(&str) -> Option<Choice>,
) -> Result<Written<Account>, RevertError> {
    write_transaction(conn, |conn| {
        let entry = AuditEntry::find(conn, id)?.ok_or(RevertError::NotFound)?;
        let plan = plan(conn, entry)?;
        apply(conn, actor, plan, choose, None)
    })
}

fn apply(
    conn: &mut DbConnection,
    actor: &Actor,
    plan: RevertPlan,
    choose: &dyn Fn(&str) -> Option<Choice>,
    batch: Option<&str>,
) -> Result<Written<Account>, RevertError> {
    let mut chosen = Vec::new();
    for field in &plan.fields {
        let choice = if field.conflict() { choose(&field.field) } else { Some(Choice::Revert) };
        match choice {
            None => return Err(RevertError::Conflict(Box::new(plan))),
            Some(Choice::Revert) if field.changes() => chosen.push(field),
            Some(_) => {}
        }
    }
    let note = format!("reverts entry #{}", plan.entry.id);
    let record = Record { action: "revert", note: Some(&note), batch };
    if chosen.is_empty() {
        return Ok(Written::leaves_cache(plan.target.account().clone()));
    }
    let value = |f: &FieldPlan| f.revert_to.clone().unwrap_or_default();
    match &plan.target {
        Target::Account { account, tags, annotations } => {
            let mut raw = account.raw_fields(tags, annotations);
            let mut flags =
                AccountFlags { is_active: account.is_active, is_default_account: account.is_default_account };
            for f in chosen {
                match f.field.as_str() {
                    "is_active" => flags.is_active = value(f) == "true",
                    "is_default_account" => flags.is_default_account = value(f) == "true",
                    name => {
                        raw.set(name, value(f));
                    }
                }
            }
            let fields = AccountFields::parse(&raw).map_err(AccountError::Invalid)?;
            let edit = Edit {
                id: account.id,
                based_on_version: account.lock_version,
                submitted_number: None,
                fields: &fields,
                flags: Some(flags),
            };
            Ok(Account::update_recorded(conn, actor, edit, record)?)
        }
        Target::Contact { account, contact } => {
            let mut raw = RawContactFields {
                first_name: contact.first_name.clone(),
                last_name: contact.last_name.clone(),
                email: contact.email.clone(),
                phone: contact.phone.clone().unwrap_or_default(),
                is_primary: contact.is_primary.then(|| "on".to_owned()),
            };
            for f in chosen {
                match f.field.as_str() {
                    "first_name" => raw.first_name = value(f),
                    "last_name" => raw.last_name = value(f),
                    "email" => raw.email = value(f),
                    "phone" => raw.phone = value(f),
                    "is_primary" => raw.is_primary = (value(f) == "true").then(|| "on".to_owned()),
                    _ => {}
                }
            }
            let fields = ContactFields::parse(&raw).map_err(ContactError::Invalid)?;
            let written = AccountContact::update_recorded(conn, actor, (account.id, contact.id), &fields, record)?;
            Ok(written.map(|_| account.clone()))
        }
    }
}

/// Reverts every change of the bulk action `batch` (restoring the accounts it deleted)
/// in one transaction, or nothing when any of them can't be. Returns how many.
pub fn revert_batch(conn: &mut DbConnection, actor: &Actor, batch: &str) -> Result<Written<usize>, RevertError> {
    write_transaction(conn, |conn| {
        let entries = AuditEntry::of_batch(conn, batch)?;
        if entries.is_empty() {
            return Err(RevertError::NotFound);
        }
        let again = new_batch_id();
        let (mut refused, mut plans, mut restores) = (Vec::new(), Vec::new(), Vec::new());
        for entry in entries {
            let name = entry.summary.clone();
            if entry.action == "delete" {
                match Snapshot::of_entry(&entry).map(|s| s.plan(conn)).transpose()? {
                    Some(p) if p.number_taken => refused.push((name, "its number is taken again".to_owned())),
                    Some(_) => restores.push(entry),
                    None => refused.push((name, "no snapshot to restore".to_owned())),
                }
                continue;
            }
            match plan(conn, entry) {
                Ok(p) if p.conflicts().next().is_some() => {
                    let fields: Vec<&str> = p.conflicts().map(|f| f.field.as_str()).collect();
                    refused.push((name, format!("changed again since: {}", fields.join(", "))));
                }
                Ok(p) => plans.push(p),
                Err(RevertError::NotRevertible(why)) => refused.push((name, why.to_owned())),
                Err(other) => return Err(other),
            }
        }
        if !refused.is_empty() {
            return Err(RevertError::Batch(refused));
        }
        let mut effect = CacheEffect::None;
        let count = plans.len() + restores.len();
        for p in plans {
            let name = p.entry.summary.clone();
            let written = apply(conn, actor, p, &|_| None, Some(&again)).map_err(|e| match e {
                RevertError::Account(AccountError::Invalid(errors)) => {
                    RevertError::Batch(vec![(name, errors.to_string())])
                }
                other => other,
            })?;
            effect = effect.and(written.effect);
        }
        for entry in restores {
            effect = effect.and(Account::restore(conn, actor, &entry, Some(&again))?.effect);
        }
        Ok(Written::with(count, effect))
    })
}
