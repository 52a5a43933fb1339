//! Account contacts: one primary at most, e-mail unique per account, and a
//! welcome e-mail queued in the outbox by the first save.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::models::audit::{Actor, FieldChange, Record};
use crate::db::models::is_unique_violation;
use crate::db::models::written::{Change, Written};
use crate::db::schema::{account_contacts, accounts, email_outbox};
use crate::db::{AccountId, ContactId, DbConnection, now, write_transaction};
pub use crate::domain::ContactFields;
use crate::domain::{FieldErrors, fold_case};

mod record;

pub const WELCOME_SUBJECT: &str = "Welcome to Smarter!";

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable, Serialize, serde::Deserialize)]
#[diesel(table_name = account_contacts)]
pub struct AccountContact {
    pub id: ContactId,
    pub account_id: AccountId,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub is_primary: bool,
    pub welcomed: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, thiserror::Error)]
pub enum ContactError {
    #[error("invalid contact: {0}")]
    Invalid(FieldErrors),
    #[error("no such contact")]
    NotFound,
    #[error(transparent)]
    Unavailable(#[from] crate::db::Unavailable),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

/// A contact's editable columns, as one insert or update value.
#[derive(AsChangeset, Insertable)]
#[diesel(table_name = account_contacts, treat_none_as_null = true)]
struct ContactValues<'a> {
    first_name: &'a str,
    last_name: &'a str,
    email: &'a str,
    email_folded: String,
    phone: Option<&'a str>,
    is_primary: bool,
}

impl<'a> From<&'a ContactFields> for ContactValues<'a> {
    fn from(fields: &'a ContactFields) -> Self {
        Self {
            first_name: fields.first_name.as_str(),
            last_name: fields.last_name.as_str(),
            email: fields.email.as_str(),
            email_folded: fold_case(fields.email.as_str()),
            phone: fields.phone.as_ref().map(|p| p.as_str()),
            is_primary: fields.is_primary,
        }
    }
}

fn duplicate_email() -> ContactError {
    ContactError::Invalid(FieldErrors::single("email", "This account has a contact with this e-mail already."))
}

/// Serialises contact writes of one account (PostgreSQL takes the row lock; SQLite's
/// writers are serialised already), so two saves can't both take the primary flag.
fn lock_account_row(conn: &mut DbConnection, account_id: AccountId) -> QueryResult<()> {
    diesel::update(accounts::table.find(account_id)).set(accounts::id.eq(accounts::id)).execute(conn)?;
    Ok(())
}

impl AccountContact {
    pub fn find(conn: &mut DbConnection, account_id: AccountId, id: ContactId) -> QueryResult<Option<Self>> {
        account_contacts::table
            .filter(account_contacts::account_id.eq(account_id))
            .filter(account_contacts::id.eq(id))
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    fn find_by_email(conn: &mut DbConnection, account_id: AccountId, email: &str) -> QueryResult<Option<Self>> {
        account_contacts::table
            .filter(account_contacts::account_id.eq(account_id))
            .filter(account_contacts::email_folded.eq(fold_case(email)))
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// The account's contacts, the primary first, then by name.
    pub fn for_account(conn: &mut DbConnection, account_id: AccountId) -> QueryResult<Vec<Self>> {
        account_contacts::table
            .filter(account_contacts::account_id.eq(account_id))
            .order((account_contacts::is_primary.desc(), account_contacts::last_name.asc(), account_contacts::id.asc()))
            .select(Self::as_select())
            .load(conn)
    }

    /// Takes the primary flag from the account's other contacts, audited.
    fn clear_primary(
        conn: &mut DbConnection,
        actor: &Actor,
        account_id: AccountId,
        except: Option<ContactId>,
    ) -> QueryResult<()> {
        let current: Vec<Self> = account_contacts::table
            .filter(account_contacts::account_id.eq(account_id))
            .filter(account_contacts::is_primary.eq(true))
            .select(Self::as_select())
            .load(conn)?;
        for old in current.into_iter().filter(|c| Some(c.id) != except) {
            diesel::update(account_contacts::table.find(old.id))
                .set((account_contacts::is_primary.eq(false), account_contacts::updated_at.eq(now())))
                .execute(conn)?;
            let new = Self { is_primary: false, ..old.clone() };
            new.record(conn, actor, "update", &Self::diff(Some(&old), &new))?;
        }
        Ok(())
    }

    /// Creates a contact, queues its welcome e-mail and marks it welcomed, audited, in
    /// one transaction.
    pub fn create(
        conn: &mut DbConnection,
        actor: &Actor,
        account_id: AccountId,
        fields: &ContactFields,
    ) -> Result<Written<Self>, ContactError> {
        write_transaction(conn, |conn| {
            lock_account_row(conn, account_id)?;
            if fields.is_primary {
                Self::clear_primary(conn, actor, account_id, None)?;
            }
            let at = now();
            let inserted = conn.transaction(|conn| {
                diesel::insert_into(account_contacts::table)
                    .values((
                        account_contacts::account_id.eq(account_id),
                        ContactValues::from(fields),
                        account_contacts::welcomed.eq(true),
                        account_contacts::created_at.eq(at),
                        account_contacts::updated_at.eq(at),
                    ))
                    .execute(conn)
            });
            match inserted {
                Ok(_) => {}
                Err(e) if is_unique_violation(&e) => return Err(duplicate_email()),
                Err(e) => return Err(e.into()),
            }
            let contact =
                Self::find_by_email(conn, account_id, fields.email.as_str())?.ok_or(ContactError::NotFound)?;
            diesel::insert_into(email_outbox::table)
                .values((
                    email_outbox::to_address.eq(&contact.email),
                    email_outbox::subject.eq(WELCOME_SUBJECT),
                    email_outbox::body.eq(format!(
                        "Hello {},\n\nYou have been added as a contact for your organisation on Smarter.\n",
                        contact.first_name
                    )),
                    email_outbox::contact_id.eq(Some(contact.id)),
                    email_outbox::created_at.eq(at),
                    email_outbox::updated_at.eq(at),
                ))
                .execute(conn)?;
            contact.record(conn, actor, "create", &Self::diff(None, &contact))?;
            // Contacts are not cached by key; only their account's page shows them.
            Ok(Written::changes(contact, vec![Change::Around(account_id)]))
        })
    }

    /// Updates a contact; making it primary takes the flag from the others.
    pub fn update(
        conn: &mut DbConnection,
        actor: &Actor,
        account_id: AccountId,
        id: ContactId,
        fields: &ContactFields,
    ) -> Result<Written<Self>, ContactError> {
        Self::update_recorded(conn, actor, (account_id, id), fields, Record::plain("update"))
    }

    /// [`AccountContact::update`], on the record as `record` says.
    pub fn update_recorded(
        conn: &mut DbConnection,
        actor: &Actor,
        (account_id, id): (AccountId, ContactId),
        fields: &ContactFields,
        record: Record<'_>,
    ) -> Result<Written<Self>, ContactError> {
        write_transaction(conn, |conn| {
            lock_account_row(conn, account_id)?;
            let old = Self::find(conn, account_id, id)?.ok_or(ContactError::NotFound)?;
            if fields.is_primary && !old.is_primary {
                Self::clear_primary(conn, actor, account_id, Some(id))?;
            }
            let updated = conn.transaction(|conn| {
                diesel::update(account_contacts::table.find(id))
                    .set((ContactValues::from(fields), account_contacts::updated_at.eq(now())))
                    .execute(conn)
            });
            match updated {
                Ok(_) => {}
                Err(e) if is_unique_violation(&e) => return Err(duplicate_email()),
                Err(e) => return Err(e.into()),
            }
            let new = Self::find(conn, account_id, id)?.ok_or(ContactError::NotFound)?;
            let changes = Self::diff(Some(&old), &new);
            if changes.is_empty() {
                return Ok(Written::leaves_cache(new));
            }
            new.record_as(conn, actor, record, &changes)?;
            Ok(Written::changes(new, vec![Change::Around(account_id)]))
        })
    }

    pub fn delete(
        conn: &mut DbConnection,
        actor: &Actor,
        account_id: AccountId,
        id: ContactId,
    ) -> Result<Written<Self>, ContactError> {
        write_transaction(conn, |conn| {
            let old = Self::find(conn, account_id, id)?.ok_or(ContactError::NotFound)?;
            diesel::delete(account_contacts::table.find(id)).execute(conn)?;
            let changes: Vec<FieldChange> = Self::diff(None, &old)
                .into_iter()
                .map(|c| FieldChange { field: c.field, old: c.new, new: None })
                .collect();
            old.record(conn, actor, "delete", &changes)?;
            Ok(Written::changes(old, vec![Change::Around(account_id)]))
        })
    }

    /// Records the deletion of every contact of an account that is being deleted (the
    /// database cascades the rows themselves), in the caller's transaction.
    pub(crate) fn audit_removal_with(conn: &mut DbConnection, actor: &Actor, account_id: AccountId) -> QueryResult<()> {
        for old in Self::for_account(conn, account_id)? {
            let changes: Vec<FieldChange> = Self::diff(None, &old)
                .into_iter()
                .map(|c| FieldChange { field: c.field, old: c.new, new: None })
                .collect();
            old.record(conn, actor, "delete", &changes)?;
        }
        Ok(())
    }
}
