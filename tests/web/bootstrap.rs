use smarter_accounts::auth::password;
use smarter_accounts::bootstrap::{self, PLATFORM_ACCOUNT_NUMBER};
use smarter_accounts::config::Secret;
use smarter_accounts::db::models::{Account, User, UserProfile};
use smarter_accounts::db::{self};

use crate::on_both_databases;
use crate::support::TestDb;

async fn an_empty_database_gets_the_platform_account_and_a_superuser(db: TestDb) {
    let settings = db.settings();
    let pool = db::build_pool(&db.url, 2);
    smarter_accounts::startup::migrate(&settings, &pool).unwrap();
    let mut conn = TestDb::conn(&pool);

    let done = bootstrap::run(&mut conn, &settings).unwrap();
    assert!(done.created_platform_account);
    let (username, generated) = done.created_admin.expect("a superuser");
    assert_eq!(username, "admin");
    let generated = generated.expect("a generated password");
    assert!(generated.len() >= 12);

    let platform = Account::get_by_account_number(&mut conn, PLATFORM_ACCOUNT_NUMBER).unwrap().unwrap();
    assert_eq!(platform.company_name, "Smarter");
    assert!(platform.is_default_account && platform.is_active);
    assert_eq!(platform.to_string(), "3141-5926-5359 - Smarter");

    let admin = User::find_by_username(&mut conn, "ADMIN").unwrap().unwrap();
    assert!(admin.is_superuser && admin.is_staff && admin.is_active);
    let hash = User::password_hash(&mut conn, admin.id).unwrap().unwrap();
    assert!(password::verify(&generated, &hash));
    assert!(!hash.contains(&generated));
    assert!(UserProfile::is_member(&mut conn, admin.id, platform.id).unwrap());
    assert_eq!(UserProfile::primary_account(&mut conn, admin.id).unwrap().unwrap().id, platform.id);

    let again = bootstrap::run(&mut conn, &settings).unwrap();
    assert!(!again.created_platform_account && again.created_admin.is_none());
    assert_eq!(Account::count(&mut conn).unwrap(), 1);
    assert_eq!(User::count(&mut conn).unwrap(), 1);
}

async fn the_configured_admin_password_is_used_and_not_echoed(db: TestDb) {
    let mut settings = db.settings();
    settings.admin_password = Some(Secret::new("a long enough admin pass".to_owned()));
    let pool = db::build_pool(&db.url, 2);
    let (done, key) = smarter_accounts::startup::prepare_database(&settings, &pool).unwrap();
    assert_eq!(done.created_admin, Some(("admin".to_owned(), None)));
    assert!(key.len() >= 64);
    let mut conn = TestDb::conn(&pool);
    let admin = User::find_by_username(&mut conn, "admin").unwrap().unwrap();
    assert!(password::verify("a long enough admin pass", &User::password_hash(&mut conn, admin.id).unwrap().unwrap()));
}

async fn the_generated_session_key_is_kept_and_shared(db: TestDb) {
    let settings = db.settings();
    let pool = db::build_pool(&db.url, 2);
    let (_, first) = smarter_accounts::startup::prepare_database(&settings, &pool).unwrap();
    let (_, second) = smarter_accounts::startup::prepare_database(&settings, &pool).unwrap();
    assert_eq!(first, second);
    assert_eq!(first.len(), 64);
}

on_both_databases!(
    an_empty_database_gets_the_platform_account_and_a_superuser,
    the_configured_admin_password_is_used_and_not_echoed,
    the_generated_session_key_is_kept_and_shared
);
