//! The account list: filters, search, sorting and keyset paging, built so a
//! page costs the same at a million rows as at a thousand (every order has an index,
//! search uses a trigram index, the count stops at [`COUNT_CAP`]).

use base64::Engine;
use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text, Timestamp};
use serde::{Deserialize, Serialize};

use crate::db::DbConnection;
use crate::db::MultiBackend;
use crate::db::models::Account;
use crate::db::schema::{accounts, tagged_items, tags, user_profiles};
use crate::domain::AccountNumber;

mod count;

pub use count::count;

/// Counts stop here: beyond it the list says "10 000+".
pub const COUNT_CAP: i64 = 10_000;
/// Search text shorter than this can't use the trigram index and is matched by `LIKE`.
const TRIGRAM: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SortField {
    AccountNumber,
    CompanyName,
    City,
    Country,
    CreatedAt,
    UpdatedAt,
}

impl SortField {
    pub const ALL: [SortField; 6] =
        [Self::AccountNumber, Self::CompanyName, Self::City, Self::Country, Self::CreatedAt, Self::UpdatedAt];

    pub fn name(self) -> &'static str {
        match self {
            Self::AccountNumber => "account_number",
            Self::CompanyName => "company_name",
            Self::City => "city",
            Self::Country => "country",
            Self::CreatedAt => "created_at",
            Self::UpdatedAt => "updated_at",
        }
    }

    /// The SQL the list orders by (the same expression its index covers).
    fn sql(self) -> &'static str {
        match self {
            Self::AccountNumber => "accounts.account_number",
            Self::CompanyName => "accounts.company_name",
            Self::City => "COALESCE(accounts.city, '')",
            Self::Country => "accounts.country",
            Self::CreatedAt => "accounts.created_at",
            Self::UpdatedAt => "accounts.updated_at",
        }
    }

    fn is_time(self) -> bool {
        matches!(self, Self::CreatedAt | Self::UpdatedAt)
    }

    /// This row's value of the sort key, as a cursor keeps it.
    fn value_of(self, a: &Account) -> String {
        match self {
            Self::AccountNumber => a.account_number.clone(),
            Self::CompanyName => a.company_name.clone(),
            Self::City => a.city.clone().unwrap_or_default(),
            Self::Country => a.country.clone(),
            Self::CreatedAt => a.created_at.format(TIME_FORMAT).to_string(),
            Self::UpdatedAt => a.updated_at.format(TIME_FORMAT).to_string(),
        }
    }
}

const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6f";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Sort {
    pub field: SortField,
    pub descending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Self { field: SortField::CreatedAt, descending: true }
    }
}

impl Sort {
    /// `company_name`, `-created_at`, …; `None` for anything else.
    pub fn parse(raw: &str) -> Option<Self> {
        let (descending, name) = match raw.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, raw),
        };
        SortField::ALL.into_iter().find(|f| f.name() == name).map(|field| Self { field, descending })
    }

    pub fn param(self) -> String {
        format!("{}{}", if self.descending { "-" } else { "" }, self.field.name())
    }
}

/// What the list is narrowed to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AccountFilter {
    pub search: Option<Search>,
    pub active: Option<bool>,
    pub country: Option<String>,
    pub tag: Option<String>,
    pub default_only: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Search {
    /// An account number typed in any spacing goes straight to that account.
    Number(AccountNumber),
    /// A case-insensitive substring of company name, name, city or number.
    Text(String),
}

impl Search {
    pub fn parse(raw: &str) -> Option<Self> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return None;
        }
        Some(match AccountNumber::normalize(trimmed) {
            Some(n) => Self::Number(n),
            None => Self::Text(trimmed.chars().take(200).collect()),
        })
    }
}

/// Whose accounts: a superuser sees all, staff only those they are a member of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Scope {
    All,
    MemberOf(i64),
}

/// A position in the list: after (or, going back, before) the row with this sort value
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Count {
    Exact(i64),
    AtLeast(i64),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountPage {
    pub rows: Vec<Account>,
    pub next: Option<Cursor>,
    pub prev: Option<Cursor>,
}

type Boxed = accounts::BoxedQuery<'static, MultiBackend>;

/// `text` as one FTS5 phrase: a trigram phrase matches it as a substring.
fn fts_phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

fn like_pattern(text: &str) -> String {
    let escaped = text.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// How SQLite should run a text search: look up each match and sort them (few matches),
/// or walk the sort order's index and keep the matches (many matches, where the first
/// page fills after a short walk).
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
    filtered_with(is_sqlite, scope, filter, SearchPlan::LookUpMatches)
}

fn filtered_with(is_sqlite: bool, scope: Scope, filter: &AccountFilter, plan: SearchPlan) -> Boxed {
    let mut q = accounts::table.into_boxed::<MultiBackend>();
    if let Scope::MemberOf(user_id) = scope {
        q =
            q.filter(accounts::id.eq_any(
                user_profiles::table.filter(user_profiles::user_id.eq(user_id)).select(user_profiles::account_id),
            ));
    }
    if let Some(active) = filter.active {
        q = q.filter(accounts::is_active.eq(active));
    }
    if let Some(country) = &filter.country {
        q = q.filter(accounts::country.eq(country.clone()));
    }
    if filter.default_only {
        q = q.filter(accounts::is_default_account.eq(true));
    }
    if let Some(tag) = &filter.tag {
        q = q.filter(
            accounts::id.eq_any(
                tagged_items::table
                    .inner_join(tags::table)
                    .filter(tags::name_folded.eq(tag.to_lowercase()))
                    .filter(tagged_items::object_type.eq(super::metadata::ACCOUNT))
                    .select(tagged_items::object_id),
            ),
        );
    }
    match &filter.search {
        None => {}
        Some(Search::Number(n)) => q = q.filter(accounts::account_number.eq(n.as_str().to_owned())),
        Some(Search::Text(text)) if text.chars().count() >= TRIGRAM && is_sqlite => {
            let phrase = fts_phrase(text);
            // A unary `+` keeps SQLite from using the primary key for this term.
            let head = match plan {
                SearchPlan::LookUpMatches => {
                    "accounts.id IN (SELECT rowid FROM accounts_search WHERE accounts_search MATCH "
                }
                SearchPlan::WalkSortIndex => {
                    "+accounts.id IN (SELECT rowid FROM accounts_search WHERE accounts_search MATCH "
                }
            };
            q = q.filter(sql::<Bool>(head).bind::<Text, _>(phrase).sql(")"));
        }
        Some(Search::Text(text)) if text.chars().count() >= TRIGRAM => {
            q = q.filter(
                sql::<Bool>(
                    "lower(accounts.company_name || ' ' || accounts.name || ' ' || coalesce(accounts.city, '') || ' ' || accounts.account_number) LIKE ",
                )
                .bind::<Text, _>(like_pattern(text))
                .sql(" ESCAPE '\\'"),
            );
        }
        Some(Search::Text(text)) => {
            let pattern = like_pattern(text);
            q = q.filter(
                sql::<Bool>("(lower(accounts.company_name) LIKE ")
                    .bind::<Text, _>(pattern.clone())
                    .sql(" ESCAPE '\\' OR lower(accounts.name) LIKE ")
                    .bind::<Text, _>(pattern.clone())
                    .sql(" ESCAPE '\\' OR lower(COALESCE(accounts.city, '')) LIKE ")
                    .bind::<Text, _>(pattern.clone())
                    .sql(" ESCAPE '\\' OR accounts.account_number LIKE ")
                    .bind::<Text, _>(pattern)
                    .sql(" ESCAPE '\\')"),
            );
        }
    }
    q
}

fn ordered(q: Boxed, field: SortField, descending: bool) -> Boxed {
    let key = sql::<Text>(field.sql());
    if descending { q.order((key.desc(), accounts::id.desc())) } else { q.order((key.asc(), accounts::id.asc())) }
}

fn after(q: Boxed, field: SortField, cursor: &Cursor, op: &str) -> Option<Boxed> {
    let head = sql::<Bool>(&format!("({}, accounts.id) {op} (", field.sql()));
    if field.is_time() {
        let at = NaiveDateTime::parse_from_str(&cursor.value, TIME_FORMAT).ok()?;
        Some(q.filter(head.bind::<Timestamp, _>(at).sql(", ").bind::<BigInt, _>(cursor.id).sql(")")))
    } else {
        Some(q.filter(head.bind::<Text, _>(cursor.value.clone()).sql(", ").bind::<BigInt, _>(cursor.id).sql(")")))
    }
}

/// One page of the list. A cursor that doesn't fit the sort (tampered, or from another
/// sort order) starts from the top.
pub fn list(
    conn: &mut DbConnection,
    scope: Scope,
    filter: &AccountFilter,
    sort: Sort,
    cursor: Option<&Cursor>,
    per_page: i64,
) -> QueryResult<AccountPage> {
    list_with(conn, scope, filter, sort, cursor, per_page, SearchPlan::LookUpMatches)
}

/// [`list`] with a plan for text searches on SQLite (see [`SearchPlan`]).
pub fn list_with(
    conn: &mut DbConnection,
    scope: Scope,
    filter: &AccountFilter,
    sort: Sort,
    cursor: Option<&Cursor>,
    per_page: i64,
    plan: SearchPlan,
) -> QueryResult<AccountPage> {
    let is_sqlite = conn.is_sqlite();
    let filtered = |scope, filter: &AccountFilter| filtered_with(is_sqlite, scope, filter, plan);
    let backwards = cursor.is_some_and(|c| c.backwards);
    let mut q = ordered(filtered(scope, filter), sort.field, sort.descending != backwards);
    let mut positioned = false;
    if let Some(c) = cursor {
        let op = if sort.descending != backwards { "<" } else { ">" };
        if let Some(narrowed) = after(q, sort.field, c, op) {
            q = narrowed;
            positioned = true;
        } else {
            q = ordered(filtered(scope, filter), sort.field, sort.descending);
        }
    }
    let mut rows: Vec<Account> = q.limit(per_page + 1).select(Account::as_select()).load(conn)?;
    let more = rows.len() as i64 > per_page;
    rows.truncate(per_page as usize);
    let backwards = backwards && positioned;
    if backwards {
        rows.reverse();
    }
    let cursor_at = |a: &Account, backwards: bool| Cursor { value: sort.field.value_of(a), id: a.id, backwards };
    let (has_next, has_prev) = if backwards { (true, more) } else { (more, positioned) };
    Ok(AccountPage {
        next: rows.last().filter(|_| has_next).map(|a| cursor_at(a, false)),
        prev: rows.first().filter(|_| has_prev).map(|a| cursor_at(a, true)),
        rows,
    })
}

/// Every matching row in batches, for the CSV export: `batch` rows after `after`.
pub fn batch(
    conn: &mut DbConnection,
    scope: Scope,
    filter: &AccountFilter,
    sort: Sort,
    after_cursor: Option<&Cursor>,
    size: i64,
) -> QueryResult<(Vec<Account>, Option<Cursor>)> {
    let page = list(conn, scope, filter, sort, after_cursor, size)?;
    Ok((page.rows, page.next))
}

#[cfg(test)]
mod tests;
