//! Reverting changes from their audit entries, bulk actions as a whole, and restoring
//! deleted accounts.

use diesel::prelude::*;
use proptest::prelude::*;
use smarter_accounts::db::models::revert::{self, Choice};
use smarter_accounts::db::models::{
    Account, AccountContact, AccountFlags, Actor, AuditEntry, BulkChange, User, metadata,
};
use smarter_accounts::db::schema::{account_contacts, audit_entries, daily_billing_records};
use smarter_accounts::db::{DbConnection, DbPool};
use smarter_accounts::domain::{AccountFields, AccountNumber, AccountNumberInput};

use crate::accounts::{actor, create, raw};
use crate::contacts::contact;
use crate::on_both_databases;
use crate::support::{self, Browser, PASSWORD, TestDb, make_user};

fn account(pool: &DbPool, company: &str) -> Account {
    create(&mut TestDb::conn(pool), company)
}

fn reload(pool: &DbPool, a: &Account) -> Account {
    Account::find(&mut TestDb::conn(pool), a.id).unwrap().unwrap()
}

/// The newest entry about `object_type` `object_id`.
fn last_entry(pool: &DbPool, object_type: &str, object_id: i64) -> AuditEntry {
    AuditEntry::for_object(&mut TestDb::conn(pool), object_type, object_id).unwrap().pop().unwrap()
}

/// Sets `city` on `a` through the model, as an edit by `admin`.
fn set_city(conn: &mut DbConnection, a: &Account, city: &str) -> Account {
    let current = Account::find(conn, a.id).unwrap().unwrap();
    let tags = metadata::load_tags(conn, metadata::ACCOUNT, a.id.into()).unwrap();
    let notes = metadata::load_annotations(conn, metadata::ACCOUNT, a.id.into()).unwrap();
    let mut fields = current.raw_fields(&tags, &notes);
    fields.city = city.to_owned();
    let parsed = AccountFields::parse(&fields).unwrap();
    Account::update(conn, &actor(), a.id, current.lock_version, None, &parsed, None).unwrap().value
}

async fn each_kind_of_entry_reverts_as_an_audited_write(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let acme = account(&pool, "Acme");
    let edited = set_city(&mut TestDb::conn(&pool), &acme, "Porto");
    let edit = last_entry(&pool, "account", acme.id.into());
    root.get(&app, &format!("/audit/{}/revert", edit.id)).await;
    let preview = root.get(&app, &format!("/audit/{}/revert", edit.id)).await;
    assert_eq!(preview.status, 200);
    assert_eq!(preview.texts("#revert-fields tr[data-field=city] td:nth-child(2)"), ["Lisbon"]);
    assert_eq!(preview.texts("#revert-fields tr[data-field=city] td:nth-child(4)"), ["Porto"]);
    assert_eq!(preview.count("#revert-fields tr.conflict"), 0);
    let done = root.post(&app, &format!("/audit/{}/revert", edit.id), &[]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let now = reload(&pool, &acme);
    assert_eq!(now.city.as_deref(), Some("Lisbon"));
    assert_eq!(now.lock_version, edited.lock_version + 1, "an ordinary write: the version moves on");
    let entry = last_entry(&pool, "account", acme.id.into());
    assert_eq!(entry.action, "revert");
    assert!(entry.summary.contains(&format!("reverts entry #{}", edit.id)), "{}", entry.summary);
    assert_eq!(entry.actor_username, "root");

    // A deactivation (a flag), reverted.
    root.get(&app, "/accounts").await;
    assert_eq!(root.post(&app, &format!("/accounts/{}/deactivate", acme.account_number), &[]).await.status, 303);
    let off = last_entry(&pool, "account", acme.id.into());
    assert_eq!(root.post(&app, &format!("/audit/{}/revert", off.id), &[]).await.status, 303);
    assert!(reload(&pool, &acme).is_active);

    // A contact's edit.
    let mut conn = TestDb::conn(&pool);
    let ada =
        AccountContact::create(&mut conn, &actor(), acme.id, &contact("Ada", "ada@acme.example", false)).unwrap().value;
    let changed = contact("Adele", "adele@acme.example", false);
    AccountContact::update(&mut conn, &actor(), acme.id, ada.id, &changed).unwrap();
    drop(conn);
    let contact_edit = last_entry(&pool, "account_contact", ada.id.0);
    assert_eq!(root.post(&app, &format!("/audit/{}/revert", contact_edit.id), &[]).await.status, 303);
    let back: (String, String) = account_contacts::table
        .find(ada.id)
        .select((account_contacts::first_name, account_contacts::email))
        .first(&mut *TestDb::conn(&pool))
        .unwrap();
    assert_eq!(back, ("Ada".to_owned(), "ada@acme.example".to_owned()));
    assert_eq!(last_entry(&pool, "account_contact", ada.id.0).action, "revert");

    // Entries that changed no fields offer nothing to revert.
    let created = AuditEntry::for_object(&mut TestDb::conn(&pool), "account", acme.id.into()).unwrap().remove(0);
    assert_eq!(created.action, "create");
    assert_eq!(root.get(&app, &format!("/audit/{}/revert", created.id)).await.status, 409);
    assert_eq!(root.get(&app, "/audit/99999999/revert").await.status, 404);

    // The history page offers Revert on each change of fields.
    let history = root.get(&app, &format!("/accounts/{}/history", acme.account_number)).await;
    assert!(history.attrs("a.revert-link", "href").contains(&format!("/audit/{}/revert", edit.id)));
}

on_both_databases!(each_kind_of_entry_reverts_as_an_audited_write);

async fn a_field_changed_since_is_a_conflict_decided_per_field(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let acme = account(&pool, "Acme");
    set_city(&mut TestDb::conn(&pool), &acme, "Porto");
    let first = last_entry(&pool, "account", acme.id.into());
    set_city(&mut TestDb::conn(&pool), &acme, "Faro");
    let path = format!("/audit/{}/revert", first.id);
    let preview = root.get(&app, &path).await;
    assert_eq!(preview.count("#revert-fields tr.conflict[data-field=city]"), 1);
    assert_eq!(preview.count("input[name=choice_city]"), 2);
    let version = reload(&pool, &acme).lock_version;
    // Posted without a choice: nothing is written, the page asks (409).
    let undecided = root.post(&app, &path, &[]).await;
    assert_eq!(undecided.status, 409);
    assert_eq!(undecided.count("#revert-problem"), 1);
    assert_eq!(reload(&pool, &acme).lock_version, version);
    // Keep what is stored: nothing to write.
    assert_eq!(root.post(&app, &path, &[("choice_city", "keep")]).await.status, 303);
    assert_eq!(reload(&pool, &acme).city.as_deref(), Some("Faro"));
    assert_eq!(reload(&pool, &acme).lock_version, version);
    // Revert it anyway.
    assert_eq!(root.post(&app, &path, &[("choice_city", "revert")]).await.status, 303);
    assert_eq!(reload(&pool, &acme).city.as_deref(), Some("Lisbon"));
}

on_both_databases!(a_field_changed_since_is_a_conflict_decided_per_field);

async fn a_revert_that_breaks_a_rule_is_refused_with_the_reason(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let acme = account(&pool, "Acme");
    root.get(&app, "/accounts").await;
    assert_eq!(root.post(&app, &format!("/accounts/{}/make-default", acme.account_number), &[]).await.status, 303);
    let made = last_entry(&pool, "account", acme.id.into());
    assert_eq!(made.action, "make_default");
    // Taking the flag back would leave no default account.
    let refused = root.post(&app, &format!("/audit/{}/revert", made.id), &[]).await;
    assert_eq!(refused.status, 409);
    assert!(refused.body.contains("default"), "{}", refused.body);
    assert!(reload(&pool, &acme).is_default_account, "nothing changed");
}

on_both_databases!(a_revert_that_breaks_a_rule_is_refused_with_the_reason);

fn bulk(pool: &DbPool, accounts: &[&Account], change: BulkChange) {
    let ids: Vec<_> = accounts.iter().map(|a| a.id).collect();
    Account::apply_to_all(&mut TestDb::conn(pool), &actor(), &ids, &change, true).unwrap();
}

fn batch_of(pool: &DbPool, a: &Account) -> String {
    last_entry(pool, "account", a.id.into()).batch_id.expect("a bulk action's entry has a batch id")
}

async fn a_bulk_action_reverts_whole_or_not_at_all(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let (a, b, c) = (account(&pool, "A Co"), account(&pool, "B Co"), account(&pool, "C Co"));
    bulk(&pool, &[&a, &b, &c], BulkChange::Deactivate);
    let batch = batch_of(&pool, &a);
    assert_eq!(batch_of(&pool, &c), batch, "one batch id for the action");
    // Someone activates B again by hand: the batch can't be reverted as it was.
    Account::set_active(&mut TestDb::conn(&pool), &actor(), b.id, true).unwrap();
    root.get(&app, "/audit").await;
    let refused = root.post(&app, &format!("/audit/batch/{batch}/revert"), &[]).await;
    assert_eq!(refused.status, 409);
    assert!(refused.body.contains("B Co"), "names the account: {}", refused.body);
    assert!(!reload(&pool, &a).is_active && !reload(&pool, &c).is_active, "nothing changed");
    Account::set_active(&mut TestDb::conn(&pool), &actor(), b.id, false).unwrap();
    let done = root.post(&app, &format!("/audit/batch/{batch}/revert"), &[]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    for x in [&a, &b, &c] {
        assert!(reload(&pool, x).is_active);
        assert_eq!(last_entry(&pool, "account", x.id.into()).action, "revert");
    }
    // A bulk tag comes off again, and only the tag it added.
    let gold = smarter_accounts::domain::Tag::parse("Gold").unwrap();
    bulk(&pool, &[&a, &c], BulkChange::Tag(gold));
    let batch = batch_of(&pool, &a);
    assert_eq!(root.post(&app, &format!("/audit/batch/{batch}/revert"), &[]).await.status, 303);
    for x in [&a, &c] {
        let tags = metadata::load_tags(&mut TestDb::conn(&pool), metadata::ACCOUNT, x.id.into()).unwrap();
        assert_eq!(tags.to_string(), "Enterprise, EU");
    }
    // A bulk delete comes back whole.
    bulk(&pool, &[&a, &b], BulkChange::Delete);
    let deleted: Vec<AuditEntry> = audit_entries::table
        .filter(audit_entries::action.eq("delete"))
        .filter(audit_entries::object_type.eq("account"))
        .select(AuditEntry::as_select())
        .load(&mut *TestDb::conn(&pool))
        .unwrap();
    let batch = deleted[0].batch_id.clone().unwrap();
    assert_eq!(root.post(&app, &format!("/audit/batch/{batch}/revert"), &[]).await.status, 303);
    assert_eq!(reload(&pool, &a).account_number, a.account_number);
    assert_eq!(reload(&pool, &b).account_number, b.account_number);
    // Staff may not, and a made-up batch is not found.
    make_user(&pool, "jane", true, false, Some(&a));
    let mut jane = Browser::new();
    jane.login(&app, "jane", PASSWORD).await;
    jane.get(&app, "/accounts").await;
    assert_eq!(jane.post(&app, &format!("/audit/batch/{batch}/revert"), &[]).await.status, 403);
    assert_eq!(root.post(&app, "/audit/batch/abc123/revert", &[]).await.status, 404);
    assert_eq!(root.post(&app, "/audit/batch/not-hex!/revert", &[]).await.status, 404);
}

on_both_databases!(a_bulk_action_reverts_whole_or_not_at_all);

fn delete(pool: &DbPool, a: &Account) -> AuditEntry {
    Account::delete(&mut TestDb::conn(pool), &actor(), a.id).unwrap();
    last_entry(pool, "account", a.id.into())
}

async fn a_deleted_account_is_restored_from_its_snapshot(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let acme = account(&pool, "Acme");
    let jane = make_user(&pool, "jane", true, false, Some(&acme));
    let bob = make_user(&pool, "bob", true, false, Some(&acme));
    let mut conn = TestDb::conn(&pool);
    AccountContact::create(&mut conn, &actor(), acme.id, &contact("Ada", "ada@acme.example", true)).unwrap();
    User::set_active(&mut conn, &Actor::system(), bob.id, false).unwrap();
    diesel::insert_into(daily_billing_records::table)
        .values((
            daily_billing_records::account_id.eq(acme.id),
            daily_billing_records::user_id.eq(jane.id),
            daily_billing_records::provider.eq("openai"),
            daily_billing_records::charge_type.eq("tool"),
            daily_billing_records::date.eq(chrono::Utc::now().date_naive()),
            daily_billing_records::total_tokens.eq(5),
            daily_billing_records::created_at.eq(chrono::Utc::now().naive_utc()),
            daily_billing_records::updated_at.eq(chrono::Utc::now().naive_utc()),
        ))
        .execute(&mut *conn)
        .unwrap();
    drop(conn);
    let gone = delete(&pool, &acme);
    assert!(gone.snapshot.is_some(), "the delete entry keeps a snapshot");
    let path = format!("/audit/{}/restore", gone.id);
    let preview = root.get(&app, &path).await;
    assert_eq!(preview.status, 200);
    assert_eq!(preview.count("#billing-not-restored"), 1);
    assert!(preview.texts("#restore-skipped")[0].contains("bob"), "the inactive member is named");
    let audit = root.get(&app, &format!("/audit?account={}", acme.account_number)).await;
    assert_eq!(audit.attrs("a.restore-link", "href"), std::slice::from_ref(&path));

    let done = root.post(&app, &path, &[]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let back = reload(&pool, &acme);
    assert_eq!((back.account_number.as_str(), back.company_name.as_str()), (acme.account_number.as_str(), "Acme"));
    assert_eq!(back.city, acme.city);
    let mut conn = TestDb::conn(&pool);
    assert_eq!(
        metadata::load_tags(&mut conn, metadata::ACCOUNT, back.id.into()).unwrap().to_string(),
        "Enterprise, EU"
    );
    assert_eq!(
        metadata::load_annotations(&mut conn, metadata::ACCOUNT, back.id.into()).unwrap().to_string().lines().count(),
        2
    );
    let contacts = AccountContact::for_account(&mut conn, back.id).unwrap();
    assert_eq!((contacts.len(), contacts[0].is_primary), (1, true));
    let members: Vec<String> = smarter_accounts::db::models::UserProfile::members_of(&mut conn, back.id)
        .unwrap()
        .into_iter()
        .map(|(_, u)| u.username)
        .collect();
    assert_eq!(members, ["jane"], "bob is inactive: left out");
    let billed: i64 = daily_billing_records::table.count().get_result(&mut *conn).unwrap();
    assert_eq!(billed, 0, "billing records are not restored");
    drop(conn);
    assert_eq!(last_entry(&pool, "account", acme.id.into()).action, "restore");
    let flash = root.get(&app, &format!("/accounts/{}", acme.account_number)).await;
    assert!(flash.texts(".flash-success")[0].contains("bob"), "the flash names who was left out");
}

on_both_databases!(a_deleted_account_is_restored_from_its_snapshot);

async fn a_restore_is_refused_when_the_number_is_taken_again(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let acme = account(&pool, "Acme");
    let gone = delete(&pool, &acme);
    let number = AccountNumber::normalize(&acme.account_number).unwrap();
    let fields = AccountFields::parse(&raw("Usurper")).unwrap();
    Account::create(
        &mut TestDb::conn(&pool),
        &actor(),
        &AccountNumberInput::Given(number),
        &fields,
        AccountFlags::default(),
        &mut AccountNumber::random,
    )
    .unwrap();
    let path = format!("/audit/{}/restore", gone.id);
    let preview = root.get(&app, &path).await;
    assert_eq!(preview.status, 409);
    assert_eq!(preview.count("#restore-refused"), 1);
    assert_eq!(preview.count("form[action$='/restore']"), 0);
    let refused = root.post(&app, &path, &[]).await;
    assert_eq!(refused.status, 409);
    let owner = Account::get_by_account_number(&mut TestDb::conn(&pool), &acme.account_number).unwrap().unwrap();
    assert_eq!(owner.company_name, "Usurper");
}

on_both_databases!(a_restore_is_refused_when_the_number_is_taken_again);

async fn staff_revert_field_edits_of_their_accounts_only(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let mine = account(&pool, "Mine");
    let theirs = account(&pool, "Theirs");
    make_user(&pool, "jane", true, false, Some(&mine));
    let mut jane = Browser::new();
    jane.login(&app, "jane", PASSWORD).await;
    set_city(&mut TestDb::conn(&pool), &mine, "Porto");
    let my_edit = last_entry(&pool, "account", mine.id.into());
    set_city(&mut TestDb::conn(&pool), &theirs, "Porto");
    let their_edit = last_entry(&pool, "account", theirs.id.into());
    let history = jane.get(&app, &format!("/accounts/{}/history", mine.account_number)).await;
    assert!(history.attrs("a.revert-link", "href").contains(&format!("/audit/{}/revert", my_edit.id)));
    assert_eq!(history.count("form.batch-revert"), 0);

    // Not another account's (404), not the log itself, not a flag, not a restore (403).
    assert_eq!(jane.get(&app, &format!("/audit/{}/revert", their_edit.id)).await.status, 404);
    assert_eq!(jane.post(&app, &format!("/audit/{}/revert", their_edit.id), &[]).await.status, 404);
    root.get(&app, "/accounts").await;
    root.post(&app, &format!("/accounts/{}/deactivate", mine.account_number), &[]).await;
    let flag = last_entry(&pool, "account", mine.id.into());
    assert_eq!(jane.get(&app, &format!("/audit/{}/revert", flag.id)).await.status, 403);
    root.post(&app, &format!("/accounts/{}/activate", mine.account_number), &[]).await;
    let gone = delete(&pool, &theirs);
    assert_eq!(jane.get(&app, &format!("/audit/{}/restore", gone.id)).await.status, 403);

    // Their own edit: reverted, on the record as theirs.
    assert_eq!(jane.post(&app, &format!("/audit/{}/revert", my_edit.id), &[]).await.status, 303);
    assert_eq!(reload(&pool, &mine).city.as_deref(), Some("Lisbon"));
    assert_eq!(last_entry(&pool, "account", mine.id.into()).actor_username, "jane");

    // CSRF guards the posts.
    let mut forger = Browser::new();
    forger.login(&app, "root", PASSWORD).await;
    forger.csrf = Some("forged".to_owned());
    set_city(&mut TestDb::conn(&pool), &mine, "Braga");
    let edit = last_entry(&pool, "account", mine.id.into());
    assert_eq!(forger.post(&app, &format!("/audit/{}/revert", edit.id), &[]).await.status, 403);
    assert_eq!(reload(&pool, &mine).city.as_deref(), Some("Braga"));
}

on_both_databases!(staff_revert_field_edits_of_their_accounts_only);

// Random edits, then each reverted newest first, leave the account as it began.
#[test]
fn reverting_every_edit_newest_first_restores_the_first_state() {
    let db = TestDb::sqlite();
    let pool = db.pool();
    let cities = ["Porto", "Faro", "", "Braga", "Évora"];
    let tags = ["", "gold", "gold, EU", "silver"];
    let strategy = prop::collection::vec((0..cities.len(), 0..tags.len(), any::<bool>()), 1..8);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig { cases: 24, ..ProptestConfig::default() });
    runner
        .run(&strategy, |edits| {
            let mut conn = TestDb::conn(&pool);
            let a = create(&mut conn, "Property Co");
            let first = Account::find(&mut conn, a.id).unwrap().unwrap();
            let first_tags = metadata::load_tags(&mut conn, metadata::ACCOUNT, a.id.into()).unwrap().to_string();
            let mut ids = Vec::new();
            for (city, tag, phone) in edits {
                let now = Account::find(&mut conn, a.id).unwrap().unwrap();
                let notes = metadata::load_annotations(&mut conn, metadata::ACCOUNT, a.id.into()).unwrap();
                let mut raw =
                    now.raw_fields(&metadata::load_tags(&mut conn, metadata::ACCOUNT, a.id.into()).unwrap(), &notes);
                raw.city = cities[city].to_owned();
                raw.tags = tags[tag].to_owned();
                raw.phone_number = if phone { "+351 21 000 0000".to_owned() } else { String::new() };
                let parsed = AccountFields::parse(&raw).unwrap();
                let written =
                    Account::update(&mut conn, &actor(), a.id, now.lock_version, None, &parsed, None).unwrap();
                if written.value.lock_version != now.lock_version {
                    ids.push(last_entry(&pool, "account", a.id.into()).id);
                }
            }
            for id in ids.iter().rev() {
                revert::revert(&mut conn, &actor(), *id, &|_| Some(Choice::Revert)).unwrap();
            }
            let last = Account::find(&mut conn, a.id).unwrap().unwrap();
            let last_tags = metadata::load_tags(&mut conn, metadata::ACCOUNT, a.id.into()).unwrap().to_string();
            prop_assert_eq!(
                (last.city, last.phone_number, last_tags),
                (first.city.clone(), first.phone_number.clone(), first_tags)
            );
            prop_assert_eq!(last.company_name, first.company_name);
            Account::delete(&mut conn, &actor(), a.id).unwrap();
            Ok(())
        })
        .unwrap();
}
