//! `POST /accounts/{number}/members/{user_id}/remove` (superusers).

use actix_session::Session;
use actix_web::{HttpResponse, web};

use crate::auth::session;
use crate::db::UserId;
use crate::db::models::{Actor, UserProfile};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::accounts::{ManagedAccount, href};
use crate::web::page;

pub async fn submit(
    session: Session,
    ManagedAccount { user, account }: ManagedAccount,
    state: web::Data<AppState>,
    path: web::Path<(String, UserId)>,
) -> Result<HttpResponse, AppError> {
    let (_, user_id) = path.into_inner();
    let (actor, target) = (Actor::user(user.id, &user.username), account.clone());
    let removed = state
        .store
        .write(move |conn| UserProfile::remove(conn, &actor, user_id, &target))
        .await
        .map_err(AppError::from)?;
    session::flash(&session, "success", format!("{} is no longer a member of {account}.", removed.username));
    Ok(page::redirect(&href(&account)))
}
