//! `POST /users/{id}/sign-out` (superusers): ends every session of that user at once,
//! on the record. A superuser signing themself out here keeps this session.

use actix_session::Session;
use actix_web::{HttpResponse, web};

use crate::auth::{Superuser, session};
use crate::db::UserId;
use crate::db::models::{Actor, User};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::page;

pub async fn submit(
    session: Session,
    Superuser(user): Superuser,
    state: web::Data<AppState>,
    id: web::Path<UserId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let actor = Actor::user(user.id, &user.username);
    let keep = (id == user.id).then(|| session::token(&session)).flatten();
    let ended = state.store.write(move |conn| User::sign_out_everywhere(conn, &actor, id, keep.as_deref())).await?;
    let target = state.store.user(id).await?.ok_or(AppError::NotFound)?;
    let plural = if ended == 1 { "" } else { "s" };
    session::flash(&session, "success", format!("Ended {ended} session{plural} of {}.", target.username));
    Ok(page::redirect(&format!("/users/{id}/edit")))
}
