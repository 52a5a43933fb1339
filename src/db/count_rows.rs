//! A query fragment diesel lacks: counting the rows of a query that carries its own
//! `LIMIT`, so the database stops early instead of counting every match.

use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::BigInt;

use crate::db::{DbConnection, MultiBackend};

/// `SELECT COUNT(*) FROM (<query>) AS capped`.
#[derive(Debug, Clone, QueryId)]
pub struct CountRows<Q>(pub Q);

impl<Q> Query for CountRows<Q> {
    type SqlType = BigInt;
}

impl<Q> RunQueryDsl<DbConnection> for CountRows<Q> {}

impl<Q: QueryFragment<MultiBackend>> QueryFragment<MultiBackend> for CountRows<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        out.push_sql("SELECT COUNT(*) FROM (");
        self.0.walk_ast(out.reborrow())?;
        out.push_sql(") AS capped");
        Ok(())
    }
}
