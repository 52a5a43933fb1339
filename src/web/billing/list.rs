//! `GET /billing` (staff): the totals and a chart of tokens per day for the filter,
//! then the ledger's records, newest day first, keyset-paged.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::{BillingParams, filters};
use crate::auth::Staff;
use crate::cache::CacheKey;
use crate::db::StoreError;
use crate::db::models::billing_ledger::{self, BillingSummary, LedgerRow, Totals};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::chart::{BarChart, grouped};
use crate::web::listing::{Filters, Pager};
use crate::web::page::{self, Layout};
use crate::web::query::LenientQuery;

const PER_PAGE: i64 = 100;

#[derive(Template)]
#[template(path = "billing/list.html")]
struct BillingPage {
    layout: Layout,
    notices: Vec<String>,
    filters: Filters,
    totals: Totals,
    chart: BarChart,
    /// Every day of the range with its tokens, for the table beside the chart.
    days: Vec<(String, i64)>,
    rows: Vec<LedgerRow>,
    pager: Pager,
    csv_href: String,
}

impl BillingPage {
    fn n(&self, value: &i64) -> String {
        grouped(*value)
    }
}

pub async fn page(
    session: Session,
    Staff(user): Staff,
    state: web::Data<AppState>,
    query: LenientQuery<BillingParams>,
) -> Result<HttpResponse, AppError> {
    let LenientQuery { params, mut notices } = query;
    let request = params.request(&user, &mut notices);
    let filter = request.filter.clone();
    let summary: BillingSummary = state
        .store
        .cached(CacheKey::BillingSummary(filter.clone()), move |conn| {
            billing_ledger::summary(conn, &filter).map_err(StoreError::from)
        })
        .await?;
    let (filter, cursor) = (request.filter.clone(), request.cursor);
    let found = state
        .store
        .read(move |conn| billing_ledger::ledger(conn, &filter, cursor.as_ref(), PER_PAGE).map_err(StoreError::from))
        .await?;
    let (from, to) = (request.filter.from, request.filter.to);
    let tokens: std::collections::HashMap<_, _> = summary.per_day.iter().copied().collect();
    let days: Vec<(String, i64)> = from
        .iter_days()
        .take_while(|d| *d <= to)
        .map(|d| (d.to_string(), tokens.get(&d).copied().unwrap_or(0)))
        .collect();
    let title = format!("Total tokens per day, {from} to {to}");
    let filters = filters(&params, &request.filter);
    let page = BillingPage {
        layout: Layout::new(&session, Some(&user), "Billing", "billing"),
        notices,
        chart: BarChart::new("tokens-per-day", title, "tokens", &days),
        days,
        totals: summary.totals,
        pager: Pager::of(&found, &filters, &[]),
        csv_href: filters.href(&[]).replacen("/billing", "/billing.csv", 1),
        filters,
        rows: found.rows,
    };
    page::ok(&page)
}
