//! A text search's matches on SQLite, looked up once per request: the count and the
//! page then read the same list of ids instead of running the trigram match twice.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::{AccountFilter, Search, TRIGRAM, fts_phrase};
use crate::db::DbConnection;

/// The ids of the accounts a text search matched, as a JSON array for `json_each`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matches {
    json: String,
    len: usize,
}

#[derive(QueryableByName)]
struct Matched {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

impl Matches {
    /// Beyond this many matches the list of ids costs more to carry than a second
    /// match: the count and the page each match again.
    const AT_MOST: i64 = 20_000;

    /// The matches of the filter's text search, on SQLite, when there are at most
    /// [`Self::AT_MOST`]; `None` when there is no text search to look up (another
    /// backend, no search, an account number, text too short for the trigram index)
    /// or too many matches.
    pub fn look_up(conn: &mut DbConnection, filter: &AccountFilter) -> QueryResult<Option<Self>> {
        let Some(Search::Text(text)) = &filter.search else { return Ok(None) };
        if !conn.is_sqlite() || text.chars().count() < TRIGRAM {
            return Ok(None);
        }
        let found: Vec<Matched> =
            diesel::sql_query("SELECT rowid AS id FROM accounts_search WHERE accounts_search MATCH ? LIMIT ?")
                .bind::<Text, _>(fts_phrase(text))
                .bind::<BigInt, _>(Self::AT_MOST + 1)
                .load(conn)?;
        if found.len() as i64 > Self::AT_MOST {
            return Ok(None);
        }
        Ok(Some(Self::of(found.iter().map(|m| m.id))))
    }

    fn of(ids: impl Iterator<Item = i64>) -> Self {
        let ids: Vec<String> = ids.map(|id| id.to_string()).collect();
        Self { json: format!("[{}]", ids.join(",")), len: ids.len() }
    }

    /// How many accounts matched.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The ids as a JSON array, bound to `json_each(?)`.
    pub(super) fn json(&self) -> String {
        self.json.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::Matches;

    #[test]
    fn ids_become_a_json_array() {
        let m = Matches::of([3_i64, 17, 42].into_iter());
        assert_eq!((m.json(), m.len(), m.is_empty()), ("[3,17,42]".to_owned(), 3, false));
        let none = Matches::of(std::iter::empty());
        assert_eq!((none.json(), none.len(), none.is_empty()), ("[]".to_owned(), 0, true));
    }
}
