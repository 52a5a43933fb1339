//! `GET /audit` (superusers; staff get 403): every audit entry, newest first, with
//! field diffs as on an account's history page and links to objects that still exist.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::Superuser;
use crate::db::StoreError;
use crate::db::models::audit_list::{self, ACTIONS, AuditFilter, OBJECT_TYPES};
use crate::db::models::{AuditEntry, User};
use crate::domain::AccountNumber;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::accounts::history::EntryView;
use crate::web::listing::{FilterField, Filters, Pager};
use crate::web::page::{self, Layout};
use crate::web::query::{LenientQuery, cursor_param, param, parse_day};

const PER_PAGE: i64 = 50;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AuditParams {
    actor: String,
    object_type: String,
    action: String,
    account: String,
    from: String,
    to: String,
    cursor: String,
}

#[derive(Template)]
#[template(path = "audit/list.html")]
struct AuditPage {
    layout: Layout,
    notices: Vec<String>,
    filters: Filters,
    entries: Vec<EntryView>,
    pager: Pager,
}

impl AuditParams {
    fn filter(&self, notices: &mut Vec<String>) -> AuditFilter {
        let n = notices;
        let actor = Some(self.actor.trim().chars().take(150).collect::<String>()).filter(|a| !a.is_empty());
        let object_type = param(n, "object_type", &self.object_type, None, |v| {
            OBJECT_TYPES
                .iter()
                .find(|(name, _)| *name == v)
                .map(|(_, stored)| Some((*stored).to_owned()))
                .ok_or_else(|| "use account, contact, membership or user.".to_owned())
        });
        let action = param(n, "action", &self.action, None, |v| {
            ACTIONS.contains(&v).then(|| Some(v.to_owned())).ok_or_else(|| "not an action the log records.".to_owned())
        });
        let account_number = param(n, "account", &self.account, None, |v| {
            AccountNumber::normalize(v)
                .map(|a| Some(a.as_str().to_owned()))
                .ok_or_else(|| "not an account number (12 digits).".to_owned())
        });
        let from = param(n, "from", &self.from, None, parse_day);
        let to = param(n, "to", &self.to, None, parse_day);
        AuditFilter { actor, object_type, action, account_number, from, to }
    }

    fn filters(&self) -> Filters {
        let mut types = vec![("", "Any")];
        types.extend(OBJECT_TYPES.iter().map(|(name, _)| (*name, *name)));
        let mut actions = vec![("", "Any")];
        actions.extend(ACTIONS.iter().map(|a| (*a, *a)));
        Filters {
            action: "/audit",
            label: "Filter the audit log",
            fields: vec![
                FilterField::text("actor", "Actor", &self.actor, 150),
                FilterField::select("object_type", "Object", &self.object_type, &types),
                FilterField::select("action", "Action", &self.action, &actions),
                FilterField::search("account", "Account number", &self.account, "1234-5678-9012"),
                FilterField::date("from", "From", &self.from),
                FilterField::date("to", "To", &self.to),
            ],
        }
    }
}

pub async fn page(
    session: Session,
    Superuser(user): Superuser,
    state: web::Data<AppState>,
    query: LenientQuery<AuditParams>,
) -> Result<HttpResponse, AppError> {
    let LenientQuery { params, mut notices } = query;
    let mut filter = params.filter(&mut notices);
    let cursor = cursor_param(&mut notices, &params.cursor);
    let (found, existing) = state
        .store
        .read(move |conn| {
            // Entries spell the actor as the user's username was spelled.
            if let Some(actor) = &filter.actor
                && let Some(known) = User::find_by_username(conn, actor)?
            {
                filter.actor = Some(known.username);
            }
            let found = audit_list::list(conn, &filter, cursor.as_ref(), PER_PAGE)?;
            let existing = audit_list::existing(conn, &found.rows)?;
            Ok::<_, StoreError>((found, existing))
        })
        .await?;
    let view = |e: &AuditEntry| EntryView {
        account_number: e.account_number.clone(),
        href: existing.href(e),
        ..EntryView::for_viewer(e, true)
    };
    let filters = params.filters();
    let page = AuditPage {
        layout: Layout::new(&session, Some(&user), "Audit log", "audit"),
        notices,
        pager: Pager::of(&found, &filters, &[]),
        filters,
        entries: found.rows.iter().map(view).collect(),
    };
    page::ok(&page)
}
