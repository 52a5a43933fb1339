//! `GET/POST /accounts/{number}/contacts/{id}/edit`: change a contact; making it
//! primary takes the flag from the others.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::{ContactForm, contacts_of, render};
use crate::auth::session;
use crate::db::models::{AccountContact, Actor};
use crate::domain::{ContactFields, FieldErrors};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::accounts::{VisibleAccount, editable, href};
use crate::web::page;

pub async fn page(
    session: Session,
    VisibleAccount { user, account }: VisibleAccount,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (_, contact_id) = path.into_inner();
    editable(&user, &account)?;
    let contact =
        contacts_of(&state, &account).await?.into_iter().find(|c| c.id == contact_id).ok_or(AppError::NotFound)?;
    let form = ContactForm::from_contact(&contact);
    render(&session, &user, &state, account, &form, &FieldErrors::new(), Some(contact_id), StatusCode::OK).await
}

pub async fn submit(
    session: Session,
    VisibleAccount { user, account }: VisibleAccount,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    form: web::Form<ContactForm>,
) -> Result<HttpResponse, AppError> {
    let (_, contact_id) = path.into_inner();
    editable(&user, &account)?;
    let form = form.into_inner();
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
