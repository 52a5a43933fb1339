use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use diesel::prelude::*;
use smarter_accounts::db::models::{Account, AccountFlags, AuditEntry};
use smarter_accounts::db::schema::accounts;
use smarter_accounts::domain::{AccountFields, AccountNumber, AccountNumberInput};

use crate::accounts::actor;
use crate::on_both_databases;
use crate::support::TestDb;

const THREADS: usize = 8;
const PER_THREAD: usize = 6;

async fn concurrent_creates_never_share_a_number(db: TestDb) {
    let pool = db.pool();
    // Every writer first tries the same number, so all but one must collide and
    // retry with another.
    let shared = AccountNumber::parse("4242-4242-4242").unwrap();
    let generated = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let (pool, shared, generated) = (pool.clone(), shared.clone(), generated.clone());
            std::thread::spawn(move || {
                let mut conn = TestDb::conn(&pool);
                let mut numbers = Vec::new();
                for i in 0..PER_THREAD {
                    let fields = AccountFields::minimal(&format!("Writer {t} account {i}")).unwrap();
                    let mut first = true;
                    let mut generate = || {
                        generated.fetch_add(1, Ordering::SeqCst);
                        if std::mem::take(&mut first) { shared.clone() } else { AccountNumber::random() }
                    };
                    let account = Account::create(
                        &mut conn,
                        &actor(),
                        &AccountNumberInput::Generate,
                        &fields,
                        AccountFlags::default(),
                        &mut generate,
                    )
                    .expect("every create succeeds");
                    numbers.push(account.value.account_number);
                }
                numbers
            })
        })
        .collect();
    let numbers: Vec<String> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
    assert_eq!(numbers.len(), THREADS * PER_THREAD);
    let distinct: HashSet<&String> = numbers.iter().collect();
    assert_eq!(distinct.len(), numbers.len(), "no number was handed out twice");
    assert!(numbers.contains(&shared.to_string()));
    assert!(
        generated.load(Ordering::SeqCst) >= THREADS * PER_THREAD + (THREADS * PER_THREAD - 1),
        "collisions were retried"
    );

    let mut conn = TestDb::conn(&pool);
    let stored: Vec<String> = accounts::table.select(accounts::account_number).load(&mut *conn).unwrap();
    let stored_distinct: HashSet<&String> = stored.iter().collect();
    assert_eq!(stored.len(), THREADS * PER_THREAD + 1, "every create and the platform account");
    assert_eq!(stored_distinct.len(), stored.len());
    let creates = AuditEntry::count(&mut conn).unwrap();
    assert!(creates >= (THREADS * PER_THREAD) as i64, "each create was audited");
}

async fn concurrent_default_creates_leave_exactly_one_default(db: TestDb) {
    let pool = db.pool();
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let pool = pool.clone();
            std::thread::spawn(move || {
                let mut conn = TestDb::conn(&pool);
                for i in 0..3 {
                    let fields = AccountFields::minimal(&format!("Default {t}-{i}")).unwrap();
                    let flags = AccountFlags { is_active: true, is_default_account: true };
                    Account::create(
                        &mut conn,
                        &actor(),
                        &AccountNumberInput::Generate,
                        &fields,
                        flags,
                        &mut AccountNumber::random,
                    )
                    .expect("every create succeeds");
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let mut conn = TestDb::conn(&pool);
    let defaults: i64 =
        accounts::table.filter(accounts::is_default_account.eq(true)).count().get_result(&mut *conn).unwrap();
    assert_eq!(defaults, 1);
    let total = Account::count(&mut conn).unwrap();
    assert_eq!(total, (THREADS * 3 + 1) as i64);
    // Each create after the first took the flag from the previous default: one
    // "unset_default" entry per move, the platform account's included.
    let moves: i64 = smarter_accounts::db::schema::audit_entries::table
        .filter(smarter_accounts::db::schema::audit_entries::action.eq("unset_default"))
        .count()
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(moves, (THREADS * 3) as i64);
}

on_both_databases!(concurrent_creates_never_share_a_number, concurrent_default_creates_leave_exactly_one_default);
