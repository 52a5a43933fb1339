//! Every write of a user, each with its audit entry (`object_type` `user`) in the same
//! transaction. Passwords are never on the record: setting one is an entry without
//! fields. The last active superuser keeps the role and stays active; deactivating a
//! user, setting their password or signing them out ends their sessions.

use diesel::prelude::*;

use super::{NewUserInput, User, UserChanges, UserError};
use crate::db::models::audit::{self, Actor, AuditTarget, FieldChange};
use crate::db::models::written::{Change, Written};
use crate::db::models::{is_unique_violation, session};
use crate::db::schema::users;
use crate::db::{DbConnection, UserId, lock_superusers, now, write_transaction};
use crate::domain::{Email, FieldErrors, fold_case};

const LAST_SUPERUSER: &str = "This is the last active superuser: make someone else a superuser first.";

impl User {
    /// The fields an audit entry compares, as text.
    fn audited_fields(&self) -> [(&'static str, String); 7] {
        let flag = |b: bool| if b { "yes" } else { "no" }.to_owned();
        [
            ("username", self.username.clone()),
            ("email", self.email.clone()),
            ("first_name", self.first_name.clone()),
            ("last_name", self.last_name.clone()),
            ("is_active", flag(self.is_active)),
            ("is_staff", flag(self.is_staff)),
            ("is_superuser", flag(self.is_superuser)),
        ]
    }

    fn diff(old: Option<&Self>, new: &Self) -> Vec<FieldChange> {
        let mut changes = Vec::new();
        let before = old.map(Self::audited_fields);
        for (i, (field, value)) in new.audited_fields().iter().enumerate() {
            let was = before.as_ref().map(|b| b[i].1.as_str());
            FieldChange::push_if_changed(&mut changes, field, was, Some(value));
        }
        changes
    }

    fn audit(&self, conn: &mut DbConnection, actor: &Actor, action: &str, changes: &[FieldChange]) -> QueryResult<()> {
        let target = AuditTarget {
            object_type: "user",
            object_id: self.id.into(),
            account_id: None,
            account_number: None,
            summary: &self.username,
        };
        audit::record(conn, actor, action, target, changes)
    }

    /// Refuses when `id` is the only active superuser (called before taking either away).
    fn ensure_another_superuser(conn: &mut DbConnection, id: UserId, field: &'static str) -> Result<(), UserError> {
        lock_superusers(conn)?;
        let others: i64 = users::table
            .filter(users::is_superuser.eq(true))
            .filter(users::is_active.eq(true))
            .filter(users::id.ne(id))
            .count()
            .get_result(conn)?;
        if others == 0 {
            return Err(UserError::Invalid(FieldErrors::single(field, LAST_SUPERUSER)));
        }
        Ok(())
    }

    fn stored(conn: &mut DbConnection, id: UserId) -> Result<Self, UserError> {
        Self::find(conn, id)?.ok_or(UserError::NotFound)
    }

    /// Creates a user.
    pub fn create(conn: &mut DbConnection, actor: &Actor, input: &NewUserInput) -> Result<Written<Self>, UserError> {
        let at = now();
        write_transaction(conn, |conn| {
            let inserted = diesel::insert_into(users::table)
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
                .execute(conn);
            match inserted {
                Err(e) if is_unique_violation(&e) => {
                    let message = "A user with this username exists already.";
                    return Err(UserError::Invalid(FieldErrors::single("username", message)));
                }
                other => other?,
            };
            let user = Self::find_by_username(conn, input.username.as_str())?.ok_or(UserError::NotFound)?;
            user.audit(conn, actor, "create", &Self::diff(None, &user))?;
            // No page lists a new user yet.
            let change = Change::User { id: user.id, accounts: Vec::new() };
            Ok(Written::changes(user, vec![change]))
        })
    }

    /// Stores a new password hash and ends the user's sessions but the one with token
    /// `keep` (the session that changed it, when it was their own).
    pub fn set_password_hash(
        conn: &mut DbConnection,
        actor: &Actor,
        id: UserId,
        password_hash: &str,
        keep: Option<&str>,
    ) -> Result<Written<Self>, UserError> {
        write_transaction(conn, |conn| {
            let user = Self::stored(conn, id)?;
            diesel::update(users::table.find(id))
                .set((users::password_hash.eq(password_hash), users::updated_at.eq(now())))
                .execute(conn)?;
            session::end_all_of(conn, id, keep)?;
            user.audit(conn, actor, "set_password", &[])?;
            Ok(Written::changes(Self::stored(conn, id)?, vec![Self::changed(conn, id)?]))
        })
    }

    /// Activates or deactivates a user; either way their sessions end. The last active
    /// superuser can't be deactivated.
    pub fn set_active(
        conn: &mut DbConnection,
        actor: &Actor,
        id: UserId,
        active: bool,
    ) -> Result<Written<Self>, UserError> {
        write_transaction(conn, |conn| {
            let old = Self::stored(conn, id)?;
            if !active && old.is_active && old.is_superuser {
                Self::ensure_another_superuser(conn, id, "is_active")?;
            }
            diesel::update(users::table.find(id))
                .set((users::is_active.eq(active), users::updated_at.eq(now())))
                .execute(conn)?;
            session::end_all_of(conn, id, None)?;
            let new = Self::stored(conn, id)?;
            new.audit(conn, actor, if active { "activate" } else { "deactivate" }, &Self::diff(Some(&old), &new))?;
            Ok(Written::changes(new, vec![Self::changed(conn, id)?]))
        })
    }

    /// Ends every session of the user but the one with token `keep`; how many ended.
    pub fn sign_out_everywhere(
        conn: &mut DbConnection,
        actor: &Actor,
        id: UserId,
        keep: Option<&str>,
    ) -> Result<Written<usize>, UserError> {
        write_transaction(conn, |conn| {
            let user = Self::stored(conn, id)?;
            let ended = session::end_all_of(conn, id, keep)?;
            user.audit(conn, actor, "sign_out", &[])?;
            // Session records are cached: the ended ones must not be served again.
            Ok(Written::changes(ended, vec![Self::changed(conn, id)?]))
        })
    }

    /// Applies an edit. The last active superuser can't lose the role or be
    /// deactivated; deactivating or a new password ends the user's sessions.
    /// Ending sessions spares the one with token `keep` (a superuser editing themself).
    pub fn update(
        conn: &mut DbConnection,
        actor: &Actor,
        id: UserId,
        changes: &UserChanges,
        keep: Option<&str>,
    ) -> Result<Written<Self>, UserError> {
        write_transaction(conn, |conn| {
            let old = Self::stored(conn, id)?;
            if old.is_superuser && old.is_active && (!changes.is_superuser || !changes.is_active) {
                let field = if changes.is_active { "is_superuser" } else { "is_active" };
                Self::ensure_another_superuser(conn, id, field)?;
            }
            if changes.password_hash.is_some() || (old.is_active && !changes.is_active) {
                session::end_all_of(conn, id, keep)?;
            }
            diesel::update(users::table.find(id))
                .set((
                    users::email.eq(changes.email.as_ref().map(Email::as_str).unwrap_or_default()),
                    users::first_name.eq(&changes.first_name),
                    users::last_name.eq(&changes.last_name),
                    users::is_active.eq(changes.is_active),
                    users::is_staff.eq(changes.is_staff || changes.is_superuser),
                    users::is_superuser.eq(changes.is_superuser),
                    users::updated_at.eq(now()),
                ))
                .execute(conn)?;
            if let Some(hash) = &changes.password_hash {
                diesel::update(users::table.find(id)).set(users::password_hash.eq(hash)).execute(conn)?;
            }
            let new = Self::stored(conn, id)?;
            let fields = Self::diff(Some(&old), &new);
            if !fields.is_empty() || changes.password_hash.is_none() {
                new.audit(conn, actor, "update", &fields)?;
            }
            if changes.password_hash.is_some() {
                new.audit(conn, actor, "set_password", &[])?;
            }
            Ok(Written::changes(new, vec![Self::changed(conn, id)?]))
        })
    }
}
