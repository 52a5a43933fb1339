//! Memberships: a user in an account, with metadata.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::models::audit::{self, Actor, AuditTarget, FieldChange, NewEntry};
use crate::db::models::written::{Change, Written};
use crate::db::models::{Account, User, is_unique_violation, metadata};
use crate::db::schema::{accounts, user_profiles, users};
use crate::db::{AccountId, DbConnection, UserId, now, write_transaction};
use crate::domain::CamelName;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable, Serialize, serde::Deserialize)]
#[diesel(table_name = user_profiles)]
pub struct UserProfile {
    pub id: i64,
    pub user_id: UserId,
    pub account_id: AccountId,
    pub name: String,
    pub description: String,
    pub version: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, thiserror::Error)]
pub enum MembershipError {
    #[error("{0} is a member of this account already")]
    AlreadyMember(String),
    #[error("there is no user {0}")]
    NoSuchUser(String),
    #[error("no such membership")]
    NotFound,
    #[error(transparent)]
    Unavailable(#[from] crate::db::Unavailable),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

impl UserProfile {
    pub fn find(conn: &mut DbConnection, user_id: UserId, account_id: AccountId) -> QueryResult<Option<Self>> {
        user_profiles::table
            .filter(user_profiles::user_id.eq(user_id))
            .filter(user_profiles::account_id.eq(account_id))
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    pub fn is_member(conn: &mut DbConnection, user_id: UserId, account_id: AccountId) -> QueryResult<bool> {
        Ok(Self::find(conn, user_id, account_id)?.is_some())
    }

    /// The members of an account with their user rows, oldest membership first.
    pub fn members_of(conn: &mut DbConnection, account_id: AccountId) -> QueryResult<Vec<(Self, User)>> {
        user_profiles::table
            .inner_join(users::table)
            .filter(user_profiles::account_id.eq(account_id))
            .order(user_profiles::id.asc())
            .select((Self::as_select(), User::as_select()))
            .load(conn)
    }

    /// The accounts a user belongs to, oldest membership first.
    pub fn accounts_of(conn: &mut DbConnection, user_id: UserId) -> QueryResult<Vec<Account>> {
        user_profiles::table
            .inner_join(accounts::table)
            .filter(user_profiles::user_id.eq(user_id))
            .order(user_profiles::id.asc())
            .select(Account::as_select())
            .load(conn)
    }

    /// The user's membership in the default account if any, else their oldest.
    pub fn primary_account(conn: &mut DbConnection, user_id: UserId) -> QueryResult<Option<Account>> {
        let accounts = Self::accounts_of(conn, user_id)?;
        let default = accounts.iter().position(|a| a.is_default_account);
        Ok(match default {
            Some(i) => accounts.into_iter().nth(i),
            None => accounts.into_iter().next(),
        })
    }

    /// Adds `user` to `account`, audited, in one transaction.
    pub fn add(
        conn: &mut DbConnection,
        actor: &Actor,
        user: &User,
        account: &Account,
    ) -> Result<Self, MembershipError> {
        write_transaction(conn, |conn| {
            let at = now();
            let inserted = conn.transaction(|conn| {
                diesel::insert_into(user_profiles::table)
                    .values((
                        user_profiles::user_id.eq(user.id),
                        user_profiles::account_id.eq(account.id),
                        user_profiles::name.eq(CamelName::derive_from(&user.username).as_str()),
                        user_profiles::description.eq(""),
                        user_profiles::version.eq("1.0.0"),
                        user_profiles::created_at.eq(at),
                        user_profiles::updated_at.eq(at),
                    ))
                    .execute(conn)
            });
            match inserted {
                Ok(_) => {}
                Err(e) if is_unique_violation(&e) => {
                    return Err(MembershipError::AlreadyMember(user.username.clone()));
                }
                Err(e) => return Err(e.into()),
            }
            let profile = Self::find(conn, user.id, account.id)?.ok_or(MembershipError::NotFound)?;
            let summary = format!("{} in {}", user.username, account);
            let changes = [FieldChange { field: "user".to_owned(), old: None, new: Some(user.username.clone()) }];
            audit::record(conn, actor, "create", profile.target(&summary), &changes)?;
            Ok(profile)
        })
    }

    /// Removes the user with this id from `account`, audited, in one transaction;
    /// returns the user. The account's page shows its members, and the user's scope
    /// loses the account.
    pub fn remove(
        conn: &mut DbConnection,
        actor: &Actor,
        user_id: UserId,
        account: &Account,
    ) -> Result<Written<User>, MembershipError> {
        write_transaction(conn, |conn| {
            let user = User::find(conn, user_id)?.ok_or(MembershipError::NotFound)?;
            let profile = Self::find(conn, user.id, account.id)?.ok_or(MembershipError::NotFound)?;
            metadata::delete_all(conn, metadata::USER_PROFILE, profile.id)?;
            diesel::delete(user_profiles::table.find(profile.id)).execute(conn)?;
            let summary = format!("{} in {}", user.username, account);
            let changes = [FieldChange { field: "user".to_owned(), old: Some(user.username.clone()), new: None }];
            audit::record(conn, actor, "delete", profile.target(&summary), &changes)?;
            Ok(Written::changes(user, vec![Change::Membership { user: user_id, account: account.id }]))
        })
    }

    /// Adds the user named `username` to `account`; returns the membership and the user.
    /// The account's page shows its members, and the user's scope gains the account.
    pub fn add_by_username(
        conn: &mut DbConnection,
        actor: &Actor,
        username: &str,
        account: &Account,
    ) -> Result<Written<(Self, User)>, MembershipError> {
        let user =
            User::find_by_username(conn, username)?.ok_or_else(|| MembershipError::NoSuchUser(username.to_owned()))?;
        let profile = Self::add(conn, actor, &user, account)?;
        let change = Change::Membership { user: user.id, account: account.id };
        Ok(Written::changes((profile, user), vec![change]))
    }

    /// Records the deletion of every membership of an account that is being deleted and
    /// removes their metadata (the database cascades the rows), in the caller's
    /// transaction.
    pub(crate) fn remove_all_of(conn: &mut DbConnection, actor: &Actor, account: &Account) -> QueryResult<()> {
        for (profile, user) in Self::members_of(conn, account.id)? {
            metadata::delete_all(conn, metadata::USER_PROFILE, profile.id)?;
            let summary = format!("{} in {}", user.username, account);
            let changes = [FieldChange { field: "user".to_owned(), old: Some(user.username.clone()), new: None }];
            audit::record(conn, actor, "delete", profile.target(&summary), &changes)?;
        }
        Ok(())
    }

    /// The entry of a membership (id `id`, of `username`) restored with `account`.
    pub(crate) fn restored_entry(
        actor: &Actor,
        id: i64,
        username: &str,
        account: &Account,
        batch: Option<&str>,
    ) -> NewEntry {
        let summary = format!("{username} in {account}");
        let target = AuditTarget {
            object_type: "user_profile",
            object_id: id,
            account_id: Some(account.id),
            account_number: Some(&account.account_number),
            summary: &summary,
        };
        let changes = [FieldChange { field: "user".to_owned(), old: None, new: Some(username.to_owned()) }];
        NewEntry::new(actor, "restore", target, &changes).in_batch(batch)
    }

    fn target<'a>(&self, summary: &'a str) -> AuditTarget<'a> {
        AuditTarget {
            object_type: "user_profile",
            object_id: self.id,
            account_id: Some(self.account_id),
            account_number: None,
            summary,
        }
    }
}
