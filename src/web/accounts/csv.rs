//! `GET /accounts.csv`: every row the list's filters match, streamed in batches.

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpResponse, web};
use futures_util::stream;

use crate::auth::Staff;
use crate::db::models::account::ColumnText;
use crate::db::models::account_list::{self, ListQuery};
use crate::db::models::{Account, metadata};
use crate::db::{AccountId, StoreError};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::accounts::list_params::ListParams;
use crate::web::accounts::scope_of;
use crate::web::query::LenientQuery;

const BATCH: i64 = 1_000;

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

/// Spreadsheets run cells that start with these as formulas; a leading `'` keeps the
/// text as text.
fn cell(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{value}") } else { value.to_owned() }
}

pub(crate) fn encode(
    rows: &[Account],
    tags: &std::collections::HashMap<AccountId, crate::domain::Tags>,
    with_header: bool,
) -> Result<Bytes, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    if with_header {
        writer.write_record(header())?;
    }
    for a in rows {
        writer.write_record(record(a, &tags.get(&a.id).map(ToString::to_string).unwrap_or_default()))?;
    }
    writer.into_inner().map(Bytes::from).map_err(|e| e.into_error().into())
}

struct Export {
    state: web::Data<AppState>,
    /// The next batch: the list's query with the cursor after the last row sent.
    query: ListQuery,
    first: bool,
    done: bool,
}

async fn next_chunk(mut export: Export) -> Option<(Result<Bytes, actix_web::Error>, Export)> {
    if export.done {
        return None;
    }
    let query = export.query.clone();
    let fetched = export
        .state
        .store
        .read(move |conn| {
            let (rows, next) = account_list::batch(conn, &query)?;
            let tags = metadata::load_account_tags(conn, &rows)?;
            Ok::<_, StoreError>((rows, next, tags))
        })
        .await;
    let chunk = fetched.map_err(AppError::from).and_then(|(rows, next, tags)| {
        let bytes = encode(&rows, &tags, export.first).map_err(|e| AppError::Internal(e.into()))?;
        export.done = next.is_none();
        export.query.cursor = next;
        Ok(bytes)
    });
    if chunk.is_err() {
        export.done = true;
    }
    export.first = false;
    Some((chunk.map_err(actix_web::Error::from), export))
}

pub async fn download(Staff(user): Staff, state: web::Data<AppState>, query: LenientQuery<ListParams>) -> HttpResponse {
    let request = query.params.check();
    let export = Export {
        state,
        query: ListQuery {
            scope: scope_of(&user),
            filter: request.filter,
            sort: request.sort,
            cursor: None,
            per_page: BATCH,
        },
        first: true,
        done: false,
    };
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, "attachment; filename=\"accounts.csv\""))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(stream::unfold(export, next_chunk))
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn formula_like_cells_are_defused() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(cell("Acme"), "Acme");
    }
}
