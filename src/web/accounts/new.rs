//! `GET/POST /accounts/new` (superusers). A one-time token in the form makes a double
//! submit create one account.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::auth::{Superuser, session};
use crate::db::models::{Account, AccountFlags, Actor, User};
use crate::domain::{AccountFields, AccountNumber, AccountNumberInput, FieldErrors};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::accounts::form::{self, AccountForm, Checkbox, Fieldset, Mode};
use crate::web::accounts::{href, tag_suggestions};
use crate::web::page::{self, Layout};

#[derive(Template)]
#[template(path = "accounts/new.html")]
struct NewPage {
    layout: Layout,
    fieldsets: Vec<Fieldset>,
    checkboxes: Vec<Checkbox>,
    form_token: String,
    errors_count: usize,
}

fn new_token() -> String {
    let mut bytes = [0u8; 16];
    rand::fill(&mut bytes);
    hex::encode(bytes)
}

async fn render(
    session: &Session,
    user: &User,
    state: &AppState,
    form: &AccountForm,
    errors: &FieldErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let token = if form.form_token.len() == 32 && form.form_token.bytes().all(|b| b.is_ascii_hexdigit()) {
        form.form_token.clone()
    } else {
        new_token()
    };
    let page = NewPage {
        layout: Layout::new(session, Some(user), "New account", "accounts"),
        fieldsets: form::fieldsets(form, errors, Mode::Create, &tag_suggestions(state, user).await?),
        checkboxes: form::checkboxes(form, errors),
        form_token: token,
        errors_count: errors.len(),
    };
    page::render(status, &page)
}

pub async fn page(
    session: Session,
    Superuser(user): Superuser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let blank = AccountForm {
        country: "USA".into(),
        language: "EN".into(),
        currency: "USD".into(),
        version: "1.0.0".into(),
        is_active: Some("on".into()),
        ..Default::default()
    };
    render(&session, &user, &state, &blank, &FieldErrors::new(), StatusCode::OK).await
}

pub async fn submit(
    session: Session,
    Superuser(user): Superuser,
    state: web::Data<AppState>,
    form: web::Form<AccountForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let mut errors = FieldErrors::new();
    let number = errors.check("account_number", AccountNumberInput::parse(&form.account_number));
    let fields = AccountFields::parse(&form.raw()).map_err(|e| errors.merge(e)).ok();
    let flags =
        AccountFlags { is_active: form.is_active.is_some(), is_default_account: form.is_default_account.is_some() };
    errors.merge(flags.problems(false));
    let (Some(number), Some(fields), true) = (number, fields, errors.is_empty()) else {
        return render(&session, &user, &state, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let token =
        if form.form_token.trim().is_empty() { new_token() } else { form.form_token.chars().take(64).collect() };
    let actor = Actor::user(user.id, &user.username);
    let created = state
        .store
        .write(move |conn| {
            Account::create_once(conn, &actor, &token, &number, &fields, flags, &mut AccountNumber::random)
        })
        .await;
    match created {
        Ok((account, true)) => {
            session::flash(&session, "success", format!("Created account {account}."));
            Ok(page::redirect(&href(&account)))
        }
        Ok((account, false)) => {
            session::flash(&session, "info", format!("This form was already submitted: it created {account}."));
            Ok(page::redirect(&href(&account)))
        }
        Err(e) => {
            let errors = AppError::from(e).into_field_errors()?;
            render(&session, &user, &state, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}
