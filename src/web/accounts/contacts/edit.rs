//! `GET/POST /accounts/{number}/contacts/{id}/edit`: change a contact; making it
//! primary takes the flag from the others.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::{ContactForm, EditableContact, render};
use crate::auth::session;
use crate::db::models::{AccountContact, Actor};
use crate::domain::{ContactFields, FieldErrors};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::accounts::href;
use crate::web::page;

pub async fn page(
    session: Session,
    EditableContact { user, account, contact }: EditableContact,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let form = ContactForm::from_contact(&contact);
    render(&session, &user, &state, account, &form, &FieldErrors::new(), Some(contact.id), StatusCode::OK).await
}

pub async fn submit(
    session: Session,
    EditableContact { user, account, contact }: EditableContact,
    state: web::Data<AppState>,
    form: web::Form<ContactForm>,
) -> Result<HttpResponse, AppError> {
    let (contact_id, form) = (contact.id, form.into_inner());
    let (editing, invalid) = (Some(contact_id), StatusCode::UNPROCESSABLE_ENTITY);
    let fields = match ContactFields::parse(&form.raw()) {
        Ok(fields) => fields,
        Err(errors) => return render(&session, &user, &state, account, &form, &errors, editing, invalid).await,
    };
    let (actor, id) = (Actor::user(user.id, &user.username), account.id);
    match state.store.write(move |conn| AccountContact::update(conn, &actor, id, contact_id, &fields)).await {
        Ok(contact) => {
            session::flash(&session, "success", format!("Saved {} {}.", contact.first_name, contact.last_name));
            Ok(page::redirect(&href(&account)))
        }
        Err(e) => {
            let errors = AppError::from(e).into_field_errors()?;
            render(&session, &user, &state, account, &form, &errors, editing, invalid).await
        }
    }
}
