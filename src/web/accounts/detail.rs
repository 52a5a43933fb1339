//! `GET /accounts/{number}`: every field, tags, annotations, contacts, members, a
//! billing summary and the latest history.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::Datelike;

use crate::auth::Staff;
use crate::cache::Shared;
use crate::db::models::around::{Around, Wanted};
use crate::db::models::billing::MonthLine;
use crate::db::models::{Account, User};
use crate::domain::AccountNumber;
use crate::error::AppError;
use crate::state::AppState;
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
    Staff(user): Staff,
    number: web::Path<String>,
    state: web::Data<AppState>,
    return_to: LenientQuery<ReturnTo>,
) -> Result<HttpResponse, AppError> {
    // A number that is not one, an account the user may not see and one that doesn't
    // exist all answer 404, as for every account route.
    let number = AccountNumber::parse(&number).map_err(|_| AppError::NotFound)?;
    let wanted = wanted_now();
    let (account, around) =
        state.store.account_page(number.to_string(), &user, wanted).await?.ok_or(AppError::NotFound)?;
    let refill = MemberRefill::default();
    page::render(StatusCode::OK, &show(&session, &user, account, around, wanted, &return_to.params, refill))
}

/// The account page of an account already found; `member` refills the add-member form
/// after a refused post.
pub async fn render(
    session: &Session,
    user: &User,
    state: &AppState,
    account: Account,
    return_to: &ReturnTo,
    member: MemberRefill,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let wanted = wanted_now();
    let around = state.store.around(account.id, wanted).await?;
    page::render(status, &show(session, user, account, around, wanted, return_to, member))
}

/// What the page sums and lists today: billing from the first of this month and per
/// month over the last twelve, and the newest history entries.
fn wanted_now() -> Wanted {
    let today = chrono::Utc::now().date_naive();
    let month_start = today.with_day(1).unwrap_or(today);
    let since = month_start.checked_sub_months(chrono::Months::new(11)).unwrap_or(month_start);
    Wanted { month_start, since, recent: RECENT }
}

/// The page for `user`, of `account` and what is `around` it.
fn show(
    session: &Session,
    user: &User,
    account: Account,
    around: Shared<Around>,
    wanted: Wanted,
    return_to: &ReturnTo,
    member: MemberRefill,
) -> DetailPage {
    let Wanted { month_start, since: year_ago, .. } = wanted;
    let per_month = tokens_per_month(&around.months, year_ago);
    let chart = BarChart::new(
        "tokens-per-month",
        "Total tokens per month, last twelve months".to_owned(),
        "tokens",
        &per_month,
    );
    DetailPage {
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
    }
}
