use smarter_accounts::auth::password;
use smarter_accounts::db::models::session;
use smarter_accounts::db::models::user::UserError;
use smarter_accounts::db::models::{Account, Actor, AuditEntry, MembershipError, NewUserInput, User, UserProfile};
use smarter_accounts::domain::{Password, Username};

use crate::accounts::{actor, create};
use crate::on_both_databases;
use crate::support::TestDb;

pub fn user(conn: &mut smarter_accounts::db::DbConnection, name: &str) -> User {
    let input = NewUserInput {
        username: Username::parse(name).unwrap(),
        email: None,
        first_name: String::new(),
        last_name: String::new(),
        password_hash: password::hash(&Password::parse("correct horse battery", name).unwrap()),
        is_staff: true,
        is_superuser: false,
    };
    User::create(conn, &Actor::system(), &input).unwrap().value
}

async fn memberships_are_unique_audited_and_go_with_their_account(db: TestDb) {
    let pool = db.pool();
    let mut conn = TestDb::conn(&pool);
    let account = create(&mut conn, "Members Ltd");
    let jane = user(&mut conn, "jane");
    let profile = UserProfile::add(&mut conn, &actor(), &jane, &account).unwrap();
    assert!(UserProfile::is_member(&mut conn, jane.id, account.id).unwrap());
    assert!(matches!(UserProfile::add(&mut conn, &actor(), &jane, &account), Err(MembershipError::AlreadyMember(_))));
    let members = UserProfile::members_of(&mut conn, account.id).unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].1.username, "jane");
    assert_eq!(AuditEntry::for_object(&mut conn, "user_profile", profile.id).unwrap()[0].action, "create");

    Account::delete(&mut conn, &actor(), account.id).unwrap();
    assert!(!UserProfile::is_member(&mut conn, jane.id, account.id).unwrap());
    assert!(User::find(&mut conn, jane.id).unwrap().is_some(), "the user stays");
}

async fn a_users_primary_account_prefers_the_default(db: TestDb) {
    let pool = db.pool();
    let mut conn = TestDb::conn(&pool);
    let first = create(&mut conn, "First Membership");
    let platform = Account::default_account(&mut conn).unwrap().unwrap();
    let jane = user(&mut conn, "jane");
    UserProfile::add(&mut conn, &actor(), &jane, &first).unwrap();
    assert_eq!(UserProfile::primary_account(&mut conn, jane.id).unwrap().unwrap().id, first.id);
    UserProfile::add(&mut conn, &actor(), &jane, &platform).unwrap();
    assert_eq!(UserProfile::primary_account(&mut conn, jane.id).unwrap().unwrap().id, platform.id);
    UserProfile::remove(&mut conn, &actor(), jane.id, &platform).unwrap();
    assert_eq!(UserProfile::primary_account(&mut conn, jane.id).unwrap().unwrap().id, first.id);
}

async fn usernames_are_unique_ignoring_case(db: TestDb) {
    let pool = db.pool();
    let mut conn = TestDb::conn(&pool);
    user(&mut conn, "Jane");
    let input = NewUserInput {
        username: Username::parse("JANE").unwrap(),
        email: None,
        first_name: String::new(),
        last_name: String::new(),
        password_hash: "x".into(),
        is_staff: false,
        is_superuser: false,
    };
    assert!(matches!(User::create(&mut conn, &Actor::system(), &input), Err(UserError::Invalid(_))));
    assert_eq!(User::find_by_username(&mut conn, "jane").unwrap().unwrap().username, "Jane");
    let id = User::find_by_username(&mut conn, "jane").unwrap().unwrap().id;
    let (first, second) = (session::start(&mut conn, id).unwrap(), session::start(&mut conn, id).unwrap());
    User::set_password_hash(&mut conn, &Actor::system(), id, "new-hash", Some(&first)).unwrap();
    let kept = |conn: &mut smarter_accounts::db::DbConnection, token: &str| {
        session::find(conn, &session::token_hash(token)).unwrap().is_some()
    };
    assert!(kept(&mut conn, &first), "the session that changed it stays");
    assert!(!kept(&mut conn, &second), "a new password ends other sessions");
}

on_both_databases!(
    memberships_are_unique_audited_and_go_with_their_account,
    a_users_primary_account_prefers_the_default,
    usernames_are_unique_ignoring_case
);
