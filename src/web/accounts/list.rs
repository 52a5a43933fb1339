//! `GET /accounts`: search, filters, sorting and keyset paging.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::auth::Staff;
use crate::db::models::User;
use crate::db::models::account_list::{Count, ListQuery, Sort, SortField};
use crate::domain::Tags;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::{ListedAccounts, ListedRow};
use crate::web::accounts::list_params::ListParams;
use crate::web::accounts::return_to::ReturnTo;
use crate::web::accounts::{number_href, scope_of, tag_suggestions};
use crate::web::page::{self, Layout};
use crate::web::query::LenientQuery;

pub struct Row {
    pub href: String,
    pub account_number: String,
    pub company_name: String,
    pub name: String,
    pub city: String,
    pub country: String,
    pub is_active: bool,
    pub is_default: bool,
    pub tags: Tags,
    /// Ticked again after a refused bulk action.
    pub checked: bool,
    pub created: String,
    pub updated: String,
}

pub struct Column {
    pub label: &'static str,
    pub href: String,
    /// `ascending`, `descending` or `none`, for `aria-sort`.
    pub aria_sort: &'static str,
}

#[derive(Template)]
#[template(path = "accounts/list.html")]
struct AccountListPage {
    layout: Layout,
    params: ListParams,
    notices: Vec<String>,
    rows: Vec<Row>,
    count_text: String,
    columns: Vec<Column>,
    next_href: Option<String>,
    prev_href: Option<String>,
    csv_href: String,
    sort: String,
    per_page: i64,
    is_superuser: bool,
    /// This page's address, where bulk actions come back to.
    list_href: String,
    bulk_error: Option<String>,
    bulk_tag: String,
    all_matching: bool,
    /// The viewer's own tags, suggested for the bulk tag field.
    tag_suggestions: Vec<String>,
}

fn count_text(count: Count) -> String {
    match count {
        Count::Exact(1) => "1 account".to_owned(),
        Count::Exact(n) => format!("{} accounts", thousands(n)),
        Count::AtLeast(n) => format!("{}+ accounts", thousands(n)),
    }
}

/// `10000` → `10 000`.
fn thousands(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

fn columns(params: &ListParams, sort: Sort) -> Vec<Column> {
    [
        (SortField::AccountNumber, "Account number"),
        (SortField::CompanyName, "Company"),
        (SortField::City, "City"),
        (SortField::Country, "Country"),
        (SortField::CreatedAt, "Created"),
        (SortField::UpdatedAt, "Updated"),
    ]
    .into_iter()
    .map(|(field, label)| {
        let current = sort.field == field;
        let next = Sort { field, descending: current && !sort.descending };
        Column {
            label,
            href: format!("/accounts?{}", params.with(&next.param(), "")),
            aria_sort: match (current, sort.descending) {
                (false, _) => "none",
                (true, false) => "ascending",
                (true, true) => "descending",
            },
        }
    })
    .collect()
}

fn row(account: ListedRow, carry: &str) -> Row {
    Row {
        href: format!("{}{carry}", number_href(&account.account_number)),
        // A date's own display is `YYYY-MM-DD`, written without parsing a format
        // string on every row (that had been 2-4 % of an uncached list page).
        created: account.created_at.date().to_string(),
        updated: account.updated_at.date().to_string(),
        account_number: account.account_number.into(),
        company_name: account.company_name.into(),
        name: account.name.into(),
        city: account.city.into(),
        country: account.country.into(),
        is_active: account.is_active,
        is_default: account.is_default_account,
        tags: account.tags,
        checked: false,
    }
}

pub async fn page(
    session: Session,
    Staff(user): Staff,
    state: web::Data<AppState>,
    LenientQuery { params, notices }: LenientQuery<ListParams>,
) -> Result<HttpResponse, AppError> {
    let view = ListView { params, notices, ..Default::default() };
    render(&session, &user, &state, view, StatusCode::OK).await
}

/// What a list page shows besides its rows: the parameters, notices about them, and,
/// after a refused bulk action, the selection ticked again with why it was refused.
#[derive(Debug, Default)]
pub struct ListView {
    pub params: ListParams,
    pub notices: Vec<String>,
    pub selected: Vec<String>,
    pub bulk_error: Option<String>,
    pub bulk_tag: String,
    pub all_matching: bool,
}

/// The list page for `view`.
pub async fn render(
    session: &Session,
    user: &User,
    state: &AppState,
    view: ListView,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let ListView { params, notices, selected, bulk_error, bulk_tag, all_matching } = view;
    let mut request = params.check();
    request.notices.splice(0..0, notices);
    let query = ListQuery {
        scope: scope_of(user),
        filter: request.filter.clone(),
        sort: request.sort,
        cursor: request.cursor.clone(),
        per_page: request.per_page,
    };
    // A list page changes only with a write: the store keeps it under the cache's
    // generation, which every write renews.
    let ListedAccounts { page: list, count } = state.store.account_list(query).await?;
    let sort_param = request.sort.param();
    // Rows carry this page's address, so the account's pages can bring it back.
    let cursor = request.cursor.as_ref().map(|c| c.encode()).unwrap_or_default();
    let list_href = format!("/accounts?{}", params.with(&sort_param, &cursor));
    let carry = ReturnTo::list_at(&list_href).carry();
    let page = AccountListPage {
        layout: Layout::new(session, Some(user), "Accounts", "accounts"),
        bulk_error,
        bulk_tag,
        all_matching,
        tag_suggestions: tag_suggestions(state, user).await?,
        next_href: list.next.as_ref().map(|c| format!("/accounts?{}", params.with(&sort_param, &c.encode()))),
        prev_href: list.prev.as_ref().map(|c| format!("/accounts?{}", params.with(&sort_param, &c.encode()))),
        csv_href: format!("/accounts.csv?{}", params.with(&sort_param, "")),
        columns: columns(&params, request.sort),
        rows: list
            .rows
            .into_iter()
            .map(|a| {
                let mut row = row(a, &carry);
                row.checked = selected.contains(&row.account_number);
                row
            })
            .collect(),
        count_text: count_text(count),
        notices: request.notices,
        sort: sort_param,
        per_page: request.per_page,
        is_superuser: user.is_superuser,
        list_href,
        params,
    };
    page::render(status, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_well() {
        assert_eq!(count_text(Count::Exact(1)), "1 account");
        assert_eq!(count_text(Count::Exact(9999)), "9 999 accounts");
        assert_eq!(count_text(Count::AtLeast(10_000)), "10 000+ accounts");
        assert_eq!(thousands(1_234_567), "1 234 567");
    }

    #[test]
    fn rows_show_days_as_year_month_day() {
        let at = |y, m, d| {
            chrono::NaiveDate::from_ymd_opt(y, m, d).and_then(|day| day.and_hms_micro_opt(23, 59, 59, 999_999)).unwrap()
        };
        let listed = ListedRow {
            id: crate::db::AccountId(7),
            account_number: "123456789012".into(),
            company_name: "Acme".into(),
            name: "acme".into(),
            city: "".into(),
            country: "USA".into(),
            is_active: true,
            is_default_account: false,
            created_at: at(987, 1, 2),
            updated_at: at(2026, 12, 31),
            tags: Tags::default(),
        };
        let shown = row(listed, "");
        assert_eq!((shown.created.as_str(), shown.updated.as_str()), ("0987-01-02", "2026-12-31"));
    }
}
