//! Contacts of an account: `new`, `edit` and `delete`, one file each, and the form they
//! share. Staff manage the contacts of their own accounts; an inactive account's
//! contacts are read-only to them.

pub mod delete;
pub mod edit;
pub mod new;
mod target;

pub use target::EditableContact;

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;
use serde::Deserialize;

use crate::db::models::{Account, AccountContact, User};
use crate::db::{ContactId, StoreError};
use crate::domain::{FieldErrors, RawContactFields};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::accounts::href;
use crate::web::fields::Field;
use crate::web::page::{self, Layout};

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ContactForm {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub is_primary: Option<String>,
    pub csrf_token: String,
}

impl ContactForm {
    pub fn raw(&self) -> RawContactFields {
        RawContactFields {
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            is_primary: self.is_primary.clone(),
        }
    }

    pub fn from_contact(c: &AccountContact) -> Self {
        Self {
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            email: c.email.clone(),
            phone: c.phone.clone().unwrap_or_default(),
            is_primary: c.is_primary.then(|| "on".to_owned()),
            csrf_token: String::new(),
        }
    }
}

#[derive(Template)]
#[template(path = "accounts/contacts/form.html")]
struct ContactPage {
    layout: Layout,
    account: Account,
    heading: String,
    action: String,
    fields: Vec<Field>,
    delete_action: Option<String>,
}

fn fields(
    form: &ContactForm,
    errors: &FieldErrors,
    primary: Option<&AccountContact>,
    editing: Option<ContactId>,
) -> Vec<Field> {
    let primary_hint = match primary {
        Some(p) if Some(p.id) != editing => {
            format!("The primary contact is now {} {}; checking this moves the flag here.", p.first_name, p.last_name)
        }
        Some(_) => "This is the primary contact.".to_owned(),
        None => "The account has no primary contact yet.".to_owned(),
    };
    vec![
        Field::text("first_name", "First name", &form.first_name, errors).required().autocomplete("given-name"),
        Field::text("last_name", "Last name", &form.last_name, errors).required().autocomplete("family-name"),
        Field::text("email", "E-mail", &form.email, errors)
            .kind("email")
            .required()
            .autocomplete("email")
            .maxlength(254),
        Field::text("phone", "Phone", &form.phone, errors).kind("tel").autocomplete("tel").maxlength(20),
        Field::checkbox("is_primary", "Primary contact", form.is_primary.is_some(), errors).hint(primary_hint),
    ]
}

pub async fn contacts_of(state: &AppState, account: &Account) -> Result<Vec<AccountContact>, AppError> {
    let id = account.id;
    Ok(state.store.read(move |conn| AccountContact::for_account(conn, id).map_err(StoreError::from)).await?)
}

#[expect(clippy::too_many_arguments, reason = "a page of its own, its form, errors and status")]
pub async fn render(
    session: &Session,
    user: &User,
    state: &AppState,
    account: Account,
    form: &ContactForm,
    errors: &FieldErrors,
    editing: Option<ContactId>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let contacts = contacts_of(state, &account).await?;
    let primary = contacts.iter().find(|c| c.is_primary);
    let (heading, action) = match editing {
        Some(id) => ("Edit contact".to_owned(), format!("{}/contacts/{id}/edit", href(&account))),
        None => ("New contact".to_owned(), format!("{}/contacts/new", href(&account))),
    };
    let page = ContactPage {
        layout: Layout::new(session, Some(user), format!("{heading} · {}", account.company_name), "accounts"),
        fields: fields(form, errors, primary, editing),
        delete_action: editing.map(|id| format!("{}/contacts/{id}/delete", href(&account))),
        heading,
        action,
        account,
    };
    page::render(status, &page)
}
