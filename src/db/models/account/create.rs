//! Creating accounts: generated numbers that retry on a collision, and one account per
//! create form.

use diesel::prelude::*;

use super::{
    Account, AccountError, AccountFlags, AccountResult, Dependents, FieldValues, MAX_NUMBER_ATTEMPTS, Written,
};
use crate::db::models::Change;
use crate::db::models::audit::{self, Actor, FieldChange};
use crate::db::models::{is_unique_violation, metadata, violated_constraint};
use crate::db::schema::{account_contacts, accounts, charges, daily_billing_records, form_tokens, user_profiles};
use crate::db::{AccountId, DbConnection, now, write_transaction};
use crate::domain::{AccountFields, AccountNumber, AccountNumberInput, FieldErrors};

impl Account {
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
        let problems = flags.problems(false);
        if !problems.is_empty() {
            return Err(AccountError::Invalid(problems));
        }
        write_transaction(conn, |conn| {
            let mut changes = Vec::new();
            if flags.is_default_account {
                changes.extend(Self::clear_default(conn, actor)?);
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
            metadata::set_tags(conn, metadata::ACCOUNT, account.id.into(), &fields.tags)?;
            metadata::set_annotations(conn, metadata::ACCOUNT, account.id.into(), &fields.annotations)?;
            let mut fields_set = Self::diff(None, &account);
            let (tags, annotations) = (fields.tags.to_string(), fields.annotations.to_string());
            FieldChange::push_if_changed(&mut fields_set, "tags", None, Some(tags.as_str()).filter(|s| !s.is_empty()));
            FieldChange::push_if_changed(
                &mut fields_set,
                "annotations",
                None,
                Some(annotations.as_str()).filter(|s| !s.is_empty()),
            );
            let summary = account.audit_target();
            audit::record(conn, actor, "create", account.target(&summary), &fields_set)?;
            changes.push(Change::added(&account, !fields.tags.is_empty()));
            Ok(Written::changes(account, changes))
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
            let id: Option<AccountId> = form_tokens::table
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
                return Ok(Written::leaves_cache((account, false)));
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
                Ok(written) => Ok(written.map(|account| (account, true))),
                Err(AccountError::Db(e)) if is_unique_violation(&e) && violated_constraint(&e).contains("token") => {
                    let account = earlier(conn)?.ok_or(AccountError::NotFound)?;
                    Ok(Written::leaves_cache((account, false)))
                }
                Err(e) => Err(e),
            }
        })
    }

    /// What deleting the account would take with it.
    pub fn dependents(conn: &mut DbConnection, id: AccountId) -> QueryResult<Dependents> {
        let contacts = account_contacts::table.filter(account_contacts::account_id.eq(id)).count().get_result(conn)?;
        let members = user_profiles::table.filter(user_profiles::account_id.eq(id)).count().get_result(conn)?;
        let charges = charges::table
            .inner_join(user_profiles::table)
            .filter(user_profiles::account_id.eq(id))
            .count()
            .get_result(conn)?;
        let billing =
            daily_billing_records::table.filter(daily_billing_records::account_id.eq(id)).count().get_result(conn)?;
        Ok(Dependents { contacts, members, charges, billing_records: billing })
    }

    pub(super) fn insert_with_generated_number(
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

    pub(super) fn insert_row(
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
}
