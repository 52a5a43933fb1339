//! The whole audit log, newest first: filtered by actor, object type, action, account
//! number (a deleted account's entries included: each entry keeps its account's
//! number) and days, keyset-paged. Each filter has an index that ends in the order.

use chrono::{Days, NaiveDate, NaiveTime};
use diesel::prelude::*;

use crate::db::models::AuditEntry;
use crate::db::models::keyset::{self, Cursor, KeyType, Page};
use crate::db::schema::{account_contacts, accounts, audit_entries as entries, user_profiles, users};
use crate::db::{DbConnection, MultiBackend};

/// The object types an entry can be about: the name pages use, and the stored one.
pub const OBJECT_TYPES: [(&str, &str); 4] =
    [("account", "account"), ("contact", "account_contact"), ("membership", "user_profile"), ("user", "user")];

/// The actions the log records.
pub const ACTIONS: [&str; 9] = [
    "create",
    "update",
    "delete",
    "activate",
    "deactivate",
    "make_default",
    "unset_default",
    "set_password",
    "sign_out",
];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// A username as the entries spell it.
    pub actor: Option<String>,
    /// A stored object type (`account_contact`, not `contact`).
    pub object_type: Option<String>,
    pub action: Option<String>,
    pub account_number: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// One page of the log.
pub fn list(
    conn: &mut DbConnection,
    filter: &AuditFilter,
    cursor: Option<&Cursor>,
    per_page: i64,
) -> QueryResult<Page<AuditEntry>> {
    let mut q = entries::table.into_boxed::<MultiBackend>();
    if let Some(actor) = &filter.actor {
        q = q.filter(entries::actor_username.eq(actor.clone()));
    }
    if let Some(object_type) = &filter.object_type {
        q = q.filter(entries::object_type.eq(object_type.clone()));
    }
    if let Some(action) = &filter.action {
        q = q.filter(entries::action.eq(action.clone()));
    }
    if let Some(number) = &filter.account_number {
        q = q.filter(entries::account_number.eq(number.clone()));
    }
    let start = |day: NaiveDate| day.and_time(NaiveTime::MIN);
    if let Some(from) = filter.from {
        q = q.filter(entries::created_at.ge(start(from)));
    }
    if let Some(to) = filter.to.and_then(|d| d.checked_add_days(Days::new(1))) {
        q = q.filter(entries::created_at.lt(start(to)));
    }
    let key = ("audit_entries.created_at", "audit_entries.id", KeyType::Timestamp);
    let (beyond, direction) = keyset::start_at::<entries::table>(cursor, key, true);
    q = if direction.reversed(true) {
        q.order((entries::created_at.desc(), entries::id.desc()))
    } else {
        q.order((entries::created_at.asc(), entries::id.asc()))
    };
    if let Some(condition) = beyond {
        q = q.filter(condition);
    }
    let rows: Vec<AuditEntry> = q.limit(per_page + 1).select(AuditEntry::as_select()).load(conn)?;
    Ok(Page::from_rows(rows, per_page, direction, |e| (Cursor::time(e.created_at), e.id)))
}

/// Which of `entries`' objects still exist, as (object type, id) pairs, and which of
/// their accounts (by number): pages link only to those.
pub fn existing(conn: &mut DbConnection, found: &[AuditEntry]) -> QueryResult<Existing> {
    let ids = |object_type: &str| -> Vec<i64> {
        found.iter().filter(|e| e.object_type == object_type).map(|e| e.object_id).collect()
    };
    let numbers: Vec<String> = found.iter().filter_map(|e| e.account_number.clone()).collect();
    Ok(Existing {
        accounts: accounts::table
            .filter(accounts::account_number.eq_any(numbers))
            .select(accounts::account_number)
            .load(conn)?,
        contacts: account_contacts::table
            .filter(account_contacts::id.eq_any(ids("account_contact")))
            .select(account_contacts::id)
            .load(conn)?,
        memberships: user_profiles::table
            .filter(user_profiles::id.eq_any(ids("user_profile")))
            .select(user_profiles::id)
            .load(conn)?,
        users: users::table.filter(users::id.eq_any(ids("user"))).select(users::id).load(conn)?,
    })
}

/// The objects of a page of entries that still exist.
#[derive(Debug, Clone, Default)]
pub struct Existing {
    pub accounts: Vec<String>,
    pub contacts: Vec<i64>,
    pub memberships: Vec<i64>,
    pub users: Vec<i64>,
}

impl Existing {
    /// Where `entry`'s object can be seen now, if it still exists.
    pub fn href(&self, entry: &AuditEntry) -> Option<String> {
        let number = entry.account_number.as_ref().filter(|n| self.accounts.contains(n));
        match entry.object_type.as_str() {
            "account" => number.map(|n| format!("/accounts/{n}")),
            "account_contact" if self.contacts.contains(&entry.object_id) => {
                number.map(|n| format!("/accounts/{n}/contacts/{}/edit", entry.object_id))
            }
            "user_profile" if self.memberships.contains(&entry.object_id) => number.map(|n| format!("/accounts/{n}")),
            "user" if self.users.contains(&entry.object_id) => Some(format!("/users/{}/edit", entry.object_id)),
            _ => None,
        }
    }
}
