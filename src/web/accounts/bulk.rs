//! `POST /accounts/bulk`: one action on the accounts ticked in the list, or on every
//! account the list's filter matches (`all_matching=1`, at most 10 000). Superusers may
//! `activate`, `deactivate`, `tag`, `untag`, `export` and `delete`; staff `tag`, `untag`
//! and `export` on their own accounts. All or nothing: a number the viewer can't see is
//! a 404 and a selection that breaks a rule a 409 naming the accounts, with nothing
//! changed; `delete` asks first; success goes back to the list as it was.

use actix_session::Session;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::auth::{Staff, session};
use crate::db::StoreError;
use crate::db::models::account_list::{self, ListQuery, SearchPlan, Sort};
use crate::db::models::{Account, Actor, BulkChange, Dependents, User, metadata};
use crate::domain::{AccountNumber, Tag};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::accounts::list::{self, ListView};
use crate::web::accounts::list_params::ListParams;
use crate::web::accounts::return_to::ReturnTo;
use crate::web::accounts::{csv, scope_of};
use crate::web::page::{self, Layout};
use crate::web::query::LenientQuery;

/// The most accounts one action takes.
pub const MAX_SELECTION: usize = 10_000;
/// How many accounts the delete confirmation lists by name.
const LISTED: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Activate,
    Deactivate,
    Tag,
    Untag,
    Export,
    Delete,
}

/// The posted form. Fields repeat (`selected`), so it is read by hand; `tag` is both
/// the action's tag and, with `all_matching`, the list's tag filter: the last `tag` is
/// the action's for tag actions, the first is the filter's.
#[derive(Debug, Default)]
struct BulkForm {
    pairs: Vec<(String, String)>,
}

impl BulkForm {
    fn parse(body: &[u8]) -> Self {
        Self { pairs: url::form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect() }
    }

    fn all(&self, name: &str) -> Vec<&str> {
        self.pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }

    fn first(&self, name: &str) -> &str {
        self.all(name).first().copied().unwrap_or_default()
    }

    fn action(&self) -> Result<Action, AppError> {
        Ok(match self.first("action") {
            "activate" => Action::Activate,
            "deactivate" => Action::Deactivate,
            "tag" => Action::Tag,
            "untag" => Action::Untag,
            "export" => Action::Export,
            "delete" => Action::Delete,
            other => return Err(AppError::BadRequest(format!("There is no bulk action {other:?}."))),
        })
    }

    fn tag_values(&self, action: Action) -> (Option<&str>, Option<&str>) {
        let tags = self.all("tag");
        match action {
            Action::Tag | Action::Untag if tags.len() > 1 => (tags.first().copied(), tags.last().copied()),
            Action::Tag | Action::Untag => (None, tags.first().copied()),
            _ => (tags.first().copied(), None),
        }
    }

    /// The list's filter fields, as the list reads them.
    fn filter_params(&self, action: Action) -> ListParams {
        ListParams {
            q: self.first("q").to_owned(),
            active: self.first("active").to_owned(),
            country: self.first("country").to_owned(),
            tag: self.tag_values(action).0.unwrap_or_default().to_owned(),
            default: self.first("default").to_owned(),
            created_from: self.first("created_from").to_owned(),
            created_to: self.first("created_to").to_owned(),
            updated_from: self.first("updated_from").to_owned(),
            updated_to: self.first("updated_to").to_owned(),
            ..Default::default()
        }
    }
}

/// The accounts the form selects that the user may see: 404 if any number is not one
/// of them, 422 for none or too many.
async fn selection(state: &AppState, user: &User, form: &BulkForm, action: Action) -> Result<Vec<Account>, AppError> {
    let scope = scope_of(user);
    let too_many = || {
        AppError::Invalid(crate::domain::FieldErrors::single(
            "selected",
            "More than 10 000 accounts match: narrow the filter.",
        ))
    };
    let accounts = if form.first("all_matching") == "1" {
        let filter = form.filter_params(action).check().filter;
        let query =
            ListQuery { scope, filter, sort: Sort::default(), cursor: None, per_page: MAX_SELECTION as i64 + 1 };
        let page = state
            .store
            .read(move |conn| {
                account_list::list(conn, &query, SearchPlan::WalkSortIndex, None).map_err(StoreError::from)
            })
            .await?;
        if page.rows.len() > MAX_SELECTION {
            return Err(too_many());
        }
        page.rows
    } else {
        let mut numbers = Vec::new();
        for raw in form.all("selected") {
            let number = AccountNumber::parse(raw).map_err(|_| AppError::NotFound)?.to_string();
            if !numbers.contains(&number) {
                numbers.push(number);
            }
        }
        if numbers.len() > MAX_SELECTION {
            return Err(too_many());
        }
        let wanted = numbers.len();
        let found = state
            .store
            .read(move |conn| account_list::by_numbers(conn, scope, &numbers).map_err(StoreError::from))
            .await?;
        if found.len() != wanted {
            return Err(AppError::NotFound);
        }
        found
    };
    if accounts.is_empty() {
        return Err(AppError::Invalid(crate::domain::FieldErrors::single("selected", "Select at least one account.")));
    }
    Ok(accounts)
}

#[derive(Template)]
#[template(path = "accounts/bulk_delete.html")]
struct ConfirmDeletePage {
    layout: Layout,
    listed: Vec<(Account, Dependents)>,
    more: usize,
    total: Dependents,
    /// The form's fields again, to post with `confirm=yes`.
    fields: Vec<(String, String)>,
    back_href: String,
}

async fn confirm_delete(
    session: &Session,
    user: &User,
    state: &AppState,
    form: &BulkForm,
    accounts: Vec<Account>,
) -> Result<HttpResponse, AppError> {
    let ids: Vec<_> = accounts.iter().map(|a| a.id).collect();
    let counts = state
        .store
        .read(move |conn| {
            ids.iter().map(|id| Account::dependents(conn, *id)).collect::<Result<Vec<_>, _>>().map_err(StoreError::from)
        })
        .await?;
    let total = counts.iter().fold(Dependents::default(), |t, c| Dependents {
        contacts: t.contacts + c.contacts,
        members: t.members + c.members,
        charges: t.charges + c.charges,
        billing_records: t.billing_records + c.billing_records,
    });
    let more = accounts.len().saturating_sub(LISTED);
    let listed = accounts.into_iter().zip(counts).take(LISTED).collect();
    let fields = form.pairs.iter().filter(|(k, _)| k != "csrf_token" && k != "confirm").cloned().collect();
    let page = ConfirmDeletePage {
        layout: Layout::new(session, Some(user), "Delete accounts", "accounts"),
        listed,
        more,
        total,
        fields,
        back_href: ReturnTo::list_at(form.first("return_to")).list_or_default().to_owned(),
    };
    page::ok(&page)
}

fn export(
    accounts: &[Account],
    tags: &std::collections::HashMap<crate::db::AccountId, crate::domain::Tags>,
) -> Result<HttpResponse, AppError> {
    let body = csv::encode(accounts, tags, true).map_err(|e| AppError::Internal(e.into()))?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, "attachment; filename=\"accounts.csv\""))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}

pub async fn submit(
    session: Session,
    Staff(user): Staff,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let form = BulkForm::parse(&body);
    let status = match run(&session, &user, &state, &form).await {
        Err(AppError::Refused(message)) => (StatusCode::CONFLICT, message),
        Err(AppError::Invalid(errors)) => {
            let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
            (StatusCode::UNPROCESSABLE_ENTITY, messages.join(" "))
        }
        done => return done,
    };
    // Refused: the list as it was, the selection still ticked, and why.
    let back = ReturnTo::list_at(form.first("return_to"));
    let query = back.list().and_then(|l| l.split_once('?')).map_or("", |(_, q)| q);
    let LenientQuery { params, notices } = LenientQuery::<ListParams>::parse(query).unwrap_or_default();
    let action = form.action().ok();
    let view = ListView {
        params,
        notices,
        selected: form.all("selected").into_iter().map(str::to_owned).collect(),
        bulk_error: Some(status.1),
        bulk_tag: action.and_then(|a| form.tag_values(a).1).unwrap_or_default().to_owned(),
        all_matching: form.first("all_matching") == "1",
    };
    list::render(&session, &user, &state, view, status.0).await
}

async fn run(session: &Session, user: &User, state: &AppState, form: &BulkForm) -> Result<HttpResponse, AppError> {
    let action = form.action()?;
    if !user.is_superuser && !matches!(action, Action::Tag | Action::Untag | Action::Export) {
        return Err(AppError::Forbidden);
    }
    let change = match action {
        Action::Activate => BulkChange::Activate,
        Action::Deactivate => BulkChange::Deactivate,
        Action::Delete => BulkChange::Delete,
        Action::Tag | Action::Untag => {
            let raw = form.tag_values(action).1.unwrap_or_default();
            let tag = Tag::parse(raw).map_err(|e| AppError::Invalid(crate::domain::FieldErrors::single("tag", e)))?;
            if action == Action::Tag { BulkChange::Tag(tag) } else { BulkChange::Untag(tag) }
        }
        Action::Export => {
            let accounts = selection(state, user, form, action).await?;
            let sent = accounts.clone();
            let tags = state
                .store
                .read(move |conn| metadata::load_account_tags(conn, &sent).map_err(StoreError::from))
                .await?;
            return export(&accounts, &tags);
        }
    };
    let accounts = selection(state, user, form, action).await?;
    if action == Action::Delete && form.first("confirm") != "yes" {
        return confirm_delete(session, user, state, form, accounts).await;
    }
    let ids: Vec<_> = accounts.iter().map(|a| a.id).collect();
    let (actor, by_superuser, done) = (Actor::user(user.id, &user.username), user.is_superuser, change.clone());
    let changed = state.store.write(move |conn| Account::apply_to_all(conn, &actor, &ids, &done, by_superuser)).await?;
    let plural = if changed == 1 { "" } else { "s" };
    let message = match &change {
        BulkChange::Activate => format!("Activated {changed} account{plural}."),
        BulkChange::Deactivate => format!("Deactivated {changed} account{plural}."),
        BulkChange::Delete => format!("Deleted {changed} account{plural}."),
        BulkChange::Tag(tag) => format!("Tagged {changed} account{plural} {}.", tag.as_str()),
        BulkChange::Untag(tag) => format!("Took the tag {} off {changed} account{plural}.", tag.as_str()),
    };
    session::flash(session, "success", message);
    Ok(page::redirect(ReturnTo::list_at(form.first("return_to")).list_or_default()))
}
