//! Charges, their roll-up and the demo data.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

use diesel::prelude::*;
use smarter_accounts::db::DbConnection;
use smarter_accounts::db::models::charge::{self, ChargeError, NewCharge};
use smarter_accounts::db::models::{Account, Actor, UserProfile};
use smarter_accounts::db::schema::{account_contacts, accounts, charges, daily_billing_records};

use crate::accounts::{actor, create};
use crate::members::user;
use crate::on_both_databases;
use crate::support::TestDb;

fn new_charge(profile: i64, provider: &str, prompt: i64, completion: i64) -> NewCharge {
    NewCharge {
        user_profile_id: profile,
        provider: provider.to_owned(),
        charge_type: "completion".to_owned(),
        prompt_tokens: prompt,
        completion_tokens: completion,
        model: "gpt-4o".to_owned(),
        reference: "test".to_owned(),
    }
}

fn totals(conn: &mut DbConnection) -> (i64, i64) {
    let billed: Vec<i64> = daily_billing_records::table.select(daily_billing_records::total_tokens).load(conn).unwrap();
    let pending: Vec<i64> = charges::table.select(charges::total_tokens).load(conn).unwrap();
    (billed.iter().sum(), pending.iter().sum())
}

async fn charges_roll_up_into_daily_records_exactly_once(db: TestDb) {
    let pool = db.pool();
    let mut conn = TestDb::conn(&pool);
    let account = create(&mut conn, "Billed Co");
    let jane = user(&mut conn, "jane");
    let bob = user(&mut conn, "bob");
    let jp = UserProfile::add(&mut conn, &actor(), &jane, &account).unwrap();
    let bp = UserProfile::add(&mut conn, &actor(), &bob, &account).unwrap();
    for (profile, provider, p, c) in
        [(jp.id, "openai", 10, 5), (jp.id, "openai", 20, 5), (jp.id, "metaai", 1, 1), (bp.id, "openai", 7, 3)]
    {
        charge::record(&mut conn, &new_charge(profile, provider, p, c)).unwrap();
    }
    let done = charge::aggregate(&mut conn).unwrap();
    assert_eq!((done.charges, done.records), (4, 3));
    let jane_openai: (i64, i64, i64) = daily_billing_records::table
        .filter(daily_billing_records::user_id.eq(jane.id))
        .filter(daily_billing_records::provider.eq("openai"))
        .select((
            daily_billing_records::prompt_tokens,
            daily_billing_records::completion_tokens,
            daily_billing_records::total_tokens,
        ))
        .first(&mut *conn)
        .unwrap();
    assert_eq!(jane_openai, (30, 10, 40));
    assert_eq!(totals(&mut conn), (40 + 2 + 10, 0));
    assert_eq!(charge::aggregate(&mut conn).unwrap(), Default::default(), "a second run finds nothing");
    charge::record(&mut conn, &new_charge(jp.id, "openai", 1, 1)).unwrap();
    charge::aggregate(&mut conn).unwrap();
    let jane_openai_total: i64 = daily_billing_records::table
        .filter(daily_billing_records::user_id.eq(jane.id))
        .filter(daily_billing_records::provider.eq("openai"))
        .select(daily_billing_records::total_tokens)
        .first(&mut *conn)
        .unwrap();
    assert_eq!(jane_openai_total, 42, "added into the same day's record");
}

async fn aggregation_concurrent_with_new_charges_loses_and_doubles_nothing(db: TestDb) {
    let pool = db.pool();
    let mut conn = TestDb::conn(&pool);
    let account = create(&mut conn, "Busy Co");
    let jane = user(&mut conn, "jane");
    let profile = UserProfile::add(&mut conn, &actor(), &jane, &account).unwrap().id;
    drop(conn);
    let stop = Arc::new(AtomicBool::new(false));
    let charged = Arc::new(AtomicI64::new(0));
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let (pool, stop, charged) = (pool.clone(), stop.clone(), charged.clone());
            std::thread::spawn(move || {
                let mut conn = TestDb::conn(&pool);
                let mut i = 0;
                while !stop.load(Ordering::SeqCst) || i < 50 {
                    let tokens = 1 + (i % 7) + w;
                    charge::record(&mut conn, &new_charge(profile, charge::PROVIDERS[(i % 3) as usize], tokens, 1))
                        .unwrap();
                    charged.fetch_add(tokens + 1, Ordering::SeqCst);
                    i += 1;
                }
            })
        })
        .collect();
    let aggregators: Vec<_> = (0..2)
        .map(|_| {
            let pool = pool.clone();
            std::thread::spawn(move || {
                let mut conn = TestDb::conn(&pool);
                for _ in 0..10 {
                    charge::aggregate(&mut conn).unwrap();
                }
            })
        })
        .collect();
    for a in aggregators {
        a.join().unwrap();
    }
    stop.store(true, Ordering::SeqCst);
    for w in writers {
        w.join().unwrap();
    }
    let mut conn = TestDb::conn(&pool);
    charge::aggregate(&mut conn).unwrap();
    assert_eq!(totals(&mut conn), (charged.load(Ordering::SeqCst), 0), "every token billed exactly once");
}

async fn an_inactive_account_cannot_be_charged(db: TestDb) {
    let pool = db.pool();
    let mut conn = TestDb::conn(&pool);
    let account = create(&mut conn, "Dormant Co");
    let jane = user(&mut conn, "jane");
    let profile = UserProfile::add(&mut conn, &actor(), &jane, &account).unwrap().id;
    Account::set_active(&mut conn, &Actor::system(), account.id, false).unwrap();
    let refused = charge::record(&mut conn, &new_charge(profile, "openai", 1, 1));
    assert!(matches!(refused, Err(ChargeError::Refused(_))), "{refused:?}");
    assert!(matches!(charge::record(&mut conn, &new_charge(profile, "nobody", 1, 1)), Err(ChargeError::Refused(_))));
    assert!(matches!(charge::record(&mut conn, &new_charge(profile, "openai", -1, 1)), Err(ChargeError::Refused(_))));
    assert!(matches!(
        charge::record(&mut conn, &new_charge(profile, "openai", i64::MAX, 1)),
        Err(ChargeError::Refused(_))
    ));
    assert_eq!(totals(&mut conn), (0, 0));
}

async fn demo_data_fills_every_table_and_depends_only_on_the_seed(db: TestDb) {
    let pool = db.pool();
    let mut conn = TestDb::conn(&pool);
    let done = smarter_accounts::seed::seed(&mut conn, 120, 7, &|_| {}).unwrap();
    assert_eq!(done.accounts, 120);
    let count = |conn: &mut DbConnection, table: &str| -> i64 {
        #[derive(QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}")).get_result::<N>(conn).unwrap().n
    };
    for table in [
        "accounts",
        "users",
        "user_profiles",
        "account_contacts",
        "tagged_items",
        "annotations",
        "daily_billing_records",
        "charges",
        "audit_entries",
        "email_outbox",
    ] {
        assert!(count(&mut conn, table) > 0, "{table} is empty");
    }
    // Each account has exactly one primary contact.
    let primaries: i64 =
        account_contacts::table.filter(account_contacts::is_primary.eq(true)).count().get_result(&mut *conn).unwrap();
    assert_eq!(primaries, 120);
}

on_both_databases!(
    charges_roll_up_into_daily_records_exactly_once,
    aggregation_concurrent_with_new_charges_loses_and_doubles_nothing,
    an_inactive_account_cannot_be_charged,
    demo_data_fills_every_table_and_depends_only_on_the_seed
);

fn company_names(seed: u64) -> Vec<(String, String)> {
    let db = TestDb::sqlite();
    let pool = db.pool();
    let mut conn = TestDb::conn(&pool);
    smarter_accounts::seed::seed(&mut conn, 40, seed, &|_| {}).unwrap();
    accounts::table
        .filter(accounts::is_default_account.eq(false))
        .order(accounts::id.asc())
        .select((accounts::account_number, accounts::company_name))
        .load(&mut *conn)
        .unwrap()
}

#[test]
fn the_same_seed_gives_the_same_accounts() {
    let first = company_names(11);
    assert_eq!(first.len(), 40);
    assert_eq!(first, company_names(11));
    assert_ne!(first, company_names(12));
}
