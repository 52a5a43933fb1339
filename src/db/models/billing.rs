//! Daily billing records, summarised for the account page.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Text};

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

/// Totals per provider and charge type: from `month_start` on, and before it.
pub fn summary(
    conn: &mut DbConnection,
    account_id: AccountId,
    month_start: NaiveDate,
) -> QueryResult<Vec<BillingLine>> {
    let (p1, p2, p3) = if conn.is_sqlite() { ("?", "?", "?") } else { ("$1", "$2", "$3") };
    let query = format!(
        "SELECT provider, charge_type, \
         CAST(COALESCE(SUM(CASE WHEN date >= {p1} THEN total_tokens ELSE 0 END), 0) AS BIGINT) AS this_month, \
         CAST(COALESCE(SUM(CASE WHEN date < {p2} THEN total_tokens ELSE 0 END), 0) AS BIGINT) AS earlier \
         FROM daily_billing_records WHERE account_id = {p3} \
         GROUP BY provider, charge_type ORDER BY provider, charge_type"
    );
    diesel::sql_query(query)
        .bind::<Date, _>(month_start)
        .bind::<Date, _>(month_start)
        .bind::<BigInt, _>(account_id)
        .load(conn)
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

/// Totals per month (`YYYY-MM`, newest first), provider and charge type since `since`.
pub fn monthly(conn: &mut DbConnection, account_id: AccountId, since: NaiveDate) -> QueryResult<Vec<MonthLine>> {
    let (month, p1, p2) =
        if conn.is_sqlite() { ("strftime('%Y-%m', date)", "?", "?") } else { ("to_char(date, 'YYYY-MM')", "$1", "$2") };
    let query = format!(
        "SELECT {month} AS month, provider, charge_type, \
         CAST(SUM(prompt_tokens) AS BIGINT) AS prompt_tokens, \
         CAST(SUM(completion_tokens) AS BIGINT) AS completion_tokens, \
         CAST(SUM(total_tokens) AS BIGINT) AS total_tokens \
         FROM daily_billing_records WHERE account_id = {p1} AND date >= {p2} \
         GROUP BY {month}, provider, charge_type ORDER BY month DESC, provider, charge_type"
    );
    diesel::sql_query(query).bind::<BigInt, _>(account_id).bind::<Date, _>(since).load(conn)
}
