//! `GET/POST /accounts/{number}/delete` (superusers): a confirmation page with what
//! goes with the account; the post must repeat the account number.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::session;
use crate::db::StoreError;
use crate::db::models::{Account, Actor, Dependents, User};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::accounts::ManagedAccount;
use crate::web::page::{self, Layout};

#[derive(Template)]
#[template(path = "accounts/delete.html")]
struct DeletePage {
    layout: Layout,
    account: Account,
    counts: Dependents,
    confirm: String,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeleteForm {
    confirm: String,
    csrf_token: String,
}

async fn render(
    session: &Session,
    user: &User,
    state: &AppState,
    account: Account,
    confirm: String,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let id = account.id;
    let counts = state.store.read(move |conn| Account::dependents(conn, id).map_err(StoreError::from)).await?;
    let page = DeletePage {
        layout: Layout::new(session, Some(user), format!("Delete {account}"), "accounts"),
        account,
        counts,
        confirm,
        error,
    };
    page::render(status, &page)
}

pub async fn page(
    session: Session,
    ManagedAccount { user, account }: ManagedAccount,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    if account.is_default_account {
        return Err(AppError::Refused("The default account can't be deleted.".to_owned()));
    }
    render(&session, &user, &state, account, String::new(), None, StatusCode::OK).await
}

pub async fn submit(
    session: Session,
    ManagedAccount { user, account }: ManagedAccount,
    state: web::Data<AppState>,
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let _ = &form.csrf_token;
    if form.confirm.trim() != account.account_number {
        let error = Some(format!("Type {} to confirm.", account.account_number));
        return render(&session, &user, &state, account, form.confirm, error, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let (actor, id) = (Actor::user(user.id, &user.username), account.id);
    let deleted = state.store.write(move |conn| Account::delete(conn, &actor, id)).await?;
    session::flash(&session, "success", format!("Deleted {deleted}."));
    Ok(page::redirect("/accounts"))
}
