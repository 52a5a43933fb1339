//! What the database keeps by trigger for the list's counts: the account totals (the
//! unfiltered list's count, and each country's by status) match a real `COUNT(*)` after
//! every kind of write, one row or many, on both backends, and concurrent moves between
//! active and inactive neither deadlock nor drift; a search's count follows creates,
//! renames, bulk updates and deletes.

use diesel::connection::SimpleConnection;
use diesel::dsl::count_star;
use diesel::prelude::*;
use smarter_accounts::db::models::Account;
use smarter_accounts::db::schema::{account_country_totals, account_totals, accounts};
use smarter_accounts::db::{AccountId, DbConnection};
use smarter_accounts::domain::AccountFields;

use crate::accounts::{actor, create, raw};
use crate::on_both_databases;
use crate::support::{self, TestDb};

/// (active, inactive) as the totals say and as `COUNT(*)` says.
fn totals_and_counts(conn: &mut DbConnection) -> ((i64, i64), (i64, i64)) {
    let kept = |conn: &mut DbConnection, active: bool| -> i64 {
        account_totals::table
            .filter(account_totals::is_active.eq(active))
            .select(account_totals::accounts)
            .first(conn)
            .unwrap()
    };
    let counted = |conn: &mut DbConnection, active: bool| -> i64 {
        accounts::table.filter(accounts::is_active.eq(active)).select(count_star()).first(conn).unwrap()
    };
    ((kept(conn, true), kept(conn, false)), (counted(conn, true), counted(conn, false)))
}

pub type CountryTotals = Vec<(String, bool, i64)>;

/// Every country's (non-empty) totals by status, as kept and as `GROUP BY` counts them.
pub fn country_totals_and_counts(conn: &mut DbConnection) -> (CountryTotals, CountryTotals) {
    use account_country_totals as t;
    let kept = t::table
        .filter(t::accounts.gt(0))
        .select((t::country, t::is_active, t::accounts))
        .order((t::country, t::is_active))
        .load(conn)
        .unwrap();
    let counted = accounts::table
        .group_by((accounts::country, accounts::is_active))
        .select((accounts::country, accounts::is_active, count_star()))
        .order((accounts::country, accounts::is_active))
        .load(conn)
        .unwrap();
    (kept, counted)
}

/// `n` accounts in one statement, every third one inactive.
fn insert_many(conn: &mut DbConnection, n: usize) {
    support::insert_accounts(conn, n, "7777", "Many", "x % 3 <> 0");
}

async fn the_totals_follow_every_write(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let mut conn = TestDb::conn(&pool);
    assert_eq!(totals_and_counts(&mut conn), ((1, 0), (1, 0)), "the platform account, from the migration");

    let acme = create(&mut conn, "Acme");
    let globex = create(&mut conn, "Globex");
    insert_many(&mut conn, 300);
    assert_eq!(totals_and_counts(&mut conn), ((203, 100), (203, 100)), "one row at a time and 300 in one statement");

    Account::set_active(&mut conn, &actor(), acme.id, false).unwrap();
    let fields = AccountFields::parse(&raw("Globex Renamed")).unwrap();
    Account::update(&mut conn, &actor(), globex.id, globex.lock_version, None, &fields, None).unwrap();
    Account::delete(&mut conn, &actor(), globex.id).unwrap();
    conn.batch_execute("UPDATE accounts SET is_active = NOT is_active WHERE company_name LIKE 'Many %'").unwrap();
    conn.batch_execute("DELETE FROM accounts WHERE company_name IN ('Many 1', 'Many 3')").unwrap();
    let (kept, counted) = totals_and_counts(&mut conn);
    assert_eq!(kept, counted);
    assert_eq!(kept, (100, 200), "platform + 99 flipped back; acme + 199 flipped away");
    let (kept, counted) = country_totals_and_counts(&mut conn);
    assert_eq!(kept, counted);
    // Moving accounts between countries, some with their status at once.
    conn.batch_execute("UPDATE accounts SET country = 'DEU' WHERE company_name LIKE 'Many 1%'").unwrap();
    conn.batch_execute(
        "UPDATE accounts SET country = 'JPN', is_active = NOT is_active WHERE company_name LIKE 'Many 2%'",
    )
    .unwrap();
    let (kept, counted) = country_totals_and_counts(&mut conn);
    assert_eq!(kept, counted);
    assert!(kept.iter().any(|(country, _, _)| country == "JPN") && kept.len() >= 4, "{kept:?}");
    conn.batch_execute("UPDATE accounts SET is_active = NOT is_active WHERE company_name LIKE 'Many 2%'").unwrap();
    let (kept, counted) = country_totals_and_counts(&mut conn);
    assert_eq!(kept, counted, "the statuses flipped back");
    let deu: i64 = kept.iter().filter(|(c, _, _)| c == "DEU").map(|(_, _, n)| n).sum();
    let deu_inactive: i64 = kept.iter().filter(|(c, active, _)| c == "DEU" && !active).map(|(_, _, n)| n).sum();
    drop(conn);

    let page = root.get(&app, "/accounts").await;
    assert_eq!(page.texts("#count"), ["300 accounts"]);
    let inactive = root.get(&app, "/accounts?active=no").await;
    assert_eq!(inactive.texts("#count"), ["200 accounts"]);
    let active = root.get(&app, "/accounts?active=yes").await;
    assert_eq!(active.texts("#count"), ["100 accounts"]);
    let by_country = root.get(&app, "/accounts?country=DEU").await;
    assert_eq!(by_country.texts("#count"), [format!("{deu} accounts")]);
    let by_both = root.get(&app, "/accounts?country=DEU&active=no").await;
    assert_eq!(by_both.texts("#count"), [format!("{deu_inactive} accounts")]);
    let narrowed = root.get(&app, "/accounts?active=no&q=Acme").await;
    assert_eq!(narrowed.texts("#count"), ["1 account"], "a search is still counted by the search");
}

async fn moves_between_active_and_inactive_at_once_keep_the_totals(db: TestDb) {
    let pool = db.pool();
    let mut conn = TestDb::conn(&pool);
    let ids: Vec<AccountId> = (0..4).map(|i| create(&mut conn, &format!("Mover {i}")).id).collect();
    drop(conn);
    std::thread::scope(|s| {
        for (n, id) in ids.iter().copied().enumerate() {
            let pool = pool.clone();
            s.spawn(move || {
                let mut conn = TestDb::conn(&pool);
                for round in 0..15 {
                    let active = (round + n) % 2 == 1;
                    Account::set_active(&mut conn, &actor(), id, active).expect("no deadlock, no lock error");
                }
            });
        }
    });
    let (kept, counted) = totals_and_counts(&mut TestDb::conn(&pool));
    assert_eq!(kept, counted);
    assert_eq!(kept.0 + kept.1, 5);
    let (kept, counted) = country_totals_and_counts(&mut TestDb::conn(&pool));
    assert_eq!(kept, counted);
}

/// On PostgreSQL, the search texts kept beside the accounts: one per account, each the
/// lower-cased text a search looks in. (SQLite's FTS5 index keeps itself.)
fn stale_search_texts(conn: &mut DbConnection) -> i64 {
    #[derive(QueryableByName)]
    struct Stale {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    if conn.is_sqlite() {
        return 0;
    }
    diesel::sql_query(
        "SELECT COUNT(*) AS n FROM accounts a FULL JOIN accounts_search_texts t ON t.account_id = a.id
         WHERE t.searched IS DISTINCT FROM
               lower(a.company_name || ' ' || a.name || ' ' || coalesce(a.city, '') || ' ' || a.account_number)",
    )
    .get_result::<Stale>(conn)
    .unwrap()
    .n
}

async fn search_counts_follow_every_write(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let mut conn = TestDb::conn(&pool);
    create(&mut conn, "Zephyr One");
    let two = create(&mut conn, "Zephyr Two");
    let three = create(&mut conn, "Zephyr Three");
    insert_many(&mut conn, 300);
    let fields = AccountFields::parse(&raw("Quasar Two")).unwrap();
    Account::update(&mut conn, &actor(), two.id, two.lock_version, None, &fields, None).unwrap();
    Account::delete(&mut conn, &actor(), three.id).unwrap();
    // "Many 1", "Many 10"–"Many 19" and "Many 100"–"Many 199" move to Kyoto; two go.
    conn.batch_execute("UPDATE accounts SET city = 'Kyoto' WHERE company_name LIKE 'Many 1%'").unwrap();
    conn.batch_execute("DELETE FROM accounts WHERE company_name IN ('Many 1', 'Many 3')").unwrap();
    Account::set_active(&mut conn, &actor(), two.id, false).unwrap();
    assert_eq!(stale_search_texts(&mut conn), 0, "one text per account, as it is now");
    drop(conn);

    for (q, expected) in
        [("zephyr", "1 account"), ("QUASAR", "1 account"), ("kyoto", "110 accounts"), ("many", "298 accounts")]
    {
        let page = root.get(&app, &format!("/accounts?q={q}")).await;
        assert_eq!(page.texts("#count"), [expected], "q={q}");
    }
    assert_eq!(root.get(&app, "/accounts?q=ephyr+on").await.texts("#count"), ["1 account"], "any substring");
    assert_eq!(root.get(&app, "/accounts?q=50%25").await.texts("#count"), ["0 accounts"], "% is a character");
}

on_both_databases!(
    the_totals_follow_every_write,
    moves_between_active_and_inactive_at_once_keep_the_totals,
    search_counts_follow_every_write
);
