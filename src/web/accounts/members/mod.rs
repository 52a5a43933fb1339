//! `POST /accounts/{number}/members` (superusers): add a member by username; a refusal
//! shows the account page again with the error beside the field. Removing is in
//! `remove.rs`.

pub mod remove;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::auth::session;
use crate::db::models::{Actor, UserProfile};
use crate::domain::{FieldErrors, Username};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::accounts::{ManagedAccount, detail, href};
use crate::web::page;

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MemberForm {
    username: String,
    csrf_token: String,
}

pub async fn submit(
    session: Session,
    ManagedAccount { user, account }: ManagedAccount,
    state: web::Data<AppState>,
    form: web::Form<MemberForm>,
) -> Result<HttpResponse, AppError> {
    let MemberForm { username: typed, csrf_token: _ } = form.into_inner();
    let added = match Username::parse(&typed) {
        Err(e) => Err(AppError::Invalid(FieldErrors::single("username", e))),
        Ok(username) => {
            let (actor, target) = (Actor::user(user.id, &user.username), account.clone());
            let add = move |conn: &mut _| UserProfile::add_by_username(conn, &actor, username.as_str(), &target);
            state.store.write(add).await.map_err(AppError::from)
        }
    };
    match added {
        Ok((_, member)) => {
            session::flash(&session, "success", format!("{} is now a member of {account}.", member.username));
            Ok(page::redirect(&href(&account)))
        }
        Err(e) => {
            let error = e.into_field_errors()?.get("username").map(str::to_owned);
            let refill = detail::MemberRefill { username: typed, error };
            let invalid = StatusCode::UNPROCESSABLE_ENTITY;
            detail::render(&session, &user, &state, account, &Default::default(), refill, invalid).await
        }
    }
}
