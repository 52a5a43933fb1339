//! `GET/POST /accounts/{number}/edit`. The form carries the version it was loaded at;
//! a post based on an older version gets the 409 conflict page instead of overwriting.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::auth::session;
use crate::db::StoreError;
use crate::db::models::{Account, AccountError, AccountFlags, Actor, AuditEntry, User, metadata};
use crate::domain::{AccountFields, FieldErrors};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::accounts::form::{self, AccountForm, Checkbox, Fieldset, Mode, label_of};
use crate::web::accounts::return_to::ReturnTo;
use crate::web::accounts::{EditableAccount, href, tag_suggestions};
use crate::web::page::{self, Layout};
use crate::web::query::LenientQuery;

#[derive(Template)]
#[template(path = "accounts/edit.html")]
struct EditPage {
    layout: Layout,
    account: Account,
    fieldsets: Vec<Fieldset>,
    checkboxes: Vec<Checkbox>,
    lock_version: String,
    original: String,
    return_to: ReturnTo,
    errors_count: usize,
}

/// One field of the conflict page.
pub struct ConflictRow {
    pub field: &'static str,
    pub label: &'static str,
    pub loaded: String,
    pub current: String,
    pub changed_by: String,
    pub submitted: String,
    pub differs: bool,
}

#[derive(Template)]
#[template(path = "accounts/conflict.html")]
struct ConflictPage {
    layout: Layout,
    account: Account,
    rows: Vec<ConflictRow>,
    fieldsets: Vec<Fieldset>,
    checkboxes: Vec<Checkbox>,
    lock_version: String,
    original: String,
    return_to: ReturnTo,
    errors_count: usize,
}

async fn stored_form(state: &AppState, account: &Account) -> Result<AccountForm, AppError> {
    let id = account.id;
    let (tags, annotations) = state
        .store
        .read(move |conn| {
            Ok::<_, StoreError>((
                metadata::load_tags(conn, metadata::ACCOUNT, id.into())?,
                metadata::load_annotations(conn, metadata::ACCOUNT, id.into())?,
            ))
        })
        .await?;
    Ok(AccountForm::from_account(account, &tags, &annotations))
}

async fn edit_page(
    session: &Session,
    user: &User,
    state: &AppState,
    account: Account,
    form: &AccountForm,
    errors: &FieldErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let page = EditPage {
        layout: Layout::new(session, Some(user), format!("Edit {account}"), "accounts"),
        fieldsets: form::fieldsets(form, errors, Mode::Edit, &tag_suggestions(state, user).await?),
        checkboxes: if user.is_superuser { form::checkboxes(form, errors) } else { Vec::new() },
        lock_version: form.lock_version.clone(),
        original: form.original.clone(),
        return_to: ReturnTo::list_at(&form.return_to),
        errors_count: errors.len(),
        account,
    };
    page::render(status, &page)
}

pub async fn page(
    session: Session,
    EditableAccount { user, account }: EditableAccount,
    state: web::Data<AppState>,
    return_to: LenientQuery<ReturnTo>,
) -> Result<HttpResponse, AppError> {
    let mut form = stored_form(&state, &account).await?;
    form.original = form.encode_original();
    form.return_to = return_to.params.value().to_owned();
    edit_page(&session, &user, &state, account, &form, &FieldErrors::new(), StatusCode::OK).await
}

pub async fn submit(
    session: Session,
    EditableAccount { user, account }: EditableAccount,
    state: web::Data<AppState>,
    form: web::Form<AccountForm>,
) -> Result<HttpResponse, AppError> {
    let mut form = form.into_inner();
    // The number is shown, never edited: what the page shows is what is stored.
    let submitted_number = Some(form.account_number.trim().to_owned()).filter(|n| !n.is_empty());
    let Ok(based_on) = form.lock_version.trim().parse::<i64>() else {
        return Err(AppError::BadRequest(
            "The form has no valid lock_version: reload the page and try again.".to_owned(),
        ));
    };
    // Every problem at once: the number, the flags and every field.
    let mut errors = FieldErrors::new();
    if submitted_number.as_deref().is_some_and(|n| n != account.account_number) {
        errors.add("account_number", "The account number can't be changed.");
    }
    // Staff can't change the flags: they are not rendered for them and ignored if sent.
    let flags = user.is_superuser.then(|| AccountFlags {
        is_active: form.is_active.is_some(),
        is_default_account: form.is_default_account.is_some(),
    });
    if let Some(flags) = flags {
        errors.merge(flags.problems(account.is_default_account));
    }
    let fields = AccountFields::parse(&form.raw()).map_err(|e| errors.merge(e)).ok();
    let Some(fields) = fields.filter(|_| errors.is_empty()) else {
        form.account_number = account.account_number.clone();
        return edit_page(&session, &user, &state, account, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let actor = Actor::user(user.id, &user.username);
    let id = account.id;
    let number_check = submitted_number.clone();
    let result = state
        .store
        .write(move |conn| Account::update(conn, &actor, id, based_on, number_check.as_deref(), &fields, flags))
        .await;
    match result {
        Ok(updated) => {
            let message = if updated.lock_version == based_on { "Nothing changed." } else { "Saved." };
            session::flash(&session, "success", message);
            // Back to the list as it was, when the edit was opened from it.
            let back = ReturnTo::list_at(&form.return_to);
            Ok(page::redirect(back.list().unwrap_or(&href(&updated))))
        }
        Err(AccountError::Stale { current }) => conflict(&session, &user, &state, *current, form).await,
        Err(other) => {
            let errors = AppError::from(other).into_field_errors()?;
            form.account_number = account.account_number.clone();
            edit_page(&session, &user, &state, account, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

/// The 409 page: per field, the value the form was loaded with, the value now stored
/// (and who changed it, when), and the value submitted; below, the form with the
/// user's own changes applied on top of the current version.
async fn conflict(
    session: &Session,
    user: &User,
    state: &AppState,
    current: Account,
    submitted: AccountForm,
) -> Result<HttpResponse, AppError> {
    let now = stored_form(state, &current).await?;
    let id = current.id;
    let history = state.store.read(move |conn| AuditEntry::for_account(conn, id, 50).map_err(StoreError::from)).await?;
    let loaded = AccountForm::decode_original(&submitted.original);
    let mut names: Vec<&'static str> =
        form::specs().iter().map(|f| f.name).filter(|n| *n != "account_number").collect();
    if user.is_superuser {
        names.extend(["is_active", "is_default_account"]);
    }
    let mut merged = now.clone();
    let mut rows = Vec::new();
    for field in names {
        let loaded_value = loaded.as_ref().map(|l| l.value(field));
        let (current_value, submitted_value) = (now.value(field), submitted.value(field));
        let user_changed = loaded_value.as_ref().is_none_or(|l| *l != submitted_value);
        if user_changed {
            merged.set(field, submitted_value.clone());
        }
        let changed_by = history
            .iter()
            .find(|e| e.object_type == "account" && e.field_changes().iter().any(|c| c.field == field))
            .filter(|_| loaded_value.as_ref() != Some(&current_value))
            .map(|e| format!("{} at {}", e.actor_username, e.created_at.format("%Y-%m-%d %H:%M:%S UTC")))
            .unwrap_or_default();
        rows.push(ConflictRow {
            field,
            label: label_of(field),
            differs: loaded_value.as_ref() != Some(&current_value) || user_changed,
            loaded: loaded_value.unwrap_or_else(|| "(unknown)".to_owned()),
            current: current_value,
            changed_by,
            submitted: submitted_value,
        });
    }
    merged.lock_version = current.lock_version.to_string();
    merged.original = now.encode_original();
    let errors = FieldErrors::new();
    let page = ConflictPage {
        layout: Layout::new(session, Some(user), format!("Conflict editing {current}"), "accounts"),
        rows,
        fieldsets: form::fieldsets(&merged, &errors, Mode::Edit, &tag_suggestions(state, user).await?),
        checkboxes: if user.is_superuser { form::checkboxes(&merged, &errors) } else { Vec::new() },
        lock_version: merged.lock_version.clone(),
        original: merged.original.clone(),
        return_to: ReturnTo::list_at(&submitted.return_to),
        errors_count: 0,
        account: current,
    };
    page::render(StatusCode::CONFLICT, &page)
}
