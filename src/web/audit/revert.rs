//! `GET /audit/{id}/revert` shows what reverting an entry sets beside what is stored
//! now; `POST` applies it. A field changed again since the entry is a conflict: the
//! page asks, per field, whether to revert it or keep what is stored, and nothing is
//! written until the user says (409 until then). Superusers may revert any change of
//! fields; staff, edits of accounts and contacts they may see, flags aside.

use std::collections::HashMap;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::auth::{Staff, session};
use crate::db::StoreError;
use crate::db::models::revert::{self, Choice, FieldPlan, RevertError, RevertPlan};
use crate::db::models::{Actor, AuditEntry, User, UserProfile};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::accounts::form::label_of;
use crate::web::accounts::history::EntryView;
use crate::web::page::{self, Layout};

/// One row of the preview.
struct FieldRow {
    name: String,
    label: String,
    revert_to: String,
    entry_set: String,
    stored: String,
    conflict: bool,
    /// The choice the form shows (a refused post keeps what was picked).
    keep: bool,
}

#[derive(Template)]
#[template(path = "audit/revert.html")]
struct RevertPage {
    layout: Layout,
    entry: EntryView,
    account_href: String,
    account_name: String,
    rows: Vec<FieldRow>,
    /// Shown above the form after a post that left a conflict undecided.
    problem: Option<String>,
}

fn shown(value: &Option<String>) -> String {
    value.clone().filter(|v| !v.is_empty()).unwrap_or_else(|| "—".to_owned())
}

fn label(field: &str) -> String {
    match label_of(field) {
        "" => field.replace('_', " "),
        label => label.to_owned(),
    }
}

fn row(f: &FieldPlan, form: &HashMap<String, String>) -> FieldRow {
    FieldRow {
        label: label(&f.field),
        revert_to: shown(&f.revert_to),
        entry_set: shown(&f.entry_set),
        stored: shown(&f.stored),
        conflict: f.conflict(),
        keep: form.get(&format!("choice_{}", f.field)).is_some_and(|v| v == "keep"),
        name: f.field.clone(),
    }
}

/// The entry, if this viewer may revert it: 404 when staff may not see its account,
/// 403 when it is not theirs to revert.
async fn entry_for(state: &AppState, user: &User, id: i64) -> Result<AuditEntry, AppError> {
    let (user_id, superuser) = (user.id, user.is_superuser);
    let (entry, member) = state
        .store
        .read(move |conn| {
            let entry = AuditEntry::find(conn, id)?;
            let member = match entry.as_ref().and_then(|e| e.account_id) {
                Some(account) if !superuser => UserProfile::is_member(conn, user_id, account)?,
                _ => superuser,
            };
            Ok::<_, StoreError>((entry, member))
        })
        .await?;
    let entry = entry.filter(|_| member).ok_or(AppError::NotFound)?;
    if !super::offers_revert(&entry, &entry.field_changes(), superuser) {
        return Err(if superuser {
            AppError::Refused("Only changes of fields of accounts and contacts can be reverted.".to_owned())
        } else {
            AppError::Forbidden
        });
    }
    Ok(entry)
}

fn render(
    session: &Session,
    user: &User,
    plan: &RevertPlan,
    form: &HashMap<String, String>,
    problem: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let account = plan.target.account();
    let page = RevertPage {
        layout: Layout::new(session, Some(user), format!("Revert entry #{}", plan.entry.id), "audit"),
        entry: EntryView::from(&plan.entry),
        account_href: format!("/accounts/{}", account.account_number),
        account_name: account.to_string(),
        rows: plan.fields.iter().map(|f| row(f, form)).collect(),
        problem,
    };
    page::render(status, &page)
}

/// Staff revert only what they could edit: not on an inactive account.
fn check_staff(user: &User, plan: &RevertPlan) -> Result<(), AppError> {
    if !user.is_superuser && (!plan.target.account().is_active || plan.touches_flags()) {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

pub async fn page(
    session: Session,
    Staff(user): Staff,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let entry = entry_for(&state, &user, *id).await?;
    let plan = state.store.read(move |conn| revert::plan(conn, entry)).await?;
    check_staff(&user, &plan)?;
    render(&session, &user, &plan, &HashMap::new(), None, StatusCode::OK)
}

pub async fn submit(
    session: Session,
    Staff(user): Staff,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let entry = entry_for(&state, &user, *id).await?;
    let id = entry.id;
    let plan = state.store.read(move |conn| revert::plan(conn, entry)).await?;
    check_staff(&user, &plan)?;
    let form = form.into_inner();
    let choices: HashMap<String, Choice> = form
        .iter()
        .filter_map(|(k, v)| {
            let field = k.strip_prefix("choice_")?;
            let choice = match v.as_str() {
                "revert" => Choice::Revert,
                "keep" => Choice::Keep,
                _ => return None,
            };
            Some((field.to_owned(), choice))
        })
        .collect();
    let actor = Actor::user(user.id, &user.username);
    let done =
        state.store.write(move |conn| revert::revert(conn, &actor, id, &|field| choices.get(field).copied())).await;
    match done {
        Ok(account) => {
            session::flash(&session, "success", format!("Reverted entry #{id}."));
            Ok(page::redirect(&format!("/accounts/{}/history", account.account_number)))
        }
        Err(RevertError::Conflict(plan)) => {
            let problem = "Some fields changed again since this entry: choose for each whether to revert it or keep what is stored now.";
            render(&session, &user, &plan, &form, Some(problem.to_owned()), StatusCode::CONFLICT)
        }
        Err(other) => Err(other.into()),
    }
}
