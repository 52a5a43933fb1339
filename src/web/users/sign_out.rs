//! `POST /users/{id}/sign-out` (superusers): ends every session of that user at once.

use actix_session::Session;
use actix_web::{HttpResponse, web};

use crate::auth::{Superuser, session};
use crate::db::models::User;
use crate::db::models::session as db_session;
use crate::db::{StoreError, UserId};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::page;

pub async fn submit(
    session: Session,
    Superuser(_): Superuser,
    state: web::Data<AppState>,
    id: web::Path<UserId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (target, ended) = state
        .store
        .read(move |conn| {
            let target = User::find(conn, id)?;
            let ended = if target.is_some() { db_session::end_all_of(conn, id, None)? } else { 0 };
            Ok::<_, StoreError>((target, ended))
        })
        .await?;
    let target = target.ok_or(AppError::NotFound)?;
    let plural = if ended == 1 { "" } else { "s" };
    session::flash(&session, "success", format!("Ended {ended} session{plural} of {}.", target.username));
    Ok(page::redirect(&format!("/users/{id}/edit")))
}
