//! `src/db/schema.rs` is kept by hand: a migrated database must have exactly the tables
//! and columns it declares, with the same types and nullability, on both backends.

use std::collections::BTreeMap;
use std::path::Path;

use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use crate::on_both_databases;
use crate::support::TestDb;

/// Column name → (portable type, nullable), per table.
type Tables = BTreeMap<String, BTreeMap<String, (String, bool)>>;

/// The tables `schema.rs` declares, read from its `table!` blocks.
fn declared() -> Tables {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/db/schema.rs");
    let text = std::fs::read_to_string(&path).unwrap();
    let header = regex::Regex::new(r"^\s*(\w+) \(\w+\) \{$").unwrap();
    let column = regex::Regex::new(r"^\s*(\w+) -> (Nullable<)?(\w+)>?,$").unwrap();
    let mut tables = Tables::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if let Some(m) = header.captures(line) {
            current = Some(m[1].to_owned());
            tables.insert(m[1].to_owned(), BTreeMap::new());
        } else if let (Some(table), Some(m)) = (&current, column.captures(line)) {
            let entry = (m[3].to_owned(), m.get(2).is_some());
            tables.get_mut(table).unwrap().insert(m[1].to_owned(), entry);
        }
    }
    assert!(tables.len() > 10, "schema.rs was read: {tables:?}");
    tables
}

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Bool)]
    nullable: bool,
}

/// The database's own name for a type, as `schema.rs` spells it.
fn portable(data_type: &str) -> String {
    match data_type.to_ascii_lowercase().as_str() {
        "bigint" => "BigInt",
        "integer" => "Integer",
        "text" | "character varying" => "Text",
        "boolean" => "Bool",
        "timestamp" | "timestamp without time zone" => "Timestamp",
        "date" => "Date",
        other => panic!("a column of type {other}, which schema.rs has no name for"),
    }
    .to_owned()
}

// Search support the database keeps for itself (SQLite's FTS5 tables, PostgreSQL's
// search texts) is read with SQL, never through schema.rs: left out on both sides.
const SQLITE_COLUMNS: &str = "
    SELECT m.name AS table_name, c.name AS column_name, c.type AS data_type,
           (c.\"notnull\" = 0 AND c.pk = 0) AS nullable
    FROM sqlite_master m, pragma_table_info(m.name) c
    WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '__diesel%'
      AND m.sql NOT LIKE 'CREATE VIRTUAL TABLE%' AND m.name NOT GLOB '*_search_*'";

const POSTGRES_COLUMNS: &str = "
    SELECT table_name::text, column_name::text, data_type::text, is_nullable = 'YES' AS nullable
    FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name NOT LIKE '__diesel%'
      AND table_name NOT LIKE '%\\_search\\_%'";

async fn schema_rs_matches_the_migrated_database(db: TestDb) {
    let pool = db.pool();
    let mut conn = TestDb::conn(&pool);
    let sqlite = conn.is_sqlite();
    let query = if sqlite { SQLITE_COLUMNS } else { POSTGRES_COLUMNS };
    let found: Vec<Found> = diesel::sql_query(query).load(&mut *conn).unwrap();
    let mut migrated = Tables::new();
    for f in found {
        migrated.entry(f.table_name).or_default().insert(f.column_name, (portable(&f.data_type), f.nullable));
    }
    let mut declared = declared();
    if sqlite {
        // SQLite has one 64-bit integer type whatever a column says (and INTEGER is the
        // only spelling of a rowid key): Integer and BigInt are the same there.
        for (kind, _) in
            [&mut declared, &mut migrated].into_iter().flat_map(|t| t.values_mut()).flat_map(|c| c.values_mut())
        {
            if kind == "BigInt" {
                *kind = "Integer".to_owned();
            }
        }
    }
    assert_eq!(migrated.keys().collect::<Vec<_>>(), declared.keys().collect::<Vec<_>>(), "the tables differ");
    for (table, columns) in &declared {
        assert_eq!(&migrated[table], columns, "the columns of {table} differ");
    }
}

on_both_databases!(schema_rs_matches_the_migrated_database);
