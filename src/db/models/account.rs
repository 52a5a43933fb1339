//! Accounts (SPEC 2.1): the read model, its lookups, and every write, each in one
//! transaction with its audit entry.

use std::fmt;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cache;
use crate::db::models::audit::{self, Actor, AuditTarget, FieldChange};
use crate::db::models::{is_unique_violation, metadata, violated_constraint};
use crate::db::schema::{account_contacts, accounts, charges, daily_billing_records, form_tokens, user_profiles};
use crate::db::{DbConnection, lock_default_account_flag, now, write_transaction};
use crate::domain::{AccountFields, AccountNumber, AccountNumberInput, FieldErrors};

/// How many generated numbers a create tries before it gives up.
pub const MAX_NUMBER_ATTEMPTS: u32 = 20;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable, Serialize, Deserialize)]
#[diesel(table_name = accounts)]
pub struct Account {
    pub id: i64,
    pub account_number: String,
    pub is_default_account: bool,
    pub company_name: String,
    pub phone_number: Option<String>,
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: String,
    pub language: String,
    pub timezone: Option<String>,
    pub currency: String,
    pub is_active: bool,
    pub name: String,
    pub description: String,
    pub version: String,
    pub lock_version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl fmt::Display for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} - {}", self.account_number, self.company_name)
    }
}

/// The lookups the object cache serves (SPEC 2.7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountLookup {
    Pk(i64),
    Name(String),
    AccountNumber(String),
    CompanyName(String),
}

impl AccountLookup {
    pub fn cache_key(&self) -> String {
        match self {
            Self::Pk(id) => cache::key("account", "pk", id),
            Self::Name(v) => cache::key("account", "name", v),
            Self::AccountNumber(v) => cache::key("account", "account_number", v),
            Self::CompanyName(v) => cache::key("account", "company_name", v),
        }
    }
}

/// The two flags only a superuser sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountFlags {
    pub is_active: bool,
    pub is_default_account: bool,
}

impl Default for AccountFlags {
    fn default() -> Self {
        Self { is_active: true, is_default_account: false }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("invalid account: {0}")]
    Invalid(FieldErrors),
    #[error("the account changed since it was loaded")]
    Stale { current: Box<Account> },
    #[error("no such account")]
    NotFound,
    #[error("{0}")]
    Refused(&'static str),
    #[error("no unused account number found after {MAX_NUMBER_ATTEMPTS} tries; try again")]
    NumbersExhausted,
    #[error(transparent)]
    Unavailable(#[from] crate::store::Unavailable),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

/// The outcome of a write: the row as it now is, and every cache key the write made
/// stale (old and new values, of this row and of any other row it changed).
#[derive(Debug, Clone)]
pub struct Written<T> {
    pub value: T,
    pub stale_keys: Vec<String>,
}

type AccountResult<T> = Result<T, AccountError>;

impl Account {
    pub fn cache_keys(&self) -> Vec<String> {
        [
            AccountLookup::Pk(self.id),
            AccountLookup::Name(self.name.clone()),
            AccountLookup::AccountNumber(self.account_number.clone()),
            AccountLookup::CompanyName(self.company_name.clone()),
        ]
        .iter()
        .map(AccountLookup::cache_key)
        .collect()
    }

    fn audit_target(&self) -> String {
        self.to_string()
    }

    /// The field values an audit entry compares, in form order.
    fn audited_fields(&self) -> [(&'static str, Option<String>); 17] {
        [
            ("account_number", Some(self.account_number.clone())),
            ("company_name", Some(self.company_name.clone())),
            ("phone_number", self.phone_number.clone()),
            ("address1", self.address1.clone()),
            ("address2", self.address2.clone()),
            ("city", self.city.clone()),
            ("state", self.state.clone()),
            ("postal_code", self.postal_code.clone()),
            ("country", Some(self.country.clone())),
            ("language", Some(self.language.clone())),
            ("timezone", self.timezone.clone()),
            ("currency", Some(self.currency.clone())),
            ("name", Some(self.name.clone())),
            ("description", Some(self.description.clone())),
            ("version", Some(self.version.clone())),
            ("is_active", Some(self.is_active.to_string())),
            ("is_default_account", Some(self.is_default_account.to_string())),
        ]
    }

    fn diff(old: Option<&Self>, new: &Self) -> Vec<FieldChange> {
        let mut changes = Vec::new();
        let new_fields = new.audited_fields();
        let old_fields = old.map(Self::audited_fields);
        for (i, (field, value)) in new_fields.iter().enumerate() {
            let before = old_fields.as_ref().and_then(|o| o[i].1.as_deref());
            // A new row's empty values are not news.
            let after = value.as_deref().filter(|v| old.is_some() || !v.is_empty());
            FieldChange::push_if_changed(&mut changes, field, before, after);
        }
        changes
    }

    pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Self>> {
        accounts::table.find(id).select(Self::as_select()).first(conn).optional()
    }

    /// The account with this number, read from the database (never the cache).
    pub fn get_by_account_number(conn: &mut DbConnection, number: &str) -> QueryResult<Option<Self>> {
        accounts::table.filter(accounts::account_number.eq(number)).select(Self::as_select()).first(conn).optional()
    }

    /// The row a cache lookup stands for. Names and company names need not be unique:
    /// the oldest such account answers.
    pub fn find_by(conn: &mut DbConnection, lookup: &AccountLookup) -> QueryResult<Option<Self>> {
        let query = accounts::table.select(Self::as_select()).order(accounts::id.asc());
        match lookup {
            AccountLookup::Pk(id) => Self::find(conn, *id),
            AccountLookup::AccountNumber(n) => Self::get_by_account_number(conn, n),
            AccountLookup::Name(n) => query.filter(accounts::name.eq(n)).first(conn).optional(),
            AccountLookup::CompanyName(n) => query.filter(accounts::company_name.eq(n)).first(conn).optional(),
        }
    }

    pub fn default_account(conn: &mut DbConnection) -> QueryResult<Option<Self>> {
        accounts::table.filter(accounts::is_default_account.eq(true)).select(Self::as_select()).first(conn).optional()
    }

    pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
        accounts::table.count().get_result(conn)
    }

    /// A random number no account has yet (upstream `randomized_account_number`).
    /// Another writer may still take it first; creates guard with the unique index.
    pub fn randomized_account_number(conn: &mut DbConnection) -> AccountResult<AccountNumber> {
        for _ in 0..MAX_NUMBER_ATTEMPTS {
            let candidate = AccountNumber::random();
            if !candidate.is_sentinel() && Self::get_by_account_number(conn, candidate.as_str())?.is_none() {
                return Ok(candidate);
            }
        }
        Err(AccountError::NumbersExhausted)
    }

    /// Creates an account, its tags and annotations, and its audit entry in one
    /// transaction. A generated number that collides is replaced by another
    /// (`generate` supplies them), up to [`MAX_NUMBER_ATTEMPTS`] times.
    pub fn create(
        conn: &mut DbConnection,
        actor: &Actor,
        number: &AccountNumberInput,
        fields: &AccountFields,
        flags: AccountFlags,
        generate: &mut dyn FnMut() -> AccountNumber,
    ) -> AccountResult<Written<Self>> {
        write_transaction(conn, |conn| {
            let mut stale_keys = Vec::new();
            if flags.is_default_account {
                stale_keys.extend(Self::clear_default(conn, actor)?);
            }
            let account = match number {
                AccountNumberInput::Given(n) => match Self::insert_row(conn, n, fields, flags) {
                    Err(e) if is_unique_violation(&e) && violated_constraint(&e).contains("account_number") => {
                        return Err(AccountError::Invalid(FieldErrors::single(
                            "account_number",
                            "An account with this number exists already.",
                        )));
                    }
                    other => other?,
                },
                AccountNumberInput::Generate => Self::insert_with_generated_number(conn, fields, flags, generate)?,
            };
            metadata::set_tags(conn, metadata::ACCOUNT, account.id, &fields.tags)?;
            metadata::set_annotations(conn, metadata::ACCOUNT, account.id, &fields.annotations)?;
            let mut changes = Self::diff(None, &account);
            let (tags, annotations) = (fields.tags.to_string(), fields.annotations.to_string());
            FieldChange::push_if_changed(&mut changes, "tags", None, Some(tags.as_str()).filter(|s| !s.is_empty()));
            FieldChange::push_if_changed(
                &mut changes,
                "annotations",
                None,
                Some(annotations.as_str()).filter(|s| !s.is_empty()),
            );
            let summary = account.audit_target();
            audit::record(conn, actor, "create", account.target(&summary), &changes)?;
            stale_keys.extend(account.cache_keys());
            Ok(Written { value: account, stale_keys })
        })
    }

    /// [`Self::create`] at most once per form token: a token already used answers with
    /// the account it created (and `false`), so a double submit creates one account.
    pub fn create_once(
        conn: &mut DbConnection,
        actor: &Actor,
        token: &str,
        number: &AccountNumberInput,
        fields: &AccountFields,
        flags: AccountFlags,
        generate: &mut dyn FnMut() -> AccountNumber,
    ) -> AccountResult<Written<(Self, bool)>> {
        let earlier = |conn: &mut DbConnection| -> AccountResult<Option<Self>> {
            let id: Option<i64> = form_tokens::table
                .filter(form_tokens::token.eq(token))
                .select(form_tokens::account_id)
                .first(conn)
                .optional()?;
            match id {
                Some(id) => Ok(Self::find(conn, id)?),
                None => Ok(None),
            }
        };
        write_transaction(conn, |conn| {
            if let Some(account) = earlier(conn)? {
                return Ok(Written { value: (account, false), stale_keys: Vec::new() });
            }
            let attempt = conn.transaction(|conn| {
                let written = Self::create(conn, actor, number, fields, flags, generate)?;
                let at = now();
                diesel::insert_into(form_tokens::table)
                    .values((
                        form_tokens::token.eq(token),
                        form_tokens::account_id.eq(written.value.id),
                        form_tokens::created_at.eq(at),
                        form_tokens::updated_at.eq(at),
                    ))
                    .execute(conn)?;
                Ok::<_, AccountError>(written)
            });
            match attempt {
                Ok(written) => Ok(Written { value: (written.value, true), stale_keys: written.stale_keys }),
                Err(AccountError::Db(e)) if is_unique_violation(&e) && violated_constraint(&e).contains("token") => {
                    let account = earlier(conn)?.ok_or(AccountError::NotFound)?;
                    Ok(Written { value: (account, false), stale_keys: Vec::new() })
                }
                Err(e) => Err(e),
            }
        })
    }

    /// What deleting the account would take with it: contacts, members, charges and
    /// billing records.
    pub fn dependents(conn: &mut DbConnection, id: i64) -> QueryResult<[i64; 4]> {
        let contacts = account_contacts::table.filter(account_contacts::account_id.eq(id)).count().get_result(conn)?;
        let members = user_profiles::table.filter(user_profiles::account_id.eq(id)).count().get_result(conn)?;
        let charges = charges::table
            .inner_join(user_profiles::table)
            .filter(user_profiles::account_id.eq(id))
            .count()
            .get_result(conn)?;
        let billing =
            daily_billing_records::table.filter(daily_billing_records::account_id.eq(id)).count().get_result(conn)?;
        Ok([contacts, members, charges, billing])
    }

    fn insert_with_generated_number(
        conn: &mut DbConnection,
        fields: &AccountFields,
        flags: AccountFlags,
        generate: &mut dyn FnMut() -> AccountNumber,
    ) -> AccountResult<Self> {
        for _ in 0..MAX_NUMBER_ATTEMPTS {
            let candidate = generate();
            if candidate.is_sentinel() {
                continue;
            }
            // A savepoint, so that PostgreSQL's transaction survives the collision.
            match conn.transaction(|conn| Self::insert_row(conn, &candidate, fields, flags)) {
                Ok(account) => return Ok(account),
                Err(e) if is_unique_violation(&e) && violated_constraint(&e).contains("account_number") => {
                    continue;
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(AccountError::NumbersExhausted)
    }

    fn insert_row(
        conn: &mut DbConnection,
        number: &AccountNumber,
        fields: &AccountFields,
        flags: AccountFlags,
    ) -> QueryResult<Self> {
        let at = now();
        diesel::insert_into(accounts::table)
            .values((
                accounts::account_number.eq(number.as_str()),
                accounts::is_default_account.eq(flags.is_default_account),
                accounts::is_active.eq(flags.is_active),
                accounts::lock_version.eq(0),
                accounts::created_at.eq(at),
                accounts::updated_at.eq(at),
                FieldValues::from(fields),
            ))
            .execute(conn)?;
        Self::get_by_account_number(conn, number.as_str())?.ok_or(diesel::result::Error::NotFound)
    }

    fn target<'a>(&self, summary: &'a str) -> AuditTarget<'a> {
        AuditTarget { object_type: "account", object_id: self.id, account_id: Some(self.id), summary }
    }

    /// Takes the default flag off whichever account has it, audited; returns its keys.
    fn clear_default(conn: &mut DbConnection, actor: &Actor) -> AccountResult<Vec<String>> {
        lock_default_account_flag(conn)?;
        let Some(previous) = Self::default_account(conn)? else {
            return Ok(Vec::new());
        };
        let updated = Self::set_flags(conn, &previous, previous.is_active, false)?;
        Self::audit_change(conn, actor, "unset_default", &previous, &updated)?;
        let mut keys = previous.cache_keys();
        keys.extend(updated.cache_keys());
        Ok(keys)
    }

    fn set_flags(conn: &mut DbConnection, row: &Self, is_active: bool, is_default: bool) -> AccountResult<Self> {
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

    fn audit_change(conn: &mut DbConnection, actor: &Actor, action: &str, old: &Self, new: &Self) -> AccountResult<()> {
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
        id: i64,
        based_on_version: i64,
        submitted_number: Option<&str>,
        fields: &AccountFields,
        flags: Option<AccountFlags>,
    ) -> AccountResult<Written<Self>> {
        write_transaction(conn, |conn| {
            let old = Self::find(conn, id)?.ok_or(AccountError::NotFound)?;
            if submitted_number.is_some_and(|n| n.trim() != old.account_number) {
                return Err(AccountError::Invalid(FieldErrors::single(
                    "account_number",
                    "The account number can't be changed.",
                )));
            }
            if old.lock_version != based_on_version {
                return Err(AccountError::Stale { current: Box::new(old) });
            }
            let flags =
                flags.unwrap_or(AccountFlags { is_active: old.is_active, is_default_account: old.is_default_account });
            if old.is_default_account && flags.is_default_account && !flags.is_active {
                return Err(AccountError::Refused("The default account can't be deactivated."));
            }
            let old_tags = metadata::load_tags(conn, metadata::ACCOUNT, id)?;
            let old_annotations = metadata::load_annotations(conn, metadata::ACCOUNT, id)?;
            let values = FieldValues::from(fields);
            let unchanged = values.matches(&old)
                && flags.is_active == old.is_active
                && flags.is_default_account == old.is_default_account
                && old_tags == fields.tags
                && old_annotations == fields.annotations;
            if unchanged {
                return Ok(Written { value: old, stale_keys: Vec::new() });
            }
            let mut stale_keys = old.cache_keys();
            if flags.is_default_account && !old.is_default_account {
                stale_keys.extend(Self::clear_default(conn, actor)?);
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
            if old_tags != fields.tags {
                metadata::set_tags(conn, metadata::ACCOUNT, id, &fields.tags)?;
                FieldChange::push_if_changed(
                    &mut changes,
                    "tags",
                    Some(&old_tags.to_string()),
                    Some(&fields.tags.to_string()),
                );
            }
            if old_annotations != fields.annotations {
                metadata::set_annotations(conn, metadata::ACCOUNT, id, &fields.annotations)?;
                FieldChange::push_if_changed(
                    &mut changes,
                    "annotations",
                    Some(&old_annotations.to_string()),
                    Some(&fields.annotations.to_string()),
                );
            }
            let summary = new.audit_target();
            audit::record(conn, actor, "update", new.target(&summary), &changes)?;
            stale_keys.extend(new.cache_keys());
            Ok(Written { value: new, stale_keys })
        })
    }

    /// Activates or deactivates an account. The default account can't be deactivated.
    pub fn set_active(conn: &mut DbConnection, actor: &Actor, id: i64, active: bool) -> AccountResult<Written<Self>> {
        write_transaction(conn, |conn| {
            let old = Self::find(conn, id)?.ok_or(AccountError::NotFound)?;
            if !active && old.is_default_account {
                return Err(AccountError::Refused("The default account can't be deactivated."));
            }
            if old.is_active == active {
                return Ok(Written { value: old, stale_keys: Vec::new() });
            }
            let new = Self::set_flags(conn, &old, active, old.is_default_account)?;
            Self::audit_change(conn, actor, if active { "activate" } else { "deactivate" }, &old, &new)?;
            let mut stale_keys = old.cache_keys();
            stale_keys.extend(new.cache_keys());
            Ok(Written { value: new, stale_keys })
        })
    }

    /// Makes this account the default, taking the flag from the previous default in the
    /// same transaction. Only an active account can be the default.
    pub fn make_default(conn: &mut DbConnection, actor: &Actor, id: i64) -> AccountResult<Written<Self>> {
        write_transaction(conn, |conn| {
            let mut stale_keys = Self::clear_default_unless(conn, actor, id)?;
            let old = Self::find(conn, id)?.ok_or(AccountError::NotFound)?;
            if old.is_default_account {
                return Ok(Written { value: old, stale_keys });
            }
            if !old.is_active {
                return Err(AccountError::Refused("An inactive account can't be the default."));
            }
            let new = Self::set_flags(conn, &old, old.is_active, true)?;
            Self::audit_change(conn, actor, "make_default", &old, &new)?;
            stale_keys.extend(old.cache_keys());
            stale_keys.extend(new.cache_keys());
            Ok(Written { value: new, stale_keys })
        })
    }

    fn clear_default_unless(conn: &mut DbConnection, actor: &Actor, keep: i64) -> AccountResult<Vec<String>> {
        lock_default_account_flag(conn)?;
        match Self::default_account(conn)? {
            Some(current) if current.id != keep => Self::clear_default(conn, actor),
            _ => Ok(Vec::new()),
        }
    }

    /// Deletes an account with its contacts, memberships, charges and billing records
    /// (the database cascades) and its metadata. The default account can't be deleted.
    pub fn delete(conn: &mut DbConnection, actor: &Actor, id: i64) -> AccountResult<Written<Self>> {
        write_transaction(conn, |conn| {
            let old = Self::find(conn, id)?.ok_or(AccountError::NotFound)?;
            if old.is_default_account {
                return Err(AccountError::Refused("The default account can't be deleted."));
            }
            let profile_ids: Vec<i64> =
                user_profiles::table.filter(user_profiles::account_id.eq(id)).select(user_profiles::id).load(conn)?;
            for profile_id in profile_ids {
                metadata::delete_all(conn, metadata::USER_PROFILE, profile_id)?;
            }
            metadata::delete_all(conn, metadata::ACCOUNT, id)?;
            diesel::delete(accounts::table.find(id)).execute(conn)?;
            let summary = old.audit_target();
            let changes = Self::diff(None, &old)
                .into_iter()
                .map(|c| FieldChange { old: c.new, new: None, field: c.field })
                .collect::<Vec<_>>();
            audit::record(conn, actor, "delete", old.target(&summary), &changes)?;
            Ok(Written { stale_keys: old.cache_keys(), value: old })
        })
    }
}

/// The editable columns, as one insert or update value.
#[derive(AsChangeset, Insertable)]
#[diesel(table_name = accounts, treat_none_as_null = true)]
struct FieldValues {
    company_name: String,
    phone_number: Option<String>,
    address1: Option<String>,
    address2: Option<String>,
    city: Option<String>,
    state: Option<String>,
    postal_code: Option<String>,
    country: String,
    language: String,
    timezone: Option<String>,
    currency: String,
    name: String,
    description: String,
    version: String,
}

impl From<&AccountFields> for FieldValues {
    fn from(f: &AccountFields) -> Self {
        Self {
            company_name: f.company_name.as_str().to_owned(),
            phone_number: f.phone_number.as_ref().map(|p| p.as_str().to_owned()),
            address1: f.address1.clone(),
            address2: f.address2.clone(),
            city: f.city.clone(),
            state: f.state.clone(),
            postal_code: f.postal_code.clone(),
            country: f.country.as_str().to_owned(),
            language: f.language.as_str().to_owned(),
            timezone: f.timezone.as_ref().map(|t| t.as_str().to_owned()),
            currency: f.currency.as_str().to_owned(),
            name: f.name.as_str().to_owned(),
            description: f.description.as_str().to_owned(),
            version: f.version.to_string(),
        }
    }
}

impl FieldValues {
    fn matches(&self, a: &Account) -> bool {
        self.company_name == a.company_name
            && self.phone_number == a.phone_number
            && self.address1 == a.address1
            && self.address2 == a.address2
            && self.city == a.city
            && self.state == a.state
            && self.postal_code == a.postal_code
            && self.country == a.country
            && self.language == a.language
            && self.timezone == a.timezone
            && self.currency == a.currency
            && self.name == a.name
            && self.description == a.description
            && self.version == a.version
    }
}
