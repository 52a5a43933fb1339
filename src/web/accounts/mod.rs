//! The account pages, one file per URL. Every route with an account in its path takes
//! it through [`VisibleAccount`], [`EditableAccount`] or [`ManagedAccount`], which do
//! the scope check (and the read-only and superuser checks).

pub mod activate;
pub mod bulk;
pub mod contacts;
pub mod csv;
pub mod deactivate;
pub mod delete;
pub mod detail;
pub mod edit;
mod flag_change;
pub mod form;
pub mod history;
pub mod list;
pub mod list_params;
pub mod make_default;
pub mod members;
pub mod new;
pub mod return_to;
mod visible;

pub use visible::{EditableAccount, ManagedAccount, VisibleAccount};

use crate::cache::CacheKey;
use crate::db::StoreError;
use crate::db::models::account_list::Scope;
use crate::db::models::{Account, User, metadata};
use crate::error::AppError;
use crate::state::AppState;

pub fn scope_of(user: &User) -> Scope {
    if user.is_superuser { Scope::All } else { Scope::MemberOf(user.id) }
}

/// The tags on accounts `user` may see, as spelled there, for the tag fields to
/// suggest. Superusers see every account: the shared tag list answers for them.
pub async fn tag_suggestions(state: &AppState, user: &User) -> Result<Vec<String>, AppError> {
    let scope = scope_of(user);
    // Tags change only with a write, which renews the cache's generation.
    let load = move |conn: &mut _| metadata::visible_tag_spellings(conn, scope, 200).map_err(StoreError::from);
    Ok(state.store.cached(CacheKey::TagSuggestions { scope }, load).await?)
}

/// `/accounts/{number}`.
pub fn href(account: &Account) -> String {
    number_href(&account.account_number)
}

/// An account page's address, by the account's number.
pub fn number_href(account_number: &str) -> String {
    format!("/accounts/{account_number}")
}
