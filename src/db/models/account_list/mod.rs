//! The account list: filters, search, sorting and keyset paging, built so a
//! page costs the same at a million rows as at a thousand (every order has an index,
//! search uses a trigram index, the count stops at [`COUNT_CAP`]).

use chrono::{Days, NaiveDate, NaiveTime};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use crate::db::DbConnection;
use crate::db::MultiBackend;
use crate::db::fixed_sql::FixedSql;
use crate::db::models::{Account, contains_pattern};
use crate::db::schema::{accounts, tagged_items, tags, user_profiles};

mod columns;
mod count;
mod drivers;
mod matches;
mod query;

pub use columns::ListColumn;
use drivers::Drivers;
pub use matches::Matches;

pub use count::count;
pub use query::{AccountFilter, AccountPage, Count, DateRange, ListQuery, Scope, Search, Sort, SortField};

pub use super::keyset::Cursor;
use super::keyset::{self, KeyType, Page};

/// Counts stop here: beyond it the list says "10 000+".
pub const COUNT_CAP: i64 = 10_000;
/// Search text shorter than this can't use the trigram index and is matched by `LIKE`.
const TRIGRAM: usize = 3;

type Boxed = accounts::BoxedQuery<'static, MultiBackend>;

/// `text` as one FTS5 phrase: a trigram phrase matches it as a substring.
fn fts_phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// How to run a text search: look up each match and sort them (few matches), or walk
/// the sort order's index and keep the matches (many matches, where the first page
/// fills after a short walk). On PostgreSQL the first reads the matches already looked
/// up by id, and the second leaves the planner the trigram match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchPlan {
    LookUpMatches,
    WalkSortIndex,
}

impl SearchPlan {
    /// Above this many matches, walking the sort index is the cheaper plan.
    const WALK_ABOVE: i64 = 2_000;

    pub fn for_count(count: Count) -> Self {
        match count {
            Count::Exact(n) if n <= Self::WALK_ABOVE => Self::LookUpMatches,
            _ => Self::WalkSortIndex,
        }
    }
}

fn filtered(is_sqlite: bool, scope: Scope, filter: &AccountFilter) -> Boxed {
    filtered_with(is_sqlite, scope, filter, SearchPlan::LookUpMatches, None)
}

/// `accounts.id` as a filter on SQLite may use: the key itself where this list of ids is
/// to drive the query, or `+accounts.id` (the same value, no longer the key) where
/// another list drives it. Two `id IN (…)` lists that both bound the key made SQLite
/// probe every pair of them (a tag and a search: 1.3 s at 100 000 accounts).
fn account_id(drives: bool) -> diesel::expression::SqlLiteral<diesel::sql_types::BigInt> {
    sql(if drives { "accounts.id" } else { "+accounts.id" })
}

/// The filtered list; a text search on SQLite reads `matches` when they were looked up
/// (see [`Matches`]), else matches again.
fn filtered_with(
    is_sqlite: bool,
    scope: Scope,
    filter: &AccountFilter,
    plan: SearchPlan,
    matches: Option<&Matches>,
) -> Boxed {
    let mut q = accounts::table.into_boxed::<MultiBackend>();
    let Drivers { one_row, matches: matches_drive, scope: scope_drives, tag: tag_drives } =
        Drivers::of(is_sqlite, scope, filter, plan, matches);
    if let Scope::MemberOf(user_id) = scope {
        q =
            q.filter(account_id(scope_drives).eq_any(
                user_profiles::table.filter(user_profiles::user_id.eq(user_id)).select(user_profiles::account_id),
            ));
    }
    if let Some(active) = filter.active {
        q = q.filter(accounts::is_active.eq(active));
    }
    if let Some(country) = &filter.country {
        q = q.filter(accounts::country.eq(country.clone()));
    }
    if one_row {
        // The key itself, so that no other index (a country's, a status's) drives.
        q = q.filter(sql::<Bool>("accounts.id = (SELECT d.id FROM accounts d WHERE d.is_default_account)"));
    } else if filter.default_only {
        // Spelled as the predicate of the partial index on the one default account, so
        // both databases read that index rather than every row (a bound `= ?` they can't
        // match to it).
        q = q.filter(sql::<Bool>("accounts.is_default_account"));
    }
    if let Some(tag) = &filter.tag {
        let folded = tag.to_lowercase();
        q = if one_row {
            // Asked of the one row, not as the list of every account with the tag.
            q.filter(
                sql::<Bool>(&format!(
                    "EXISTS (SELECT 1 FROM tagged_items t JOIN tags ON tags.id = t.tag_id \
                     WHERE t.object_type = '{}' AND t.object_id = accounts.id AND tags.name_folded = ",
                    super::metadata::ACCOUNT
                ))
                .bind::<Text, _>(folded)
                .sql(")"),
            )
        } else {
            q.filter(
                account_id(tag_drives).eq_any(
                    tagged_items::table
                        .inner_join(tags::table)
                        .filter(tags::name_folded.eq(folded))
                        .filter(tagged_items::object_type.eq(super::metadata::ACCOUNT))
                        .select(tagged_items::object_id),
                ),
            )
        };
    }
    let q = dated(q, filter);
    match &filter.search {
        None => q,
        Some(search) if one_row => searched_in_row(q, search),
        // On SQLite the matches are the key only where they drive.
        Some(search) if is_sqlite && !matches_drive => searched(q, search, true, SearchPlan::WalkSortIndex, matches),
        Some(search) => searched(q, search, is_sqlite, plan, matches),
    }
}

/// `q` narrowed to the filter's creation and update days.
fn dated(mut q: Boxed, filter: &AccountFilter) -> Boxed {
    let start = |day: NaiveDate| day.and_time(NaiveTime::MIN);
    let end = |day: NaiveDate| start(day.checked_add_days(Days::new(1)).unwrap_or(day));
    if let Some(from) = filter.created.from {
        q = q.filter(accounts::created_at.ge(start(from)));
    }
    if let Some(to) = filter.created.to {
        q = q.filter(accounts::created_at.lt(end(to)));
    }
    if let Some(from) = filter.updated.from {
        q = q.filter(accounts::updated_at.ge(start(from)));
    }
    if let Some(to) = filter.updated.to {
        q = q.filter(accounts::updated_at.lt(end(to)));
    }
    q
}

/// `q` narrowed to the accounts `search` matches.
fn searched(q: Boxed, search: &Search, is_sqlite: bool, plan: SearchPlan, matches: Option<&Matches>) -> Boxed {
    match search {
        Search::Number(n) => q.filter(accounts::account_number.eq(n.as_str().to_owned())),
        Search::Text(text) if text.chars().count() >= TRIGRAM && is_sqlite => {
            // A unary `+` keeps SQLite from using the primary key for this term.
            let id = match plan {
                SearchPlan::LookUpMatches => "accounts.id",
                SearchPlan::WalkSortIndex => "+accounts.id",
            };
            match matches.and_then(Matches::json) {
                Some(json) => q.filter(
                    sql::<Bool>(&format!("{id} IN (SELECT value FROM json_each(")).bind::<Text, _>(json).sql("))"),
                ),
                None => q.filter(
                    sql::<Bool>(&format!("{id} IN (SELECT rowid FROM accounts_search WHERE accounts_search MATCH "))
                        .bind::<Text, _>(fts_phrase(text))
                        .sql(")"),
                ),
            }
        }
        Search::Text(text) if !is_sqlite => match matches.filter(|_| plan == SearchPlan::LookUpMatches).and_then(Matches::json) {
            // Few matches, already looked up: read them by id instead of matching again.
            Some(json) => q.filter(
                sql::<Bool>("accounts.id IN (SELECT value::bigint FROM jsonb_array_elements_text(CAST(")
                    .bind::<Text, _>(json)
                    .sql(" AS jsonb)))"),
            ),
            None => q.filter(
                sql::<Bool>(
                    "lower(accounts.company_name || ' ' || accounts.name || ' ' || coalesce(accounts.city, '') || ' ' || accounts.account_number) LIKE ",
                )
                .bind::<Text, _>(contains_pattern(text))
                .sql(" ESCAPE '\\'"),
            ),
        },
        // SQLite, too short for the trigram index: each row is matched. SQLite's `LIKE`
        // ignores the case of ASCII letters and its `lower()` folds nothing else, so the
        // columns are compared as they are (lower-casing them doubled the time).
        Search::Text(text) => {
            let pattern = contains_pattern(text);
            q.filter(
                sql::<Bool>("(accounts.company_name LIKE ")
                    .bind::<Text, _>(pattern.clone())
                    .sql(" ESCAPE '\\' OR accounts.name LIKE ")
                    .bind::<Text, _>(pattern.clone())
                    .sql(" ESCAPE '\\' OR COALESCE(accounts.city, '') LIKE ")
                    .bind::<Text, _>(pattern.clone())
                    .sql(" ESCAPE '\\' OR accounts.account_number LIKE ")
                    .bind::<Text, _>(pattern)
                    .sql(" ESCAPE '\\')"),
            )
        }
    }
}

/// `q` narrowed on SQLite to the rows `search` matches, tested row by row: the trigram
/// index is asked about each row's id rather than for every match.
fn searched_in_row(q: Boxed, search: &Search) -> Boxed {
    match search {
        Search::Text(text) if text.chars().count() >= TRIGRAM => q.filter(
            sql::<Bool>("EXISTS (SELECT 1 FROM accounts_search WHERE accounts_search MATCH ")
                .bind::<Text, _>(fts_phrase(text))
                .sql(" AND accounts_search.rowid = accounts.id)"),
        ),
        _ => searched(q, search, true, SearchPlan::WalkSortIndex, None),
    }
}

/// `q` in the order of `field`. `by_index: false` spells the key so SQLite can't walk
/// an index for the order: for a filter that finds a row or two (the default account),
/// where walking the order's index would read every row to find them. On PostgreSQL
/// the key is fixed SQL, so a plain list's statement stays prepared (parsing it was a
/// tenth of its database time); SQLite gained nothing from that (it prepares again
/// whenever a bound value it has statistics for changes) and kept 3–4 MiB more of
/// prepared statements.
fn ordered(q: Boxed, field: SortField, descending: bool, by_index: bool, is_sqlite: bool) -> Boxed {
    let key = if by_index { field.sql() } else { field.sql_unindexed() };
    match (is_sqlite, descending) {
        (false, true) => q.order((FixedSql::<Text>::new(key).desc(), accounts::id.desc())),
        (false, false) => q.order((FixedSql::<Text>::new(key).asc(), accounts::id.asc())),
        (true, true) => q.order((sql::<Text>(key).desc(), accounts::id.desc())),
        (true, false) => q.order((sql::<Text>(key).asc(), accounts::id.asc())),
    }
}

/// One page of the list, with a plan for text searches on SQLite (see [`SearchPlan`])
/// and their matches when they were looked up. A cursor that doesn't fit the sort
/// (tampered, or from another sort order) starts from the top.
pub fn list(
    conn: &mut DbConnection,
    query: &ListQuery,
    plan: SearchPlan,
    matches: Option<&Matches>,
) -> QueryResult<AccountPage> {
    let ListQuery { scope, filter, sort, cursor, per_page } = query;
    let is_sqlite = conn.is_sqlite();
    let kind = if sort.field.is_time() { KeyType::Timestamp } else { KeyType::Text };
    let (beyond, direction) =
        keyset::start_at::<accounts::table>(cursor.as_ref(), (sort.field.sql(), "accounts.id", kind), sort.descending);
    let by_index = !(is_sqlite && filter.default_only);
    let descending = direction.reversed(sort.descending);
    let q = filtered_with(is_sqlite, *scope, filter, plan, matches);
    let mut q = ordered(q, sort.field, descending, by_index, is_sqlite);
    if let Some(condition) = beyond {
        q = q.filter(condition);
    }
    let rows: Vec<Account> = q.limit(per_page + 1).select(Account::as_select()).load(conn)?;
    Ok(Page::from_rows(rows, *per_page, direction, |a| (sort.field.value_of(a), a.id.into())))
}

/// The accounts with these numbers that `scope` may see (numbers it may not see, or that
/// no account has, are simply missing from the answer).
pub fn by_numbers(conn: &mut DbConnection, scope: Scope, numbers: &[String]) -> QueryResult<Vec<Account>> {
    let mut found = Vec::with_capacity(numbers.len());
    for chunk in numbers.chunks(1_000) {
        let filter = AccountFilter::default();
        let q = filtered(conn.is_sqlite(), scope, &filter).filter(accounts::account_number.eq_any(chunk));
        found.extend(q.select(Account::as_select()).load(conn)?);
    }
    Ok(found)
}

/// Every matching row in batches, for the CSV export: the page `query` names, and the
/// cursor of the next one.
pub fn batch(conn: &mut DbConnection, query: &ListQuery) -> QueryResult<(Vec<Account>, Option<Cursor>)> {
    let page = list(conn, query, SearchPlan::LookUpMatches, None)?;
    Ok((page.rows, page.next))
}

#[cfg(test)]
mod tests;
