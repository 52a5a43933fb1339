use diesel::prelude::*;
use smarter_accounts::cache::CacheKey;
use smarter_accounts::db::models::account::MAX_NUMBER_ATTEMPTS;
use smarter_accounts::db::models::metadata::{self, ACCOUNT};
use smarter_accounts::db::models::{Account, AccountError, AccountFlags, Actor, AuditEntry, Written};
use smarter_accounts::db::schema::{accounts, annotations, tagged_items};
use smarter_accounts::db::{DbConnection, UserId, write_transaction};
use smarter_accounts::domain::{AccountFields, AccountNumber, AccountNumberInput, RawAccountFields};

use crate::on_both_databases;
use crate::support::TestDb;

/// The cache keys a write made stale, as the cache spells them.
fn stale_keys<T>(written: &Written<T>) -> Vec<String> {
    written.effect.stale_rows().iter().flat_map(CacheKey::stale).map(|k| k.to_string()).collect()
}

pub fn raw(company: &str) -> RawAccountFields {
    RawAccountFields {
        company_name: company.to_owned(),
        city: "Lisbon".to_owned(),
        country: "prt".to_owned(),
        currency: "eur".to_owned(),
        timezone: "Europe/Lisbon".to_owned(),
        tags: "Enterprise, EU, enterprise".to_owned(),
        annotations: "team: billing\ntier: gold".to_owned(),
        ..Default::default()
    }
}

pub fn create(conn: &mut DbConnection, company: &str) -> Account {
    let fields = AccountFields::parse(&raw(company)).unwrap();
    Account::create(
        conn,
        &actor(),
        &AccountNumberInput::Generate,
        &fields,
        AccountFlags::default(),
        &mut AccountNumber::random,
    )
    .unwrap()
    .value
}

pub fn actor() -> Actor {
    Actor::user(UserId(1), "admin")
}

fn row_counts(conn: &mut DbConnection) -> (i64, i64, i64, i64) {
    (
        accounts::table.count().get_result(conn).unwrap(),
        tagged_items::table.count().get_result(conn).unwrap(),
        annotations::table.count().get_result(conn).unwrap(),
        AuditEntry::count(conn).unwrap(),
    )
}

async fn create_generates_a_number_and_stores_every_field(db: TestDb) {
    let pool = db.pool();
    let mut conn = TestDb::conn(&pool);
    let account = create(&mut conn, "Acme Corp, Inc.");
    assert!(AccountNumber::parse(&account.account_number).is_ok());
    assert_ne!(account.account_number, AccountNumber::SENTINEL);
    assert_eq!(account.name, "acmeCorpInc");
    assert_eq!(account.country, "PRT");
    assert_eq!(account.currency, "EUR");
    assert_eq!(account.language, "EN");
    assert_eq!(account.version, "1.0.0");
    assert_eq!(account.timezone.as_deref(), Some("Europe/Lisbon"));
    assert!(account.is_active && !account.is_default_account);
    assert_eq!(account.lock_version, 0);
    assert_eq!(metadata::load_tags(&mut conn, ACCOUNT, account.id.into()).unwrap().to_string(), "Enterprise, EU");
    assert_eq!(
        metadata::load_annotations(&mut conn, ACCOUNT, account.id.into()).unwrap().to_string(),
        "team: billing\ntier: gold"
    );
    let found = Account::get_by_account_number(&mut conn, &account.account_number).unwrap().unwrap();
    assert_eq!(found, account, "timestamps and every field round-trip");
    assert!(Account::get_by_account_number(&mut conn, "0000-0000-0001").unwrap().is_none());

    let history = AuditEntry::for_account(&mut conn, account.id, 10).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].action, "create");
    assert_eq!(history[0].actor_username, "admin");
    let changes = history[0].field_changes();
    assert!(changes.iter().any(|c| c.field == "company_name" && c.new.as_deref() == Some("Acme Corp, Inc.")));
    assert!(changes.iter().any(|c| c.field == "tags" && c.new.as_deref() == Some("Enterprise, EU")));
}

async fn the_sentinel_number_means_generate(db: TestDb) {
    let pool = db.pool();
    let mut conn = TestDb::conn(&pool);
    let input = AccountNumberInput::parse("9999-9999-9999").unwrap();
    let fields = AccountFields::minimal("Sentinel Ltd").unwrap();
    let mut sentinel_first = {
        let mut calls = 0;
        move || {
            calls += 1;
            if calls == 1 { AccountNumber::parse(AccountNumber::SENTINEL).unwrap() } else { AccountNumber::random() }
        }
    };
    let account = Account::create(&mut conn, &actor(), &input, &fields, AccountFlags::default(), &mut sentinel_first)
        .unwrap()
        .value;
    assert_ne!(account.account_number, "9999-9999-9999");
    let unused = Account::randomized_account_number(&mut conn).unwrap();
    assert!(Account::get_by_account_number(&mut conn, unused.as_str()).unwrap().is_none());
}

async fn a_duplicate_number_is_a_field_error_and_writes_nothing(db: TestDb) {
    let pool = db.pool();
    let mut conn = TestDb::conn(&pool);
    let existing = create(&mut conn, "First");
    let before = row_counts(&mut conn);
    let fields = AccountFields::parse(&raw("Second")).unwrap();
    let given = AccountNumberInput::Given(AccountNumber::parse(&existing.account_number).unwrap());
    let err =
        Account::create(&mut conn, &actor(), &given, &fields, AccountFlags::default(), &mut AccountNumber::random)
            .unwrap_err();
    let AccountError::Invalid(errors) = err else { panic!("expected a field error, got {err:?}") };
    assert!(errors.get("account_number").unwrap().contains("exists"));
    assert_eq!(row_counts(&mut conn), before, "no account, tag, annotation or audit row was written");
}

async fn a_generator_that_only_collides_gives_up_cleanly(db: TestDb) {
    let pool = db.pool();
    let mut conn = TestDb::conn(&pool);
    let taken = create(&mut conn, "Taken");
    let before = row_counts(&mut conn);
    let fields = AccountFields::minimal("Unlucky").unwrap();
    let mut calls = 0;
    let mut always_taken = || {
        calls += 1;
        AccountNumber::parse(&taken.account_number).unwrap()
    };
    let err = Account::create(
        &mut conn,
        &actor(),
        &AccountNumberInput::Generate,
        &fields,
        AccountFlags::default(),
        &mut always_taken,
    )
    .unwrap_err();
    assert!(matches!(err, AccountError::NumbersExhausted), "{err:?}");
    assert_eq!(calls, MAX_NUMBER_ATTEMPTS);
    assert_eq!(row_counts(&mut conn), before);
}

async fn a_failed_write_inside_a_transaction_leaves_nothing(db: TestDb) {
    let pool = db.pool();
    let mut conn = TestDb::conn(&pool);
    let before = row_counts(&mut conn);
    // The account, its tags, annotations and audit entry are written, then the
    // surrounding transaction fails: all of it must roll back.
    let result: Result<(), AccountError> = write_transaction(&mut conn, |conn| {
        create(conn, "Rolled Back");
        Err(AccountError::Refused("fail after the write"))
    });
    assert!(result.is_err());
    assert_eq!(row_counts(&mut conn), before);
}

async fn the_number_is_immutable(db: TestDb) {
    let pool = db.pool();
    let mut conn = TestDb::conn(&pool);
    let account = create(&mut conn, "Fixed Number");
    let before = row_counts(&mut conn);
    let fields = AccountFields::parse(&raw("Renamed")).unwrap();
    let err = Account::update(&mut conn, &actor(), account.id, 0, Some("1111-2222-3333"), &fields, None).unwrap_err();
    let AccountError::Invalid(errors) = err else { panic!("expected a field error, got {err:?}") };
    assert!(errors.get("account_number").is_some());
    assert_eq!(row_counts(&mut conn), before);
    assert_eq!(Account::find(&mut conn, account.id).unwrap().unwrap(), account);
}

async fn an_update_records_old_and_new_and_bumps_the_version(db: TestDb) {
    let pool = db.pool();
    let mut conn = TestDb::conn(&pool);
    let account = create(&mut conn, "Old Name");
    let mut changed = raw("New Name");
    changed.name = "acmeCorpInc".into();
    changed.tags = "EU, Startup".into();
    changed.city = String::new();
    let fields = AccountFields::parse(&changed).unwrap();
    let written =
        Account::update(&mut conn, &actor(), account.id, 0, Some(&account.account_number), &fields, None).unwrap();
    let updated = written.value.clone();
    assert_eq!(updated.company_name, "New Name");
    assert_eq!(updated.city, None);
    assert_eq!(updated.lock_version, 1);
    assert!(stale_keys(&written).iter().any(|k| k.ends_with(":Old Name")), "the old name's key is stale");
    assert!(stale_keys(&written).iter().any(|k| k.ends_with(":New Name")), "the new name's key is stale");
    assert_eq!(metadata::load_tags(&mut conn, ACCOUNT, account.id.into()).unwrap().to_string(), "EU, Startup");

    let history = AuditEntry::for_account(&mut conn, account.id, 10).unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].action, "update");
    let changes = history[0].field_changes();
    let change = |f: &str| changes.iter().find(|c| c.field == f).cloned();
    let company = change("company_name").unwrap();
    assert_eq!((company.old.as_deref(), company.new.as_deref()), (Some("Old Name"), Some("New Name")));
    let city = change("city").unwrap();
    assert_eq!((city.old.as_deref(), city.new.as_deref()), (Some("Lisbon"), None));
    let tags = change("tags").unwrap();
    assert_eq!((tags.old.as_deref(), tags.new.as_deref()), (Some("Enterprise, EU"), Some("EU, Startup")));
    assert!(change("country").is_none(), "unchanged fields are not listed");
}

async fn a_stale_version_is_refused_and_changes_nothing(db: TestDb) {
    let pool = db.pool();
    let mut conn = TestDb::conn(&pool);
    let account = create(&mut conn, "Contested");
    let first = AccountFields::parse(&raw("First Edit")).unwrap();
    Account::update(&mut conn, &actor(), account.id, 0, None, &first, None).unwrap();
    let before = row_counts(&mut conn);
    let second = AccountFields::parse(&raw("Second Edit")).unwrap();
    let err = Account::update(&mut conn, &actor(), account.id, 0, None, &second, None).unwrap_err();
    let AccountError::Stale { current } = err else { panic!("expected Stale, got {err:?}") };
    assert_eq!(current.company_name, "First Edit");
    assert_eq!(current.lock_version, 1);
    assert_eq!(row_counts(&mut conn), before);
    assert_eq!(Account::find(&mut conn, account.id).unwrap().unwrap().company_name, "First Edit");
}

async fn an_update_that_changes_nothing_writes_nothing(db: TestDb) {
    let pool = db.pool();
    let mut conn = TestDb::conn(&pool);
    let account = create(&mut conn, "Steady");
    let before = row_counts(&mut conn);
    let same = AccountFields::parse(&raw("Steady")).unwrap();
    let written = Account::update(&mut conn, &actor(), account.id, 0, None, &same, None).unwrap();
    assert_eq!(written.value.lock_version, 0);
    assert!(stale_keys(&written).is_empty());
    assert_eq!(row_counts(&mut conn), before);
}

async fn the_default_flag_moves_and_the_default_is_protected(db: TestDb) {
    let pool = db.pool();
    let mut conn = TestDb::conn(&pool);
    let platform = Account::default_account(&mut conn).unwrap().unwrap();
    let other = create(&mut conn, "Next Default");

    let refused = Account::set_active(&mut conn, &actor(), platform.id, false).unwrap_err();
    assert!(matches!(refused, AccountError::Refused(_)));
    let refused = Account::delete(&mut conn, &actor(), platform.id).unwrap_err();
    assert!(matches!(refused, AccountError::Refused(_)));

    let written = Account::make_default(&mut conn, &actor(), other.id).unwrap();
    assert!(written.value.is_default_account);
    assert!(
        stale_keys(&written).iter().any(|k| k.ends_with(&platform.account_number)),
        "the old default's keys are stale"
    );
    let old = Account::find(&mut conn, platform.id).unwrap().unwrap();
    assert!(!old.is_default_account);
    assert_eq!(Account::default_account(&mut conn).unwrap().unwrap().id, other.id);
    let platform_history = AuditEntry::for_account(&mut conn, platform.id, 10).unwrap();
    assert_eq!(platform_history[0].action, "unset_default");
    let other_history = AuditEntry::for_account(&mut conn, other.id, 10).unwrap();
    assert_eq!(other_history[0].action, "make_default");

    // Now the old default can be deactivated, and an inactive one can't be default.
    let inactive = Account::set_active(&mut conn, &actor(), platform.id, false).unwrap().value;
    assert!(!inactive.is_active);
    assert_eq!(AuditEntry::for_account(&mut conn, platform.id, 1).unwrap()[0].action, "deactivate");
    assert!(matches!(Account::make_default(&mut conn, &actor(), platform.id), Err(AccountError::Refused(_))));
}

async fn the_database_allows_only_one_default(db: TestDb) {
    let pool = db.pool();
    let mut conn = TestDb::conn(&pool);
    let other = create(&mut conn, "Sneaky");
    let result =
        diesel::update(accounts::table.find(other.id)).set(accounts::is_default_account.eq(true)).execute(&mut *conn);
    assert!(result.is_err(), "a second default must violate the database's constraint");
}

async fn deleting_an_account_takes_its_metadata_and_is_audited(db: TestDb) {
    let pool = db.pool();
    let mut conn = TestDb::conn(&pool);
    let account = create(&mut conn, "Short Lived");
    let deleted = Account::delete(&mut conn, &actor(), account.id).unwrap().value;
    assert_eq!(deleted.id, account.id);
    assert!(Account::find(&mut conn, account.id).unwrap().is_none());
    assert!(metadata::load_tags(&mut conn, ACCOUNT, account.id.into()).unwrap().is_empty());
    assert!(metadata::load_annotations(&mut conn, ACCOUNT, account.id.into()).unwrap().is_empty());
    let history = AuditEntry::for_account(&mut conn, account.id, 10).unwrap();
    assert_eq!(history[0].action, "delete");
    assert_eq!(history[0].summary, deleted.to_string());
}

async fn hostile_text_is_stored_verbatim(db: TestDb) {
    let pool = db.pool();
    let mut conn = TestDb::conn(&pool);
    let hostile = "Robert'); DROP TABLE accounts; -- <script>alert(1)</script>";
    let account = create(&mut conn, hostile);
    assert_eq!(Account::find(&mut conn, account.id).unwrap().unwrap().company_name, hostile);
    assert!(Account::count(&mut conn).unwrap() >= 2);
}

on_both_databases!(
    create_generates_a_number_and_stores_every_field,
    the_sentinel_number_means_generate,
    a_duplicate_number_is_a_field_error_and_writes_nothing,
    a_generator_that_only_collides_gives_up_cleanly,
    a_failed_write_inside_a_transaction_leaves_nothing,
    the_number_is_immutable,
    an_update_records_old_and_new_and_bumps_the_version,
    a_stale_version_is_refused_and_changes_nothing,
    an_update_that_changes_nothing_writes_nothing,
    the_default_flag_moves_and_the_default_is_protected,
    the_database_allows_only_one_default,
    deleting_an_account_takes_its_metadata_and_is_audited,
    hostile_text_is_stored_verbatim
);
