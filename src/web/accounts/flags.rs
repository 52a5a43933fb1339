//! `POST /accounts/{number}/activate`, `/deactivate`, `/make-default` (superusers).

use actix_session::Session;
use actix_web::{HttpResponse, web};

use crate::auth::{Superuser, session};
use crate::db::models::{Account, Actor};
use crate::error::AppError;
use crate::startup::AppState;
use crate::web::accounts::{find_visible, href};
use crate::web::page;

#[derive(Clone, Copy)]
enum Change {
    Activate,
    Deactivate,
    MakeDefault,
}

async fn apply(
    session: Session,
    user: crate::db::models::User,
    state: web::Data<AppState>,
    number: web::Path<String>,
    change: Change,
) -> Result<HttpResponse, AppError> {
    let account = find_visible(&state, &user, &number).await?;
    let (actor, id) = (Actor::user(user.id, &user.username), account.id);
    let updated = state
        .store
        .write(move |conn| match change {
            Change::Activate => Account::set_active(conn, &actor, id, true),
            Change::Deactivate => Account::set_active(conn, &actor, id, false),
            Change::MakeDefault => Account::make_default(conn, &actor, id),
        })
        .await?;
    let message = match change {
        Change::Activate => format!("Activated {updated}."),
        Change::Deactivate => format!("Deactivated {updated}."),
        Change::MakeDefault => format!("{updated} is now the default account."),
    };
    session::flash(&session, "success", message);
    Ok(page::redirect(&href(&updated)))
}

pub async fn activate(
    session: Session,
    Superuser(user): Superuser,
    state: web::Data<AppState>,
    number: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    apply(session, user, state, number, Change::Activate).await
}

pub async fn deactivate(
    session: Session,
    Superuser(user): Superuser,
    state: web::Data<AppState>,
    number: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    apply(session, user, state, number, Change::Deactivate).await
}

pub async fn make_default(
    session: Session,
    Superuser(user): Superuser,
    state: web::Data<AppState>,
    number: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    apply(session, user, state, number, Change::MakeDefault).await
}
