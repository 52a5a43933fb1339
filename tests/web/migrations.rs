use std::collections::BTreeSet;
use std::path::Path;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use smarter_accounts::db::models::AccountContact;
use smarter_accounts::db::schema::{account_contacts, audit_entries};
use smarter_accounts::db::{self, schema::account_totals};

use crate::on_both_databases;
use crate::support::{self, TestDb};

fn folder_names(dialect: &str) -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(dialect);
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn sqlite_and_postgres_migrations_have_the_same_folder_names() {
    let sqlite = folder_names("sqlite");
    let postgres = folder_names("postgres");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres);
    for name in &sqlite {
        for dialect in ["sqlite", "postgres"] {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(dialect).join(name);
            assert!(dir.join("up.sql").is_file() && dir.join("down.sql").is_file(), "{}", dir.display());
        }
    }
}

// Every migration undoes cleanly, newest first, and applies again; the totals migration,
// applied again over existing accounts, starts from their real counts.
async fn migrations_undo_and_apply_again_over_existing_rows(db: TestDb) {
    let pool = db.pool();
    let mut conn = TestDb::conn(&pool);
    support::insert_accounts(&mut conn, 30, "6666", "Again", "x % 3 = 0");
    let totals = |conn: &mut db::DbConnection| -> Vec<(bool, i64)> {
        account_totals::table
            .select((account_totals::is_active, account_totals::accounts))
            .order(account_totals::is_active)
            .load(conn)
            .unwrap()
    };
    assert_eq!(totals(&mut conn), [(false, 20), (true, 11)]);

    let account = crate::accounts::create(&mut conn, "Bücher GmbH");
    let actor = smarter_accounts::db::models::Actor::system();
    AccountContact::create(&mut conn, &actor, account.id, &crate::contacts::contact("Ada", "a@BÜCHER.de", false))
        .unwrap();
    let gone = crate::accounts::create(&mut conn, "Gone Ltd");
    AccountContact::create(&mut conn, &actor, gone.id, &crate::contacts::contact("Bo", "bo@gone.example", false))
        .unwrap();
    smarter_accounts::db::models::Account::delete(&mut conn, &actor, gone.id).unwrap();
    let history: i64 = audit_entries::table.count().get_result(&mut *conn).unwrap();
    assert_eq!(db::revert_last_migration(&mut conn).unwrap(), "20261201000016", "the tag spellings index migration");
    assert_eq!(db::revert_last_migration(&mut conn).unwrap(), "20261201000015", "the username suggestions migration");
    assert_eq!(db::revert_last_migration(&mut conn).unwrap(), "20261201000014", "the search texts migration");
    assert_eq!(db::revert_last_migration(&mut conn).unwrap(), "20261201000013", "the list filters migration");
    assert_eq!(db::revert_last_migration(&mut conn).unwrap(), "20261201000012", "the country orders migration");
    assert_eq!(db::revert_last_migration(&mut conn).unwrap(), "20261130000011", "the user search migration");
    assert_eq!(db::revert_last_migration(&mut conn).unwrap(), "20261130000010", "the billing day totals migration");
    assert_eq!(db::revert_last_migration(&mut conn).unwrap(), "20261130000009", "the revert migration");
    assert_eq!(db::revert_last_migration(&mut conn).unwrap(), "20261130000008", "the cross-account migration");
    assert_eq!(db::revert_last_migration(&mut conn).unwrap(), "20261130000007", "the tag spellings migration");
    assert_eq!(db::revert_last_migration(&mut conn).unwrap(), "20261130000006", "the folded keys migration");
    assert_eq!(db::revert_last_migration(&mut conn).unwrap(), "20261130000005", "the sessions migration");
    let newest = db::revert_last_migration(&mut conn).unwrap();
    assert_eq!(newest, "20261129000004", "the totals migration");
    assert!(account_totals::table.count().get_result::<i64>(&mut *conn).is_err(), "the table is gone");
    db::run_migrations(&mut conn).unwrap();
    assert_eq!(totals(&mut conn), [(false, 20), (true, 12)], "counted from the rows there");
    let folded: String = account_contacts::table.select(account_contacts::email_folded).first(&mut *conn).unwrap();
    assert_eq!(folded, "a@bücher.de", "folded by the program, not by SQL lower()");
    let spellings = smarter_accounts::db::models::metadata::load_tags(&mut conn, "account", account.id.into()).unwrap();
    assert_eq!(spellings.to_string(), "Enterprise, EU", "each object's spelling, filled from the tags it had");
    let after: i64 = audit_entries::table.count().get_result(&mut *conn).unwrap();
    assert_eq!(after, history, "the batch id and snapshot columns lose no history");
    let batched: i64 =
        audit_entries::table.filter(audit_entries::batch_id.is_not_null()).count().get_result(&mut *conn).unwrap();
    assert_eq!(batched, 0, "existing entries belong to no bulk action");
    let numbers: Vec<Option<String>> = audit_entries::table
        .filter(audit_entries::account_id.eq(gone.id))
        .select(audit_entries::account_number)
        .load(&mut *conn)
        .unwrap();
    assert_eq!(numbers.len(), 4, "create, contact create, contact delete, delete");
    assert!(numbers.iter().all(|n| n.as_deref() == Some(gone.account_number.as_str())), "{numbers:?}");
    let live: Option<String> = audit_entries::table
        .filter(audit_entries::account_id.eq(account.id))
        .select(audit_entries::account_number)
        .first(&mut *conn)
        .unwrap();
    assert_eq!(live.as_deref(), Some(account.account_number.as_str()), "a live account's entries from the account");

    let applied = folder_names("sqlite").len();
    for _ in 0..applied {
        db::revert_last_migration(&mut conn).unwrap();
    }
    assert_eq!(db::run_migrations(&mut conn).unwrap().len(), applied);
    assert_eq!(totals(&mut conn), [(false, 0), (true, 0)]);
}

// 000012 once held what 000013 holds now: a database that recorded it then has all of
// it already, and 000013 applies over it as over one with 000012's country indexes
// alone (every object made again, the country totals counted again from the rows).
async fn the_list_filters_apply_over_either_text_of_000012(db: TestDb) {
    let pool = db.pool();
    let mut conn = TestDb::conn(&pool);
    support::insert_accounts(&mut conn, 30, "6666", "Again", "x % 3 = 0");
    assert_eq!(db::revert_last_migration(&mut conn).unwrap(), "20261201000016");
    assert_eq!(db::revert_last_migration(&mut conn).unwrap(), "20261201000015");
    assert_eq!(db::revert_last_migration(&mut conn).unwrap(), "20261201000014");
    assert_eq!(db::revert_last_migration(&mut conn).unwrap(), "20261201000013");
    let dialect = if conn.is_sqlite() { "sqlite" } else { "postgres" };
    let up = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(dialect)
        .join("2026-12-01-000013_list_filters/up.sql");
    conn.batch_execute(&std::fs::read_to_string(up).unwrap()).unwrap();
    conn.batch_execute("UPDATE accounts SET country = 'DEU' WHERE company_name LIKE 'Again 1%'").unwrap();

    db::run_migrations(&mut conn).unwrap();
    let (kept, counted) = crate::totals::country_totals_and_counts(&mut conn);
    assert_eq!(kept, counted, "counted again from the rows");
    support::insert_accounts(&mut conn, 10, "6667", "After", "TRUE");
    conn.batch_execute("UPDATE accounts SET country = 'JPN' WHERE company_name LIKE 'Again 2%'").unwrap();
    let (kept, counted) = crate::totals::country_totals_and_counts(&mut conn);
    assert_eq!(kept, counted, "one trigger of each kind, not two");
    assert!(kept.iter().any(|(country, _, _)| country == "JPN"), "{kept:?}");
}

on_both_databases!(
    migrations_undo_and_apply_again_over_existing_rows,
    the_list_filters_apply_over_either_text_of_000012
);
