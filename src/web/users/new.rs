//! `GET/POST /users/new` (superusers).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::{UserForm, check_common, render};
use crate::auth::{Superuser, password, session};
use crate::db::models::{Actor, NewUserInput, User};
use crate::domain::{FieldErrors, Username};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::page;

pub async fn page(session: Session, Superuser(user): Superuser) -> Result<HttpResponse, AppError> {
    let form = UserForm { is_staff: Some("on".into()), ..Default::default() };
    render(&session, &user, None, &form, &FieldErrors::new(), Vec::new(), StatusCode::OK).await
}

pub async fn submit(
    session: Session,
    Superuser(user): Superuser,
    state: web::Data<AppState>,
    form: web::Form<UserForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let mut errors = FieldErrors::new();
    let username = errors.check("username", Username::parse(&form.username));
    let (email, first_name, last_name, password) = check_common(&form, &form.username, &mut errors, true);
    let invalid = StatusCode::UNPROCESSABLE_ENTITY;
    let (Some(username), Some(password)) = (username, password) else {
        return render(&session, &user, None, &form, &errors, Vec::new(), invalid).await;
    };
    if !errors.is_empty() {
        return render(&session, &user, None, &form, &errors, Vec::new(), invalid).await;
    }
    let (is_staff, is_superuser) = (form.is_staff.is_some(), form.is_superuser.is_some());
    let actor = Actor::user(user.id, &user.username);
    let created = state
        .store
        .write(move |conn| {
            let password_hash = password::hash(&password);
            let input = NewUserInput { username, email, first_name, last_name, password_hash, is_staff, is_superuser };
            User::create(conn, &actor, &input)
        })
        .await;
    match created {
        Ok(created) => {
            session::flash(&session, "success", format!("Created user {}.", created.username));
            Ok(page::redirect(&format!("/users/{}/edit", created.id)))
        }
        Err(e) => {
            let errors = AppError::from(e).into_field_errors()?;
            render(&session, &user, None, &form, &errors, Vec::new(), invalid).await
        }
    }
}
