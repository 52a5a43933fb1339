use std::sync::Arc;
use std::time::Duration;

use diesel::prelude::*;
use smarter_accounts::cache::{CacheKey, ObjectCache, Stamp, per_request};
use smarter_accounts::db::AccountId;
use smarter_accounts::db::models::account_list::{AccountFilter, ListQuery, Scope, Search, Sort};
use smarter_accounts::db::models::{Account, AccountContact, AccountError, AccountLookup, ContactError};
use smarter_accounts::db::schema::accounts;
use smarter_accounts::db::{DbConnection, StoreError};
use smarter_accounts::domain::AccountFields;
use smarter_accounts::store::{ListedAccounts, Store};

use crate::accounts::{actor, create, raw};
use crate::on_both_databases;
use crate::support::{self, TestDb, notice};

/// Changes a row behind the cache's back, so a cached read is told from a fresh one.
pub(crate) fn rename_directly(store: &Store, id: AccountId, name: &str) {
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

/// Two stores on `db`, each with its own connection to the Redis of `TEST_REDIS_URL`, as
/// two instances have; `None` (with a notice) without it.
pub(crate) async fn two_instances_sharing_redis(db: &TestDb) -> Option<(Store, Store)> {
    let Ok(redis_url) = std::env::var("TEST_REDIS_URL") else {
        notice("skipped: Redis cache test (set TEST_REDIS_URL to run it)");
        return None;
    };
    let pool = db.pool();
    let prefix = db.settings().cache_prefix;
    let open = || ObjectCache::redis(&redis_url, &prefix, Duration::from_secs(60), &[9; 64], Default::default());
    let first = Store::new(pool.clone(), Arc::new(open().await.unwrap()));
    let second = Store::new(pool.clone(), Arc::new(open().await.unwrap()));
    Some((first, second))
}

async fn two_instances_sharing_redis_see_each_others_writes(db: TestDb) {
    if let Some((first, second)) = two_instances_sharing_redis(&db).await {
        check_lookups_and_invalidation(&first, &second).await;
    }
}

pub(crate) fn query(filter: AccountFilter, sort: &str) -> ListQuery {
    ListQuery { scope: Scope::All, filter, sort: Sort::parse(sort).unwrap(), cursor: None, per_page: 50 }
}

pub(crate) fn search(text: &str) -> ListQuery {
    query(AccountFilter { search: Search::parse(text), ..AccountFilter::default() }, "-created_at")
}

pub(crate) fn companies(listed: &ListedAccounts) -> Vec<&str> {
    listed.page.rows.iter().map(|a| a.company_name.as_str()).collect()
}

/// What the account page keeps around an account, here just its company name as read.
pub(crate) async fn around(store: &Store, id: AccountId) -> String {
    let key = CacheKey::AccountPage { account_id: id, month: chrono::NaiveDate::MIN };
    let load = move |conn: &mut DbConnection| {
        let row = Account::find(conn, id).map_err(StoreError::from)?;
        Ok::<_, StoreError>(row.map(|a| a.company_name).unwrap_or_default())
    };
    store.cached(key, load).await.unwrap()
}

async fn check_writes_keep_what_they_did_not_change(reader: &Store, writer: &Store) {
    let mut conn = TestDb::conn(writer.pool());
    let moved = create(&mut conn, "Narrow Moved");
    let kept = create(&mut conn, "Narrow Kept");
    drop(conn);
    let active = query(AccountFilter { active: Some(true), ..AccountFilter::default() }, "company_name");
    // Twice: the very first read only starts the cache's generation.
    for _ in 0..2 {
        reader.get_cached_object(AccountLookup::Pk(kept.id)).await.unwrap();
        around(reader, kept.id).await;
        for listed in [search("Narrow Kept"), search("Narrow Moved"), active.clone()] {
            reader.account_list(listed).await.unwrap();
        }
    }
    rename_directly(writer, kept.id, "Narrow Kept Behind");

    // Deactivating one account retires what shows it and what filters by status...
    let id = moved.id;
    writer.write(move |conn| Account::set_active(conn, &actor(), id, false)).await.unwrap();
    let shown = reader.account_list(search("Narrow Moved")).await.unwrap();
    assert!(!shown.page.rows[0].is_active, "the page holding the account is read again");
    let by_status = reader.account_list(active.clone()).await.unwrap();
    assert!(companies(&by_status).contains(&"Narrow Kept Behind"), "the status filter is read again");
    assert!(!companies(&by_status).contains(&"Narrow Moved"));
    assert!(!reader.get_cached_object(AccountLookup::Pk(id)).await.unwrap().unwrap().is_active);
    // ... and keeps the rest: the other account's row, page and searches.
    let row = reader.get_cached_object(AccountLookup::Pk(kept.id)).await.unwrap().unwrap();
    assert_eq!(row.company_name, "Narrow Kept", "another account's row stays cached");
    assert_eq!(around(reader, kept.id).await, "Narrow Kept", "another account's page stays cached");
    assert_eq!(companies(&reader.account_list(search("Narrow Kept")).await.unwrap()), ["Narrow Kept"]);

    // Renaming retires searches (they read the name), even those not showing the account.
    let moved = writer.get_cached_object(AccountLookup::Pk(id)).await.unwrap().unwrap();
    assert_eq!(moved.id, shown.page.rows[0].id);
    update_company(writer, &moved, "Narrow Renamed").await;
    assert_eq!(companies(&reader.account_list(search("Narrow Kept")).await.unwrap()), ["Narrow Kept Behind"]);
    assert_eq!(around(reader, kept.id).await, "Narrow Kept", "not the other account's page");

    // A contact added to an account retires that account's page, and no list or row.
    let holding = reader.account_list(search("Narrow Kept")).await.unwrap();
    rename_directly(writer, kept.id, "Narrow Kept Again");
    let contact = crate::contacts::contact("Ada", "ada@narrow.example", false);
    let account_id = kept.id;
    writer
        .write(move |conn| AccountContact::create(conn, &actor(), account_id, &contact))
        .await
        .unwrap_or_else(|e: ContactError| panic!("{e:?}"));
    assert_eq!(around(reader, kept.id).await, "Narrow Kept Again", "its page is read again");
    let listed = reader.account_list(search("Narrow Kept")).await.unwrap();
    assert_eq!(companies(&listed), companies(&holding), "the list holding it is kept");
    let row = reader.get_cached_object(AccountLookup::Pk(kept.id)).await.unwrap().unwrap();
    assert_eq!(row.company_name, "Narrow Kept", "its row did not change");
}

async fn writes_keep_what_they_did_not_change_in_process(db: TestDb) {
    let store = support::store(&db.pool());
    check_writes_keep_what_they_did_not_change(&store, &store).await;
}

async fn writes_keep_what_they_did_not_change_across_instances(db: TestDb) {
    if let Some((first, second)) = two_instances_sharing_redis(&db).await {
        check_writes_keep_what_they_did_not_change(&first, &second).await;
    }
}

on_both_databases!(
    cached_lookups_see_every_write_made_through_the_store,
    two_instances_sharing_redis_see_each_others_writes,
    writes_keep_what_they_did_not_change_in_process,
    writes_keep_what_they_did_not_change_across_instances
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

/// A cache in the Redis of `TEST_REDIS_URL` under `prefix`, as one instance opens it.
async fn redis_cache(prefix: &str) -> Option<ObjectCache> {
    let Ok(url) = std::env::var("TEST_REDIS_URL") else {
        notice("skipped: Redis cache test (set TEST_REDIS_URL to run it)");
        return None;
    };
    Some(ObjectCache::redis(&url, prefix, Duration::from_secs(60), &[9; 64], Default::default()).await.unwrap())
}

fn page_of(id: i64) -> CacheKey {
    CacheKey::AccountPage { account_id: AccountId(id), month: chrono::NaiveDate::MIN }
}

/// Looks `key` up in `cache` and stores `value` under it when it is missing; what the
/// lookup found.
async fn look_up_or_keep(cache: &ObjectCache, key: &CacheKey, value: &str) -> Option<String> {
    let (seen, hit) = cache.lookup::<String>(key).await;
    if hit.is_none() {
        cache.put(key, &value.to_owned(), &seen).await;
    }
    hit
}

#[actix_web::test]
async fn with_redis_a_request_asks_once_and_sees_every_earlier_write() {
    let prefix = format!("sa-test-near-{}", support::random_suffix());
    let (Some(here), Some(there)) = (redis_cache(&prefix).await, redis_cache(&prefix).await) else { return };
    let (first, second) = (page_of(1), page_of(2));
    here.generation().await; // the very first read only starts the generation
    for key in [&first, &second] {
        assert_eq!(look_up_or_keep(&here, key, "kept").await, None);
    }
    // Held entries: one request asks Redis once, however many it reads.
    let before = here.redis_calls().unwrap();
    per_request(async {
        assert_eq!(here.lookup::<String>(&first).await.1.as_deref(), Some("kept"));
        assert_eq!(here.lookup::<String>(&second).await.1.as_deref(), Some("kept"));
        assert_eq!(here.lookup::<String>(&first).await.1.as_deref(), Some("kept"));
    })
    .await;
    assert_eq!(here.redis_calls().unwrap() - before, 1, "one round trip for three held entries");

    // Another instance's narrow write retires the held entry it names, and no other.
    there.renew(&[Stamp::Account(AccountId(1))]).await;
    per_request(async {
        assert_eq!(here.lookup::<String>(&second).await.1.as_deref(), Some("kept"));
        // Read under an earlier counter than the request saw: its stamps are asked for.
        assert_eq!(look_up_or_keep(&here, &first, "read again").await, None, "renewed elsewhere");
    })
    .await;
    // The other instance finds what this one stored, and holds it from then on.
    assert_eq!(there.lookup::<String>(&first).await.1.as_deref(), Some("read again"));

    // A request's own write is seen by its later reads.
    per_request(async {
        assert_eq!(here.lookup::<String>(&second).await.1.as_deref(), Some("kept"));
        here.renew(&[Stamp::Around(AccountId(2))]).await;
        assert_eq!(here.lookup::<String>(&second).await.1, None, "renewed by this request");
    })
    .await;

    // A write elsewhere that renews everything retires every held entry, on both.
    for key in [&first, &second] {
        look_up_or_keep(&here, key, "again").await;
    }
    there.invalidate(&[]).await;
    per_request(async {
        assert_eq!(here.lookup::<String>(&first).await.1, None);
        assert_eq!(here.lookup::<String>(&second).await.1, None);
    })
    .await;
    assert_eq!(there.lookup::<String>(&first).await.1, None);
}

/// Replaces the entry under `key` in Redis with what `edit` makes of its JSON, sealed as
/// an instance with the tests' secret seals it.
async fn rewrite_entry(prefix: &str, key: &CacheKey, edit: impl Fn(&str) -> String) {
    let url = std::env::var("TEST_REDIS_URL").unwrap();
    let mut conn = redis::Client::open(url).unwrap().get_multiplexed_async_connection().await.unwrap();
    let name = format!("{prefix}:objects:{key}");
    let stored: String = redis::cmd("GET").arg(&name).query_async(&mut conn).await.unwrap();
    let json = edit(stored.split_once('.').unwrap().1);
    let seal = smarter_accounts::redis_guard::Seal::new(&[9; 64], "object-cache");
    let sealed = format!("{}.{json}", seal.tag(&[key.to_string().as_bytes(), json.as_bytes()]));
    let _: () = redis::cmd("SET").arg(&name).arg(sealed).query_async(&mut conn).await.unwrap();
}

#[actix_web::test]
async fn with_redis_entries_of_an_earlier_form_are_not_trusted() {
    let prefix = format!("sa-test-form-{}", support::random_suffix());
    let Some(here) = redis_cache(&prefix).await else { return };
    let key = page_of(1);
    here.generation().await; // the very first read only starts the generation
    assert_eq!(look_up_or_keep(&here, &key, "kept").await, None);
    // Sealed again as it was: another instance (holding no copy) finds it.
    rewrite_entry(&prefix, &key, str::to_owned).await;
    let there = redis_cache(&prefix).await.unwrap();
    assert_eq!(there.lookup::<String>(&key).await.1.as_deref(), Some("kept"));
    // As an earlier version stored it (naming fewer stamps, without its form): ignored.
    rewrite_entry(&prefix, &key, |json| json.replacen("\"form\":2,", "", 1)).await;
    let later = redis_cache(&prefix).await.unwrap();
    assert_eq!(later.lookup::<String>(&key).await.1, None);
}
