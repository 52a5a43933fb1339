//! `POST /audit/batch/{batch}/revert` (superusers): reverts every change of one bulk
//! action in one transaction (accounts it deleted are restored), or nothing: when any
//! account changed again since, or can't be restored, the page names each and why.

use actix_session::Session;
use actix_web::{HttpResponse, web};

use crate::auth::{Superuser, session};
use crate::db::models::Actor;
use crate::db::models::revert;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::page;

pub async fn submit(
    session: Session,
    Superuser(user): Superuser,
    state: web::Data<AppState>,
    batch: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let batch = batch.into_inner();
    if batch.len() > 64 || !batch.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    let actor = Actor::user(user.id, &user.username);
    let reverted = state.store.write(move |conn| revert::revert_batch(conn, &actor, &batch)).await?;
    let plural = if reverted == 1 { "" } else { "s" };
    session::flash(&session, "success", format!("Reverted the bulk action: {reverted} change{plural}."));
    Ok(page::redirect("/audit"))
}
