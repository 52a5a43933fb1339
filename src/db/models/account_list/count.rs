//! Counting the list's matches, capped at [`COUNT_CAP`].

use diesel::prelude::*;

use super::{AccountFilter, COUNT_CAP, Count, Matches, Scope, Search, SearchPlan, filtered_with};
use crate::db::DbConnection;
use crate::db::count_rows::CountRows;
use crate::db::models::metadata;
use crate::db::schema::{account_country_totals, account_totals, accounts, tagged_items, tags};

/// How many accounts match, exactly up to [`COUNT_CAP`]. Every account, or every
/// active or inactive one, or every one of a country (and status): rows of the totals
/// the database keeps. Every account with a tag: the tag's own index entries (deleting
/// an account deletes its tags, so each entry is an account). A text search over every
/// account with its `matches` looked up: their number (more than the cap when there
/// were too many to carry). Otherwise one `COUNT(*)` over the filtered query, reading
/// the matches where they were looked up, limited to `COUNT_CAP + 1` rows.
pub fn count(
    conn: &mut DbConnection,
    scope: Scope,
    filter: &AccountFilter,
    matches: Option<&Matches>,
) -> QueryResult<Count> {
    let active_only = AccountFilter { active: None, ..filter.clone() } == AccountFilter::default();
    let country_only = AccountFilter { active: None, country: None, ..filter.clone() } == AccountFilter::default();
    let tag_only = AccountFilter { tag: None, ..filter.clone() } == AccountFilter::default();
    if let (Scope::All, Some(tag), true) = (scope, &filter.tag, tag_only) {
        return Ok(capped(tagged(conn, tag)?));
    }
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
    Ok(capped(n))
}

fn capped(n: i64) -> Count {
    if n > COUNT_CAP { Count::AtLeast(COUNT_CAP) } else { Count::Exact(n) }
}

/// How many accounts carry `tag`, up to one past the cap.
fn tagged(conn: &mut DbConnection, tag: &str) -> QueryResult<i64> {
    let tagged = tagged_items::table
        .inner_join(tags::table)
        .filter(tags::name_folded.eq(tag.to_lowercase()))
        .filter(tagged_items::object_type.eq(metadata::ACCOUNT))
        .select(tagged_items::object_id)
        .limit(COUNT_CAP + 1);
    CountRows(tagged).get_result(conn)
}
