//! Users. Passwords arrive here already hashed.

use std::fmt;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::models::written::{StaleRow, Written};
use crate::db::models::{is_unique_violation, session};
use crate::db::schema::users;
use crate::db::{DbConnection, UserId, lower, now};
use crate::domain::{Email, FieldErrors, Username, fold_case};

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

    /// Active users' names, for suggestions (at most `limit`).
    pub fn usernames(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<String>> {
        users::table
            .filter(users::is_active.eq(true))
            .order(users::username_folded.asc())
            .limit(limit)
            .select(users::username)
            .load(conn)
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

    /// Creates a user; cached pages that suggest usernames are stale.
    pub fn create(conn: &mut DbConnection, input: &NewUserInput) -> Result<Written<Self>, UserError> {
        let at = now();
        let inserted = conn.transaction(|conn| {
            diesel::insert_into(users::table)
                .values((
                    users::username.eq(input.username.as_str()),
                    users::username_folded.eq(fold_case(input.username.as_str())),
                    users::email.eq(input.email.as_ref().map(Email::as_str).unwrap_or_default()),
                    users::first_name.eq(&input.first_name),
                    users::last_name.eq(&input.last_name),
                    users::password_hash.eq(&input.password_hash),
                    users::is_active.eq(true),
                    users::is_staff.eq(input.is_staff || input.is_superuser),
                    users::is_superuser.eq(input.is_superuser),
                    users::date_joined.eq(at),
                    users::created_at.eq(at),
                    users::updated_at.eq(at),
                ))
                .execute(conn)
        });
        match inserted {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => {
                return Err(UserError::Invalid(FieldErrors::single(
                    "username",
                    "A user with this username exists already.",
                )));
            }
            Err(e) => return Err(e.into()),
        }
        let user = Self::find_by_username(conn, input.username.as_str())?.ok_or(UserError::NotFound)?;
        Ok(Written::makes_stale(user, Vec::new()))
    }

    /// The row after an update that touched `changed` rows; its cached copy is stale.
    fn reread(conn: &mut DbConnection, id: UserId, changed: usize) -> Result<Written<Self>, UserError> {
        if changed == 0 {
            return Err(UserError::NotFound);
        }
        let user = Self::find(conn, id)?.ok_or(UserError::NotFound)?;
        Ok(Written::makes_stale(user, vec![StaleRow::User(id)]))
    }

    /// Stores a new password hash and ends the user's sessions but the one with token
    /// `keep` (the session that changed it, when it was their own).
    pub fn set_password_hash(
        conn: &mut DbConnection,
        id: UserId,
        password_hash: &str,
        keep: Option<&str>,
    ) -> Result<Written<Self>, UserError> {
        crate::db::write_transaction(conn, |conn| {
            let changed = diesel::update(users::table.find(id))
                .set((users::password_hash.eq(password_hash), users::updated_at.eq(now())))
                .execute(conn)?;
            session::end_all_of(conn, id, keep)?;
            Self::reread(conn, id, changed)
        })
    }

    /// Activates or deactivates a user; either way their sessions end.
    pub fn set_active(conn: &mut DbConnection, id: UserId, active: bool) -> Result<Written<Self>, UserError> {
        crate::db::write_transaction(conn, |conn| {
            let changed = diesel::update(users::table.find(id))
                .set((users::is_active.eq(active), users::updated_at.eq(now())))
                .execute(conn)?;
            session::end_all_of(conn, id, None)?;
            Self::reread(conn, id, changed)
        })
    }

    /// Users whose username, name or e-mail contains `q` (any case), by username.
    pub fn search(conn: &mut DbConnection, q: &str, limit: i64) -> QueryResult<Vec<Self>> {
        let mut query =
            users::table.order(lower(users::username).asc()).limit(limit).select(Self::as_select()).into_boxed();
        let q = q.trim().to_lowercase();
        if !q.is_empty() {
            let pattern = format!("%{}%", q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
            query = query.filter(
                lower(users::username)
                    .like(pattern.clone())
                    .escape('\\')
                    .or(lower(users::email).like(pattern.clone()).escape('\\'))
                    .or(lower(users::first_name).like(pattern.clone()).escape('\\'))
                    .or(lower(users::last_name).like(pattern).escape('\\')),
            );
        }
        query.load(conn)
    }

    /// Applies an edit. The last active superuser can't lose the role or be
    /// deactivated; deactivating or a new password ends the user's sessions.
    /// Ending sessions spares the one with token `keep` (a superuser editing themself).
    pub fn update(
        conn: &mut DbConnection,
        id: UserId,
        changes: &UserChanges,
        keep: Option<&str>,
    ) -> Result<Written<Self>, UserError> {
        crate::db::write_transaction(conn, |conn| {
            let old = Self::find(conn, id)?.ok_or(UserError::NotFound)?;
            let loses_power = old.is_superuser && old.is_active && (!changes.is_superuser || !changes.is_active);
            if loses_power {
                let others: i64 = users::table
                    .filter(users::is_superuser.eq(true))
                    .filter(users::is_active.eq(true))
                    .filter(users::id.ne(id))
                    .count()
                    .get_result(conn)?;
                if others == 0 {
                    let field = if changes.is_active { "is_superuser" } else { "is_active" };
                    return Err(UserError::Invalid(FieldErrors::single(
                        field,
                        "This is the last active superuser: make someone else a superuser first.",
                    )));
                }
            }
            let ends_sessions = changes.password_hash.is_some() || (old.is_active && !changes.is_active);
            if ends_sessions {
                session::end_all_of(conn, id, keep)?;
            }
            let old_hash = Self::password_hash(conn, id)?.unwrap_or_default();
            diesel::update(users::table.find(id))
                .set((
                    users::email.eq(changes.email.as_ref().map(Email::as_str).unwrap_or_default()),
                    users::first_name.eq(&changes.first_name),
                    users::last_name.eq(&changes.last_name),
                    users::is_active.eq(changes.is_active),
                    users::is_staff.eq(changes.is_staff || changes.is_superuser),
                    users::is_superuser.eq(changes.is_superuser),
                    users::password_hash.eq(changes.password_hash.as_deref().unwrap_or(&old_hash)),
                    users::updated_at.eq(now()),
                ))
                .execute(conn)?;
            Self::reread(conn, id, 1)
        })
    }

    /// Notes a sign-in; the cached user (which shows `last_login`) is stale.
    pub fn record_login(conn: &mut DbConnection, id: UserId) -> QueryResult<Written<()>> {
        diesel::update(users::table.find(id)).set(users::last_login.eq(Some(now()))).execute(conn)?;
        Ok(Written::makes_stale((), vec![StaleRow::User(id)]))
    }
}
