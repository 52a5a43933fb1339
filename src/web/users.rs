//! `/users` (superusers): list with search, create, edit names, e-mail, flags and
//! password. Deactivating a user or setting a password ends their sessions; the last
//! active superuser keeps the role.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::{Superuser, password, session};
use crate::db::models::account::Written;
use crate::db::models::{Account, NewUserInput, User, UserChanges, UserError, UserProfile};
use crate::domain::{Email, FieldErrors, Password, Username, optional_text};
use crate::error::AppError;
use crate::startup::AppState;
use crate::store::{StoreError, Unavailable};
use crate::web::fields::Field;
use crate::web::page::{self, Layout};

const LIST_LIMIT: i64 = 200;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UserQuery {
    q: String,
}

#[derive(Template)]
#[template(path = "users/list.html")]
struct ListPage {
    layout: Layout,
    q: String,
    users: Vec<User>,
    limited: bool,
}

pub async fn list(
    session: Session,
    Superuser(user): Superuser,
    state: web::Data<AppState>,
    query: web::Query<UserQuery>,
) -> Result<HttpResponse, AppError> {
    let q: String = query.q.chars().take(150).collect();
    let search = q.clone();
    let users =
        state.store.run(move |conn| User::search(conn, &search, LIST_LIMIT + 1).map_err(StoreError::from)).await?;
    let limited = users.len() as i64 > LIST_LIMIT;
    let page = ListPage {
        layout: Layout::new(&session, Some(&user), "Users", "users"),
        q,
        users: users.into_iter().take(LIST_LIMIT as usize).collect(),
        limited,
    };
    page::ok(&page)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UserForm {
    username: String,
    email: String,
    first_name: String,
    last_name: String,
    password: String,
    password_confirm: String,
    is_active: Option<String>,
    is_staff: Option<String>,
    is_superuser: Option<String>,
    csrf_token: String,
}

#[derive(Template)]
#[template(path = "users/form.html")]
struct FormPage {
    layout: Layout,
    heading: String,
    action: String,
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
fn check_common(
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
async fn render(
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
        heading,
        action,
        accounts,
        editing,
    };
    page::render(status, &page)
}

fn user_error(e: UserError) -> Result<FieldErrors, AppError> {
    match e {
        UserError::Invalid(errors) => Ok(errors),
        UserError::NotFound => Err(AppError::NotFound),
        UserError::Unavailable(u) => Err(AppError::Unavailable(u)),
        UserError::Db(d) => Err(AppError::from(d)),
    }
}

pub async fn new_page(session: Session, Superuser(user): Superuser) -> Result<HttpResponse, AppError> {
    let form = UserForm { is_staff: Some("on".into()), ..Default::default() };
    render(&session, &user, None, &form, &FieldErrors::new(), Vec::new(), StatusCode::OK).await
}

pub async fn create(
    session: Session,
    Superuser(user): Superuser,
    state: web::Data<AppState>,
    form: web::Form<UserForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let mut errors = FieldErrors::new();
    let username = errors.check("username", Username::parse(&form.username));
    let (email, first_name, last_name, password) = check_common(&form, &form.username, &mut errors, true);
    let (Some(username), Some(password)) = (username, password) else {
        return render(&session, &user, None, &form, &errors, Vec::new(), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    if !errors.is_empty() {
        return render(&session, &user, None, &form, &errors, Vec::new(), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let input = NewUserInput {
        username,
        email,
        first_name,
        last_name,
        password_hash: String::new(),
        is_staff: form.is_staff.is_some(),
        is_superuser: form.is_superuser.is_some(),
    };
    let created = state
        .store
        .run(move |conn| {
            let input = NewUserInput { password_hash: password::hash(&password), ..input };
            User::create(conn, &input)
        })
        .await;
    match created {
        Ok(created) => {
            session::flash(&session, "success", format!("Created user {}.", created.username));
            Ok(page::redirect(&format!("/users/{}/edit", created.id)))
        }
        Err(e) => {
            let errors = user_error(e)?;
            render(&session, &user, None, &form, &errors, Vec::new(), StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

async fn load(state: &AppState, id: i64) -> Result<(User, Vec<Account>), AppError> {
    state
        .store
        .run(move |conn| {
            let found = User::find(conn, id)?;
            let accounts = UserProfile::accounts_of(conn, id)?;
            Ok::<_, StoreError>(found.map(|u| (u, accounts)))
        })
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn edit_page(
    session: Session,
    Superuser(user): Superuser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (target, accounts) = load(&state, *id).await?;
    let on = |b: bool| b.then(|| "on".to_owned());
    let form = UserForm {
        email: target.email.clone(),
        first_name: target.first_name.clone(),
        last_name: target.last_name.clone(),
        is_active: on(target.is_active),
        is_staff: on(target.is_staff),
        is_superuser: on(target.is_superuser),
        ..Default::default()
    };
    render(&session, &user, Some(&target), &form, &FieldErrors::new(), accounts, StatusCode::OK).await
}

#[derive(Debug, thiserror::Error)]
enum EditError {
    #[error(transparent)]
    User(#[from] UserError),
    #[error(transparent)]
    Unavailable(#[from] Unavailable),
}

pub async fn update(
    session: Session,
    Superuser(user): Superuser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<UserForm>,
) -> Result<HttpResponse, AppError> {
    let (target, accounts) = load(&state, *id).await?;
    let form = form.into_inner();
    let mut errors = FieldErrors::new();
    let (email, first_name, last_name, password) = check_common(&form, &target.username, &mut errors, false);
    if !errors.is_empty() {
        return render(&session, &user, Some(&target), &form, &errors, accounts, StatusCode::UNPROCESSABLE_ENTITY)
            .await;
    }
    let target_id = target.id;
    let (is_active, is_staff, is_superuser) =
        (form.is_active.is_some(), form.is_staff.is_some(), form.is_superuser.is_some());
    let updated = state
        .store
        .write(move |conn| -> Result<Written<User>, EditError> {
            let changes = UserChanges {
                email,
                first_name,
                last_name,
                is_active,
                is_staff,
                is_superuser,
                password_hash: password.as_ref().map(password::hash),
            };
            let updated = User::update(conn, target_id, &changes)?;
            Ok(Written { value: updated, stale_keys: vec![User::cache_key(target_id)] })
        })
        .await;
    match updated {
        Ok(updated) => {
            if updated.id == user.id && updated.session_stamp != user.session_stamp && updated.is_active {
                session::refresh_stamp(&session, &updated).map_err(|e| AppError::Internal(e.into()))?;
            }
            session::flash(&session, "success", format!("Saved user {}.", updated.username));
            Ok(page::redirect(&format!("/users/{}/edit", updated.id)))
        }
        Err(EditError::Unavailable(u)) => Err(AppError::Unavailable(u)),
        Err(EditError::User(e)) => {
            let errors = user_error(e)?;
            render(&session, &user, Some(&target), &form, &errors, accounts, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}
