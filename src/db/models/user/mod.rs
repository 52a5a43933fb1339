//! Users: the read model and lookups here; writes in `write.rs`, the paged list in
//! `list.rs`. Passwords arrive already hashed.

use std::fmt;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::models::written::{Change, Written};
use crate::db::schema::{user_profiles, users};
use crate::db::{DbConnection, UserId, now};
use crate::domain::{Email, FieldErrors, Username, fold_case};

mod list;
mod write;

pub use list::{UserFilter, UserQuery};

/// A user as pages and the object cache see them: no password hash, nothing that
/// vouches for a session.
#[derive(Clone, PartialEq, Eq, Queryable, Selectable, Identifiable, Serialize, Deserialize)]
#[diesel(table_name = users)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub is_active: bool,
    pub is_staff: bool,
    pub is_superuser: bool,
    pub last_login: Option<NaiveDateTime>,
    pub date_joined: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("is_active", &self.is_active)
            .field("is_staff", &self.is_staff)
            .field("is_superuser", &self.is_superuser)
            .finish_non_exhaustive()
    }
}

/// A new user's fields, every one valid, with the password already hashed.
#[derive(Debug, Clone)]
pub struct NewUserInput {
    pub username: Username,
    pub email: Option<Email>,
    pub first_name: String,
    pub last_name: String,
    pub password_hash: String,
    pub is_staff: bool,
    pub is_superuser: bool,
}

/// An edit of a user's names, e-mail, flags and (optionally) password.
#[derive(Debug, Clone)]
pub struct UserChanges {
    pub email: Option<Email>,
    pub first_name: String,
    pub last_name: String,
    pub is_active: bool,
    pub is_staff: bool,
    pub is_superuser: bool,
    pub password_hash: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("invalid user: {0}")]
    Invalid(FieldErrors),
    #[error("no such user")]
    NotFound,
    #[error(transparent)]
    Unavailable(#[from] crate::db::Unavailable),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

impl User {
    pub fn find(conn: &mut DbConnection, id: UserId) -> QueryResult<Option<Self>> {
        users::table.find(id).select(Self::as_select()).first(conn).optional()
    }

    /// The user's password hash, read only where a password is checked.
    pub fn password_hash(conn: &mut DbConnection, id: UserId) -> QueryResult<Option<String>> {
        users::table.find(id).select(users::password_hash).first(conn).optional()
    }

    /// The user with this username and their password hash, for signing in.
    pub fn find_for_sign_in(conn: &mut DbConnection, username: &str) -> QueryResult<Option<(Self, String)>> {
        users::table
            .filter(users::username_folded.eq(fold_case(username)))
            .select((Self::as_select(), users::password_hash))
            .first(conn)
            .optional()
    }

    /// Active users whose username holds `typed` (any case), in username order: at most
    /// `limit`, for the add-member field's suggestions.
    pub fn usernames_holding(conn: &mut DbConnection, typed: &str, limit: i64) -> QueryResult<Vec<String>> {
        let pattern = crate::db::models::contains_pattern(&fold_case(typed));
        let names = users::table
            .filter(users::is_active.eq(true))
            .filter(users::username_folded.like(pattern).escape('\\'))
            .order(users::username_folded.asc());
        crate::db::first_rows(conn, names.select(users::username), limit)
    }

    /// Case-insensitive, as usernames are unique.
    pub fn find_by_username(conn: &mut DbConnection, username: &str) -> QueryResult<Option<Self>> {
        users::table
            .filter(users::username_folded.eq(fold_case(username)))
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
        users::table.count().get_result(conn)
    }

    /// Notes a sign-in; the cached user (which shows `last_login`) is stale.
    pub fn record_login(conn: &mut DbConnection, id: UserId) -> QueryResult<Written<()>> {
        diesel::update(users::table.find(id)).set(users::last_login.eq(Some(now()))).execute(conn)?;
        Ok(Written::changes((), vec![Self::changed(conn, id)?]))
    }

    /// What a write to user `id` changed in the cache: their row, their sessions'
    /// records, and the pages of the accounts that list them as a member.
    pub(crate) fn changed(conn: &mut DbConnection, id: UserId) -> QueryResult<Change> {
        let accounts =
            user_profiles::table.filter(user_profiles::user_id.eq(id)).select(user_profiles::account_id).load(conn)?;
        Ok(Change::User { id, accounts })
    }
}
