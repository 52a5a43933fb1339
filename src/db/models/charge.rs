//! Charges and their roll-up into daily billing records.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{accounts, charges, daily_billing_records, user_profiles};
use crate::db::{DbConnection, now, write_transaction};

pub const PROVIDERS: [&str; 3] = ["openai", "metaai", "googleai"];
pub const CHARGE_TYPES: [&str; 3] = ["completion", "plugin", "tool"];

/// A charge to record.
#[derive(Debug, Clone)]
pub struct NewCharge {
    pub user_profile_id: i64,
    pub provider: String,
    pub charge_type: String,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    pub model: String,
    pub reference: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ChargeError {
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Unavailable(#[from] crate::db::Unavailable),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

/// Records a charge; refused when the account is inactive, the membership unknown, or
/// the values out of range.
pub fn record(conn: &mut DbConnection, charge: &NewCharge) -> Result<(), ChargeError> {
    if !PROVIDERS.contains(&charge.provider.as_str()) || !CHARGE_TYPES.contains(&charge.charge_type.as_str()) {
        return Err(ChargeError::Refused("Unknown provider or charge type.".to_owned()));
    }
    if charge.prompt_tokens < 0 || charge.completion_tokens < 0 {
        return Err(ChargeError::Refused("Token counts can't be negative.".to_owned()));
    }
    let total = charge
        .prompt_tokens
        .checked_add(charge.completion_tokens)
        .ok_or_else(|| ChargeError::Refused("Token counts are too large.".to_owned()))?;
    write_transaction(conn, |conn| {
        let active: Option<bool> = user_profiles::table
            .inner_join(accounts::table)
            .filter(user_profiles::id.eq(charge.user_profile_id))
            .select(accounts::is_active)
            .first(conn)
            .optional()?;
        match active {
            None => return Err(ChargeError::Refused("No such membership.".to_owned())),
            Some(false) => {
                return Err(ChargeError::Refused("The account is inactive: it can't be charged.".to_owned()));
            }
            Some(true) => {}
        }
        let at = now();
        diesel::insert_into(charges::table)
            .values((
                charges::user_profile_id.eq(charge.user_profile_id),
                charges::provider.eq(&charge.provider),
                charges::charge_type.eq(&charge.charge_type),
                charges::prompt_tokens.eq(charge.prompt_tokens),
                charges::completion_tokens.eq(charge.completion_tokens),
                charges::total_tokens.eq(total),
                charges::model.eq(&charge.model),
                charges::reference.eq(&charge.reference),
                charges::created_at.eq(at),
                charges::updated_at.eq(at),
            ))
            .execute(conn)?;
        Ok(())
    })
}

type Key = (i64, i64, String, String, NaiveDate);

/// A charge as the roll-up reads it: id, account, user, provider, charge type, prompt,
/// completion and total tokens, and when.
type ChargeRow = (i64, i64, i64, String, String, i64, i64, i64, NaiveDateTime);

/// What one aggregation run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Aggregated {
    pub charges: usize,
    pub records: usize,
}

/// Rolls every charge committed so far into daily billing records and deletes exactly
/// the charges it summed, in one transaction. Charges that commit meanwhile are left
/// for the next run; runs are serialised, so none is counted twice.
pub fn aggregate(conn: &mut DbConnection) -> QueryResult<Aggregated> {
    write_transaction(conn, |conn| {
        if let DbConnection::Postgresql(pg) = conn {
            diesel::connection::SimpleConnection::batch_execute(pg, "SELECT pg_advisory_xact_lock(271828182845)")?;
        }
        let rows: Vec<ChargeRow> = charges::table
            .inner_join(user_profiles::table)
            .select((
                charges::id,
                user_profiles::account_id,
                user_profiles::user_id,
                charges::provider,
                charges::charge_type,
                charges::prompt_tokens,
                charges::completion_tokens,
                charges::total_tokens,
                charges::created_at,
            ))
            .order(charges::id.asc())
            .load(conn)?;
        let mut sums: BTreeMap<Key, (i64, i64, i64)> = BTreeMap::new();
        let mut ids = Vec::with_capacity(rows.len());
        for (id, account, user, provider, charge_type, prompt, completion, total, at) in rows {
            ids.push(id);
            let sum = sums.entry((account, user, provider, charge_type, at.date())).or_default();
            sum.0 += prompt;
            sum.1 += completion;
            sum.2 += total;
        }
        let at = now();
        for (key, sum) in &sums {
            add_to_daily_record(conn, key, *sum, at)?;
        }
        for chunk in ids.chunks(1_000) {
            diesel::delete(charges::table.filter(charges::id.eq_any(chunk))).execute(conn)?;
        }
        Ok(Aggregated { charges: ids.len(), records: sums.len() })
    })
}

/// Adds token sums to one day's record, creating it when there is none.
fn add_to_daily_record(
    conn: &mut DbConnection,
    (account, user, provider, charge_type, date): &Key,
    (prompt, completion, total): (i64, i64, i64),
    at: NaiveDateTime,
) -> QueryResult<()> {
    let key = daily_billing_records::table
        .filter(daily_billing_records::account_id.eq(account))
        .filter(daily_billing_records::user_id.eq(user))
        .filter(daily_billing_records::provider.eq(provider))
        .filter(daily_billing_records::charge_type.eq(charge_type))
        .filter(daily_billing_records::date.eq(date));
    let updated = diesel::update(key)
        .set((
            daily_billing_records::prompt_tokens.eq(daily_billing_records::prompt_tokens + prompt),
            daily_billing_records::completion_tokens.eq(daily_billing_records::completion_tokens + completion),
            daily_billing_records::total_tokens.eq(daily_billing_records::total_tokens + total),
            daily_billing_records::updated_at.eq(at),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(daily_billing_records::table)
            .values((
                daily_billing_records::account_id.eq(account),
                daily_billing_records::user_id.eq(user),
                daily_billing_records::provider.eq(provider),
                daily_billing_records::charge_type.eq(charge_type),
                daily_billing_records::date.eq(date),
                daily_billing_records::prompt_tokens.eq(prompt),
                daily_billing_records::completion_tokens.eq(completion),
                daily_billing_records::total_tokens.eq(total),
                daily_billing_records::created_at.eq(at),
                daily_billing_records::updated_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(())
}
