//! Writes that change many accounts, or add one, keep what they did not change in the
//! object cache: a bulk action, the revert of one, a new account and a moved default
//! flag retire only the rows and pages that show what they changed; so do a membership
//! and a write to a user.

use smarter_accounts::cache::CacheKey;
use smarter_accounts::db::models::account_list::{AccountFilter, Count, ListQuery, Scope};
use smarter_accounts::db::models::audit::AuditEntry;
use smarter_accounts::db::models::billing_ledger::BillingFilter;
use smarter_accounts::db::models::{
    Account, AccountError, AccountLookup, BulkChange, MembershipError, User, UserProfile, revert,
};
use smarter_accounts::db::{AccountId, DbConnection, StoreError, UserId};
use smarter_accounts::store::Store;

use crate::accounts::{actor, create};
use crate::cache::{around, companies, query, rename_directly, search, two_instances_sharing_redis};
use crate::on_both_databases;
use crate::support::{self, TestDb};

async fn row(store: &Store, id: AccountId) -> Account {
    store.get_cached_object(AccountLookup::Pk(id)).await.unwrap().unwrap()
}

async fn count(store: &Store) -> Count {
    store.account_list(query(AccountFilter::default(), "company_name")).await.unwrap().count
}

/// What the billing totals keep, here the number of accounts as read: a deletion takes
/// billing records with it, so it retires them, and nothing else here does.
async fn billing(store: &Store) -> i64 {
    let day = chrono::NaiveDate::MIN;
    let filter =
        BillingFilter { scope: Scope::All, from: day, to: day, account: None, provider: None, charge_type: None };
    let load = |conn: &mut DbConnection| {
        use diesel::prelude::*;
        smarter_accounts::db::schema::accounts::table.count().get_result::<i64>(conn).map_err(StoreError::from)
    };
    store.cached(CacheKey::BillingSummary(filter), load).await.unwrap()
}

fn batch_of(conn: &mut DbConnection, id: AccountId) -> String {
    let entries = AuditEntry::for_object(conn, "account", id.into()).unwrap();
    entries.last().and_then(|e| e.batch_id.clone()).expect("a bulk action's entry has a batch id")
}

async fn make_default(store: &Store, id: AccountId) {
    store.write(move |conn| Account::make_default(conn, &actor(), id)).await.map_err(|e: AccountError| e).unwrap();
}

async fn check_wide_writes_keep_what_they_did_not_change(reader: &Store, writer: &Store) {
    let mut conn = TestDb::conn(writer.pool());
    let (one, two) = (create(&mut conn, "Wide Bulk One"), create(&mut conn, "Wide Bulk Two"));
    let kept = create(&mut conn, "Wide Kept");
    drop(conn);
    let defaults = query(AccountFilter { default_only: true, ..AccountFilter::default() }, "company_name");
    // Twice: the very first read only starts the cache's generation.
    for _ in 0..2 {
        row(reader, kept.id).await;
        around(reader, kept.id).await;
        billing(reader).await;
        for listed in [search("Wide Kept"), search("Wide Bulk"), defaults.clone()] {
            reader.account_list(listed).await.unwrap();
        }
    }
    let before = count(reader).await;
    rename_directly(writer, kept.id, "Wide Kept Behind");
    let still_kept = || async {
        assert_eq!(row(reader, kept.id).await.company_name, "Wide Kept", "another account's row stays cached");
        assert_eq!(around(reader, kept.id).await, "Wide Kept", "another account's page stays cached");
    };
    let search_kept = |shows: &'static str| async move {
        let listed = reader.account_list(search("Wide Kept")).await.unwrap();
        assert_eq!(companies(&listed), [shows], "a search for another account");
    };

    // A bulk action retires what shows the accounts it changed, and keeps the rest.
    let ids = vec![one.id, two.id];
    let deactivate =
        move |conn: &mut DbConnection| Account::apply_to_all(conn, &actor(), &ids, &BulkChange::Deactivate, true);
    assert_eq!(writer.write(deactivate).await.map_err(|e: AccountError| e).unwrap(), 2);
    let listed = reader.account_list(search("Wide Bulk")).await.unwrap();
    assert!(listed.page.rows.iter().all(|a| !a.is_active), "the page holding them is read again");
    assert!(!row(reader, one.id).await.is_active);
    still_kept().await;
    search_kept("Wide Kept").await;

    // So does its revert.
    let batch = batch_of(&mut TestDb::conn(writer.pool()), one.id);
    let undo = move |conn: &mut DbConnection| revert::revert_batch(conn, &actor(), &batch);
    assert_eq!(writer.write(undo).await.map_err(|e: revert::RevertError| e).unwrap(), 2);
    assert!(row(reader, two.id).await.is_active);
    assert!(reader.account_list(search("Wide Bulk")).await.unwrap().page.rows.iter().all(|a| a.is_active));
    still_kept().await;
    search_kept("Wide Kept").await;

    // A new account may belong on any list: the lists and counts are read again, and
    // no other account's row or page.
    let fields = smarter_accounts::domain::AccountFields::parse(&crate::accounts::raw("Wide Bulk Three")).unwrap();
    let add = move |conn: &mut DbConnection| {
        let number = smarter_accounts::domain::AccountNumberInput::Generate;
        Account::create(
            conn,
            &actor(),
            &number,
            &fields,
            Default::default(),
            &mut smarter_accounts::domain::AccountNumber::random,
        )
    };
    writer.write(add).await.map_err(|e: AccountError| e).unwrap();
    let listed = reader.account_list(search("Wide Bulk")).await.unwrap();
    assert_eq!(companies(&listed), ["Wide Bulk Three", "Wide Bulk Two", "Wide Bulk One"]);
    assert_ne!(count(reader).await, before, "the count is read again");
    search_kept("Wide Kept Behind").await;
    still_kept().await;

    // So does deleting one, and restoring it; a deletion retires the billing totals too.
    let accounts = billing(reader).await;
    assert_eq!(accounts, billing(&support::store(writer.pool())).await - 1, "kept since the first read");
    create(&mut TestDb::conn(writer.pool()), "Billing Filler");
    reader.account_list(search("Wide Kept")).await.unwrap();
    rename_directly(writer, kept.id, "Wide Kept Later");
    let three = listed.page.rows[0].id;
    writer.write(move |conn| Account::delete(conn, &actor(), three)).await.map_err(|e: AccountError| e).unwrap();
    let listed = reader.account_list(search("Wide Bulk")).await.unwrap();
    assert_eq!(companies(&listed), ["Wide Bulk Two", "Wide Bulk One"]);
    assert!(reader.get_cached_object(AccountLookup::Pk(three)).await.unwrap().is_none(), "its row is gone");
    assert_eq!(billing(reader).await, accounts + 1, "the billing totals are read again");
    search_kept("Wide Kept Later").await;
    still_kept().await;
    let deleted = AuditEntry::for_object(&mut TestDb::conn(writer.pool()), "account", three.into()).unwrap();
    let entry = deleted.last().unwrap().clone();
    let restore = move |conn: &mut DbConnection| Account::restore(conn, &actor(), &entry, None);
    writer.write(restore).await.map_err(|e: AccountError| e).unwrap();
    let listed = reader.account_list(search("Wide Bulk")).await.unwrap();
    assert_eq!(companies(&listed), ["Wide Bulk Three", "Wide Bulk Two", "Wide Bulk One"]);
    assert_eq!(row(reader, three).await.company_name, "Wide Bulk Three");
    still_kept().await;

    // Moving the default flag retires both accounts it moved between.
    reader.account_list(defaults.clone()).await.unwrap();
    reader.account_list(search("Wide Kept")).await.unwrap();
    rename_directly(writer, kept.id, "Wide Kept Again");
    make_default(writer, one.id).await;
    assert!(row(reader, one.id).await.is_default_account);
    make_default(writer, two.id).await;
    assert!(!row(reader, one.id).await.is_default_account, "the previous default's row is read again");
    let listed = reader.account_list(defaults).await.unwrap();
    assert_eq!(companies(&listed), ["Wide Bulk Two"], "the default filter is read again");
    still_kept().await;
    search_kept("Wide Kept Later").await;
}

async fn wide_writes_keep_what_they_did_not_change_in_process(db: TestDb) {
    let store = support::store(&db.pool());
    check_wide_writes_keep_what_they_did_not_change(&store, &store).await;
}

async fn wide_writes_keep_what_they_did_not_change_across_instances(db: TestDb) {
    if let Some((first, second)) = two_instances_sharing_redis(&db).await {
        check_wide_writes_keep_what_they_did_not_change(&first, &second).await;
    }
}

fn in_scope_of(user: UserId) -> ListQuery {
    ListQuery { scope: Scope::MemberOf(user), ..query(AccountFilter::default(), "company_name") }
}

async fn check_user_writes_keep_what_they_did_not_change(reader: &Store, writer: &Store) {
    let mut conn = TestDb::conn(writer.pool());
    let (home, kept) = (create(&mut conn, "Member Home"), create(&mut conn, "Member Kept"));
    let jane = crate::members::user(&mut conn, "jane");
    drop(conn);
    // Twice: the very first read only starts the cache's generation.
    for _ in 0..2 {
        reader.user(jane.id).await.unwrap();
        around(reader, home.id).await;
        around(reader, kept.id).await;
        reader.account_list(in_scope_of(jane.id)).await.unwrap();
        reader.account_list(search("Member")).await.unwrap();
    }
    rename_directly(writer, home.id, "Member Home Behind");
    rename_directly(writer, kept.id, "Member Kept Behind");
    let still_kept = || async {
        assert_eq!(around(reader, kept.id).await, "Member Kept", "another account's page stays cached");
        let listed = reader.account_list(search("Member")).await.unwrap();
        assert_eq!(companies(&listed), ["Member Kept", "Member Home"], "a list of every account stays cached");
    };

    // Joining an account retires its page and what is read in the user's scope.
    let account = home.clone();
    let join = move |conn: &mut DbConnection| UserProfile::add_by_username(conn, &actor(), "jane", &account);
    writer.write(join).await.map_err(|e: MembershipError| e).unwrap();
    assert_eq!(around(reader, home.id).await, "Member Home Behind", "its page is read again");
    let scoped = reader.account_list(in_scope_of(jane.id)).await.unwrap();
    assert_eq!(companies(&scoped), ["Member Home Behind"], "the user's scope is read again");
    still_kept().await;

    // A write to the user retires their row and the pages that list them as a member.
    rename_directly(writer, home.id, "Member Home Again");
    assert_eq!(reader.user(jane.id).await.unwrap().unwrap().last_login, None);
    let id = jane.id;
    writer.write(move |conn| User::record_login(conn, id).map_err(StoreError::from)).await.unwrap();
    assert!(reader.user(jane.id).await.unwrap().unwrap().last_login.is_some(), "the user's row is read again");
    assert_eq!(around(reader, home.id).await, "Member Home Again", "a page listing them is read again");
    still_kept().await;

    // Leaving it retires the user's scope again.
    let account = home.clone();
    let leave = move |conn: &mut DbConnection| UserProfile::remove(conn, &actor(), id, &account);
    writer.write(leave).await.map_err(|e: MembershipError| e).unwrap();
    assert!(reader.account_list(in_scope_of(jane.id)).await.unwrap().page.rows.is_empty());
    still_kept().await;
}

async fn user_writes_keep_what_they_did_not_change_in_process(db: TestDb) {
    let store = support::store(&db.pool());
    check_user_writes_keep_what_they_did_not_change(&store, &store).await;
}

async fn user_writes_keep_what_they_did_not_change_across_instances(db: TestDb) {
    if let Some((first, second)) = two_instances_sharing_redis(&db).await {
        check_user_writes_keep_what_they_did_not_change(&first, &second).await;
    }
}

on_both_databases!(
    wide_writes_keep_what_they_did_not_change_in_process,
    wide_writes_keep_what_they_did_not_change_across_instances,
    user_writes_keep_what_they_did_not_change_in_process,
    user_writes_keep_what_they_did_not_change_across_instances
);
