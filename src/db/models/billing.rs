//! Daily billing records, summarised for the account page.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::backend::Backend;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, Date, HasSqlType, Text, Untyped};

use crate::db::models::around::Owner;
use crate::db::{AccountId, DbConnection};

/// Token totals of one provider and charge type.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName, serde::Serialize, serde::Deserialize)]
pub struct BillingLine {
    #[diesel(sql_type = Text)]
    pub provider: String,
    #[diesel(sql_type = Text)]
    pub charge_type: String,
    #[diesel(sql_type = BigInt)]
    pub this_month: i64,
    #[diesel(sql_type = BigInt)]
    pub earlier: i64,
}

/// Token totals of one month, provider and charge type.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName, serde::Serialize, serde::Deserialize)]
pub struct MonthLine {
    #[diesel(sql_type = Text)]
    pub month: String,
    #[diesel(sql_type = Text)]
    pub provider: String,
    #[diesel(sql_type = Text)]
    pub charge_type: String,
    #[diesel(sql_type = BigInt)]
    pub prompt_tokens: i64,
    #[diesel(sql_type = BigInt)]
    pub completion_tokens: i64,
    #[diesel(sql_type = BigInt)]
    pub total_tokens: i64,
}

/// The account page's billing: totals per provider and charge type from `month_start`
/// on and before it, and per month (`YYYY-MM`, newest first), provider and charge type
/// since `since` (at most `month_start`).
pub fn for_account(
    conn: &mut DbConnection,
    account_id: AccountId,
    month_start: NaiveDate,
    since: NaiveDate,
) -> QueryResult<(Vec<BillingLine>, Vec<MonthLine>)> {
    let rows: Vec<MonthLine> = ByMonth::new(Owner::Id(account_id), since, conn.is_sqlite()).load(conn)?;
    Ok(summarize(&rows, month_start))
}

/// The billing totals and the month lines of [`ByMonth`]'s rows.
pub fn summarize(rows: &[MonthLine], month_start: NaiveDate) -> (Vec<BillingLine>, Vec<MonthLine>) {
    let current = month_start.format("%Y-%m").to_string();
    let mut totals: BTreeMap<(&str, &str), (i64, i64)> = BTreeMap::new();
    for row in rows {
        let (this_month, earlier) = totals.entry((&row.provider, &row.charge_type)).or_default();
        // Rows before `since` have no month, which sorts before every month.
        *(if row.month >= current { this_month } else { earlier }) += row.total_tokens;
    }
    let lines = totals
        .into_iter()
        .map(|((provider, charge_type), (this_month, earlier))| BillingLine {
            provider: provider.to_owned(),
            charge_type: charge_type.to_owned(),
            this_month,
            earlier,
        })
        .collect();
    let months = rows.iter().filter(|row| !row.month.is_empty()).cloned().collect();
    (lines, months)
}

/// An account's billing records summed per month from `since` on, and per provider and
/// charge type before it (with an empty month): one query instead of two, written as a
/// query fragment rather than `sql_query` so that the connection keeps its statement
/// prepared (diesel never caches `sql_query`'s). On PostgreSQL parsing and planning the
/// two `sql_query` statements had been a third of the account page's database time.
pub struct ByMonth {
    account: Owner,
    since: NaiveDate,
    sqlite: bool,
}

impl ByMonth {
    pub fn new(account: Owner, since: NaiveDate, sqlite: bool) -> Self {
        Self { account, since, sqlite }
    }
}

impl<DB> QueryFragment<DB> for ByMonth
where
    DB: Backend + HasSqlType<BigInt> + HasSqlType<Date>,
    i64: ToSql<BigInt, DB>,
    NaiveDate: ToSql<Date, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let month = if self.sqlite { "strftime('%Y-%m', date)" } else { "to_char(date, 'YYYY-MM')" };
        out.push_sql("SELECT CASE WHEN date >= ");
        out.push_bind_param::<Date, _>(&self.since)?;
        out.push_sql(&format!(" THEN {month} ELSE '' END AS month, provider, charge_type, "));
        out.push_sql(
            "CAST(SUM(prompt_tokens) AS BIGINT) AS prompt_tokens, \
             CAST(SUM(completion_tokens) AS BIGINT) AS completion_tokens, \
             CAST(SUM(total_tokens) AS BIGINT) AS total_tokens \
             FROM daily_billing_records WHERE account_id = ",
        );
        self.account.walk_ast(out.reborrow())?;
        out.push_sql(" GROUP BY 1, provider, charge_type ORDER BY 1 DESC, provider, charge_type");
        Ok(())
    }
}

impl QueryId for ByMonth {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for ByMonth {
    type SqlType = Untyped;
}

impl<Conn> RunQueryDsl<Conn> for ByMonth {}
