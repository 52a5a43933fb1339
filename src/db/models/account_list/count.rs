//! Counting the list's matches, capped at [`COUNT_CAP`].

use diesel::prelude::*;

use super::{AccountFilter, COUNT_CAP, Count, Matches, Scope, Search, SearchPlan, filtered_with};
use crate::db::DbConnection;
use crate::db::count_rows::CountRows;
use crate::db::schema::{account_country_totals, account_totals, accounts};

/// How many accounts match, exactly up to [`COUNT_CAP`]. Every account, or every
/// active or inactive one, or every one of a country (and status): rows of the totals
/// the database keeps. A text search over every account with its `matches` looked up:
/// their number (more than the cap when there were too many to carry). Otherwise one
/// `COUNT(*)` over the filtered query, reading the matches where they were looked up,
/// limited to `COUNT_CAP + 1` rows.
pub fn count(
    conn: &mut DbConnection,
    scope: Scope,
    filter: &AccountFilter,
    matches: Option<&Matches>,
) -> QueryResult<Count> {
    let active_only = AccountFilter { active: None, ..filter.clone() } == AccountFilter::default();
    let country_only = AccountFilter { active: None, country: None, ..filter.clone() } == AccountFilter::default();
    let n = match (&filter.search, scope, &filter.country, matches) {
        (_, Scope::All, Some(country), _) if country_only => {
            let mut totals = account_country_totals::table
                .filter(account_country_totals::country.eq(country.clone()))
                .select(account_country_totals::accounts)
                .into_boxed();
            if let Some(active) = filter.active {
                totals = totals.filter(account_country_totals::is_active.eq(active));
            }
            totals.load::<i64>(conn)?.into_iter().sum()
        }
        (_, Scope::All, _, _) if active_only => {
            let mut totals = account_totals::table.select(account_totals::accounts).into_boxed();
            if let Some(active) = filter.active {
                totals = totals.filter(account_totals::is_active.eq(active));
            }
            totals.load::<i64>(conn)?.into_iter().sum()
        }
        (Some(Search::Text(_)), Scope::All, _, Some(found)) if filter.only_searches() => found.len() as i64,
        _ => {
            let q = filtered_with(conn.is_sqlite(), scope, filter, SearchPlan::LookUpMatches, matches);
            CountRows(q.select(accounts::id).limit(COUNT_CAP + 1)).get_result(conn)?
        }
    };
    Ok(if n > COUNT_CAP { Count::AtLeast(COUNT_CAP) } else { Count::Exact(n) })
}
