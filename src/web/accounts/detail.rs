//! `GET /accounts/{number}`: every field, tags, annotations, contacts, members, a
//! billing summary and the latest history.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::Datelike;

use crate::cache::{CacheKey, Shared};
use crate::db::StoreError;
use crate::db::models::around::{Around, Wanted};
use crate::db::models::billing::MonthLine;
use crate::db::models::{Account, User};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::accounts::VisibleAccount;
use crate::web::accounts::history::EntryView;
use crate::web::accounts::return_to::ReturnTo;
use crate::web::chart::BarChart;
use crate::web::page::{self, Layout};
use crate::web::query::LenientQuery;

/// How many history entries the account page shows.
const RECENT: i64 = 5;

#[derive(Template)]
#[template(path = "accounts/detail.html")]
struct DetailPage {
    layout: Layout,
    account: Account,
    around: Shared<Around>,
    month: String,
    history: Vec<EntryView>,
    can_edit: bool,
    is_superuser: bool,
    member: MemberRefill,
    /// The list to go back to, and `?return_to=…` for the pages linked from here.
    back_href: String,
    carry: String,
    /// Total tokens per month, the last twelve months, oldest first.
    per_month: Vec<(String, i64)>,
    chart: BarChart,
}

/// What the add-member form shows again after a refused post.
#[derive(Debug, Default)]
pub struct MemberRefill {
    pub username: String,
    pub error: Option<String>,
}

impl DetailPage {
    fn opt<'a>(&self, value: &'a Option<String>) -> &'a str {
        value.as_deref().unwrap_or("—")
    }
}

/// The twelve months from `first` on (`YYYY-MM`) with their total tokens.
fn tokens_per_month(lines: &[MonthLine], first: chrono::NaiveDate) -> Vec<(String, i64)> {
    (0..12)
        .filter_map(|i| first.checked_add_months(chrono::Months::new(i)))
        .map(|m| {
            let month = m.format("%Y-%m").to_string();
            let total = lines.iter().filter(|l| l.month == month).map(|l| l.total_tokens).sum();
            (month, total)
        })
        .collect()
}

pub async fn page(
    session: Session,
    VisibleAccount { user, account }: VisibleAccount,
    state: web::Data<AppState>,
    return_to: LenientQuery<ReturnTo>,
) -> Result<HttpResponse, AppError> {
    let refill = MemberRefill::default();
    render(&session, &user, &state, account, &return_to.params, refill, StatusCode::OK).await
}

/// The account page; `member` refills the add-member form after a refused post.
pub async fn render(
    session: &Session,
    user: &User,
    state: &AppState,
    account: Account,
    return_to: &ReturnTo,
    member: MemberRefill,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let today = chrono::Utc::now().date_naive();
    let month_start = today.with_day(1).unwrap_or(today);
    let id = account.id;
    let year_ago = month_start.checked_sub_months(chrono::Months::new(11)).unwrap_or(month_start);
    // Everything around the account changes only with a write, which renews the
    // cache's generation: it is cached under it.
    let key = CacheKey::AccountPage { account_id: id, month: month_start };
    let around: Shared<Around> = state
        .store
        .cached_shared(key, move |conn| {
            Around::load(conn, Wanted { id, month_start, since: year_ago, recent: RECENT }).map_err(StoreError::from)
        })
        .await?;
    let per_month = tokens_per_month(&around.months, year_ago);
    let chart = BarChart::new(
        "tokens-per-month",
        "Total tokens per month, last twelve months".to_owned(),
        "tokens",
        &per_month,
    );
    let page = DetailPage {
        per_month,
        chart,
        layout: Layout::new(session, Some(user), account.to_string(), "accounts"),
        member,
        back_href: return_to.list_or_default().to_owned(),
        carry: return_to.carry(),
        can_edit: user.is_superuser || account.is_active,
        is_superuser: user.is_superuser,
        month: month_start.format("%B %Y").to_string(),
        history: around.history.iter().map(|e| EntryView::for_viewer(e, user.is_superuser)).collect(),
        account,
        around,
    };
    page::render(status, &page)
}
