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
use crate::web::accounts::return_to::ReturnTo;
use crate::web::page::{self, Layout};
use crate::web::query::LenientQuery;

#[derive(Template)]
#[template(path = "accounts/delete.html")]
struct DeletePage {
    layout: Layout,
    account: Account,
    counts: Dependents,
    confirmation: Confirmation,
}

/// The confirmation field as typed, its error, and the list to go back to.
#[derive(Default)]
struct Confirmation {
    typed: String,
    error: Option<String>,
    return_to: ReturnTo,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeleteForm {
    confirm: String,
    csrf_token: String,
    return_to: String,
}

async fn render(
    session: &Session,
    user: &User,
    state: &AppState,
    account: Account,
    confirmation: Confirmation,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let id = account.id;
    let counts = state.store.read(move |conn| Account::dependents(conn, id).map_err(StoreError::from)).await?;
    let page = DeletePage {
        layout: Layout::new(session, Some(user), format!("Delete {account}"), "accounts"),
        account,
        counts,
        confirmation,
    };
    page::render(status, &page)
}

pub async fn page(
    session: Session,
    ManagedAccount { user, account }: ManagedAccount,
    state: web::Data<AppState>,
    return_to: LenientQuery<ReturnTo>,
) -> Result<HttpResponse, AppError> {
    if account.is_default_account {
        return Err(AppError::Refused("The default account can't be deleted.".to_owned()));
    }
    let confirmation = Confirmation { return_to: return_to.params, ..Default::default() };
    render(&session, &user, &state, account, confirmation, StatusCode::OK).await
}

pub async fn submit(
    session: Session,
    ManagedAccount { user, account }: ManagedAccount,
    state: web::Data<AppState>,
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let _ = &form.csrf_token;
    let return_to = ReturnTo::list_at(&form.return_to);
    if form.confirm.trim() != account.account_number {
        let error = Some(format!("Type {} to confirm.", account.account_number));
        let confirmation = Confirmation { typed: form.confirm, error, return_to };
        return render(&session, &user, &state, account, confirmation, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let (actor, id) = (Actor::user(user.id, &user.username), account.id);
    let deleted = state.store.write(move |conn| Account::delete(conn, &actor, id)).await?;
    session::flash(&session, "success", format!("Deleted {deleted}."));
    Ok(page::redirect(return_to.list_or_default()))
}
