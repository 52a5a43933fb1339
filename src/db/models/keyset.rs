//! Keyset paging, shared by every list: a page is the rows after (or, going back,
//! before) a cursor in the list's order, which always ends in the row id. Each order
//! has an index of the same shape, so a page costs the same wherever it starts.

use base64::Engine;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::sql;
use diesel::expression::BoxableExpression;
use diesel::sql_types::{BigInt, Bool, Date, Text, Timestamp};
use serde::{Deserialize, Serialize};

use crate::db::MultiBackend;

/// How a cursor writes a timestamp.
pub const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6f";
const DATE_FORMAT: &str = "%Y-%m-%d";

/// A position in a list: after (or, going back, before) the row with this sort value
/// and id. Opaque to users: base64 of JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    #[serde(rename = "v")]
    pub value: String,
    #[serde(rename = "i")]
    pub id: i64,
    #[serde(rename = "b", default)]
    pub backwards: bool,
}

impl Cursor {
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    }

    pub fn decode(raw: &str) -> Option<Self> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(raw.trim()).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    pub fn time(at: NaiveDateTime) -> String {
        at.format(TIME_FORMAT).to_string()
    }

    pub fn date(day: NaiveDate) -> String {
        day.format(DATE_FORMAT).to_string()
    }
}

/// The SQL type a sort key is compared as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    Text,
    Timestamp,
    Date,
}

/// A condition on any table, as the lists build them.
pub type Condition<QS> = Box<dyn BoxableExpression<QS, MultiBackend, SqlType = Bool>>;

/// `(key, id) op (cursor)`: the rows beyond the cursor in the list's order (`op` one of
/// `<`, `>`, `<=`, `>=`). The key is also compared alone (`key >= value` for `>`), which
/// says nothing more, so that SQLite, which does not bound an index scan by a row
/// value, starts or stops the scan there. `None` when the cursor's value isn't of the
/// key's type (tampered, or from another order).
pub fn beyond<QS: 'static>(key: &str, id: &str, kind: KeyType, cursor: &Cursor, op: &str) -> Option<Condition<QS>> {
    let alone = if op.starts_with('<') { "<=" } else { ">=" };
    let head = sql::<Bool>(&format!("({key} {alone} "));
    let pair = format!(" AND ({key}, {id}) {op} (");
    let id = cursor.id;
    Some(match kind {
        KeyType::Text => {
            let v = cursor.value.clone();
            Box::new(
                head.bind::<Text, _>(v.clone()).sql(&pair).bind::<Text, _>(v).sql(", ").bind::<BigInt, _>(id).sql("))"),
            )
        }
        KeyType::Timestamp => {
            let at = NaiveDateTime::parse_from_str(&cursor.value, TIME_FORMAT).ok()?;
            Box::new(
                head.bind::<Timestamp, _>(at)
                    .sql(&pair)
                    .bind::<Timestamp, _>(at)
                    .sql(", ")
                    .bind::<BigInt, _>(id)
                    .sql("))"),
            )
        }
        KeyType::Date => {
            let day = NaiveDate::parse_from_str(&cursor.value, DATE_FORMAT).ok()?;
            Box::new(
                head.bind::<Date, _>(day).sql(&pair).bind::<Date, _>(day).sql(", ").bind::<BigInt, _>(id).sql("))"),
            )
        }
    })
}

/// Where a page starts in a list ordered by `key` then `id` (`descending` or not): the
/// condition for the rows beyond `cursor`, and the direction to read them in. A cursor
/// whose value doesn't fit the key starts from the top.
pub fn start_at<QS: 'static>(
    cursor: Option<&Cursor>,
    (key, id, kind): (&str, &str, KeyType),
    descending: bool,
) -> (Option<Condition<QS>>, Direction) {
    let condition = cursor.and_then(|c| beyond(key, id, kind, c, Direction::of(Some(c), true).operator(descending)));
    let direction = Direction::of(cursor, condition.is_some());
    (condition, direction)
}

/// Which way the rows were read: from a cursor going back, or forward (from a cursor or
/// the top).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Direction {
    pub backwards: bool,
    /// Whether the rows start at a cursor (not at the top of the list).
    pub positioned: bool,
}

impl Direction {
    /// For `cursor`, when the query could start from it.
    pub fn of(cursor: Option<&Cursor>, positioned: bool) -> Self {
        Self { backwards: positioned && cursor.is_some_and(|c| c.backwards), positioned }
    }

    /// The comparison that reads onwards from the cursor in a list sorted `descending`.
    pub fn operator(self, descending: bool) -> &'static str {
        if descending != self.backwards { "<" } else { ">" }
    }

    /// Whether rows are read in reverse of the list's order.
    pub fn reversed(self, descending: bool) -> bool {
        descending != self.backwards
    }
}

/// One page of a list, and where the pages beside it start.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub next: Option<Cursor>,
    pub prev: Option<Cursor>,
}

impl<T> Page<T> {
    /// The same page with each row turned into what `f` makes of it.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { rows: self.rows.into_iter().map(f).collect(), next: self.next, prev: self.prev }
    }

    /// Makes a page of up to `per_page + 1` rows read in `direction` (the extra row says
    /// there is more that way); `key` gives a row's sort value and id for its cursor.
    pub fn from_rows(mut rows: Vec<T>, per_page: i64, direction: Direction, key: impl Fn(&T) -> (String, i64)) -> Self {
        let more = rows.len() as i64 > per_page;
        rows.truncate(usize::try_from(per_page).unwrap_or(0));
        if direction.backwards {
            rows.reverse();
        }
        let (has_next, has_prev) = if direction.backwards { (true, more) } else { (more, direction.positioned) };
        let cursor_at = |row: &T, backwards: bool| {
            let (value, id) = key(row);
            Cursor { value, id, backwards }
        };
        Self {
            next: rows.last().filter(|_| has_next).map(|r| cursor_at(r, false)),
            prev: rows.first().filter(|_| has_prev).map(|r| cursor_at(r, true)),
            rows,
        }
    }
}
