//! Contacts across accounts: those of the accounts a viewer may see, searched by a
//! substring of name or e-mail (trigram-indexed on both backends), filtered by primary
//! and account, sorted by name, e-mail or creation, keyset-paged.

use std::collections::HashMap;

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use crate::db::models::account_list::Scope;
use crate::db::models::keyset::{self, Cursor, Direction, KeyType, Page};
use crate::db::models::{AccountContact, contains_pattern};
use crate::db::schema::{account_contacts, accounts, user_profiles};
use crate::db::{AccountId, ContactId, DbConnection, MultiBackend};

/// Below this length a search can't use the trigram index and is matched by `LIKE`.
const TRIGRAM: usize = 3;
/// How many rows, in the list's order, a search looks through before it asks the index.
const WALK: i64 = 5_000;

/// How a search finds its rows. A broad search (many matches) fills a page within the
/// first rows of the list's order, so looking at those with `LIKE` is cheap, while the
/// index would hand over every match to be sorted; a rare one is best found through the
/// index. Between the two (a few matches among the first rows), the order's index is
/// walked (`IndexWalk`): SQLite keeps the rows its trigram index matched, PostgreSQL
/// tests each row with `LIKE`. Rows other
/// filters narrow to few (a staff member's or one account's) are matched with `LIKE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Matching {
    Index,
    IndexWalk,
    Like,
    FirstRows,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactSortField {
    Name,
    Email,
    Created,
}

impl ContactSortField {
    pub const ALL: [Self; 3] = [Self::Name, Self::Email, Self::Created];

    pub fn name(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Email => "email",
            Self::Created => "created",
        }
    }

    fn key_type(self) -> KeyType {
        if self == Self::Created { KeyType::Timestamp } else { KeyType::Text }
    }

    /// The SQL the list orders by: the expression its index covers.
    fn sql(self) -> &'static str {
        match self {
            Self::Name => "lower(account_contacts.last_name || ' ' || account_contacts.first_name)",
            Self::Email => "account_contacts.email_folded",
            Self::Created => "account_contacts.created_at",
        }
    }
}

/// A sort field and direction, as `name` or `-created`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContactSort {
    pub field: ContactSortField,
    pub descending: bool,
}

impl Default for ContactSort {
    fn default() -> Self {
        Self { field: ContactSortField::Name, descending: false }
    }
}

impl ContactSort {
    pub fn parse(raw: &str) -> Option<Self> {
        let (descending, name) = raw.strip_prefix('-').map_or((false, raw), |rest| (true, rest));
        ContactSortField::ALL.into_iter().find(|f| f.name() == name).map(|field| Self { field, descending })
    }

    pub fn param(self) -> String {
        format!("{}{}", if self.descending { "-" } else { "" }, self.field.name())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactFilter {
    pub search: Option<String>,
    pub primary: Option<bool>,
    /// An account number (normalised).
    pub account: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactQuery {
    pub scope: Scope,
    pub filter: ContactFilter,
    pub sort: ContactSort,
    pub cursor: Option<Cursor>,
    pub per_page: i64,
}

/// A contact with the account it belongs to.
#[derive(Debug, Clone)]
pub struct ContactRow {
    pub contact: AccountContact,
    pub account_number: String,
    pub company_name: String,
}

type Boxed = account_contacts::BoxedQuery<'static, MultiBackend>;

fn filtered(is_sqlite: bool, scope: Scope, filter: &ContactFilter, matching: Matching) -> Boxed {
    let mut q = account_contacts::table.into_boxed::<MultiBackend>();
    if let Scope::MemberOf(user_id) = scope {
        let theirs = user_profiles::table.filter(user_profiles::user_id.eq(user_id)).select(user_profiles::account_id);
        q = q.filter(account_contacts::account_id.eq_any(theirs));
    }
    if let Some(primary) = filter.primary {
        q = q.filter(account_contacts::is_primary.eq(primary));
    }
    if let Some(number) = &filter.account {
        let numbered = accounts::table.filter(accounts::account_number.eq(number.clone())).select(accounts::id);
        q = q.filter(account_contacts::account_id.eq_any(numbered));
    }
    match &filter.search {
        Some(text) if matches!(matching, Matching::Index | Matching::IndexWalk) && is_sqlite && text.chars().count() >= TRIGRAM => q.filter(
            // A unary `+` keeps SQLite from looking the matches up by id: it walks the
            // order's index instead.
            sql::<Bool>(if matching == Matching::IndexWalk {
                "+account_contacts.id IN (SELECT rowid FROM account_contacts_search WHERE account_contacts_search MATCH "
            } else {
                "account_contacts.id IN (SELECT rowid FROM account_contacts_search WHERE account_contacts_search MATCH "
            })
            .bind::<Text, _>(format!("\"{}\"", text.replace('"', "\"\"")))
            .sql(")"),
        ),
        // PostgreSQL walks the order's index when the expression is not the one its
        // trigram index covers (`|| ''`), and would sort every match when it is.
        Some(text) if matching == Matching::IndexWalk => q.filter(
            sql::<Bool>(
                "(lower(account_contacts.first_name || ' ' || account_contacts.last_name || ' ' || account_contacts.email) || '') LIKE ",
            )
            .bind::<Text, _>(contains_pattern(text))
            .sql(" ESCAPE '\\'"),
        ),
        Some(text) => q.filter(
            sql::<Bool>(
                "lower(account_contacts.first_name || ' ' || account_contacts.last_name || ' ' || account_contacts.email) LIKE ",
            )
            .bind::<Text, _>(contains_pattern(text))
            .sql(" ESCAPE '\\'"),
        ),
        None => q,
    }
}

/// The list's rows in its order (reversed going back), from the cursor on, narrowed by
/// `filter` matched as `matching` says.
fn ordered(query: &ContactQuery, filter: &ContactFilter, is_sqlite: bool, matching: Matching) -> (Boxed, Direction) {
    let ContactQuery { scope, sort, cursor, .. } = query;
    let order = (sort.field.sql(), "account_contacts.id", sort.field.key_type());
    let (beyond, direction) = keyset::start_at::<account_contacts::table>(cursor.as_ref(), order, sort.descending);
    let mut q = filtered(is_sqlite, *scope, filter, matching);
    let key = sql::<Text>(sort.field.sql());
    q = if direction.reversed(sort.descending) {
        q.order((key.desc(), account_contacts::id.desc()))
    } else {
        q.order((key.asc(), account_contacts::id.asc()))
    };
    if let Some(condition) = beyond {
        q = q.filter(condition);
    }
    (q, direction)
}

type Keyed = (AccountContact, String);

/// The last of the first [`WALK`] rows from the cursor on (ignoring the search), as a
/// cursor; `None` when fewer rows are left.
fn walk_end(conn: &mut DbConnection, query: &ContactQuery) -> QueryResult<Option<Cursor>> {
    let unsearched = ContactFilter { search: None, ..query.filter.clone() };
    let (q, _) = ordered(query, &unsearched, conn.is_sqlite(), Matching::Like);
    let q = q.offset(WALK - 1).limit(1);
    Ok(if query.sort.field == ContactSortField::Created {
        let row: Option<(chrono::NaiveDateTime, ContactId)> =
            q.select((account_contacts::created_at, account_contacts::id)).first(conn).optional()?;
        row.map(|(at, id)| Cursor { value: Cursor::time(at), id: id.0, backwards: false })
    } else {
        let row: Option<(String, ContactId)> =
            q.select((sql::<Text>(query.sort.field.sql()), account_contacts::id)).first(conn).optional()?;
        row.map(|(value, id)| Cursor { value, id: id.0, backwards: false })
    })
}

/// The page's rows matched as `matching` says, their direction, and whether a
/// `FirstRows` walk stopped short of the end of the list (when it didn't, its rows are
/// every match there is).
fn rows(
    conn: &mut DbConnection,
    query: &ContactQuery,
    matching: Matching,
) -> QueryResult<(Vec<Keyed>, Direction, bool)> {
    let is_sqlite = conn.is_sqlite();
    let (mut q, direction) = ordered(query, &query.filter, is_sqlite, matching);
    let mut bounded = false;
    if matching == Matching::FirstRows
        && let Some(end) = walk_end(conn, query)?
    {
        bounded = true;
        // Up to and including the walk's last row, in the direction of travel.
        let until = if direction.operator(query.sort.descending) == ">" { "<=" } else { ">=" };
        let kind = query.sort.field.key_type();
        if let Some(c) = keyset::beyond(query.sort.field.sql(), "account_contacts.id", kind, &end, until) {
            q = q.filter(c);
        }
    }
    // The text key comes from the database, so a cursor compares as the index does.
    let text_key = if query.sort.field == ContactSortField::Created { "''" } else { query.sort.field.sql() };
    let rows = q.limit(query.per_page + 1).select((AccountContact::as_select(), sql::<Text>(text_key))).load(conn)?;
    Ok((rows, direction, bounded))
}

/// One page of contacts.
pub fn list(conn: &mut DbConnection, query: &ContactQuery) -> QueryResult<Page<ContactRow>> {
    let ContactQuery { scope, filter, sort, per_page, .. } = query;
    let narrowed = matches!(scope, Scope::MemberOf(_)) || filter.account.is_some();
    let (rows, direction, _) = match filter.search {
        None => rows(conn, query, Matching::Index)?,
        Some(_) if narrowed => rows(conn, query, Matching::Like)?,
        Some(_) => match rows(conn, query, Matching::FirstRows)? {
            (found, direction, bounded) if found.len() as i64 > *per_page || !bounded => (found, direction, bounded),
            (found, ..) if !found.is_empty() => rows(conn, query, Matching::IndexWalk)?,
            _ => rows(conn, query, Matching::Index)?,
        },
    };
    let kind = sort.field.key_type();
    let page = Page::from_rows(rows, *per_page, direction, |(c, key)| match kind {
        KeyType::Text => (key.clone(), c.id.0),
        _ => (Cursor::time(c.created_at), c.id.0),
    });
    with_accounts(conn, page)
}

/// The page's contacts with the number and company of their accounts.
fn with_accounts(conn: &mut DbConnection, page: Page<(AccountContact, String)>) -> QueryResult<Page<ContactRow>> {
    let ids: Vec<AccountId> = page.rows.iter().map(|(c, _)| c.account_id).collect();
    let names: HashMap<AccountId, (String, String)> = accounts::table
        .filter(accounts::id.eq_any(ids))
        .select((accounts::id, accounts::account_number, accounts::company_name))
        .load::<(AccountId, String, String)>(conn)?
        .into_iter()
        .map(|(id, number, company)| (id, (number, company)))
        .collect();
    let rows = page
        .rows
        .into_iter()
        .map(|(contact, _)| {
            let (account_number, company_name) = names.get(&contact.account_id).cloned().unwrap_or_default();
            ContactRow { contact, account_number, company_name }
        })
        .collect();
    Ok(Page { rows, next: page.next, prev: page.prev })
}
