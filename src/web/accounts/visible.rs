//! The account a URL's `{number}` names, if the signed-in user may see it: the scope
//! check every account route needs, done once. Staff see only the accounts they are
//! members of; any other account, or a number that is not one, is a 404.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};

use crate::auth::{Staff, Superuser};
use crate::db::models::{Account, AccountLookup, User};
use crate::domain::AccountNumber;
use crate::error::AppError;
use crate::state::AppState;

/// A staff user and an account they may see.
pub struct VisibleAccount {
    pub user: User,
    pub account: Account,
}

/// A visible account the user may change: inactive accounts are read-only to
/// everyone but superusers (409 otherwise).
pub struct EditableAccount {
    pub user: User,
    pub account: Account,
}

/// A superuser and an account: routes only superusers may use answer 403 to staff,
/// whatever the account.
pub struct ManagedAccount {
    pub user: User,
    pub account: Account,
}

async fn find_visible(req: &HttpRequest, user: &User) -> Result<Account, AppError> {
    let state =
        req.app_data::<web::Data<AppState>>().ok_or_else(|| AppError::Internal(anyhow::anyhow!("no app state")))?;
    let raw = req.match_info().get("number").unwrap_or_default();
    let number = AccountNumber::parse(raw).map_err(|_| AppError::NotFound)?;
    let lookup = AccountLookup::AccountNumber(number.to_string());
    let account = state.store.get_cached_object(lookup).await?.ok_or(AppError::NotFound)?;
    if !state.store.may_see(user, account.id).await? {
        return Err(AppError::NotFound);
    }
    Ok(account)
}

impl FromRequest for VisibleAccount {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let (req, staff) = (req.clone(), Staff::from_request(&req.clone(), payload));
        Box::pin(async move {
            let Staff(user) = staff.await?;
            let account = find_visible(&req, &user).await?;
            Ok(Self { user, account })
        })
    }
}

impl FromRequest for EditableAccount {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let visible = VisibleAccount::from_request(req, payload);
        Box::pin(async move {
            let VisibleAccount { user, account } = visible.await?;
            if !user.is_superuser && !account.is_active {
                return Err(AppError::Refused("This account is inactive: only a superuser can change it.".to_owned()));
            }
            Ok(Self { user, account })
        })
    }
}

impl FromRequest for ManagedAccount {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let (req, superuser) = (req.clone(), Superuser::from_request(&req.clone(), payload));
        Box::pin(async move {
            let Superuser(user) = superuser.await?;
            let account = find_visible(&req, &user).await?;
            Ok(Self { user, account })
        })
    }
}
