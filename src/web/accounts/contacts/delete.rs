//! `POST /accounts/{number}/contacts/{id}/delete`.

use actix_session::Session;
use actix_web::{HttpResponse, web};

use super::EditableContact;
use crate::auth::session;
use crate::db::models::{AccountContact, Actor};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::accounts::href;
use crate::web::page;

pub async fn submit(
    session: Session,
    EditableContact { user, account, contact }: EditableContact,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (actor, account_id, id) = (Actor::user(user.id, &user.username), account.id, contact.id);
    let removed = state
        .store
        .write(move |conn| AccountContact::delete(conn, &actor, account_id, id))
        .await
        .map_err(AppError::from)?;
    session::flash(&session, "success", format!("Deleted contact {} {}.", removed.first_name, removed.last_name));
    Ok(page::redirect(&href(&account)))
}
