//! `GET /contacts.csv` (staff): every contact `/contacts` would list with the same
//! parameters, streamed.

use actix_web::{HttpResponse, web};

use super::ContactParams;
use crate::auth::Staff;
use crate::db::models::contact_list::{self, ContactQuery};
use crate::db::{DbConnection, StoreError};
use crate::state::AppState;
use crate::web::csv::{self as export, BATCH, CsvSource, cell};
use crate::web::query::LenientQuery;

struct ContactRows(ContactQuery);

impl CsvSource for ContactRows {
    fn header(&self) -> Vec<&'static str> {
        vec!["account_number", "company_name", "first_name", "last_name", "email", "phone", "is_primary", "created_at"]
    }

    fn next_batch(self, conn: &mut DbConnection) -> Result<(Vec<Vec<String>>, Option<Self>), StoreError> {
        let mut query = self.0;
        let page = contact_list::list(conn, &query)?;
        let records = page
            .rows
            .iter()
            .map(|r| {
                let c = &r.contact;
                vec![
                    r.account_number.clone(),
                    cell(&r.company_name),
                    cell(&c.first_name),
                    cell(&c.last_name),
                    cell(&c.email),
                    cell(c.phone.as_deref().unwrap_or_default()),
                    c.is_primary.to_string(),
                    c.created_at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
                ]
            })
            .collect();
        Ok((
            records,
            page.next.map(|cursor| {
                query.cursor = Some(cursor);
                Self(query)
            }),
        ))
    }
}

pub async fn download(
    Staff(user): Staff,
    state: web::Data<AppState>,
    query: LenientQuery<ContactParams>,
) -> HttpResponse {
    let LenientQuery { params, mut notices } = query;
    let mut request = params.query(&user, BATCH, &mut notices);
    request.cursor = None;
    export::download(state, ContactRows(request), "contacts.csv")
}
