//! `GET/POST /accounts/{number}/contacts/new`: add a contact; its welcome e-mail is
//! queued with it.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::{ContactForm, render};
use crate::auth::session;
use crate::db::models::{AccountContact, Actor};
use crate::domain::{ContactFields, FieldErrors};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::accounts::{EditableAccount, href};
use crate::web::page;

pub async fn page(
    session: Session,
    EditableAccount { user, account }: EditableAccount,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    render(&session, &user, &state, account, &ContactForm::default(), &FieldErrors::new(), None, StatusCode::OK).await
}

pub async fn submit(
    session: Session,
    EditableAccount { user, account }: EditableAccount,
    state: web::Data<AppState>,
    form: web::Form<ContactForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let invalid = StatusCode::UNPROCESSABLE_ENTITY;
    let fields = match ContactFields::parse(&form.raw()) {
        Ok(fields) => fields,
        Err(errors) => return render(&session, &user, &state, account, &form, &errors, None, invalid).await,
    };
    let (actor, id) = (Actor::user(user.id, &user.username), account.id);
    match state.store.write(move |conn| AccountContact::create(conn, &actor, id, &fields)).await {
        Ok(contact) => {
            let message =
                format!("Added {} {}; a welcome e-mail is on its way.", contact.first_name, contact.last_name);
            session::flash(&session, "success", message);
            Ok(page::redirect(&href(&account)))
        }
        Err(e) => {
            let errors = AppError::from(e).into_field_errors()?;
            render(&session, &user, &state, account, &form, &errors, None, invalid).await
        }
    }
}
