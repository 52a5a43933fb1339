//! `GET /users` (superusers): users whose username, name or e-mail contains the search.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::Superuser;
use crate::db::StoreError;
use crate::db::models::User;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::page::{self, Layout};
use crate::web::query::LenientQuery;

const LIST_LIMIT: i64 = 200;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UserQuery {
    q: String,
}

#[derive(Template)]
#[template(path = "users/list.html")]
struct UserListPage {
    layout: Layout,
    q: String,
    users: Vec<User>,
    limited: bool,
}

pub async fn page(
    session: Session,
    Superuser(user): Superuser,
    state: web::Data<AppState>,
    query: LenientQuery<UserQuery>,
) -> Result<HttpResponse, AppError> {
    let q: String = query.params.q.chars().take(150).collect();
    let search = q.clone();
    let users =
        state.store.read(move |conn| User::search(conn, &search, LIST_LIMIT + 1).map_err(StoreError::from)).await?;
    let limited = users.len() as i64 > LIST_LIMIT;
    let page = UserListPage {
        layout: Layout::new(&session, Some(&user), "Users", "users"),
        q,
        users: users.into_iter().take(LIST_LIMIT as usize).collect(),
        limited,
    };
    page::ok(&page)
}
