//! `GET/POST /users/{id}/edit` (superusers): names, e-mail, flags and a new password.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::{UserForm, check_common, render};
use crate::auth::{Superuser, password, session};
use crate::db::models::{Account, Actor, User, UserChanges, UserProfile};
use crate::db::{StoreError, UserId};
use crate::domain::FieldErrors;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::page;

async fn load(state: &AppState, id: UserId) -> Result<(User, Vec<Account>), AppError> {
    state
        .store
        .read(move |conn| {
            let found = User::find(conn, id)?;
            let accounts = UserProfile::accounts_of(conn, id)?;
            Ok::<_, StoreError>(found.map(|u| (u, accounts)))
        })
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn page(
    session: Session,
    Superuser(user): Superuser,
    state: web::Data<AppState>,
    id: web::Path<UserId>,
) -> Result<HttpResponse, AppError> {
    let (target, accounts) = load(&state, *id).await?;
    let on = |b: bool| b.then(|| "on".to_owned());
    let form = UserForm {
        email: target.email.clone(),
        first_name: target.first_name.clone(),
        last_name: target.last_name.clone(),
        is_active: on(target.is_active),
        is_staff: on(target.is_staff),
        is_superuser: on(target.is_superuser),
        ..Default::default()
    };
    render(&session, &user, Some(&target), &form, &FieldErrors::new(), accounts, StatusCode::OK).await
}

pub async fn submit(
    session: Session,
    Superuser(user): Superuser,
    state: web::Data<AppState>,
    id: web::Path<UserId>,
    form: web::Form<UserForm>,
) -> Result<HttpResponse, AppError> {
    let (target, accounts) = load(&state, *id).await?;
    let form = form.into_inner();
    let mut errors = FieldErrors::new();
    let (email, first_name, last_name, password) = check_common(&form, &target.username, &mut errors, false);
    let invalid = StatusCode::UNPROCESSABLE_ENTITY;
    if !errors.is_empty() {
        return render(&session, &user, Some(&target), &form, &errors, accounts, invalid).await;
    }
    let target_id = target.id;
    let (is_active, is_staff, is_superuser) =
        (form.is_active.is_some(), form.is_staff.is_some(), form.is_superuser.is_some());
    // A superuser changing their own password stays signed in here.
    let actor = Actor::user(user.id, &user.username);
    let keep = (target_id == user.id).then(|| session::token(&session)).flatten();
    let updated = state
        .store
        .write(move |conn| {
            let password_hash = password.as_ref().map(password::hash);
            let changes =
                UserChanges { email, first_name, last_name, is_active, is_staff, is_superuser, password_hash };
            User::update(conn, &actor, target_id, &changes, keep.as_deref())
        })
        .await;
    match updated {
        Ok(updated) => {
            session::flash(&session, "success", format!("Saved user {}.", updated.username));
            Ok(page::redirect(&format!("/users/{}/edit", updated.id)))
        }
        Err(e) => {
            let errors = AppError::from(e).into_field_errors()?;
            render(&session, &user, Some(&target), &form, &errors, accounts, invalid).await
        }
    }
}
