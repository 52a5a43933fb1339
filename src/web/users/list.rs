//! `GET /users` (superusers): every user, searched by username, e-mail or name,
//! filtered by role and status, keyset-paged by username.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::Superuser;
use crate::db::StoreError;
use crate::db::models::{User, UserFilter, UserQuery};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::listing::{FilterField, Filters, Pager};
use crate::web::page::{self, Layout};
use crate::web::query::{LenientQuery, cursor_param, param, yes_no};

const PER_PAGE: [i64; 3] = [25, 50, 100];

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UserParams {
    q: String,
    staff: String,
    superuser: String,
    active: String,
    per_page: String,
    cursor: String,
}

#[derive(Template)]
#[template(path = "users/list.html")]
struct UserListPage {
    layout: Layout,
    notices: Vec<String>,
    filters: Filters,
    users: Vec<User>,
    pager: Pager,
}

fn filters(p: &UserParams, per_page: i64) -> Filters {
    let sizes = PER_PAGE.map(|n| n.to_string());
    let options: Vec<(&str, &str)> = sizes.iter().map(|n| (n.as_str(), n.as_str())).collect();
    Filters {
        action: "/users",
        label: "Find users",
        fields: vec![
            FilterField::search("q", "Search", &p.q, "Username, name or e-mail"),
            FilterField::yes_no("staff", "Staff", &p.staff, "Staff", "Not staff"),
            FilterField::yes_no("superuser", "Superuser", &p.superuser, "Superusers", "Not superusers"),
            FilterField::yes_no("active", "Status", &p.active, "Active", "Inactive"),
            FilterField::select("per_page", "Per page", &per_page.to_string(), &options),
        ],
    }
}

pub async fn page(
    session: Session,
    Superuser(user): Superuser,
    state: web::Data<AppState>,
    query: LenientQuery<UserParams>,
) -> Result<HttpResponse, AppError> {
    let LenientQuery { params: p, mut notices } = query;
    let n = &mut notices;
    let search = Some(p.q.trim().chars().take(150).collect::<String>()).filter(|q| !q.is_empty());
    let filter = UserFilter {
        search,
        staff: yes_no(n, "staff", &p.staff),
        superuser: yes_no(n, "superuser", &p.superuser),
        active: yes_no(n, "active", &p.active),
    };
    let per_page = param(n, "per_page", &p.per_page, 50, |v| {
        v.parse().ok().filter(|n| PER_PAGE.contains(n)).ok_or_else(|| "use 25, 50 or 100.".to_owned())
    });
    let request = UserQuery { filter, cursor: cursor_param(n, &p.cursor), per_page };
    let found = state.store.read(move |conn| User::list(conn, &request).map_err(StoreError::from)).await?;
    let filters = filters(&p, per_page);
    let page = UserListPage {
        layout: Layout::new(&session, Some(&user), "Users", "users"),
        notices,
        pager: Pager::of(&found, &filters, &[]),
        filters,
        users: found.rows,
    };
    page::ok(&page)
}
