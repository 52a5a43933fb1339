//! `GET /audit/{id}/restore` previews restoring the account a `delete` entry kept;
//! `POST` restores it (superusers). Refused with a clear page when its number is taken
//! again; memberships of users who are gone or inactive are left out and named; billing
//! records are not restored, and the preview says so.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::auth::{Superuser, session};
use crate::db::StoreError;
use crate::db::models::account::{RestorePlan, Snapshot};
use crate::db::models::{Account, Actor, AuditEntry, User};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::accounts::form::label_of;
use crate::web::page::{self, Layout};

#[derive(Template)]
#[template(path = "audit/restore.html")]
struct RestorePage {
    layout: Layout,
    id: i64,
    plan: RestorePlan,
    /// The account's fields as (label, value).
    fields: Vec<(String, String)>,
}

async fn load(state: &AppState, id: i64) -> Result<(AuditEntry, RestorePlan), AppError> {
    let found = state
        .store
        .read(move |conn| {
            let Some(entry) = AuditEntry::find(conn, id)? else { return Ok::<_, StoreError>(None) };
            match Snapshot::of_entry(&entry) {
                Some(snapshot) => Ok(Some((entry, snapshot.plan(conn)?))),
                None => Ok(None),
            }
        })
        .await?;
    found.ok_or(AppError::NotFound)
}

fn fields_of(account: &Account) -> Vec<(String, String)> {
    account
        .audited_fields()
        .into_iter()
        .filter(|(_, v)| v.as_deref().is_some_and(|v| !v.is_empty()))
        .map(|(f, v)| {
            let label = match label_of(f) {
                "" => f.replace('_', " "),
                l => l.to_owned(),
            };
            (label, v.unwrap_or_default())
        })
        .collect()
}

fn render(session: &Session, user: &User, id: i64, plan: RestorePlan) -> Result<HttpResponse, AppError> {
    let status = if plan.number_taken { StatusCode::CONFLICT } else { StatusCode::OK };
    let title = format!("Restore {}", plan.snapshot.account);
    let page = RestorePage {
        layout: Layout::new(session, Some(user), title, "audit"),
        id,
        fields: fields_of(&plan.snapshot.account),
        plan,
    };
    page::render(status, &page)
}

pub async fn page(
    session: Session,
    Superuser(user): Superuser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (entry, plan) = load(&state, *id).await?;
    render(&session, &user, entry.id, plan)
}

pub async fn submit(
    session: Session,
    Superuser(user): Superuser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (entry, plan) = load(&state, *id).await?;
    if plan.number_taken {
        return render(&session, &user, entry.id, plan);
    }
    let actor = Actor::user(user.id, &user.username);
    let (account, skipped) = state.store.write(move |conn| Account::restore(conn, &actor, &entry, None)).await?;
    let mut message = format!("Restored {account}.");
    if !skipped.is_empty() {
        let named: Vec<String> = skipped.iter().map(|s| format!("{} ({})", s.username, s.why)).collect();
        message.push_str(&format!(" Memberships left out: {}.", named.join(", ")));
    }
    session::flash(&session, "success", message);
    Ok(page::redirect(&format!("/accounts/{}", account.account_number)))
}
