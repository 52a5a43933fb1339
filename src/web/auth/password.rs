//! `GET/POST /password`: a signed-in user changes their own password. The new stamp
//! ends their other sessions; this one is carried over.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::{Staff, password, session};
use crate::db::models::{User, UserError, Written};
use crate::domain::Password;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::page::{self, Layout};

#[derive(Debug, Default)]
struct PasswordErrors {
    current_password: Option<String>,
    new_password: Option<String>,
    new_password_confirm: Option<String>,
}

impl PasswordErrors {
    fn is_empty(&self) -> bool {
        self.current_password.is_none() && self.new_password.is_none() && self.new_password_confirm.is_none()
    }
}

#[derive(Template)]
#[template(path = "auth/password.html")]
struct PasswordPage {
    layout: Layout,
    errors: PasswordErrors,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    new_password_confirm: String,
}

pub async fn page(session: Session, Staff(user): Staff) -> Result<HttpResponse, AppError> {
    let layout = Layout::new(&session, Some(&user), "Change password", "password");
    page::ok(&PasswordPage { layout, errors: PasswordErrors::default() })
}

enum Change {
    Rejected(PasswordErrors),
    Changed(User),
}

pub async fn submit(
    session: Session,
    Staff(user): Staff,
    state: web::Data<AppState>,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let (id, username, hash) = (user.id, user.username.clone(), user.password_hash.clone());
    let change = state
        .store
        .write(move |conn| -> Result<Written<Change>, UserError> {
            let mut errors = PasswordErrors::default();
            if !password::verify(&form.current_password, &hash) {
                errors.current_password = Some("That is not your current password.".to_owned());
            }
            let new = Password::parse(&form.new_password, &username).map_err(|e| errors.new_password = Some(e)).ok();
            if form.new_password != form.new_password_confirm {
                errors.new_password_confirm = Some("The two new passwords differ.".to_owned());
            }
            match new {
                Some(new) if errors.is_empty() => {
                    Ok(User::set_password_hash(conn, id, &password::hash(&new))?.map(Change::Changed))
                }
                _ => Ok(Written::leaves_cache(Change::Rejected(errors))),
            }
        })
        .await?;
    match change {
        Change::Rejected(errors) => {
            let layout = Layout::new(&session, Some(&user), "Change password", "password");
            page::render(StatusCode::UNPROCESSABLE_ENTITY, &PasswordPage { layout, errors })
        }
        Change::Changed(changed) => {
            session::refresh_stamp(&session, &changed).map_err(|e| AppError::Internal(e.into()))?;
            session::flash(&session, "success", "Your password was changed. Your other sessions have ended.");
            Ok(page::redirect("/accounts"))
        }
    }
}
