//! The daily billing ledger across accounts: the records of the accounts a viewer may
//! see in a date range, narrowed by account, provider and charge type; keyset-paged
//! newest day first, with the totals and the tokens per day of the whole filter.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use serde::{Deserialize, Serialize};

use crate::db::models::account_list::Scope;
use crate::db::models::keyset::{self, Condition, Cursor, KeyType, Page};
use crate::db::schema::{accounts, billing_day_totals as days, daily_billing_records as records, user_profiles, users};
use crate::db::{AccountId, DbConnection, MultiBackend, UserId};

/// What the ledger is narrowed to; both ends of the range are included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BillingFilter {
    pub scope: Scope,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// An account number (normalised).
    pub account: Option<String>,
    pub provider: Option<String>,
    pub charge_type: Option<String>,
}

/// One daily record with the names pages show for it.
#[derive(Debug, Clone)]
pub struct LedgerRow {
    pub id: i64,
    pub date: NaiveDate,
    pub account_number: String,
    pub company_name: String,
    pub username: String,
    pub provider: String,
    pub charge_type: String,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    pub total_tokens: i64,
}

/// The sums of every record the filter matches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub records: i64,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    pub total_tokens: i64,
}

/// The totals and the tokens per day (only days with records) of a filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingSummary {
    pub totals: Totals,
    pub per_day: Vec<(NaiveDate, i64)>,
}

/// The filter as one condition on the records.
fn condition(filter: &BillingFilter) -> Condition<records::table> {
    let mut c: Condition<records::table> = Box::new(records::date.ge(filter.from).and(records::date.le(filter.to)));
    if let Scope::MemberOf(user_id) = filter.scope {
        let theirs = user_profiles::table.filter(user_profiles::user_id.eq(user_id)).select(user_profiles::account_id);
        c = Box::new(c.and(records::account_id.eq_any(theirs)));
    }
    if let Some(number) = &filter.account {
        let numbered = accounts::table.filter(accounts::account_number.eq(number.clone())).select(accounts::id);
        c = Box::new(c.and(records::account_id.eq_any(numbered)));
    }
    if let Some(provider) = &filter.provider {
        c = Box::new(c.and(records::provider.eq(provider.clone())));
    }
    if let Some(charge_type) = &filter.charge_type {
        c = Box::new(c.and(records::charge_type.eq(charge_type.clone())));
    }
    c
}

type RecordColumns = (i64, AccountId, UserId, String, String, NaiveDate, i64, i64, i64);

/// One page of the ledger, newest day first.
pub fn ledger(
    conn: &mut DbConnection,
    filter: &BillingFilter,
    cursor: Option<&Cursor>,
    per_page: i64,
) -> QueryResult<Page<LedgerRow>> {
    let key = ("daily_billing_records.date", "daily_billing_records.id", KeyType::Date);
    let (beyond, direction) = keyset::start_at::<records::table>(cursor, key, true);
    let mut q = records::table.filter(condition(filter)).into_boxed::<MultiBackend>();
    q = if direction.reversed(true) {
        q.order((records::date.desc(), records::id.desc()))
    } else {
        q.order((records::date.asc(), records::id.asc()))
    };
    if let Some(condition) = beyond {
        q = q.filter(condition);
    }
    let rows: Vec<RecordColumns> = q
        .limit(per_page + 1)
        .select((
            records::id,
            records::account_id,
            records::user_id,
            records::provider,
            records::charge_type,
            records::date,
            records::prompt_tokens,
            records::completion_tokens,
            records::total_tokens,
        ))
        .load(conn)?;
    let page = Page::from_rows(rows, per_page, direction, |r| (Cursor::date(r.5), r.0));
    named(conn, page)
}

/// The page's records with the names of their accounts and users.
fn named(conn: &mut DbConnection, page: Page<RecordColumns>) -> QueryResult<Page<LedgerRow>> {
    let account_ids: Vec<AccountId> = page.rows.iter().map(|r| r.1).collect();
    let user_ids: Vec<UserId> = page.rows.iter().map(|r| r.2).collect();
    let accounts: HashMap<AccountId, (String, String)> = accounts::table
        .filter(accounts::id.eq_any(account_ids))
        .select((accounts::id, accounts::account_number, accounts::company_name))
        .load::<(AccountId, String, String)>(conn)?
        .into_iter()
        .map(|(id, number, company)| (id, (number, company)))
        .collect();
    let usernames: HashMap<UserId, String> = users::table
        .filter(users::id.eq_any(user_ids))
        .select((users::id, users::username))
        .load::<(UserId, String)>(conn)?
        .into_iter()
        .collect();
    let rows = page
        .rows
        .into_iter()
        .map(|(id, account, user, provider, charge_type, date, prompt, completion, total)| {
            let (account_number, company_name) = accounts.get(&account).cloned().unwrap_or_default();
            LedgerRow {
                id,
                date,
                account_number,
                company_name,
                username: usernames.get(&user).cloned().unwrap_or_default(),
                provider,
                charge_type,
                prompt_tokens: prompt,
                completion_tokens: completion,
                total_tokens: total,
            }
        })
        .collect();
    Ok(Page { rows, next: page.next, prev: page.prev })
}

/// The totals of every record the filter matches, and the tokens of each day: from the
/// day totals when the filter spans every account, else from the records themselves
/// (one account, or a staff member's, through the `(account_id, date)` index).
pub fn summary(conn: &mut DbConnection, filter: &BillingFilter) -> QueryResult<BillingSummary> {
    if filter.scope == Scope::All && filter.account.is_none() {
        return summary_of_all(conn, filter);
    }
    let sums = "COUNT(*), CAST(COALESCE(SUM(prompt_tokens), 0) AS BIGINT), \
                CAST(COALESCE(SUM(completion_tokens), 0) AS BIGINT), CAST(COALESCE(SUM(total_tokens), 0) AS BIGINT)";
    let (records, prompt_tokens, completion_tokens, total_tokens) =
        records::table.filter(condition(filter)).select(sql::<(BigInt, BigInt, BigInt, BigInt)>(sums)).first(conn)?;
    let per_day = records::table
        .filter(condition(filter))
        .group_by(records::date)
        .order(records::date.asc())
        .select((records::date, sql::<BigInt>("CAST(SUM(total_tokens) AS BIGINT)")))
        .load::<(NaiveDate, i64)>(conn)?;
    Ok(BillingSummary { totals: Totals { records, prompt_tokens, completion_tokens, total_tokens }, per_day })
}

fn summary_of_all(conn: &mut DbConnection, filter: &BillingFilter) -> QueryResult<BillingSummary> {
    let mut q =
        days::table.filter(days::date.ge(filter.from)).filter(days::date.le(filter.to)).into_boxed::<MultiBackend>();
    if let Some(provider) = &filter.provider {
        q = q.filter(days::provider.eq(provider.clone()));
    }
    if let Some(charge_type) = &filter.charge_type {
        q = q.filter(days::charge_type.eq(charge_type.clone()));
    }
    let rows: Vec<(NaiveDate, i64, i64, i64, i64)> = q
        .select((days::date, days::records, days::prompt_tokens, days::completion_tokens, days::total_tokens))
        .order(days::date.asc())
        .load(conn)?;
    let mut totals = Totals::default();
    let mut per_day: Vec<(NaiveDate, i64)> = Vec::new();
    for (day, records, prompt, completion, total) in rows.into_iter().filter(|r| r.1 > 0) {
        totals.records += records;
        totals.prompt_tokens += prompt;
        totals.completion_tokens += completion;
        totals.total_tokens += total;
        match per_day.last_mut() {
            Some((last, sum)) if *last == day => *sum += total,
            _ => per_day.push((day, total)),
        }
    }
    Ok(BillingSummary { totals, per_day })
}
