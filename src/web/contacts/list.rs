//! `GET /contacts` (staff).

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::{ContactParams, PER_PAGE};
use crate::auth::Staff;
use crate::db::StoreError;
use crate::db::models::contact_list::{self, ContactRow};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::listing::{Filters, Pager};
use crate::web::page::{self, Layout};
use crate::web::query::LenientQuery;

#[derive(Template)]
#[template(path = "contacts/list.html")]
struct ContactListPage {
    layout: Layout,
    notices: Vec<String>,
    filters: Filters,
    contacts: Vec<ContactRow>,
    pager: Pager,
    csv_href: String,
}

pub async fn page(
    session: Session,
    Staff(user): Staff,
    state: web::Data<AppState>,
    query: LenientQuery<ContactParams>,
) -> Result<HttpResponse, AppError> {
    let LenientQuery { params, mut notices } = query;
    let request = params.query(&user, PER_PAGE, &mut notices);
    let filters = params.filters(request.sort);
    let found = state.store.read(move |conn| contact_list::list(conn, &request).map_err(StoreError::from)).await?;
    let csv_href = filters.href(&[]).replacen("/contacts", "/contacts.csv", 1);
    let page = ContactListPage {
        layout: Layout::new(&session, Some(&user), "Contacts", "contacts"),
        notices,
        pager: Pager::of(&found, &filters, &[]),
        filters,
        contacts: found.rows,
        csv_href,
    };
    page::ok(&page)
}
