use std::sync::Arc;
use std::time::Duration;

use diesel::prelude::*;
use smarter_accounts::cache::{CacheKey, ObjectCache};
use smarter_accounts::db::AccountId;
use smarter_accounts::db::models::{Account, AccountError, AccountLookup};
use smarter_accounts::db::schema::accounts;
use smarter_accounts::domain::AccountFields;
use smarter_accounts::store::Store;

use crate::accounts::{actor, create, raw};
use crate::on_both_databases;
use crate::support::{self, TestDb, notice};

/// Changes a row behind the cache's back, so a cached read is told from a fresh one.
fn rename_directly(store: &Store, id: AccountId, name: &str) {
    let mut conn = TestDb::conn(store.pool());
    diesel::update(accounts::table.find(id)).set(accounts::company_name.eq(name)).execute(&mut *conn).unwrap();
}

async fn update_company(store: &Store, account: &Account, company: &str) -> Account {
    let fields = AccountFields::parse(&raw(company)).unwrap();
    let (id, version) = (account.id, account.lock_version);
    store
        .write(move |conn| Account::update(conn, &actor(), id, version, None, &fields, None))
        .await
        .map_err(|e: AccountError| e)
        .unwrap()
}

async fn check_lookups_and_invalidation(reader: &Store, writer: &Store) {
    let mut conn = TestDb::conn(writer.pool());
    let account = create(&mut conn, "Cached Co");
    drop(conn);
    let lookups = [
        AccountLookup::Pk(account.id),
        AccountLookup::Name(account.name.clone()),
        AccountLookup::AccountNumber(account.account_number.clone()),
        AccountLookup::CompanyName("Cached Co".into()),
    ];
    // Twice: the very first read only starts the cache's generation.
    for lookup in lookups.iter().chain(lookups.iter()) {
        assert_eq!(reader.get_cached_object(lookup.clone()).await.unwrap().unwrap().id, account.id, "{lookup:?}");
    }
    // The second read comes from the cache: a change made behind its back is not seen.
    rename_directly(writer, account.id, "Behind The Back");
    let cached = reader.get_cached_object(AccountLookup::Pk(account.id)).await.unwrap().unwrap();
    assert_eq!(cached.company_name, "Cached Co", "served from the cache");

    // A write through the store invalidates every key, old and new values alike.
    let updated = update_company(writer, &cached, "Renamed Co").await;
    assert_eq!(updated.company_name, "Renamed Co");
    let by_pk = reader.get_cached_object(AccountLookup::Pk(account.id)).await.unwrap().unwrap();
    assert_eq!(by_pk.company_name, "Renamed Co");
    assert_eq!(
        reader.get_cached_object(AccountLookup::AccountNumber(account.account_number.clone())).await.unwrap().unwrap(),
        updated
    );
    assert!(
        reader.get_cached_object(AccountLookup::CompanyName("Cached Co".into())).await.unwrap().is_none(),
        "the old value's key was dropped"
    );
    assert_eq!(
        reader.get_cached_object(AccountLookup::CompanyName("Renamed Co".into())).await.unwrap().unwrap().id,
        account.id
    );
    assert!(reader.get_cached_object(AccountLookup::Pk(AccountId(-1))).await.unwrap().is_none(), "a miss is None");
    assert!(reader.get_cached_object(AccountLookup::Name("noSuchName".into())).await.unwrap().is_none());
}

async fn cached_lookups_see_every_write_made_through_the_store(db: TestDb) {
    let pool = db.pool();
    let store = support::store(&pool);
    check_lookups_and_invalidation(&store, &store).await;
}

async fn two_instances_sharing_redis_see_each_others_writes(db: TestDb) {
    let Ok(redis_url) = std::env::var("TEST_REDIS_URL") else {
        notice("skipped: Redis cache test (set TEST_REDIS_URL to run it)");
        return;
    };
    let pool = db.pool();
    let prefix = db.settings().cache_prefix;
    let open = || ObjectCache::redis(&redis_url, &prefix, Duration::from_secs(60), &[9; 64], Default::default());
    let first = Store::new(pool.clone(), Arc::new(open().await.unwrap()));
    let second = Store::new(pool.clone(), Arc::new(open().await.unwrap()));
    check_lookups_and_invalidation(&first, &second).await;
}

on_both_databases!(
    cached_lookups_see_every_write_made_through_the_store,
    two_instances_sharing_redis_see_each_others_writes
);

#[actix_web::test]
async fn a_zero_lifetime_turns_the_cache_off() {
    let db = TestDb::sqlite();
    let pool = db.pool();
    let store = Store::new(pool.clone(), Arc::new(ObjectCache::local(Duration::ZERO)));
    let mut conn = TestDb::conn(&pool);
    let account = create(&mut conn, "Uncached");
    assert_eq!(store.get_cached_object(AccountLookup::Pk(account.id)).await.unwrap().unwrap().company_name, "Uncached");
    rename_directly(&store, account.id, "Fresh");
    assert_eq!(store.get_cached_object(AccountLookup::Pk(account.id)).await.unwrap().unwrap().company_name, "Fresh");
}

#[actix_web::test]
async fn a_read_that_raced_a_write_is_not_served_afterwards() {
    let cache = ObjectCache::local(Duration::from_secs(60));
    let key = CacheKey::Account(AccountLookup::Pk(AccountId(1)));
    let _ = cache.generation().await; // start a generation
    let seen = cache.generation().await;
    // A writer commits and invalidates between the reader's database read and its put.
    cache.invalidate(std::slice::from_ref(&key)).await;
    cache.put(&key, &"old row".to_owned(), &seen).await;
    let now = cache.generation().await;
    assert_eq!(cache.get::<String>(&key, &now).await, None);
    cache.put(&key, &"new row".to_owned(), &now).await;
    assert_eq!(cache.get::<String>(&key, &now).await.as_deref(), Some("new row"));
    // In process the value is kept as it is: read back as another type, it is a miss.
    assert_eq!(cache.get::<i64>(&key, &now).await, None);
}
