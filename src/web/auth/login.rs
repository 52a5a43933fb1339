//! `GET/POST /login`.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::throttle::{self, Attempt};
use crate::auth::{ResolvedUser, password, session};
use crate::db::StoreError;
use crate::db::models::session as db_session;
use crate::db::models::{User, Written};
use crate::domain::Password;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::client_address::client_address;
use crate::web::page::{self, Layout};
use crate::web::query::LenientQuery;

const BAD_CREDENTIALS: &str = "Please enter a correct username and password. Both are case-sensitive.";

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    layout: Layout,
    username: String,
    next: String,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NextQuery {
    next: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    username: String,
    password: String,
    next: String,
}

fn login_page(session: &Session, username: String, next: String, error: Option<String>) -> LoginPage {
    LoginPage { layout: Layout::new(session, None, "Sign in", "login"), username, next, error }
}

pub async fn page(
    session: Session,
    user: ResolvedUser,
    query: LenientQuery<NextQuery>,
) -> Result<HttpResponse, AppError> {
    let next = page::local_path_or(&query.params.next, "").to_owned();
    if user.user().is_some_and(|u| u.is_staff || u.is_superuser) {
        return Ok(page::redirect(page::local_path_or(&next, "/accounts")));
    }
    page::ok(&login_page(&session, String::new(), next, None))
}

enum Outcome {
    Throttled(i64),
    BadCredentials,
    NoConsoleAccess,
    /// Signed in, with the token of the session's new record.
    SignedIn(String),
}

/// Checks the throttle and the password on a blocking thread; an unknown username
/// costs the same hashing time as a wrong password. A sign-in makes the cached user
/// stale (it shows the last sign-in).
fn authenticate(
    conn: &mut crate::db::DbConnection,
    username: &str,
    candidate: &str,
    address: &str,
) -> Result<Written<Outcome>, StoreError> {
    let reservation = match throttle::reserve(conn, username, address)? {
        Attempt::Reserved(reservation) => reservation,
        Attempt::Wait(seconds) => return Ok(Written::leaves_cache(Outcome::Throttled(seconds))),
    };
    let plausible = !username.is_empty() && username.len() <= 150 && candidate.chars().count() <= Password::MAX;
    let user = if plausible { User::find_for_sign_in(conn, username)? } else { None };
    let verified = match &user {
        Some((_, hash)) => password::verify(candidate, hash),
        None => {
            password::verify_dummy(candidate);
            false
        }
    };
    match user {
        Some((user, _)) if verified && user.is_active => {
            throttle::succeeded(conn, reservation)?;
            if !user.is_staff && !user.is_superuser {
                return Ok(Written::leaves_cache(Outcome::NoConsoleAccess));
            }
            let token = db_session::start(conn, user.id)?;
            Ok(User::record_login(conn, user.id)?.map(|()| Outcome::SignedIn(token)))
        }
        // The reservation stays: it was a failure.
        _ => Ok(Written::leaves_cache(Outcome::BadCredentials)),
    }
}

pub async fn submit(
    req: HttpRequest,
    session: Session,
    state: web::Data<AppState>,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let LoginForm { username, password: candidate, next } = form.into_inner();
    let username = username.trim().to_owned();
    let next = page::local_path_or(&next, "").to_owned();
    let address =
        client_address(&req, &state.settings.trusted_proxies).map_or_else(|| "unknown".to_owned(), |a| a.to_string());
    let name = username.clone();
    let outcome = state.store.write(move |conn| authenticate(conn, &name, &candidate, &address)).await?;
    match outcome {
        Outcome::Throttled(wait) => {
            let minutes = (wait + 59) / 60;
            let message = format!(
                "Too many failed sign-ins. Try again in {minutes} minute{}.",
                if minutes == 1 { "" } else { "s" }
            );
            let mut response =
                page::render(StatusCode::TOO_MANY_REQUESTS, &login_page(&session, username, next, Some(message)))?;
            response.headers_mut().insert(header::RETRY_AFTER, wait.into());
            Ok(response)
        }
        Outcome::BadCredentials => page::render(
            StatusCode::UNAUTHORIZED,
            &login_page(&session, username, next, Some(BAD_CREDENTIALS.to_owned())),
        ),
        Outcome::NoConsoleAccess => Err(AppError::NoConsoleAccess),
        Outcome::SignedIn(token) => {
            session::sign_in(&session, &token).map_err(|e| AppError::Internal(e.into()))?;
            Ok(page::redirect(page::local_path_or(&next, "/accounts")))
        }
    }
}
