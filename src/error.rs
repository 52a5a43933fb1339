//! The one error type at the HTTP edge.
//!
//! Policy: every failure a user can cause is a 4xx with a short, plain message; a
//! database that can't be reached is a 503 with `Retry-After`; anything else is a 500
//! whose page shows only a request id. The whole cause chain is logged once, here,
//! with that id; it never reaches the page.
//!
//! Every error of the layers below becomes an `AppError` here, through `From`. A form
//! handler that can show field errors beside their fields asks for them with
//! [`AppError::into_field_errors`] and re-renders its form with 422; anything else
//! answers with the error page.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use crate::db::models::revert::RevertError;
use crate::db::models::{AccountError, ContactError, MembershipError, UserError};
use crate::db::{StoreError, Unavailable};
use crate::domain::FieldErrors;
use crate::{assets, request_id};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// An anonymous request to a console page; redirects to the sign-in page.
    #[error("sign-in required")]
    LoginRequired { next: String },
    #[error("no console access")]
    NoConsoleAccess,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("the form's security token is missing or out of date")]
    Csrf,
    #[error("the request body is too large")]
    PayloadTooLarge,
    #[error("the request body did not arrive in time")]
    RequestTimeout,
    #[error("bad request: {0}")]
    BadRequest(String),
    /// A form whose values break a rule, each message beside its field (422).
    #[error("invalid: {0}")]
    Invalid(FieldErrors),
    /// A well-formed request the rules refuse (e.g. deleting the default account).
    #[error("refused: {0}")]
    Refused(String),
    #[error("database unavailable")]
    Unavailable(#[source] Unavailable),
    /// The session store (Redis) did not answer.
    #[error("session store unavailable")]
    SessionsUnavailable,
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl From<Unavailable> for AppError {
    fn from(e: Unavailable) -> Self {
        Self::Unavailable(e)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(u) => Self::Unavailable(u),
            StoreError::Query(q) => Self::from(q),
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match &e {
            // A locked SQLite database or a lost PostgreSQL connection: try again later.
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::SerializationFailure, _) => {
                Self::Unavailable(Unavailable(e.to_string()))
            }
            Error::DatabaseError(_, info) if info.message().contains("database is locked") => {
                Self::Unavailable(Unavailable(e.to_string()))
            }
            _ => Self::Internal(e.into()),
        }
    }
}

impl From<AccountError> for AppError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::NotFound => Self::NotFound,
            AccountError::Refused(message) => Self::Refused(message.to_owned()),
            AccountError::NumbersExhausted => Self::Refused(e.to_string()),
            AccountError::RefusedFor(accounts) => {
                let named: Vec<String> = accounts.iter().map(|(a, why)| format!("{a}: {why}")).collect();
                Self::Refused(format!("Nothing was changed. {}.", named.join("; ")))
            }
            AccountError::Invalid(errors) => Self::Invalid(errors),
            AccountError::Stale { .. } => {
                Self::Refused("The account changed since it was loaded. Reload and try again.".to_owned())
            }
            AccountError::Unavailable(u) => Self::Unavailable(u),
            AccountError::Db(d) => Self::from(d),
        }
    }
}

impl From<ContactError> for AppError {
    fn from(e: ContactError) -> Self {
        match e {
            ContactError::Invalid(errors) => Self::Invalid(errors),
            ContactError::NotFound => Self::NotFound,
            ContactError::Unavailable(u) => Self::Unavailable(u),
            ContactError::Db(d) => Self::from(d),
        }
    }
}

impl From<RevertError> for AppError {
    fn from(e: RevertError) -> Self {
        let broken = |errors: FieldErrors| {
            Self::Refused(format!("The revert would break a rule, so nothing was changed: {errors}"))
        };
        match e {
            RevertError::NotFound => Self::NotFound,
            RevertError::NotRevertible(why) => Self::Refused(why.to_owned()),
            RevertError::Conflict(_) => Self::Refused("Fields changed since the entry: choose for each.".to_owned()),
            RevertError::Batch(refused) => {
                let named: Vec<String> = refused.iter().map(|(a, why)| format!("{a}: {why}")).collect();
                Self::Refused(format!("Nothing was changed. {}.", named.join("; ")))
            }
            RevertError::Account(AccountError::Invalid(errors))
            | RevertError::Contact(ContactError::Invalid(errors)) => broken(errors),
            RevertError::Account(e) => e.into(),
            RevertError::Contact(e) => e.into(),
            RevertError::Unavailable(u) => Self::Unavailable(u),
            RevertError::Db(d) => Self::from(d),
        }
    }
}

impl From<UserError> for AppError {
    fn from(e: UserError) -> Self {
        match e {
            UserError::Invalid(errors) => Self::Invalid(errors),
            UserError::NotFound => Self::NotFound,
            UserError::Unavailable(u) => Self::Unavailable(u),
            UserError::Db(d) => Self::from(d),
        }
    }
}

impl From<MembershipError> for AppError {
    fn from(e: MembershipError) -> Self {
        match e {
            MembershipError::AlreadyMember(name) => {
                Self::Invalid(FieldErrors::single("username", format!("{name} is a member already.")))
            }
            MembershipError::NoSuchUser(name) => {
                Self::Invalid(FieldErrors::single("username", format!("There is no user {name}.")))
            }
            MembershipError::NotFound => Self::NotFound,
            MembershipError::Unavailable(u) => Self::Unavailable(u),
            MembershipError::Db(d) => Self::from(d),
        }
    }
}

impl AppError {
    /// The field errors a form shows beside its fields, or this error as it is when it
    /// is not about the form's values.
    pub fn into_field_errors(self) -> Result<FieldErrors, AppError> {
        match self {
            Self::Invalid(errors) => Ok(errors),
            other => Err(other),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        Self::Internal(e.into())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
    status: u16,
    request_id: String,
    css_url: &'a str,
}

impl AppError {
    fn page_text(&self) -> (&'static str, &'static str) {
        match self {
            Self::LoginRequired { .. } => ("Sign in", "Please sign in."),
            Self::NoConsoleAccess => (
                "No console access",
                "Your account has no access to the staff console. Ask a superuser if you need it.",
            ),
            Self::Forbidden => ("Not allowed", "You don't have permission to do that."),
            Self::NotFound => ("Not found", "There is nothing here, or you don't have access to it."),
            Self::Csrf => (
                "Form expired",
                "The form's security token was missing or out of date. Go back, reload the page and try again.",
            ),
            Self::PayloadTooLarge => ("Too large", "The form sent more data than the console accepts (256 KiB)."),
            Self::RequestTimeout => ("Too slow", "The form's data did not arrive in time. Please send it again."),
            Self::BadRequest(_) => ("Bad request", "The request could not be understood."),
            Self::Invalid(_) => ("Not valid", "Some values were not valid."),
            Self::Refused(_) => ("Not possible", "That can't be done."),
            Self::Unavailable(_) => {
                ("Unavailable", "The database is not answering right now. Please try again in a moment.")
            }
            Self::SessionsUnavailable => {
                ("Unavailable", "Sessions are not available right now. Please try again in a moment.")
            }
            Self::Internal(_) => ("Something went wrong", "The console hit an unexpected error. It has been logged."),
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::LoginRequired { .. } => StatusCode::SEE_OTHER,
            Self::NoConsoleAccess | Self::Forbidden | Self::Csrf => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Refused(_) => StatusCode::CONFLICT,
            Self::Unavailable(_) | Self::SessionsUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::LoginRequired { next } = self {
            let location =
                format!("/login?next={}", url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>());
            return HttpResponse::SeeOther().insert_header((header::LOCATION, location)).finish();
        }
        let request_id = request_id::current();
        let status = self.status_code();
        match self {
            Self::Internal(e) => tracing::error!(request_id, error = ?e, "request failed"),
            Self::Unavailable(e) => tracing::warn!(request_id, error = %e, "database unavailable"),
            other => tracing::debug!(request_id, error = %other, "request refused"),
        }
        let (title, message) = self.page_text();
        let detail = match self {
            Self::BadRequest(detail) | Self::Refused(detail) => detail.clone(),
            Self::Invalid(errors) => errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join(" "),
            _ => message.to_owned(),
        };
        let message = detail.as_str();
        let page = ErrorPage { title, message, status: status.as_u16(), request_id, css_url: &assets::url("app.css") };
        let mut response = HttpResponse::build(status);
        response.insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
        if matches!(self, Self::Unavailable(_) | Self::SessionsUnavailable) {
            response.insert_header((header::RETRY_AFTER, HeaderValue::from_static("5")));
        }
        match page.render() {
            Ok(html) => response.content_type("text/html; charset=utf-8").body(html),
            Err(_) => response.content_type("text/plain; charset=utf-8").body(message.to_owned()),
        }
    }
}
