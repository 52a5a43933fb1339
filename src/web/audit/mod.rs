//! The audit log and what can be done from it: `/audit` (the list, `list.rs`), reverting
//! one entry (`revert.rs`), a bulk action as a whole (`batch.rs`), and restoring a
//! deleted account (`restore.rs`).

pub mod batch;
pub mod list;
pub mod restore;
pub mod revert;

use crate::db::models::revert::REVERTIBLE;
use crate::db::models::{AuditEntry, FieldChange};

/// Whether `entry` offers Revert to a viewer: any change of fields to a superuser; to
/// staff, edits of fields other than flags (they may see the account: checked on use).
pub fn offers_revert(entry: &AuditEntry, changes: &[FieldChange], superuser: bool) -> bool {
    let about = matches!(entry.object_type.as_str(), "account" | "account_contact");
    let fields = changes.iter().any(|c| c.field != "account_number");
    let revertible = about && fields && REVERTIBLE.contains(&entry.action.as_str());
    let flags = changes.iter().any(|c| crate::db::models::revert::FLAGS.contains(&c.field.as_str()));
    revertible && (superuser || (matches!(entry.action.as_str(), "update" | "revert") && !flags))
}

/// Whether `entry` offers Restore (superusers): an account's delete with a snapshot.
pub fn offers_restore(entry: &AuditEntry, superuser: bool) -> bool {
    superuser && entry.object_type == "account" && entry.action == "delete" && entry.snapshot.is_some()
}
