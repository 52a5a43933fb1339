//! `GET /accounts/{number}/history`: the account's audit entries, newest first.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::StoreError;
use crate::db::models::{Account, AuditEntry, FieldChange};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::accounts::VisibleAccount;
use crate::web::accounts::form::label_of;
use crate::web::accounts::return_to::ReturnTo;
use crate::web::page::{self, Layout};
use crate::web::query::LenientQuery;
use crate::web::query::query_string;

const PAGE: i64 = 100;

/// One audit entry as pages show it.
pub struct EntryView {
    pub id: i64,
    pub when: String,
    pub who: String,
    pub action: String,
    pub what: String,
    pub summary: String,
    pub changes: Vec<ChangeView>,
    /// The entry's account, on pages that span accounts.
    pub account_number: Option<String>,
    /// Where the object can be seen now, when it still exists and the page links it.
    pub href: Option<String>,
    /// Where to revert it, restore it, or revert its whole bulk action, for this viewer.
    pub revert_href: Option<String>,
    pub restore_href: Option<String>,
    pub batch_action: Option<String>,
}

impl EntryView {
    /// The entry with what this viewer may do from it.
    pub fn for_viewer(e: &AuditEntry, superuser: bool) -> Self {
        let changes = e.field_changes();
        Self {
            revert_href: crate::web::audit::offers_revert(e, &changes, superuser)
                .then(|| format!("/audit/{}/revert", e.id)),
            restore_href: crate::web::audit::offers_restore(e, superuser).then(|| format!("/audit/{}/restore", e.id)),
            batch_action: e.batch_id.as_ref().filter(|_| superuser).map(|b| format!("/audit/batch/{b}/revert")),
            ..Self::with_changes(e, &changes)
        }
    }
}

pub struct ChangeView {
    pub field: String,
    pub old: String,
    pub new: String,
}

fn object_label(object_type: &str) -> &str {
    match object_type {
        "account" => "Account",
        "account_contact" => "Contact",
        "user_profile" => "Membership",
        "user" => "User",
        other => other,
    }
}

impl From<&AuditEntry> for EntryView {
    fn from(e: &AuditEntry) -> Self {
        Self::with_changes(e, &e.field_changes())
    }
}

impl EntryView {
    /// The entry with its changes, parsed once by the caller.
    fn with_changes(e: &AuditEntry, changes: &[FieldChange]) -> Self {
        let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".to_owned());
        Self {
            id: e.id,
            when: e.created_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            who: e.actor_username.clone(),
            action: e.action.replace('_', " "),
            what: object_label(&e.object_type).to_owned(),
            summary: e.summary.clone(),
            changes: changes
                .iter()
                .map(|c| ChangeView {
                    field: match label_of(&c.field) {
                        "" => c.field.replace('_', " "),
                        label => label.to_owned(),
                    },
                    old: show(&c.old),
                    new: show(&c.new),
                })
                .collect(),
            account_number: None,
            href: None,
            revert_href: None,
            restore_href: None,
            batch_action: None,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct HistoryParams {
    before: Option<i64>,
    return_to: String,
}

#[derive(Template)]
#[template(path = "accounts/history.html")]
struct HistoryPage {
    layout: Layout,
    account: Account,
    entries: Vec<EntryView>,
    older_href: Option<String>,
    return_to: ReturnTo,
}

pub async fn page(
    session: Session,
    VisibleAccount { user, account }: VisibleAccount,
    state: web::Data<AppState>,
    params: LenientQuery<HistoryParams>,
) -> Result<HttpResponse, AppError> {
    let (id, before) = (account.id, params.params.before);
    let return_to = ReturnTo::list_at(&params.params.return_to);
    let entries = state
        .store
        .read(move |conn| AuditEntry::for_account_before(conn, id, before, PAGE + 1).map_err(StoreError::from))
        .await?;
    let older_href = (entries.len() as i64 > PAGE)
        .then(|| {
            entries.get(PAGE as usize - 1).map(|e| {
                let list = return_to.value();
                let query = query_string(&[("before", &e.id.to_string()), ("return_to", list)]);
                format!("/accounts/{}/history?{query}", account.account_number)
            })
        })
        .flatten();
    let page = HistoryPage {
        layout: Layout::new(&session, Some(&user), format!("History of {account}"), "accounts"),
        entries: entries.iter().take(PAGE as usize).map(|e| EntryView::for_viewer(e, user.is_superuser)).collect(),
        older_href,
        return_to,
        account,
    };
    page::ok(&page)
}
