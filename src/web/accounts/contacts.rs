//! Contacts of an account: create, edit, delete. Staff manage the contacts of their
//! own accounts; an inactive account's contacts are read-only to them.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::{Staff, session};
use crate::db::models::{Account, AccountContact, Actor, ContactError, User};
use crate::domain::{ContactFields, FieldErrors, RawContactFields};
use crate::error::AppError;
use crate::startup::AppState;
use crate::store::StoreError;
use crate::web::accounts::{editable, find_visible, href};
use crate::web::fields::Field;
use crate::web::page::{self, Layout};

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ContactForm {
    first_name: String,
    last_name: String,
    email: String,
    phone: String,
    is_primary: Option<String>,
    csrf_token: String,
}

impl ContactForm {
    fn raw(&self) -> RawContactFields {
        RawContactFields {
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            is_primary: self.is_primary.clone(),
        }
    }

    fn from_contact(c: &AccountContact) -> Self {
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
#[template(path = "contacts/form.html")]
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
    editing: Option<i64>,
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

async fn contacts_of(state: &AppState, account: &Account) -> Result<Vec<AccountContact>, AppError> {
    let id = account.id;
    Ok(state.store.run(move |conn| AccountContact::for_account(conn, id).map_err(StoreError::from)).await?)
}

#[expect(clippy::too_many_arguments, reason = "a page of its own, its form, errors and status")]
async fn render(
    session: &Session,
    user: &User,
    state: &AppState,
    account: Account,
    form: &ContactForm,
    errors: &FieldErrors,
    editing: Option<i64>,
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

fn contact_error(e: ContactError) -> Result<FieldErrors, AppError> {
    match e {
        ContactError::Invalid(errors) => Ok(errors),
        ContactError::NotFound => Err(AppError::NotFound),
        ContactError::Unavailable(u) => Err(AppError::Unavailable(u)),
        ContactError::Db(d) => Err(AppError::from(d)),
    }
}

pub async fn new_page(
    session: Session,
    Staff(user): Staff,
    state: web::Data<AppState>,
    number: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let account = find_visible(&state, &user, &number).await?;
    editable(&user, &account)?;
    render(&session, &user, &state, account, &ContactForm::default(), &FieldErrors::new(), None, StatusCode::OK).await
}

pub async fn create(
    session: Session,
    Staff(user): Staff,
    state: web::Data<AppState>,
    number: web::Path<String>,
    form: web::Form<ContactForm>,
) -> Result<HttpResponse, AppError> {
    let account = find_visible(&state, &user, &number).await?;
    editable(&user, &account)?;
    let form = form.into_inner();
    let fields = match ContactFields::parse(&form.raw()) {
        Ok(fields) => fields,
        Err(errors) => {
            return render(&session, &user, &state, account, &form, &errors, None, StatusCode::UNPROCESSABLE_ENTITY)
                .await;
        }
    };
    let (actor, id) = (Actor::user(user.id, &user.username), account.id);
    match state.store.run_write(move |conn| AccountContact::create(conn, &actor, id, &fields)).await {
        Ok(contact) => {
            session::flash(
                &session,
                "success",
                format!("Added {} {}; a welcome e-mail is on its way.", contact.first_name, contact.last_name),
            );
            Ok(page::redirect(&href(&account)))
        }
        Err(e) => {
            let errors = contact_error(e)?;
            render(&session, &user, &state, account, &form, &errors, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

pub async fn edit_page(
    session: Session,
    Staff(user): Staff,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (number, contact_id) = path.into_inner();
    let account = find_visible(&state, &user, &number).await?;
    editable(&user, &account)?;
    let contact =
        contacts_of(&state, &account).await?.into_iter().find(|c| c.id == contact_id).ok_or(AppError::NotFound)?;
    let form = ContactForm::from_contact(&contact);
    render(&session, &user, &state, account, &form, &FieldErrors::new(), Some(contact_id), StatusCode::OK).await
}

pub async fn update(
    session: Session,
    Staff(user): Staff,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    form: web::Form<ContactForm>,
) -> Result<HttpResponse, AppError> {
    let (number, contact_id) = path.into_inner();
    let account = find_visible(&state, &user, &number).await?;
    editable(&user, &account)?;
    let form = form.into_inner();
    let fields = match ContactFields::parse(&form.raw()) {
        Ok(fields) => fields,
        Err(errors) => {
            return render(
                &session,
                &user,
                &state,
                account,
                &form,
                &errors,
                Some(contact_id),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let (actor, id) = (Actor::user(user.id, &user.username), account.id);
    match state.store.run_write(move |conn| AccountContact::update(conn, &actor, id, contact_id, &fields)).await {
        Ok(contact) => {
            session::flash(&session, "success", format!("Saved {} {}.", contact.first_name, contact.last_name));
            Ok(page::redirect(&href(&account)))
        }
        Err(e) => {
            let errors = contact_error(e)?;
            render(&session, &user, &state, account, &form, &errors, Some(contact_id), StatusCode::UNPROCESSABLE_ENTITY)
                .await
        }
    }
}

pub async fn delete(
    session: Session,
    Staff(user): Staff,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (number, contact_id) = path.into_inner();
    let account = find_visible(&state, &user, &number).await?;
    editable(&user, &account)?;
    let (actor, id) = (Actor::user(user.id, &user.username), account.id);
    let removed = state
        .store
        .run_write(move |conn| AccountContact::delete(conn, &actor, id, contact_id))
        .await
        .map_err(|e| contact_error(e).err().unwrap_or(AppError::NotFound))?;
    session::flash(&session, "success", format!("Deleted contact {} {}.", removed.first_name, removed.last_name));
    Ok(page::redirect(&href(&account)))
}
