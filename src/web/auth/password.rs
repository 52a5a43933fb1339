//! `GET/POST /password`: a signed-in user changes their own password. The new stamp
//! ends their other sessions; this one is carried over.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::throttle::{self, Attempt};
use crate::auth::{Staff, password, session};
use crate::db::models::{Actor, User, UserError, Written};
use crate::domain::Password;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::client_address::client_address;
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
    Throttled(i64),
    Changed,
}

pub async fn submit(
    req: HttpRequest,
    session: Session,
    Staff(user): Staff,
    state: web::Data<AppState>,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let (id, username, keep) = (user.id, user.username.clone(), session::token(&session));
    let actor = Actor::user(user.id, &user.username);
    let address =
        client_address(&req, &state.settings.trusted_proxies).map_or_else(|| "unknown".to_owned(), |a| a.to_string());
    let change = state
        .store
        .write(move |conn| -> Result<Written<Change>, UserError> {
            // Guesses at the current password count as failed sign-ins.
            let reservation = match throttle::reserve(conn, &username, &address)? {
                Attempt::Reserved(reservation) => reservation,
                Attempt::Wait(seconds) => return Ok(Written::leaves_cache(Change::Throttled(seconds))),
            };
            let mut errors = PasswordErrors::default();
            let hash = User::password_hash(conn, id)?.unwrap_or_default();
            if password::verify(&form.current_password, &hash) {
                throttle::succeeded(conn, reservation)?;
            } else {
                errors.current_password = Some("That is not your current password.".to_owned());
            }
            let new = Password::parse(&form.new_password, &username).map_err(|e| errors.new_password = Some(e)).ok();
            if form.new_password != form.new_password_confirm {
                errors.new_password_confirm = Some("The two new passwords differ.".to_owned());
            }
            match new {
                Some(new) if errors.is_empty() => {
                    Ok(User::set_password_hash(conn, &actor, id, &password::hash(&new), keep.as_deref())?
                        .map(|_| Change::Changed))
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
        Change::Throttled(seconds) => {
            let layout = Layout::new(&session, Some(&user), "Change password", "password");
            let message = format!("Too many wrong passwords. Try again in {} minutes.", (seconds + 59) / 60);
            let errors = PasswordErrors { current_password: Some(message), ..Default::default() };
            let mut response = page::render(StatusCode::TOO_MANY_REQUESTS, &PasswordPage { layout, errors })?;
            response.headers_mut().insert(actix_web::http::header::RETRY_AFTER, seconds.into());
            Ok(response)
        }
        Change::Changed => {
            session::flash(&session, "success", "Your password was changed. Your other sessions have ended.");
            Ok(page::redirect("/accounts"))
        }
    }
}
