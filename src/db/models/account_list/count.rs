//! Counting the list's matches, capped at [`COUNT_CAP`].

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::{AccountFilter, COUNT_CAP, Count, Matches, Scope, Search, SearchPlan, TRIGRAM, filtered_with, fts_phrase};
use crate::db::DbConnection;
use crate::db::count_rows::CountRows;
use crate::db::models::contains_pattern;
use crate::db::schema::{account_country_totals, account_totals, accounts};

#[derive(QueryableByName)]
struct Counted {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// How many accounts match, exactly up to [`COUNT_CAP`]. Every account, or every
/// active or inactive one, or every one of a country (and status): rows of the totals
/// the database keeps. A text search's `matches`, when they were looked up, counted as
/// they are or read by the count. Otherwise one `COUNT(*)` over the filtered query
/// limited to `COUNT_CAP + 1` rows.
pub fn count(
    conn: &mut DbConnection,
    scope: Scope,
    filter: &AccountFilter,
    matches: Option<&Matches>,
) -> QueryResult<Count> {
    let search_only = AccountFilter { search: None, ..filter.clone() } == AccountFilter::default();
    let active_only = AccountFilter { active: None, ..filter.clone() } == AccountFilter::default();
    let country_only = AccountFilter { active: None, country: None, ..filter.clone() } == AccountFilter::default();
    let n = match (&filter.search, scope, &filter.country) {
        (_, Scope::All, Some(country)) if country_only => {
            let mut totals = account_country_totals::table
                .filter(account_country_totals::country.eq(country.clone()))
                .select(account_country_totals::accounts)
                .into_boxed();
            if let Some(active) = filter.active {
                totals = totals.filter(account_country_totals::is_active.eq(active));
            }
            totals.load::<i64>(conn)?.into_iter().sum()
        }
        (_, Scope::All, _) if active_only => {
            let mut totals = account_totals::table.select(account_totals::accounts).into_boxed();
            if let Some(active) = filter.active {
                totals = totals.filter(account_totals::is_active.eq(active));
            }
            totals.load::<i64>(conn)?.into_iter().sum()
        }
        (Some(Search::Text(text)), Scope::All, _) if search_only && text.chars().count() >= TRIGRAM => {
            plain_search(conn, text, matches)?
        }
        _ => {
            let q = filtered_with(conn.is_sqlite(), scope, filter, SearchPlan::LookUpMatches, matches);
            CountRows(q.select(accounts::id).limit(COUNT_CAP + 1)).get_result(conn)?
        }
    };
    Ok(if n > COUNT_CAP { Count::AtLeast(COUNT_CAP) } else { Count::Exact(n) })
}

/// How many accounts a text search over every account matches (up to the cap): the
/// matches already looked up, or the trigram index alone on SQLite (no row of the
/// table is read), or on PostgreSQL the narrow table of lower-cased search texts, whose
/// rows are a third of the accounts' (the trigram match is rechecked on each).
fn plain_search(conn: &mut DbConnection, text: &str, matches: Option<&Matches>) -> QueryResult<i64> {
    if let Some(matches) = matches {
        return Ok(matches.len() as i64);
    }
    let query = if conn.is_sqlite() {
        diesel::sql_query(
            "SELECT COUNT(*) AS n FROM (SELECT rowid FROM accounts_search WHERE accounts_search MATCH ? LIMIT ?) AS capped",
        )
        .bind::<Text, _>(fts_phrase(text))
    } else {
        diesel::sql_query(
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM accounts_search_texts WHERE searched LIKE $1 ESCAPE '\\' LIMIT $2) AS capped",
        )
        .bind::<Text, _>(contains_pattern(text))
    };
    Ok(query.bind::<BigInt, _>(COUNT_CAP + 1).get_result::<Counted>(conn)?.n)
}
