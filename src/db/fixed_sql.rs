//! A piece of SQL whose text is fixed when the program is built, as an expression: a
//! statement made of such pieces and ordinary binds may be kept prepared by the
//! connection, where diesel never keeps one holding a [`diesel::dsl::sql`] literal
//! (whose text could differ from call to call).

use std::marker::PhantomData;

use diesel::expression::{
    AppearsOnTable, Expression, SelectableExpression, TypedExpressionType, ValidGrouping, is_aggregate,
};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};

use crate::db::MultiBackend;

/// `text`, typed as `ST`. The text must not hold values from outside the program: it is
/// pasted into the statement as it is.
#[derive(Debug, Clone, Copy)]
pub struct FixedSql<ST> {
    text: &'static str,
    sql_type: PhantomData<ST>,
}

impl<ST> FixedSql<ST> {
    pub const fn new(text: &'static str) -> Self {
        Self { text, sql_type: PhantomData }
    }
}

impl<ST: TypedExpressionType> Expression for FixedSql<ST> {
    type SqlType = ST;
}

impl<ST> QueryFragment<MultiBackend> for FixedSql<ST> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        out.push_sql(self.text);
        Ok(())
    }
}

impl<ST> QueryId for FixedSql<ST> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<ST, QS> AppearsOnTable<QS> for FixedSql<ST> where Self: Expression {}

impl<ST, QS> SelectableExpression<QS> for FixedSql<ST> where Self: Expression {}

impl<ST> ValidGrouping<()> for FixedSql<ST> {
    type IsAggregate = is_aggregate::Never;
}
