//! The account pages (SPEC 4.1–4.3). Staff see only the accounts they are members of:
//! any other is a 404, in every route.

pub mod contacts;
pub mod create;
pub mod csv;
pub mod delete;
pub mod detail;
pub mod edit;
pub mod flags;
pub mod form;
pub mod history;
pub mod list;
pub mod members;

use crate::db::models::account_list::Scope;
use crate::db::models::{Account, AccountLookup, User, UserProfile};
use crate::domain::AccountNumber;
use crate::error::AppError;
use crate::startup::AppState;
use crate::store::StoreError;

pub fn scope_of(user: &User) -> Scope {
    if user.is_superuser { Scope::All } else { Scope::MemberOf(user.id) }
}

/// The account with this number if `user` may see it; 404 otherwise.
pub async fn find_visible(state: &AppState, user: &User, number: &str) -> Result<Account, AppError> {
    let number = AccountNumber::parse(number).map_err(|_| AppError::NotFound)?;
    let account =
        state.store.account(AccountLookup::AccountNumber(number.to_string())).await?.ok_or(AppError::NotFound)?;
    if !user.is_superuser {
        let (user_id, account_id) = (user.id, account.id);
        let member = state
            .store
            .run(move |conn| UserProfile::is_member(conn, user_id, account_id).map_err(StoreError::from))
            .await?;
        if !member {
            return Err(AppError::NotFound);
        }
    }
    Ok(account)
}

/// Inactive accounts are read-only to everyone but superusers (SPEC 2.1).
pub fn editable(user: &User, account: &Account) -> Result<(), AppError> {
    if user.is_superuser || account.is_active {
        Ok(())
    } else {
        Err(AppError::Refused("This account is inactive: only a superuser can change it.".to_owned()))
    }
}

/// `/accounts/{number}`.
pub fn href(account: &Account) -> String {
    format!("/accounts/{}", account.account_number)
}

/// Encodes query parameters, leaving out empty values.
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        out.append_pair(k, v);
    }
    out.finish()
}
