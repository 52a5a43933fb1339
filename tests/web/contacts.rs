use diesel::prelude::*;
use smarter_accounts::db::models::{AccountContact, AuditEntry, ContactError};
use smarter_accounts::db::schema::{account_contacts, email_outbox};
use smarter_accounts::domain::{ContactFields, RawContactFields};

use crate::accounts::{actor, create};
use crate::on_both_databases;
use crate::support::TestDb;

pub fn contact(first: &str, email: &str, primary: bool) -> ContactFields {
    ContactFields::parse(&RawContactFields {
        first_name: first.into(),
        last_name: "Tester".into(),
        email: email.into(),
        phone: "+1 555 0100".into(),
        is_primary: primary.then(|| "on".to_owned()),
    })
    .unwrap()
}

fn outbox_count(conn: &mut smarter_accounts::db::DbConnection) -> i64 {
    email_outbox::table.count().get_result(conn).unwrap()
}

async fn the_first_save_queues_a_welcome_and_marks_the_contact_welcomed(db: TestDb) {
    let pool = db.pool();
    let mut conn = TestDb::conn(&pool);
    let account = create(&mut conn, "Contacts Inc");
    let ada = AccountContact::create(&mut conn, &actor(), account.id, &contact("Ada", "ada@example.com", true))
        .unwrap()
        .value;
    assert!(ada.welcomed && ada.is_primary);
    let (to, subject): (String, String) =
        email_outbox::table.select((email_outbox::to_address, email_outbox::subject)).first(&mut *conn).unwrap();
    assert_eq!((to.as_str(), subject.as_str()), ("ada@example.com", "Welcome to Smarter!"));
    // Later saves queue nothing more.
    AccountContact::update(&mut conn, &actor(), account.id, ada.id, &contact("Ada B.", "ada@example.com", true))
        .unwrap();
    assert_eq!(outbox_count(&mut conn), 1);
    let entries = AuditEntry::for_object(&mut conn, "account_contact", ada.id.into()).unwrap();
    assert_eq!(entries.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["create", "update"]);
}

async fn the_primary_flag_moves_between_contacts(db: TestDb) {
    let pool = db.pool();
    let mut conn = TestDb::conn(&pool);
    let account = create(&mut conn, "Primary Co");
    let ada = AccountContact::create(&mut conn, &actor(), account.id, &contact("Ada", "ada@example.com", true))
        .unwrap()
        .value;
    let bob = AccountContact::create(&mut conn, &actor(), account.id, &contact("Bob", "bob@example.com", true))
        .unwrap()
        .value;
    assert!(bob.is_primary);
    assert!(!AccountContact::find(&mut conn, account.id, ada.id).unwrap().unwrap().is_primary);
    AccountContact::update(&mut conn, &actor(), account.id, ada.id, &contact("Ada", "ada@example.com", true)).unwrap();
    let all = AccountContact::for_account(&mut conn, account.id).unwrap();
    assert_eq!(all.iter().filter(|c| c.is_primary).count(), 1);
    assert_eq!(all[0].id, ada.id, "the primary is listed first");
    let bob_history = AuditEntry::for_object(&mut conn, "account_contact", bob.id.into()).unwrap();
    assert_eq!(bob_history.last().unwrap().field_changes()[0].field, "is_primary");
    // The database itself refuses a second primary.
    let sneaky = diesel::update(account_contacts::table.find(bob.id))
        .set(account_contacts::is_primary.eq(true))
        .execute(&mut *conn);
    assert!(sneaky.is_err());
}

async fn e_mail_is_unique_per_account_ignoring_case(db: TestDb) {
    let pool = db.pool();
    let mut conn = TestDb::conn(&pool);
    let account = create(&mut conn, "Unique Mail");
    let other = create(&mut conn, "Other Co");
    AccountContact::create(&mut conn, &actor(), account.id, &contact("Ada", "ada@example.com", false)).unwrap();
    let (outbox, audit) = (outbox_count(&mut conn), AuditEntry::count(&mut conn).unwrap());
    let err =
        AccountContact::create(&mut conn, &actor(), account.id, &contact("Ada", "ADA@Example.com", false)).unwrap_err();
    let ContactError::Invalid(errors) = err else { panic!("expected a field error, got {err:?}") };
    assert!(errors.get("email").is_some());
    assert_eq!(
        (outbox_count(&mut conn), AuditEntry::count(&mut conn).unwrap()),
        (outbox, audit),
        "nothing was written"
    );
    AccountContact::create(&mut conn, &actor(), other.id, &contact("Ada", "ada@example.com", false))
        .expect("another account may reuse it");
}

async fn deleting_a_contact_is_audited(db: TestDb) {
    let pool = db.pool();
    let mut conn = TestDb::conn(&pool);
    let account = create(&mut conn, "Delete Contact");
    let ada = AccountContact::create(&mut conn, &actor(), account.id, &contact("Ada", "ada@example.com", false))
        .unwrap()
        .value;
    AccountContact::delete(&mut conn, &actor(), account.id, ada.id).unwrap();
    assert!(AccountContact::find(&mut conn, account.id, ada.id).unwrap().is_none());
    let history = AuditEntry::for_object(&mut conn, "account_contact", ada.id.into()).unwrap();
    assert_eq!(history.last().unwrap().action, "delete");
    assert!(matches!(AccountContact::delete(&mut conn, &actor(), account.id, ada.id), Err(ContactError::NotFound)));
}

on_both_databases!(
    the_first_save_queues_a_welcome_and_marks_the_contact_welcomed,
    the_primary_flag_moves_between_contacts,
    e_mail_is_unique_per_account_ignoring_case,
    deleting_a_contact_is_audited
);

// Case folds the same way on both backends, non-ASCII letters included: the program
// folds and stores the folded form.
async fn e_mail_case_folds_the_same_on_both_backends(db: TestDb) {
    let pool = db.pool();
    let mut conn = TestDb::conn(&pool);
    let account = create(&mut conn, "Bücher GmbH");
    let created = AccountContact::create(&mut conn, &actor(), account.id, &contact("Ada", "a@BÜCHER.de", false));
    let ada = created.expect("created and found again").value;
    assert_eq!(ada.email, "a@BÜCHER.de", "kept as typed");
    let again = AccountContact::create(&mut conn, &actor(), account.id, &contact("Ada", "A@bücher.DE", false));
    assert!(matches!(again, Err(ContactError::Invalid(_))), "the same address in another case: {again:?}");
}

on_both_databases!(e_mail_case_folds_the_same_on_both_backends);
