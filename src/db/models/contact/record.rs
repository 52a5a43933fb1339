//! How contacts go on the record: the fields an entry compares, the diff, and the
//! entry of each write (a restored contact's included).

use diesel::prelude::*;

use super::AccountContact;
use crate::db::DbConnection;
use crate::db::models::Account;
use crate::db::models::audit::{self, Actor, AuditTarget, FieldChange, NewEntry, Record};

impl AccountContact {
    pub(super) fn summary(&self) -> String {
        format!("{} {} <{}>", self.first_name, self.last_name, self.email)
    }

    /// The field values an audit entry compares.
    pub fn audited_fields(&self) -> [(&'static str, Option<String>); 5] {
        [
            ("first_name", Some(self.first_name.clone())),
            ("last_name", Some(self.last_name.clone())),
            ("email", Some(self.email.clone())),
            ("phone", self.phone.clone()),
            ("is_primary", Some(self.is_primary.to_string())),
        ]
    }

    pub(super) fn diff(old: Option<&Self>, new: &Self) -> Vec<FieldChange> {
        let mut changes = Vec::new();
        let old_fields = old.map(Self::audited_fields);
        for (i, (field, value)) in new.audited_fields().iter().enumerate() {
            let before = old_fields.as_ref().and_then(|o| o[i].1.as_deref());
            FieldChange::push_if_changed(&mut changes, field, before, value.as_deref());
        }
        changes
    }

    /// The entry of this contact restored with `account`.
    pub(crate) fn restored_entry(&self, actor: &Actor, account: &Account, batch: Option<&str>) -> NewEntry {
        let summary = self.summary();
        let target = AuditTarget {
            object_type: "account_contact",
            object_id: self.id.0,
            account_id: Some(account.id),
            account_number: Some(&account.account_number),
            summary: &summary,
        };
        NewEntry::new(actor, "restore", target, &Self::diff(None, self)).in_batch(batch)
    }

    pub(super) fn record(
        &self,
        conn: &mut DbConnection,
        actor: &Actor,
        action: &str,
        changes: &[FieldChange],
    ) -> QueryResult<()> {
        self.record_as(conn, actor, Record::plain(action), changes)
    }

    pub(super) fn record_as(
        &self,
        conn: &mut DbConnection,
        actor: &Actor,
        record: Record<'_>,
        changes: &[FieldChange],
    ) -> QueryResult<()> {
        let summary = record.summary(&self.summary());
        let target = AuditTarget {
            object_type: "account_contact",
            object_id: self.id.0,
            account_id: Some(self.account_id),
            account_number: None,
            summary: &summary,
        };
        audit::record_many(conn, vec![NewEntry::new(actor, record.action, target, changes).in_batch(record.batch)])
    }
}
