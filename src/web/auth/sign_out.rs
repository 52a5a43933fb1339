//! `POST /password/sign-out`: "sign out everywhere" ends every session of the signed-in
//! user, this one included.

use actix_session::Session;
use actix_web::{HttpResponse, web};

use crate::auth::{Staff, session};
use crate::db::StoreError;
use crate::db::models::session as db_session;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::page;

pub async fn everywhere(
    session: Session,
    Staff(user): Staff,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let id = user.id;
    state.store.read(move |conn| db_session::end_all_of(conn, id, None).map_err(StoreError::from)).await?;
    session::sign_out(&session);
    Ok(page::redirect("/login"))
}
