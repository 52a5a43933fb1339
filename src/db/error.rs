//! The two ways a database call fails: the database could not be reached, or the query
//! itself failed.

/// The database could not be reached (no connection in time, or the blocking pool is
/// gone): a 503, not a bug.
#[derive(Debug, thiserror::Error)]
#[error("database unavailable: {0}")]
pub struct Unavailable(pub String);

/// A query that failed, or could not run.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Unavailable(#[from] Unavailable),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
}
