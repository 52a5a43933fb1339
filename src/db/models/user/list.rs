//! The user list: a search over username, e-mail and name, three yes/no filters, and
//! keyset paging by username (its folded, unique form and the id).

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use super::User;
use crate::db::models::contains_pattern;
use crate::db::models::keyset::{self, Cursor, Direction, KeyType, Page};
use crate::db::schema::users;
use crate::db::{DbConnection, MultiBackend, UserId};

/// What the list is narrowed to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFilter {
    /// A case-insensitive substring of username, e-mail, first or last name.
    pub search: Option<String>,
    pub staff: Option<bool>,
    pub superuser: Option<bool>,
    pub active: Option<bool>,
}

/// One page request of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserQuery {
    pub filter: UserFilter,
    pub cursor: Option<Cursor>,
    pub per_page: i64,
}

/// How many users, in username order, a search looks through before it asks the index:
/// a broad search fills a page among them; a rare one is found through the index.
const WALK: i64 = 5_000;
const TRIGRAM: usize = 3;
/// The list's order, as keyset paging compares it.
const KEY: (&str, &str, KeyType) = ("users.username_folded", "users.id", KeyType::Text);
const SEARCHED: &str =
    "lower(users.username || ' ' || users.email || ' ' || users.first_name || ' ' || users.last_name)";

fn filtered(filter: &UserFilter, is_sqlite: bool, through_index: bool) -> users::BoxedQuery<'static, MultiBackend> {
    let mut q = users::table.into_boxed::<MultiBackend>();
    match &filter.search {
        Some(text) if through_index && is_sqlite && text.chars().count() >= TRIGRAM => {
            let phrase = format!("\"{}\"", text.replace('"', "\"\""));
            q = q.filter(
                sql::<Bool>("users.id IN (SELECT rowid FROM users_search WHERE users_search MATCH ")
                    .bind::<Text, _>(phrase)
                    .sql(")"),
            );
        }
        Some(text) => {
            let like =
                sql::<Bool>(&format!("{SEARCHED} LIKE ")).bind::<Text, _>(contains_pattern(text)).sql(" ESCAPE '\\'");
            q = q.filter(like);
        }
        None => {}
    }
    if let Some(staff) = filter.staff {
        q = q.filter(users::is_staff.eq(staff));
    }
    if let Some(superuser) = filter.superuser {
        q = q.filter(users::is_superuser.eq(superuser));
    }
    if let Some(active) = filter.active {
        q = q.filter(users::is_active.eq(active));
    }
    q
}

/// The list in username order (reversed going back) from the cursor on.
fn ordered(
    query: &UserQuery,
    filter: &UserFilter,
    is_sqlite: bool,
    through_index: bool,
) -> (users::BoxedQuery<'static, MultiBackend>, Direction) {
    let (beyond, direction) = keyset::start_at::<users::table>(query.cursor.as_ref(), KEY, false);
    let mut q = filtered(filter, is_sqlite, through_index);
    q = if direction.reversed(false) {
        q.order((users::username_folded.desc(), users::id.desc()))
    } else {
        q.order((users::username_folded.asc(), users::id.asc()))
    };
    if let Some(condition) = beyond {
        q = q.filter(condition);
    }
    (q, direction)
}

fn rows(conn: &mut DbConnection, query: &UserQuery, through_index: bool) -> QueryResult<(Vec<User>, Direction)> {
    let is_sqlite = conn.is_sqlite();
    let (mut q, direction) = ordered(query, &query.filter, is_sqlite, through_index);
    if !through_index {
        // Only as far as the last of the first WALK users.
        let unsearched = UserFilter { search: None, ..query.filter.clone() };
        let (first, _) = ordered(query, &unsearched, is_sqlite, false);
        let end: Option<(String, UserId)> =
            first.offset(WALK - 1).limit(1).select((users::username_folded, users::id)).first(conn).optional()?;
        if let Some((value, id)) = end {
            let until = if direction.reversed(false) { ">=" } else { "<=" };
            let end = Cursor { value, id: id.into(), backwards: false };
            if let Some(c) = keyset::beyond::<users::table>(KEY.0, KEY.1, KEY.2, &end, until) {
                q = q.filter(c);
            }
        }
    }
    Ok((q.limit(query.per_page + 1).select(User::as_select()).load(conn)?, direction))
}

impl User {
    /// One page of the list, by username. A search first looks through the next
    /// [`WALK`] users, and asks the index only when they hold less than a page.
    pub fn list(conn: &mut DbConnection, query: &UserQuery) -> QueryResult<Page<Self>> {
        let (found, direction) = match query.filter.search {
            None => rows(conn, query, true)?,
            Some(_) => match rows(conn, query, false)? {
                (found, direction) if found.len() as i64 > query.per_page => (found, direction),
                _ => rows(conn, query, true)?,
            },
        };
        Ok(Page::from_rows(found, query.per_page, direction, |u| (crate::domain::fold_case(&u.username), u.id.into())))
    }
}
