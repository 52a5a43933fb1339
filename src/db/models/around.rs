//! What the account page shows around the account row: its tags, annotations, contacts,
//! members, billing and latest history.
//!
//! SQLite answers in process, so each part is its own query. PostgreSQL answers over
//! the network, where every query is a round trip that wakes a server process and the
//! waiting thread: there the parts come back as one JSON document from one statement,
//! and a first view reads the account row in that same statement (one client alone:
//! median 2.4-2.8 -> 1.5-1.6 ms an uncached page at 100 000 accounts).

use chrono::NaiveDate;
use diesel::backend::Backend;
use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping, is_aggregate};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, Date, HasSqlType, Text};

use crate::db::models::billing::{self, BillingLine, ByMonth, MonthLine};
use crate::db::models::{Account, AccountContact, AuditEntry, User, UserProfile, metadata};
use crate::db::schema::accounts;
use crate::db::{AccountId, DbConnection};
use crate::domain::{Annotation, Annotations, Tags};

/// What the account page shows around the account row.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Around {
    pub tags: Tags,
    pub annotations: Annotations,
    pub contacts: Vec<AccountContact>,
    pub members: Vec<(UserProfile, User)>,
    pub billing: Vec<BillingLine>,
    pub months: Vec<MonthLine>,
    /// The newest `recent` entries, newest first.
    pub history: Vec<AuditEntry>,
}

/// How much of an account's surroundings: billing as [`billing::for_account`] sums it
/// from `month_start` and per month since `since`; the newest `recent` entries.
#[derive(Debug, Clone, Copy)]
pub struct Wanted {
    pub month_start: NaiveDate,
    pub since: NaiveDate,
    pub recent: i64,
}

/// Whose surroundings a statement reads: an account id bound to it, or the `accounts`
/// row of the statement it is part of.
#[derive(Debug, Clone, Copy)]
pub enum Owner {
    Id(AccountId),
    Row,
}

impl<DB> QueryFragment<DB> for Owner
where
    DB: Backend + HasSqlType<BigInt>,
    i64: ToSql<BigInt, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        match self {
            Self::Id(id) => out.push_bind_param::<BigInt, _>(&id.0),
            Self::Row => {
                out.push_sql("accounts.id");
                Ok(())
            }
        }
    }
}

impl Around {
    /// Everything around the account `id`, the backend's way.
    pub fn load(conn: &mut DbConnection, id: AccountId, wanted: Wanted) -> QueryResult<Self> {
        if conn.is_sqlite() { Self::one_query_each(conn, id, wanted) } else { Self::one_document(conn, id, wanted) }
    }

    /// The account with this number and everything around it. On PostgreSQL the row
    /// and the document come from one statement: the account page's first view makes
    /// one round trip for both.
    pub fn load_with_account(
        conn: &mut DbConnection,
        number: &str,
        wanted: Wanted,
    ) -> QueryResult<Option<(Account, Self)>> {
        if conn.is_sqlite() {
            let Some(account) = Account::get_by_account_number(conn, number)? else { return Ok(None) };
            let around = Self::one_query_each(conn, account.id, wanted)?;
            return Ok(Some((account, around)));
        }
        let document = Document {
            owner: Owner::Row,
            recent: wanted.recent,
            months: ByMonth::new(Owner::Row, wanted.since, false),
        };
        // No `LIMIT 1` (the number is unique): see [`crate::db::unique`].
        let found: Vec<(Account, String)> = accounts::table
            .filter(accounts::account_number.eq(number))
            .select((Account::as_select(), document))
            .load(conn)?;
        let Some((account, json)) = crate::db::unique(found) else { return Ok(None) };
        Ok(Some((account, Self::from_document(&json, wanted.month_start)?)))
    }

    /// Each part from its own query (either backend).
    pub fn one_query_each(conn: &mut DbConnection, id: AccountId, wanted: Wanted) -> QueryResult<Self> {
        let Wanted { month_start, since, recent } = wanted;
        let (billing, months) = billing::for_account(conn, id, month_start, since)?;
        Ok(Self {
            tags: metadata::load_tags(conn, metadata::ACCOUNT, id.into())?,
            annotations: metadata::load_annotations(conn, metadata::ACCOUNT, id.into())?,
            contacts: AccountContact::for_account(conn, id)?,
            members: UserProfile::members_of(conn, id)?,
            billing,
            months,
            history: AuditEntry::for_account(conn, id, recent)?,
        })
    }

    /// Every part from one statement that PostgreSQL answers with one JSON document, in
    /// the same order the separate queries give.
    pub fn one_document(conn: &mut DbConnection, id: AccountId, wanted: Wanted) -> QueryResult<Self> {
        let owner = Owner::Id(id);
        let query = Document { owner, recent: wanted.recent, months: ByMonth::new(owner, wanted.since, false) };
        let json: String = query.get_result(conn)?;
        Self::from_document(&json, wanted.month_start)
    }

    /// The parts of the document [`Document`] writes.
    fn from_document(json: &str, month_start: NaiveDate) -> QueryResult<Self> {
        let parts: Parts =
            serde_json::from_str(json).map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))?;
        let (billing, months) = billing::summarize(&parts.months, month_start);
        Ok(Self {
            tags: Tags::from_stored(parts.tags),
            annotations: Annotations::from_stored(parts.annotations),
            contacts: parts.contacts,
            members: parts.members,
            billing,
            months,
            history: parts.history,
        })
    }
}

/// The document's parts as PostgreSQL writes them: rows as objects keyed by column.
#[derive(serde::Deserialize)]
struct Parts {
    tags: Vec<String>,
    annotations: Vec<Annotation>,
    contacts: Vec<AccountContact>,
    members: Vec<(UserProfile, User)>,
    months: Vec<MonthLine>,
    history: Vec<AuditEntry>,
}

/// The statement behind [`Around::one_document`] and [`Around::load_with_account`],
/// written as a query fragment so that the connection keeps it prepared. Each part is
/// `[]` when it has no rows.
struct Document {
    owner: Owner,
    recent: i64,
    months: ByMonth,
}

impl Document {
    /// `'name', [the rows' aggregate from `from`, which ends with "= " before the id]`.
    fn part<'b, DB>(&'b self, out: &mut AstPass<'_, 'b, DB>, name: &str, aggregate: &str, from: &str) -> QueryResult<()>
    where
        DB: Backend + HasSqlType<BigInt>,
        i64: ToSql<BigInt, DB>,
    {
        out.push_sql(&format!("'{name}', COALESCE((SELECT json_agg({aggregate}) FROM {from}"));
        self.owner.walk_ast(out.reborrow())?;
        out.push_sql("), '[]'::json)");
        Ok(())
    }
}

impl<DB> QueryFragment<DB> for Document
where
    DB: Backend + HasSqlType<BigInt> + HasSqlType<Date>,
    i64: ToSql<BigInt, DB>,
    NaiveDate: ToSql<Date, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        // Parenthesised, so the same statement is also a column beside an `accounts` row.
        out.push_sql("(SELECT CAST(json_build_object(");
        let tagged = format!("tagged_items WHERE object_type = '{}' AND object_id = ", metadata::ACCOUNT);
        self.part(&mut out, "tags", "spelling ORDER BY id", &tagged)?;
        out.push_sql(", ");
        let annotated = format!("annotations WHERE object_type = '{}' AND object_id = ", metadata::ACCOUNT);
        self.part(
            &mut out,
            "annotations",
            "json_build_object('key', key, 'value', value) ORDER BY position",
            &annotated,
        )?;
        out.push_sql(", ");
        let contacts = "c ORDER BY c.is_primary DESC, c.last_name, c.id";
        self.part(&mut out, "contacts", contacts, "account_contacts c WHERE c.account_id = ")?;
        out.push_sql(", ");
        // The user's columns by name: never the password hash or the session stamp.
        let member = "json_build_array(p, json_build_object('id', u.id, 'username', u.username, \
            'email', u.email, 'first_name', u.first_name, 'last_name', u.last_name, \
            'is_active', u.is_active, 'is_staff', u.is_staff, 'is_superuser', u.is_superuser, \
            'last_login', u.last_login, 'date_joined', u.date_joined, 'created_at', u.created_at, \
            'updated_at', u.updated_at)) ORDER BY p.id";
        let memberships = "user_profiles p JOIN users u ON u.id = p.user_id WHERE p.account_id = ";
        self.part(&mut out, "members", member, memberships)?;
        out.push_sql(
            ", 'months', COALESCE((SELECT json_agg(m ORDER BY m.month DESC, m.provider, m.charge_type) FROM (",
        );
        self.months.walk_ast(out.reborrow())?;
        out.push_sql(
            ") m), '[]'::json), 'history', COALESCE((SELECT json_agg(e ORDER BY e.created_at DESC, e.id DESC) ",
        );
        out.push_sql("FROM (SELECT * FROM audit_entries WHERE account_id = ");
        self.owner.walk_ast(out.reborrow())?;
        out.push_sql(" ORDER BY created_at DESC, id DESC LIMIT ");
        out.push_bind_param::<BigInt, _>(&self.recent)?;
        out.push_sql(") e), '[]'::json)) AS TEXT))");
        Ok(())
    }
}

impl QueryId for Document {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for Document {
    type SqlType = Text;
}

impl RunQueryDsl<DbConnection> for Document {}

/// The document as a column beside the `accounts` row it is about ([`Owner::Row`]).
impl Expression for Document {
    type SqlType = Text;
}

impl<QS> AppearsOnTable<QS> for Document {}

impl<QS> SelectableExpression<QS> for Document {}

impl ValidGrouping<()> for Document {
    type IsAggregate = is_aggregate::Never;
}
