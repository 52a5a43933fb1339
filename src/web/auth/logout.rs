//! `POST /logout`: the session's record is deleted, so the session (and any copy of its
//! cookie) ends on every instance at once.

use actix_session::Session;
use actix_web::{HttpResponse, web};

use crate::auth::session;
use crate::db::StoreError;
use crate::db::models::session as db_session;
use crate::db::models::{Change, Written};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::page;

pub async fn submit(session: Session, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    if let Some(token) = session::token(&session) {
        let hash = db_session::token_hash(&token);
        let end = move |conn: &mut _| {
            db_session::end(conn, &token).map_err(StoreError::from)?;
            Ok::<_, StoreError>(Written::changes((), vec![Change::Session(hash)]))
        };
        state.store.write(end).await?;
    }
    session::sign_out(&session);
    Ok(page::redirect("/login"))
}
