//! `GET /accounts.csv`: every row the list's filters match, streamed in batches.

use actix_web::web::Bytes;
use actix_web::{HttpResponse, web};

use crate::auth::Staff;
use crate::db::models::account::ColumnText;
use crate::db::models::account_list::{self, ListQuery};
use crate::db::models::{Account, metadata};
use crate::db::{AccountId, DbConnection, StoreError};
use crate::state::AppState;
use crate::web::accounts::list_params::ListParams;
use crate::web::accounts::scope_of;
use crate::web::csv::{self as export, BATCH, CsvSource, cell};
use crate::web::query::LenientQuery;

macro_rules! define_columns {
    ($($field:ident: $ty:ty => $stored:ty = $parse:expr, $group:literal, $label:literal, $kind:literal,
       $max:literal, $export:literal, $hint:literal;)*) => {
        /// The export's columns: the number, every exported field, the flags, tags and
        /// the creation time.
        fn header() -> Vec<&'static str> {
            let mut names = vec!["account_number"];
            $(if $export {
                names.push(stringify!($field));
            })*
            names.extend(["is_active", "is_default_account", "tags", "created_at"]);
            names
        }

        /// One account's row, in the order of [`header`].
        fn record(a: &Account, tags: &str) -> Vec<String> {
            let mut cells = vec![cell(&a.account_number)];
            $(if $export {
                cells.push(cell(&ColumnText::form_text(&a.$field)));
            })*
            cells.extend([
                a.is_active.to_string(),
                a.is_default_account.to_string(),
                cell(tags),
                a.created_at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
            ]);
            cells
        }
    };
}

crate::account_fields!(define_columns);

pub(crate) fn encode(
    rows: &[Account],
    tags: &std::collections::HashMap<AccountId, crate::domain::Tags>,
    with_header: bool,
) -> Result<Bytes, csv::Error> {
    let records: Vec<Vec<String>> =
        rows.iter().map(|a| record(a, &tags.get(&a.id).map(ToString::to_string).unwrap_or_default())).collect();
    export::encode(with_header.then(header).as_deref(), &records)
}

/// The list's rows from `query`'s cursor on.
struct AccountRows(ListQuery);

impl CsvSource for AccountRows {
    fn header(&self) -> Vec<&'static str> {
        header()
    }

    fn next_batch(self, conn: &mut DbConnection) -> Result<(Vec<Vec<String>>, Option<Self>), StoreError> {
        let mut query = self.0;
        let (rows, next) = account_list::batch(conn, &query)?;
        let tags = metadata::load_account_tags(conn, &rows)?;
        let records =
            rows.iter().map(|a| record(a, &tags.get(&a.id).map(ToString::to_string).unwrap_or_default())).collect();
        Ok((
            records,
            next.map(|cursor| {
                query.cursor = Some(cursor);
                Self(query)
            }),
        ))
    }
}

pub async fn download(Staff(user): Staff, state: web::Data<AppState>, query: LenientQuery<ListParams>) -> HttpResponse {
    let request = query.params.check();
    let query =
        ListQuery { scope: scope_of(&user), filter: request.filter, sort: request.sort, cursor: None, per_page: BATCH };
    export::download(state, AccountRows(query), "accounts.csv")
}
