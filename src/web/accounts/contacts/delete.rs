//! `POST /accounts/{number}/contacts/{id}/delete`.

use actix_session::Session;
use actix_web::{HttpResponse, web};

use crate::auth::session;
use crate::db::models::{AccountContact, Actor};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::accounts::{VisibleAccount, editable, href};
use crate::web::page;

pub async fn submit(
    session: Session,
    VisibleAccount { user, account }: VisibleAccount,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (_, contact_id) = path.into_inner();
    editable(&user, &account)?;
    let (actor, id) = (Actor::user(user.id, &user.username), account.id);
    let removed = state
        .store
        .write(move |conn| AccountContact::delete(conn, &actor, id, contact_id))
        .await
        .map_err(AppError::from)?;
    session::flash(&session, "success", format!("Deleted contact {} {}.", removed.first_name, removed.last_name));
    Ok(page::redirect(&href(&account)))
}
