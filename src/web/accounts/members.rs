//! `POST /accounts/{number}/members` and `/members/{user_id}/remove` (superusers).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::auth::{Superuser, session};
use crate::db::models::account::Written;
use crate::db::models::{Actor, MembershipError, User, UserProfile};
use crate::domain::Username;
use crate::error::AppError;
use crate::startup::AppState;
use crate::web::accounts::{detail, find_visible, href};
use crate::web::page;

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MemberForm {
    username: String,
    csrf_token: String,
}

#[derive(Debug, thiserror::Error)]
enum AddError {
    #[error("{0}")]
    Field(String),
    #[error(transparent)]
    Membership(#[from] MembershipError),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
    #[error(transparent)]
    Unavailable(#[from] crate::store::Unavailable),
}

pub async fn add(
    session: Session,
    Superuser(user): Superuser,
    state: web::Data<AppState>,
    number: web::Path<String>,
    form: web::Form<MemberForm>,
) -> Result<HttpResponse, AppError> {
    let account = find_visible(&state, &user, &number).await?;
    let form = form.into_inner();
    let _ = &form.csrf_token;
    let refused = |message: String| {
        detail::render(
            &session,
            &user,
            &state,
            account.clone(),
            form.username.clone(),
            Some(message),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    let username = match Username::parse(&form.username) {
        Ok(u) => u,
        Err(e) => return refused(e).await,
    };
    let (actor, target) = (Actor::user(user.id, &user.username), account.clone());
    let added = state
        .store
        .write(move |conn| -> Result<Written<(UserProfile, String)>, AddError> {
            let member = User::find_by_username(conn, username.as_str())?
                .ok_or_else(|| AddError::Field(format!("There is no user {username}.")))?;
            let profile = UserProfile::add(conn, &actor, &member, &target)?;
            Ok(Written { value: (profile, member.username), stale_keys: Vec::new() })
        })
        .await;
    match added {
        Ok((_, name)) => {
            session::flash(&session, "success", format!("{name} is now a member of {account}."));
            Ok(page::redirect(&href(&account)))
        }
        Err(AddError::Field(message)) => refused(message).await,
        Err(AddError::Membership(MembershipError::AlreadyMember(name))) => {
            refused(format!("{name} is a member already.")).await
        }
        Err(AddError::Membership(MembershipError::Unavailable(u)) | AddError::Unavailable(u)) => {
            Err(AppError::Unavailable(u))
        }
        Err(AddError::Membership(MembershipError::Db(d)) | AddError::Db(d)) => Err(AppError::from(d)),
        Err(AddError::Membership(MembershipError::NotFound)) => Err(AppError::NotFound),
    }
}

pub async fn remove(
    session: Session,
    Superuser(user): Superuser,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (number, user_id) = path.into_inner();
    let account = find_visible(&state, &user, &number).await?;
    let (actor, target) = (Actor::user(user.id, &user.username), account.clone());
    let removed = state
        .store
        .write(move |conn| -> Result<Written<String>, AddError> {
            let member = User::find(conn, user_id)?.ok_or(MembershipError::NotFound)?;
            UserProfile::remove(conn, &actor, &member, &target)?;
            Ok(Written { value: member.username, stale_keys: Vec::new() })
        })
        .await;
    match removed {
        Ok(name) => {
            session::flash(&session, "success", format!("{name} is no longer a member of {account}."));
            Ok(page::redirect(&href(&account)))
        }
        Err(AddError::Unavailable(u) | AddError::Membership(MembershipError::Unavailable(u))) => {
            Err(AppError::Unavailable(u))
        }
        Err(AddError::Db(d) | AddError::Membership(MembershipError::Db(d))) => Err(AppError::from(d)),
        Err(_) => Err(AppError::NotFound),
    }
}
