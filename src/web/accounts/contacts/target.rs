//! The contact a URL's `{id}` names, in an account the user may change: 404 when the
//! account has no such contact.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};

use crate::db::models::{Account, AccountContact, User};
use crate::db::{ContactId, StoreError};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::accounts::EditableAccount;

pub struct EditableContact {
    pub user: User,
    pub account: Account,
    pub contact: AccountContact,
}

impl FromRequest for EditableContact {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let (req, editable) = (req.clone(), EditableAccount::from_request(req, payload));
        Box::pin(async move {
            let EditableAccount { user, account } = editable.await?;
            let state = req
                .app_data::<web::Data<AppState>>()
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no app state")))?;
            let id =
                req.match_info().get("id").and_then(|id| id.parse().ok()).map(ContactId).ok_or(AppError::NotFound)?;
            let account_id = account.id;
            let contact = state
                .store
                .read(move |conn| AccountContact::find(conn, account_id, id).map_err(StoreError::from))
                .await?
                .ok_or(AppError::NotFound)?;
            Ok(Self { user, account, contact })
        })
    }
}
