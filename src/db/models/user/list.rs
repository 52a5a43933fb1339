//! The user list: a search over username, e-mail and name, three yes/no filters, and
//! keyset paging by username (its folded, unique form and the id).

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use super::User;
use crate::db::models::contains_pattern;
use crate::db::models::keyset::{self, Cursor, Direction, KeyType, Page};
use crate::db::schema::users;
use crate::db::{DbConnection, MultiBackend};

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

fn filtered(filter: &UserFilter) -> users::BoxedQuery<'static, MultiBackend> {
    let mut q = users::table.into_boxed::<MultiBackend>();
    if let Some(text) = &filter.search {
        let pattern = contains_pattern(text);
        q = q.filter(
            sql::<Bool>("(users.username_folded LIKE ")
                .bind::<Text, _>(pattern.clone())
                .sql(" ESCAPE '\\' OR lower(users.email) LIKE ")
                .bind::<Text, _>(pattern.clone())
                .sql(" ESCAPE '\\' OR lower(users.first_name || ' ' || users.last_name) LIKE ")
                .bind::<Text, _>(pattern)
                .sql(" ESCAPE '\\')"),
        );
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

impl User {
    /// One page of the list, by username.
    pub fn list(conn: &mut DbConnection, query: &UserQuery) -> QueryResult<Page<Self>> {
        let beyond = query.cursor.as_ref().and_then(|c| {
            let op = Direction::of(Some(c), true).operator(false);
            keyset::beyond::<users::table>("users.username_folded", "users.id", KeyType::Text, c, op)
        });
        let direction = Direction::of(query.cursor.as_ref(), beyond.is_some());
        let mut q = filtered(&query.filter);
        q = if direction.reversed(false) {
            q.order((users::username_folded.desc(), users::id.desc()))
        } else {
            q.order((users::username_folded.asc(), users::id.asc()))
        };
        if let Some(condition) = beyond {
            q = q.filter(condition);
        }
        let rows: Vec<Self> = q.limit(query.per_page + 1).select(Self::as_select()).load(conn)?;
        Ok(Page::from_rows(rows, query.per_page, direction, |u| (crate::domain::fold_case(&u.username), u.id.into())))
    }
}
