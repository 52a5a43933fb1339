//! `GET /billing.csv` (staff): every record `/billing` would list with the same
//! parameters, streamed.

use actix_web::{HttpResponse, web};

use super::BillingParams;
use crate::auth::Staff;
use crate::db::models::billing_ledger::{self, BillingFilter};
use crate::db::models::keyset::Cursor;
use crate::db::{DbConnection, StoreError};
use crate::state::AppState;
use crate::web::csv::{self as export, BATCH, CsvSource, cell};
use crate::web::query::LenientQuery;

struct LedgerRows {
    filter: BillingFilter,
    cursor: Option<Cursor>,
}

impl CsvSource for LedgerRows {
    fn header(&self) -> Vec<&'static str> {
        vec![
            "date",
            "account_number",
            "company_name",
            "username",
            "provider",
            "charge_type",
            "prompt_tokens",
            "completion_tokens",
            "total_tokens",
        ]
    }

    fn next_batch(self, conn: &mut DbConnection) -> Result<(Vec<Vec<String>>, Option<Self>), StoreError> {
        let page = billing_ledger::ledger(conn, &self.filter, self.cursor.as_ref(), BATCH)?;
        let records = page
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.date.to_string(),
                    r.account_number.clone(),
                    cell(&r.company_name),
                    cell(&r.username),
                    r.provider.clone(),
                    r.charge_type.clone(),
                    r.prompt_tokens.to_string(),
                    r.completion_tokens.to_string(),
                    r.total_tokens.to_string(),
                ]
            })
            .collect();
        Ok((records, page.next.map(|cursor| Self { filter: self.filter, cursor: Some(cursor) })))
    }
}

pub async fn download(
    Staff(user): Staff,
    state: web::Data<AppState>,
    query: LenientQuery<BillingParams>,
) -> HttpResponse {
    let LenientQuery { params, mut notices } = query;
    let request = params.request(&user, &mut notices);
    export::download(state, LedgerRows { filter: request.filter, cursor: None }, "billing.csv")
}
