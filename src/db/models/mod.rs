//! One file per table: the read model, its insert and update forms, and its queries.
//! Every function takes a connection and returns `QueryResult` or its own error type;
//! the caller decides the transaction.

pub mod account;
pub mod account_list;
pub mod app_setting;
pub mod audit;
pub mod billing;
pub mod charge;
pub mod contact;
pub mod login_failure;
pub mod metadata;
pub mod session;
pub mod user;
pub mod user_profile;
pub mod written;

pub use account::{Account, AccountError, AccountFlags, AccountLookup, Dependents};
pub use audit::{Actor, AuditEntry, FieldChange};
pub use contact::{AccountContact, ContactError, ContactFields};
pub use user::{NewUserInput, User, UserChanges, UserError};
pub use user_profile::{MembershipError, UserProfile};
pub use written::{CacheEffect, StaleRow, Written};

use diesel::result::{DatabaseErrorKind, Error as DieselError};

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
