//! Sign-in, sessions, CSRF, headers and who may do what.

use actix_web::test as at;
use smarter_accounts::db::models::{Actor, User};
use smarter_accounts::startup;
use smarter_accounts::web::ROUTES;

use crate::on_both_databases;
use crate::support::{self, Browser, PASSWORD, TestDb, make_user};

macro_rules! app {
    ($db:expr) => {{
        let state = support::state(&$db).await;
        let pool = state.store.pool().clone();
        (at::init_service(startup::build_app(state.clone())).await, pool, state)
    }};
}

async fn anonymous_requests_are_sent_to_sign_in_with_their_path(db: TestDb) {
    let (app, _, _) = app!(db);
    let mut browser = Browser::new();
    let page = browser.get(&app, "/password?tab=1").await;
    assert_eq!(page.status, 303);
    assert_eq!(page.location(), Some("/login?next=%2Fpassword%3Ftab%3D1"));
    let root = browser.get(&app, "/").await;
    assert_eq!(root.location(), Some("/accounts"));
}

async fn the_login_page_has_its_fields_and_security_headers(db: TestDb) {
    let (app, _, _) = app!(db);
    let mut browser = Browser::new();
    let page = browser.get(&app, "/login?next=/password").await;
    assert_eq!(page.status, 200);
    for field in ["username", "password", "next", "csrf_token"] {
        assert_eq!(page.count(&format!("form[action='/login'] input[name={field}]")), 1, "{field}");
    }
    assert_eq!(page.attrs("input[name=next]", "value"), ["/password"]);
    assert_eq!(page.count("label[for=username]") + page.count("label[for=password]"), 2);
    for page in [page, browser.get(&app, "/no/such/page").await, browser.get(&app, "/healthz").await] {
        let csp = page.header("content-security-policy").expect("a CSP");
        assert!(!csp.contains("unsafe-inline") && csp.contains("default-src 'self'"), "{csp}");
        assert_eq!(page.header("x-frame-options"), Some("DENY"));
        assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
        assert!(page.header("referrer-policy").is_some());
        assert!(page.header("x-request-id").is_some());
    }
}

async fn signing_in_changes_the_session_id_and_follows_only_local_next(db: TestDb) {
    let (app, pool, _) = app!(db);
    make_user(&pool, "jane", true, false, None);
    for (next, expected) in [
        ("/password", "/password"),
        ("", "/accounts"),
        ("//evil.test/x", "/accounts"),
        ("https://evil.test/", "/accounts"),
        ("/\\evil.test", "/accounts"),
    ] {
        let mut browser = Browser::new();
        browser.get(&app, "/login").await;
        let before = browser.cookie.clone().expect("the login page starts a session").value().to_owned();
        let page = browser.post(&app, "/login", &[("username", "jane"), ("password", PASSWORD), ("next", next)]).await;
        assert_eq!(page.status, 303, "{next:?}: {}", page.body);
        assert_eq!(page.location(), Some(expected), "{next:?}");
        let after = browser.cookie.clone().unwrap();
        assert_ne!(after.value(), before, "a new session at sign-in");
        assert_eq!(after.http_only(), Some(true));
        assert_eq!(after.same_site(), Some(actix_web::cookie::SameSite::Strict));
        assert_eq!(browser.get(&app, "/password").await.status, 200);
    }
}

async fn bad_credentials_get_one_generic_message_and_keep_the_username(db: TestDb) {
    let (app, pool, _) = app!(db);
    make_user(&pool, "jane", true, false, None);
    let mut browser = Browser::new();
    let wrong_password = browser.login(&app, "jane", "not the password").await;
    let unknown_user = browser.login(&app, "nobody", PASSWORD).await;
    for (page, username) in [(&wrong_password, "jane"), (&unknown_user, "nobody")] {
        assert_eq!(page.status, 401);
        assert_eq!(page.attrs("input[name=username]", "value"), [username]);
        assert_eq!(page.attrs("input[name=password]", "value"), [""], "the password is not echoed");
    }
    assert_eq!(wrong_password.texts("#login-error"), unknown_user.texts("#login-error"));
    assert_eq!(browser.get(&app, "/password").await.status, 303, "still signed out");
}

async fn users_without_console_access_get_403(db: TestDb) {
    let (app, pool, _) = app!(db);
    make_user(&pool, "visitor", false, false, None);
    let mut browser = Browser::new();
    let page = browser.login(&app, "visitor", PASSWORD).await;
    assert_eq!(page.status, 403);
    assert!(page.body.contains("No console access"));
    assert_eq!(browser.get(&app, "/password").await.status, 303, "not signed in");
}

async fn repeated_failures_are_throttled_per_username_and_address(db: TestDb) {
    let (app, pool, _) = app!(db);
    make_user(&pool, "jane", true, false, None);
    let mut browser = Browser::new();
    for _ in 0..5 {
        assert_eq!(browser.login(&app, "JANE", "wrong password!").await.status, 401);
    }
    let throttled = browser.login(&app, "jane", PASSWORD).await;
    assert_eq!(throttled.status, 429, "even the right password waits");
    let retry: i64 = throttled.header("retry-after").unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 15 * 60);
    assert_eq!(throttled.attrs("input[name=username]", "value"), ["jane"]);
    // Another client, same username: guesses from one address don't lock jane out.
    let mut other = Browser::from_address([10, 0, 0, 2]);
    assert_eq!(other.login(&app, "jane", PASSWORD).await.status, 303);
}

async fn repeated_failures_are_throttled_per_address(db: TestDb) {
    let (app, pool, _) = app!(db);
    make_user(&pool, "jane", true, false, None);
    let mut browser = Browser::from_address([10, 0, 0, 9]);
    for i in 0..20 {
        assert_eq!(browser.login(&app, &format!("guess{i}"), "wrong password!").await.status, 401);
    }
    assert_eq!(browser.login(&app, "jane", PASSWORD).await.status, 429);
    let mut elsewhere = Browser::from_address([10, 0, 0, 10]);
    assert_eq!(elsewhere.login(&app, "jane", PASSWORD).await.status, 303);
}

async fn every_post_route_refuses_a_missing_or_wrong_csrf_token(db: TestDb) {
    let (app, pool, _) = app!(db);
    make_user(&pool, "root", true, true, None);
    let mut browser = Browser::new();
    assert_eq!(browser.login(&app, "root", PASSWORD).await.status, 303);
    let posts: Vec<&str> = ROUTES.iter().filter(|(m, _)| *m == "post").map(|(_, p)| *p).collect();
    assert!(posts.contains(&"/logout") && posts.contains(&"/login") && posts.contains(&"/password"));
    for path in posts {
        let concrete = path.replace("{number}", "3141-5926-5359").replace("{id}", "1").replace("{user_id}", "1");
        let missing = browser.send(&app, at::TestRequest::post().uri(&concrete).set_form([("x", "1")])).await;
        assert_eq!(missing.status, 403, "{path} without a token");
        let wrong = browser.post(&app, &concrete, &[("csrf_token", "0000")]).await;
        assert_eq!(wrong.status, 403, "{path} with a wrong token");
    }
    // Nothing happened: still signed in with the same password.
    assert_eq!(browser.get(&app, "/password").await.status, 200);
    let mut again = Browser::new();
    assert_eq!(again.login(&app, "root", PASSWORD).await.status, 303);
}

async fn a_password_change_ends_the_users_other_sessions(db: TestDb) {
    let (app, pool, _) = app!(db);
    make_user(&pool, "jane", true, false, None);
    let (mut here, mut there) = (Browser::new(), Browser::new());
    here.login(&app, "jane", PASSWORD).await;
    there.login(&app, "jane", PASSWORD).await;
    here.get(&app, "/password").await;
    let changed = here
        .post(
            &app,
            "/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a brand new passphrase"),
                ("new_password_confirm", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(changed.status, 303, "{}", changed.body);
    assert_eq!(changed.location(), Some("/accounts"));
    let next = here.get(&app, "/password").await;
    assert_eq!(next.status, 200, "this session stays signed in");
    assert!(next.texts(".flash-success").iter().any(|t| t.contains("password was changed")));
    assert_eq!(there.get(&app, "/password").await.status, 303, "the other session ended");
    assert_eq!(Browser::new().login(&app, "jane", PASSWORD).await.status, 401);
    assert_eq!(Browser::new().login(&app, "jane", "a brand new passphrase").await.status, 303);
}

async fn a_rejected_password_change_shows_every_error_beside_its_field(db: TestDb) {
    let (app, pool, _) = app!(db);
    make_user(&pool, "jane", true, false, None);
    let mut browser = Browser::new();
    browser.login(&app, "jane", PASSWORD).await;
    browser.get(&app, "/password").await;
    let page = browser
        .post(
            &app,
            "/password",
            &[("current_password", "wrong"), ("new_password", "short"), ("new_password_confirm", "other")],
        )
        .await;
    assert_eq!(page.status, 422);
    for field in ["current_password", "new_password", "new_password_confirm"] {
        assert_eq!(page.count(&format!(".field-error#{field}-error")), 1, "{field}");
        assert_eq!(page.attrs(&format!("input#{field}"), "aria-describedby"), [format!("{field}-error")]);
    }
    assert_eq!(Browser::new().login(&app, "jane", PASSWORD).await.status, 303, "unchanged");
}

async fn deactivating_a_user_ends_their_sessions(db: TestDb) {
    let (app, pool, state) = app!(db);
    let jane = make_user(&pool, "jane", true, false, None);
    let mut browser = Browser::new();
    browser.login(&app, "jane", PASSWORD).await;
    assert_eq!(browser.get(&app, "/password").await.status, 200);
    state.store.write(move |conn| User::set_active(conn, &Actor::system(), jane.id, false)).await.unwrap();
    assert_eq!(browser.get(&app, "/password").await.status, 303);
    assert_eq!(Browser::new().login(&app, "jane", PASSWORD).await.status, 401);
}

async fn logging_out_ends_the_session(db: TestDb) {
    let (app, pool, _) = app!(db);
    make_user(&pool, "jane", true, false, None);
    let mut browser = Browser::new();
    browser.login(&app, "jane", PASSWORD).await;
    let signed_in_cookie = browser.cookie.clone().unwrap();
    browser.get(&app, "/password").await;
    let out = browser.post(&app, "/logout", &[]).await;
    assert_eq!((out.status.as_u16(), out.location()), (303, Some("/login")));
    assert_eq!(browser.get(&app, "/password").await.status, 303);
    // With the cookie store the old cookie still decrypts; its session is gone from
    // the browser, and with Redis from the server too (see the Redis test).
    let _ = signed_in_cookie;
}

on_both_databases!(
    anonymous_requests_are_sent_to_sign_in_with_their_path,
    the_login_page_has_its_fields_and_security_headers,
    signing_in_changes_the_session_id_and_follows_only_local_next,
    bad_credentials_get_one_generic_message_and_keep_the_username,
    users_without_console_access_get_403,
    repeated_failures_are_throttled_per_username_and_address,
    repeated_failures_are_throttled_per_address,
    every_post_route_refuses_a_missing_or_wrong_csrf_token,
    a_password_change_ends_the_users_other_sessions,
    a_rejected_password_change_shows_every_error_beside_its_field,
    deactivating_a_user_ends_their_sessions,
    logging_out_ends_the_session
);

#[actix_web::test]
async fn oversized_form_bodies_get_413() {
    let db = TestDb::sqlite();
    let (app, _, _) = app!(db);
    let mut browser = Browser::new();
    browser.get(&app, "/login").await;
    let big = "x".repeat(300 * 1024);
    let page = browser.post(&app, "/login", &[("username", &big), ("password", "x")]).await;
    assert_eq!(page.status, 413);
}

#[actix_web::test]
async fn static_assets_are_hashed_and_long_cached() {
    let db = TestDb::sqlite();
    let (app, _, _) = app!(db);
    let mut browser = Browser::new();
    let login = browser.get(&app, "/login").await;
    let css = login.attrs("link[rel=stylesheet]", "href").remove(0);
    assert!(css.starts_with("/static/app.") && css.ends_with(".css"), "{css}");
    let asset = browser.get(&app, &css).await;
    assert_eq!(asset.status, 200);
    assert!(asset.header("cache-control").unwrap().contains("immutable"));
    assert!(asset.header("content-type").unwrap().starts_with("text/css"));
    assert_eq!(browser.get(&app, "/static/app.css").await.status, 404);
    assert_eq!(browser.get(&app, "/static/../Cargo.toml").await.status, 404);
}

#[actix_web::test]
async fn secure_cookies_when_configured() {
    let db = TestDb::sqlite();
    let mut settings = db.settings();
    settings.secure_cookies = true;
    let state = startup::prepare(settings).await.unwrap();
    let app = at::init_service(startup::build_app(state)).await;
    let mut browser = Browser::new();
    browser.get(&app, "/login").await;
    assert_eq!(browser.cookie.unwrap().secure(), Some(true));
}

async fn with_redis_a_session_is_shared_by_two_instances_and_ends_on_both(db: TestDb) {
    let Ok(redis_url) = std::env::var("TEST_REDIS_URL") else {
        support::notice("skipped: Redis session test (set TEST_REDIS_URL to run it)");
        return;
    };
    let mut settings = db.settings();
    settings.redis_url = Some(smarter_accounts::config::Secret::new(redis_url));
    let first = startup::prepare(settings.clone()).await.unwrap();
    let second = startup::prepare(settings).await.unwrap();
    make_user(first.store.pool(), "jane", true, false, None);
    let one = at::init_service(startup::build_app(first)).await;
    let two = at::init_service(startup::build_app(second)).await;

    let mut browser = Browser::new();
    assert_eq!(browser.login(&one, "jane", PASSWORD).await.status, 303);
    let cookie = browser.cookie.clone().unwrap();
    assert!(cookie.value().len() < 200, "the cookie holds only a session key");
    assert_eq!(browser.get(&two, "/password").await.status, 200, "the session is valid on the other instance");

    let mut thief = Browser { cookie: Some(cookie), ..Browser::new() };
    let out = browser.post(&two, "/logout", &[]).await;
    assert_eq!(out.status, 303);
    assert_eq!(thief.get(&one, "/password").await.status, 303, "a logout on one instance ends the session on both");
}

on_both_databases!(with_redis_a_session_is_shared_by_two_instances_and_ends_on_both);

#[test]
fn a_500_page_shows_a_request_id_and_no_internals() {
    use actix_web::ResponseError;
    use smarter_accounts::error::AppError;
    let error = AppError::Internal(anyhow::anyhow!("password=hunter2 in SELECT * FROM users"));
    let response = error.error_response();
    assert_eq!(response.status(), 500);
    let body = actix_web::body::to_bytes(response.into_body());
    let body = futures_util::FutureExt::now_or_never(body).unwrap().unwrap();
    let html = String::from_utf8_lossy(&body);
    assert!(html.contains("Request id"), "{html}");
    assert!(!html.contains("hunter2") && !html.contains("SELECT"), "{html}");
}
