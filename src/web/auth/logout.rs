//! `POST /logout`.

use actix_session::Session;
use actix_web::HttpResponse;

use crate::auth::session;
use crate::web::page;

pub async fn submit(session: Session) -> HttpResponse {
    session::sign_out(&session);
    page::redirect("/login")
}
