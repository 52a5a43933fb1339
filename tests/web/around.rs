//! What the account page shows around the account row: on PostgreSQL it comes back as one
//! JSON document, which must hold exactly what the separate queries give.

use chrono::{Datelike, Months, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use smarter_accounts::db::AccountId;
use smarter_accounts::db::models::Account;
use smarter_accounts::db::models::around::{Around, Wanted};
use smarter_accounts::db::schema::{account_contacts, accounts};

use crate::support::{TestDb, insert_accounts};

/// Awkward text everywhere the document carries text: quotes, backslashes, line breaks,
/// accents and characters outside the Basic Multilingual Plane.
const AWKWARD: &str = "Zoë \"Q\" O'Brien \\ 1\n2 \t😀 ";

#[actix_web::test]
async fn the_one_document_holds_what_the_separate_queries_give() {
    let Some(db) = TestDb::postgres() else { return };
    let pool = db.pool();
    let mut conn = TestDb::conn(&pool);
    smarter_accounts::seed::seed(&mut conn, 40, 11, &|_| {}).unwrap();
    insert_accounts(&mut conn, 2, "5558", "Bare", "TRUE");
    // A seeded account (the default account, made when the database was, has no contacts).
    let first: i64 = account_contacts::table
        .select(account_contacts::account_id)
        .order(account_contacts::id)
        .first(&mut *conn)
        .unwrap();
    let text = AWKWARD.replace('\'', "''");
    conn.batch_execute(&format!(
        "INSERT INTO account_contacts (account_id, first_name, last_name, email, email_folded, phone, is_primary,
                                       welcomed, created_at, updated_at)
         VALUES ({first}, '{text}', '{text}', 'odd@example.com', 'odd@example.com', NULL, FALSE, TRUE,
                 '2026-02-03 04:05:06', '2026-02-03 04:05:06.000001');
         INSERT INTO annotations (object_type, object_id, key, value, position, created_at, updated_at)
         VALUES ('account', {first}, 'odd.key/1', '{text}', 99, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);
         UPDATE audit_entries SET summary = '{text}', batch_id = 'b-1' WHERE id = (SELECT MAX(id) FROM audit_entries
                WHERE account_id = {first});"
    ))
    .unwrap();

    let ids: Vec<i64> = accounts::table.select(accounts::id).order(accounts::id).load(&mut *conn).unwrap();
    // The default account, the seeded ones and the bare ones.
    assert_eq!(ids.len(), 43);
    let today = Utc::now().date_naive();
    let month_start = today.with_day(1).unwrap();
    let since = month_start.checked_sub_months(Months::new(11)).unwrap();
    // One entry, fewer than some accounts have (checked below): a wrong limit shows.
    let wanted = Wanted { month_start, since, recent: 1 };
    let mut seen = [0usize; 7];
    for id in ids {
        let id = AccountId(id);
        let separate = Around::one_query_each(&mut conn, id, wanted).unwrap();
        let document = Around::one_document(&mut conn, id, wanted).unwrap();
        assert_eq!(document, separate, "account {id:?}");
        // The row and its document from one statement, found by the account's number.
        let row = Account::find(&mut conn, id).unwrap().unwrap();
        let with_row = Around::load_with_account(&mut conn, &row.account_number, wanted).unwrap();
        assert_eq!(with_row, Some((row, separate.clone())), "account {id:?} by number");
        let parts = [
            separate.tags.len(),
            separate.annotations.len(),
            separate.contacts.len(),
            separate.members.len(),
            separate.billing.len(),
            separate.months.len(),
            separate.history.len(),
        ];
        for (count, part) in seen.iter_mut().zip(parts) {
            *count += usize::from(part > 0);
        }
    }
    let more_than_shown: i64 = diesel::dsl::sql::<diesel::sql_types::BigInt>(
        "SELECT COUNT(*) FROM (SELECT account_id FROM audit_entries GROUP BY account_id HAVING COUNT(*) > 1) a",
    )
    .get_result(&mut *conn)
    .unwrap();
    assert!(more_than_shown > 0, "no account has more history than the page shows");
    // Every part was compared with rows in it on some accounts, and empty on the bare ones.
    assert!(seen.iter().all(|&n| (1..43).contains(&n)), "accounts with each part: {seen:?}");
    let odd = Around::one_document(&mut conn, AccountId(first), wanted).unwrap();
    assert!(odd.contacts.iter().any(|c| c.first_name == AWKWARD && c.phone.is_none()));
    assert!(odd.annotations.iter().any(|a| a.value == AWKWARD));
    assert!(odd.history.iter().any(|e| e.summary == AWKWARD && e.batch_id.as_deref() == Some("b-1")));
    assert_eq!(Around::load_with_account(&mut conn, "0000-0000-0000", wanted).unwrap(), None);
}
