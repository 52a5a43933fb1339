//! CSV exports: every row a list's filters match, streamed in keyset batches so an
//! export of a million rows holds one batch in memory. Each export says how to read
//! its next batch ([`CsvSource`]); streaming, quoting and headers are done here once.

use actix_web::HttpResponse;
use actix_web::http::header;
use actix_web::web::{self, Bytes};
use futures_util::stream;

use crate::db::{DbConnection, StoreError};
use crate::error::AppError;
use crate::state::AppState;

/// Rows per batch.
pub const BATCH: i64 = 1_000;

/// One export: its columns, and how to read the batch after the last one sent.
pub trait CsvSource: Sized + Send + 'static {
    fn header(&self) -> Vec<&'static str>;

    /// This batch's records, and the export positioned after them (`None` at the end).
    fn next_batch(self, conn: &mut DbConnection) -> Result<(Vec<Vec<String>>, Option<Self>), StoreError>;
}

/// Spreadsheets run cells that start with these as formulas; a leading `'` keeps the
/// text as text.
pub fn cell(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{value}") } else { value.to_owned() }
}

/// `records` as CSV bytes, after `header` when given.
pub fn encode(header: Option<&[&str]>, records: &[Vec<String>]) -> Result<Bytes, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    if let Some(header) = header {
        writer.write_record(header)?;
    }
    for record in records {
        writer.write_record(record)?;
    }
    writer.into_inner().map(Bytes::from).map_err(|e| e.into_error().into())
}

struct Export<S> {
    state: web::Data<AppState>,
    source: Option<S>,
    first: bool,
}

async fn next_chunk<S: CsvSource>(mut export: Export<S>) -> Option<(Result<Bytes, actix_web::Error>, Export<S>)> {
    let source = export.source.take()?;
    let header = export.first.then(|| source.header());
    let fetched = export.state.store.read(move |conn| source.next_batch(conn)).await;
    let chunk = fetched.map_err(AppError::from).and_then(|(records, next)| {
        export.source = next;
        encode(header.as_deref(), &records).map_err(|e| AppError::Internal(e.into()))
    });
    export.first = false;
    Some((chunk.map_err(actix_web::Error::from), export))
}

/// The response that streams `source` as `filename`.
pub fn download<S: CsvSource>(state: web::Data<AppState>, source: S, filename: &str) -> HttpResponse {
    let export = Export { state, source: Some(source), first: true };
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")))
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
