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
use crate::db::{AccountId, DbConnection, MultiBackend};

/// Below this length a search can't use the trigram index and is matched by `LIKE`.
const TRIGRAM: usize = 3;

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

fn filtered(is_sqlite: bool, scope: Scope, filter: &ContactFilter) -> Boxed {
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
        Some(text) if is_sqlite && text.chars().count() >= TRIGRAM => q.filter(
            sql::<Bool>(
                "account_contacts.id IN (SELECT rowid FROM account_contacts_search WHERE account_contacts_search MATCH ",
            )
            .bind::<Text, _>(format!("\"{}\"", text.replace('"', "\"\"")))
            .sql(")"),
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

/// One page of contacts.
pub fn list(conn: &mut DbConnection, query: &ContactQuery) -> QueryResult<Page<ContactRow>> {
    let ContactQuery { scope, filter, sort, cursor, per_page } = query;
    let kind = if sort.field == ContactSortField::Created { KeyType::Timestamp } else { KeyType::Text };
    let beyond = cursor.as_ref().and_then(|c| {
        let op = Direction::of(Some(c), true).operator(sort.descending);
        keyset::beyond::<account_contacts::table>(sort.field.sql(), "account_contacts.id", kind, c, op)
    });
    let direction = Direction::of(cursor.as_ref(), beyond.is_some());
    let mut q = filtered(conn.is_sqlite(), *scope, filter);
    let key = sql::<Text>(sort.field.sql());
    q = if direction.reversed(sort.descending) {
        q.order((key.desc(), account_contacts::id.desc()))
    } else {
        q.order((key.asc(), account_contacts::id.asc()))
    };
    if let Some(condition) = beyond {
        q = q.filter(condition);
    }
    // The text key comes from the database, so a cursor compares as the index does.
    let text_key = if kind == KeyType::Text { sort.field.sql() } else { "''" };
    let rows: Vec<(AccountContact, String)> =
        q.limit(per_page + 1).select((AccountContact::as_select(), sql::<Text>(text_key))).load(conn)?;
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
