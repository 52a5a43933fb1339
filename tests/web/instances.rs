//! Several instances behind a load balancer: one PostgreSQL database, one Redis.

use actix_web::test as at;
use smarter_accounts::config::Secret;
use smarter_accounts::startup;

use crate::support::{self, Browser, PASSWORD, TestDb, as_refs, make_user, set_field};

#[actix_web::test]
async fn two_instances_share_sessions_the_object_cache_and_the_login_throttle() {
    let (Some(db), Ok(redis_url)) = (TestDb::postgres(), std::env::var("TEST_REDIS_URL")) else {
        support::notice("skipped: two-instance test (set TEST_DATABASE_URL and TEST_REDIS_URL to run it)");
        return;
    };
    let mut settings = db.settings();
    settings.redis_url = Some(Secret::new(redis_url));
    let first = startup::prepare(settings.clone()).await.unwrap();
    let second = startup::prepare(settings).await.unwrap();
    let pool = first.store.pool().clone();
    make_user(&pool, "root", true, true, None);
    make_user(&pool, "jane", true, false, None);
    let acme = crate::accounts::create(&mut TestDb::conn(&pool), "Acme");
    let one = at::init_service(startup::build_app(first)).await;
    let two = at::init_service(startup::build_app(second)).await;

    // A session made on one instance is valid on the other.
    let mut root = Browser::new();
    assert_eq!(root.login(&one, "root", PASSWORD).await.status, 303);
    let detail = format!("/accounts/{}", acme.account_number);
    assert!(root.get(&two, &detail).await.texts("h1")[0].contains("Acme"));

    // An edit through one is shown by the other at once, though it had the row cached.
    let edit = format!("{detail}/edit");
    let mut fields = root.get(&one, &edit).await.form("form.account-form");
    set_field(&mut fields, "company_name", Some("Acme Everywhere"));
    assert_eq!(root.post(&one, &edit, &as_refs(&fields)).await.status, 303);
    let seen = root.get(&two, &detail).await;
    assert!(seen.texts("h1")[0].contains("Acme Everywhere"), "{:?}", seen.texts("h1"));

    // A logout on one ends the session on both.
    let mut copy = Browser { cookie: root.cookie.clone(), ..Browser::new() };
    assert_eq!(root.post(&two, "/logout", &[]).await.status, 303);
    assert_eq!(copy.get(&one, &detail).await.status, 303);
    assert_eq!(copy.get(&two, &detail).await.status, 303);

    // The login throttle counts failures made on either instance.
    let mut attacker = Browser::from_address([10, 1, 1, 1]);
    for i in 0..5 {
        let app_status = if i % 2 == 0 {
            attacker.login(&one, "jane", "wrong password!").await.status
        } else {
            attacker.login(&two, "jane", "wrong password!").await.status
        };
        assert_eq!(app_status, 401);
    }
    assert_eq!(attacker.login(&one, "jane", PASSWORD).await.status, 429);
    assert_eq!(attacker.login(&two, "jane", PASSWORD).await.status, 429);
    assert_eq!(Browser::from_address([10, 1, 1, 2]).login(&two, "jane", PASSWORD).await.status, 303);
}
