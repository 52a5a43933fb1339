//! A text search's matches, looked up once per request: the count and the page then
//! read the same list of ids instead of running the trigram match twice.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::{AccountFilter, COUNT_CAP, Scope, Search, SearchPlan, TRIGRAM, fts_phrase};
use crate::db::DbConnection;
use crate::db::models::contains_pattern;

/// How many accounts a text search matched and, unless there were too many to carry,
/// their ids as a JSON array (for `json_each` on SQLite, `jsonb_array_elements_text`
/// on PostgreSQL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matches {
    json: Option<String>,
    len: usize,
}

#[derive(QueryableByName)]
struct Matched {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

impl Matches {
    /// Beyond this many matches on SQLite the list of ids costs more to carry than a
    /// second match: the page matches again, and the count is "more than this" (or, with
    /// other filters, counts again).
    const AT_MOST: i64 = 20_000;

    /// The matches of the filter's text search: from the trigram index on SQLite, from
    /// the narrow table of lower-cased search texts on PostgreSQL. `None` when there is
    /// no text search to look up (no search, an account number, on SQLite text too
    /// short for the trigram index); without ids when there are more than are read.
    ///
    /// On PostgreSQL only a search of every account with no other filter is looked up:
    /// looking up a broad word's matches reads thousands of rows (24 ms at a million
    /// accounts), where a search narrowed by a status, country, tag, date or the
    /// viewer's memberships is counted and paged faster by the planner's own choice.
    /// There the ids only count the search (the count stops at [`COUNT_CAP`]) and page
    /// it when there are few enough to read by id; SQLite's filtered counts read them
    /// too, up to [`Self::AT_MOST`].
    pub fn look_up(conn: &mut DbConnection, scope: Scope, filter: &AccountFilter) -> QueryResult<Option<Self>> {
        let Some(Search::Text(text)) = &filter.search else { return Ok(None) };
        // Not for the default account alone: its one row is tested instead (`filtered_with`).
        let worth_it = (conn.is_sqlite() && !filter.default_only) || (scope == Scope::All && filter.only_searches());
        // SQLite's trigram index can't look up fewer letters; PostgreSQL reads its narrow
        // table of search texts instead, stopping at the cap.
        if !worth_it || (conn.is_sqlite() && text.chars().count() < TRIGRAM) {
            return Ok(None);
        }
        // How many to look up, and how many of them anything reads by id.
        let (query, at_most, carried) = if conn.is_sqlite() {
            let query =
                diesel::sql_query("SELECT rowid AS id FROM accounts_search WHERE accounts_search MATCH ? LIMIT ?")
                    .bind::<Text, _>(fts_phrase(text));
            (query, Self::AT_MOST, Self::AT_MOST)
        } else {
            let query = diesel::sql_query(
                "SELECT account_id AS id FROM accounts_search_texts WHERE searched LIKE $1 ESCAPE '\\' LIMIT $2",
            )
            .bind::<Text, _>(contains_pattern(text));
            (query, COUNT_CAP, SearchPlan::WALK_ABOVE)
        };
        let found: Vec<Matched> = query.bind::<BigInt, _>(at_most + 1).load(conn)?;
        if found.len() as i64 > carried {
            return Ok(Some(Self { json: None, len: found.len() }));
        }
        Ok(Some(Self::of(found.iter().map(|m| m.id))))
    }

    pub(super) fn of(ids: impl Iterator<Item = i64>) -> Self {
        let ids: Vec<String> = ids.map(|id| id.to_string()).collect();
        Self { json: Some(format!("[{}]", ids.join(","))), len: ids.len() }
    }

    /// How many accounts matched (beyond the most looked up, one more than that).
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The ids as a JSON array; `None` when there were more than are read by id.
    pub(super) fn json(&self) -> Option<String> {
        self.json.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::Matches;

    #[test]
    fn ids_become_a_json_array() {
        let m = Matches::of([3_i64, 17, 42].into_iter());
        assert_eq!((m.json(), m.len(), m.is_empty()), (Some("[3,17,42]".to_owned()), 3, false));
        let none = Matches::of(std::iter::empty());
        assert_eq!((none.json(), none.len(), none.is_empty()), (Some("[]".to_owned()), 0, true));
    }
}
