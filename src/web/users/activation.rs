//! `POST /users/{id}/activate` and `/deactivate` (superusers). Deactivating ends the
//! user's sessions; the last active superuser can't be deactivated (409).

use actix_session::Session;
use actix_web::{HttpResponse, web};

use crate::auth::{Superuser, session};
use crate::db::UserId;
use crate::db::models::{Actor, User, UserError};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::page;

async fn set_active(
    session: Session,
    user: User,
    state: web::Data<AppState>,
    id: UserId,
    active: bool,
) -> Result<HttpResponse, AppError> {
    let actor = Actor::user(user.id, &user.username);
    let changed = state.store.write(move |conn| User::set_active(conn, &actor, id, active)).await;
    let target = match changed {
        Ok(target) => target,
        Err(UserError::Invalid(errors)) => {
            let reason = errors.get("is_active").unwrap_or("This user can't be deactivated.");
            return Err(AppError::Refused(reason.to_owned()));
        }
        Err(other) => return Err(other.into()),
    };
    let done = if active { "Activated" } else { "Deactivated" };
    session::flash(&session, "success", format!("{done} user {}.", target.username));
    if id == user.id && !active {
        return Ok(page::redirect("/login"));
    }
    Ok(page::redirect(&format!("/users/{id}/edit")))
}

pub async fn activate(
    session: Session,
    Superuser(user): Superuser,
    state: web::Data<AppState>,
    id: web::Path<UserId>,
) -> Result<HttpResponse, AppError> {
    set_active(session, user, state, id.into_inner(), true).await
}

pub async fn deactivate(
    session: Session,
    Superuser(user): Superuser,
    state: web::Data<AppState>,
    id: web::Path<UserId>,
) -> Result<HttpResponse, AppError> {
    set_active(session, user, state, id.into_inner(), false).await
}
