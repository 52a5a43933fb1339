//! The sign-in throttle counts per (username, address) and per address, atomically, and
//! guards the current password on `/password` too; behind trusted proxies the address
//! is the one they forwarded. Each client here is a loopback address of its own.

use actix_web::test as at;
use futures_util::future::join_all;
use smarter_accounts::startup;

use crate::on_both_databases;
use crate::support::{Browser, PASSWORD, TestDb, make_user};

macro_rules! app {
    ($settings:expr) => {{
        let state = startup::prepare($settings).await.unwrap();
        let pool = state.store.pool().clone();
        (at::init_service(startup::build_app(state)).await, pool)
    }};
}

async fn made_up_usernames_from_one_address_lock_out_only_that_address(db: TestDb) {
    let (app, pool) = app!(db.settings());
    make_user(&pool, "jane", true, false, None);
    let mut guesser = Browser::from_address([127, 0, 0, 2]);
    for i in 0..20 {
        assert_eq!(guesser.login(&app, &format!("nobody{i}"), "wrong password!").await.status, 401);
    }
    assert_eq!(guesser.login(&app, "jane", PASSWORD).await.status, 429);
    assert_eq!(Browser::from_address([127, 0, 0, 3]).login(&app, "jane", PASSWORD).await.status, 303);
}

async fn concurrent_guesses_never_pass_the_limit(db: TestDb) {
    let (app, pool) = app!(db.settings());
    make_user(&pool, "jane", true, false, None);
    let mut guessers: Vec<Browser> = (0..30).map(|_| Browser::from_address([127, 0, 0, 4])).collect();
    for guesser in &mut guessers {
        guesser.get(&app, "/login").await;
    }
    let app = &app;
    let statuses: Vec<u16> = join_all(guessers.iter_mut().map(|g| async move {
        g.post(app, "/login", &[("username", "jane"), ("password", "wrong password!")]).await.status.as_u16()
    }))
    .await;
    let wrong = statuses.iter().filter(|s| **s == 401).count();
    let throttled = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((wrong, throttled), (5, 25), "{statuses:?}");
}

async fn guesses_at_the_current_password_are_throttled(db: TestDb) {
    let (app, pool) = app!(db.settings());
    make_user(&pool, "jane", true, false, None);
    let mut jane = Browser::from_address([127, 0, 0, 5]);
    assert_eq!(jane.login(&app, "jane", PASSWORD).await.status, 303);
    let guess = [
        ("current_password", "not my password"),
        ("new_password", "a new long password"),
        ("new_password_confirm", "a new long password"),
    ];
    for _ in 0..5 {
        jane.get(&app, "/password").await;
        assert_eq!(jane.post(&app, "/password", &guess).await.status, 422);
    }
    jane.get(&app, "/password").await;
    let throttled = jane.post(&app, "/password", &guess).await;
    assert_eq!(throttled.status, 429);
    assert!(throttled.header("retry-after").is_some());
}

async fn behind_a_trusted_proxy_the_forwarded_address_counts(db: TestDb) {
    let mut settings = db.settings();
    settings.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
    let (app, pool) = app!(settings);
    make_user(&pool, "jane", true, false, None);
    let via_proxy = |client: &str| {
        let forwarded = format!("198.51.100.1, {client}");
        move |req: at::TestRequest| req.insert_header(("x-forwarded-for", forwarded.clone()))
    };
    let mut guesser = Browser::from_address([127, 0, 0, 6]);
    guesser.get(&app, "/login").await;
    for i in 0..20 {
        let form = [("username", format!("nobody{i}")), ("password", "wrong password!".to_owned())];
        let form: Vec<(String, String)> = form
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .chain([("csrf_token".to_owned(), guesser.csrf.clone().unwrap())])
            .collect();
        let req = via_proxy("203.0.113.5")(at::TestRequest::post().uri("/login").set_form(&form));
        assert_eq!(guesser.send(&app, req).await.status, 401);
    }
    // Same proxy, another client behind it: not held up by the first one's guesses.
    let mut jane = Browser::from_address([127, 0, 0, 6]);
    jane.get(&app, "/login").await;
    let form = [
        ("username".to_owned(), "jane".to_owned()),
        ("password".to_owned(), PASSWORD.to_owned()),
        ("csrf_token".to_owned(), jane.csrf.clone().unwrap()),
    ];
    let req = via_proxy("203.0.113.6")(at::TestRequest::post().uri("/login").set_form(&form));
    assert_eq!(jane.send(&app, req).await.status, 303);
}

on_both_databases!(
    made_up_usernames_from_one_address_lock_out_only_that_address,
    concurrent_guesses_never_pass_the_limit,
    guesses_at_the_current_password_are_throttled,
    behind_a_trusted_proxy_the_forwarded_address_counts,
);
