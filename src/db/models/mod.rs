//! One file per table: the read model, its insert and update forms, and its queries.
//! Every function takes a connection and returns `QueryResult` or its own error type;
//! the caller decides the transaction.

pub mod account;
pub mod account_list;
pub mod app_setting;
pub mod around;
pub mod audit;
pub mod audit_list;
pub mod billing;
pub mod billing_ledger;
pub mod charge;
pub mod contact;
pub mod contact_list;
pub mod keyset;
pub mod login_failure;
pub mod metadata;
pub mod revert;
pub mod session;
pub mod user;
pub mod user_profile;
pub mod written;

pub use account::{Account, AccountError, AccountFlags, AccountLookup, BulkChange, Dependents, Edit, Snapshot};
pub use audit::{Actor, AuditEntry, FieldChange};
pub use contact::{AccountContact, ContactError, ContactFields};
pub use user::{NewUserInput, User, UserChanges, UserError, UserFilter, UserQuery};
pub use user_profile::{MembershipError, UserProfile};
pub use written::{CacheEffect, Change, NARROW_LIMIT, StaleRow, Written};

use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// Folds every stored e-mail and username again the program's way (after the migration
/// that filled the folded columns with SQL `lower()`, which folds ASCII only on SQLite).
pub fn fold_keys_again(conn: &mut crate::db::DbConnection) -> diesel::QueryResult<()> {
    use diesel::prelude::*;

    use crate::db::schema::{account_contacts, users};
    use crate::domain::fold_case;
    let contacts: Vec<(i64, String, String)> = account_contacts::table
        .select((account_contacts::id, account_contacts::email, account_contacts::email_folded))
        .load(conn)?;
    for (id, email, folded) in contacts {
        if fold_case(&email) != folded {
            diesel::update(account_contacts::table.find(id))
                .set(account_contacts::email_folded.eq(fold_case(&email)))
                .execute(conn)?;
        }
    }
    let names: Vec<(i64, String, String)> =
        users::table.select((users::id, users::username, users::username_folded)).load(conn)?;
    for (id, username, folded) in names {
        if fold_case(&username) != folded {
            diesel::update(users::table.find(id)).set(users::username_folded.eq(fold_case(&username))).execute(conn)?;
        }
    }
    Ok(())
}

/// `text` as a `LIKE` pattern (with `ESCAPE '\'`) for a case-insensitive substring.
pub fn contains_pattern(text: &str) -> String {
    let escaped = text.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// True for a unique-constraint violation on either backend.
pub fn is_unique_violation(err: &DieselError) -> bool {
    matches!(err, DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _))
}

/// The name of the constraint or index a unique violation names, where the backend says.
pub fn violated_constraint(err: &DieselError) -> String {
    match err {
        DieselError::DatabaseError(_, info) => {
            info.constraint_name().map(str::to_owned).unwrap_or_else(|| info.message().to_owned())
        }
        _ => String::new(),
    }
}
