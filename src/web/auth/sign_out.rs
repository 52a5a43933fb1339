//! `POST /password/sign-out`: "sign out everywhere" ends every session of the signed-in
//! user, this one included, on the record.

use actix_session::Session;
use actix_web::{HttpResponse, web};

use crate::auth::{Staff, session};
use crate::db::models::{Actor, User};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::page;

pub async fn everywhere(
    session: Session,
    Staff(user): Staff,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (id, actor) = (user.id, Actor::user(user.id, &user.username));
    state.store.write(move |conn| User::sign_out_everywhere(conn, &actor, id, None)).await?;
    session::sign_out(&session);
    Ok(page::redirect("/login"))
}
