//! `/users` (superusers): `list`, `new` and `edit`, one file each, and the form the
//! last two share. Deactivating a user or setting a password ends their sessions; the
//! last active superuser keeps the role.

pub mod activation;
pub mod edit;
pub mod list;
pub mod new;
pub mod sign_out;
pub mod suggestions;

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;
use serde::Deserialize;

use crate::db::models::{Account, User};
use crate::domain::{Email, FieldErrors, Password, optional_text};
use crate::error::AppError;
use crate::web::fields::Field;
use crate::web::page::{self, Layout};

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UserForm {
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub password: String,
    pub password_confirm: String,
    pub is_active: Option<String>,
    pub is_staff: Option<String>,
    pub is_superuser: Option<String>,
    pub csrf_token: String,
}

#[derive(Template)]
#[template(path = "users/form.html")]
struct FormPage {
    layout: Layout,
    heading: String,
    action: String,
    /// Where "sign out everywhere" posts, when editing.
    sign_out_action: String,
    /// The edited user's id and whether they are active, when editing.
    target: Option<(crate::db::UserId, bool)>,
    fields: Vec<Field>,
    accounts: Vec<Account>,
    editing: bool,
}

fn form_fields(form: &UserForm, errors: &FieldErrors, editing: bool) -> Vec<Field> {
    let mut fields = Vec::new();
    if !editing {
        fields.push(
            Field::text("username", "Username", &form.username, errors)
                .required()
                .maxlength(150)
                .hint("Letters, digits and @ . + - _ only."),
        );
    }
    fields.extend([
        Field::text("email", "E-mail", &form.email, errors).kind("email").maxlength(254),
        Field::text("first_name", "First name", &form.first_name, errors).maxlength(150),
        Field::text("last_name", "Last name", &form.last_name, errors).maxlength(150),
    ]);
    let (label, hint) = if editing {
        ("New password", "Leave blank to keep the current one. Setting one ends the user's sessions.")
    } else {
        ("Password", "At least 12 characters, not only digits, not the username.")
    };
    fields.push(
        Field::text("password", label, "", errors)
            .kind("password")
            .autocomplete("new-password")
            .maxlength(1024)
            .hint(hint),
    );
    fields.push(
        Field::text("password_confirm", "Password, again", "", errors)
            .kind("password")
            .autocomplete("new-password")
            .maxlength(1024),
    );
    if editing {
        fields.push(
            Field::checkbox("is_active", "Active", form.is_active.is_some(), errors)
                .hint("Deactivating ends the user's sessions."),
        );
    }
    fields.push(Field::checkbox("is_staff", "Staff: may sign in to the console", form.is_staff.is_some(), errors));
    fields.push(Field::checkbox("is_superuser", "Superuser: may do everything", form.is_superuser.is_some(), errors));
    fields
}

/// The parts both forms share, checked; `username` is for the password rule.
pub fn check_common(
    form: &UserForm,
    username: &str,
    errors: &mut FieldErrors,
    password_required: bool,
) -> (Option<Email>, String, String, Option<Password>) {
    let email = match form.email.trim() {
        "" => None,
        raw => errors.check("email", Email::parse(raw)),
    };
    let first = errors.check("first_name", optional_text(&form.first_name, 150)).flatten().unwrap_or_default();
    let last = errors.check("last_name", optional_text(&form.last_name, 150)).flatten().unwrap_or_default();
    let password = if form.password.is_empty() && !password_required {
        None
    } else {
        let parsed = errors.check("password", Password::parse(&form.password, username));
        if form.password != form.password_confirm {
            errors.add("password_confirm", "The two passwords differ.");
        }
        parsed
    };
    (email, first, last, password)
}

/// The new-user form, or the edit form of `target`.
pub async fn render(
    session: &Session,
    user: &User,
    target: Option<&User>,
    form: &UserForm,
    errors: &FieldErrors,
    accounts: Vec<Account>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let editing = target.is_some();
    let (heading, action) = match target {
        Some(t) => (format!("User {}", t.username), format!("/users/{}/edit", t.id)),
        None => ("New user".to_owned(), "/users/new".to_owned()),
    };
    let page = FormPage {
        layout: Layout::new(session, Some(user), heading.clone(), "users"),
        fields: form_fields(form, errors, editing),
        sign_out_action: target.map(|t| format!("/users/{}/sign-out", t.id)).unwrap_or_default(),
        target: target.map(|t| (t.id, t.is_active)),
        heading,
        action,
        accounts,
        editing,
    };
    page::render(status, &page)
}
