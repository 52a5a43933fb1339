//! Sessions end on the server: signing out deletes the session's record, so a copied
//! cookie stops working at once; idle and absolute lifetimes are the server's to
//! enforce; a user can sign out everywhere, and a superuser can do it for them.

use chrono::TimeDelta;
use diesel::prelude::*;
use smarter_accounts::db::now;
use smarter_accounts::db::schema::sessions;

use crate::accounts::create;
use crate::on_both_databases;
use crate::support::{self, Browser, PASSWORD, TestDb, make_user};

async fn a_copied_cookie_stops_working_at_logout(db: TestDb) {
    let (app, pool, _root) = crate::console!(support::state(&db).await);
    let acme = create(&mut TestDb::conn(&pool), "Acme");
    make_user(&pool, "jane", true, false, Some(&acme));
    let mut browser = Browser::new();
    assert_eq!(browser.login(&app, "jane", PASSWORD).await.status, 303);
    let detail = format!("/accounts/{}", acme.account_number);
    assert_eq!(browser.get(&app, &detail).await.status, 200);
    let mut copy = Browser { cookie: browser.cookie.clone(), csrf: browser.csrf.clone(), peer: browser.peer };
    assert_eq!(browser.post(&app, "/logout", &[]).await.status, 303);
    assert_eq!(copy.get(&app, &detail).await.status, 303, "the copied cookie signs in no more");
    let contact = [("first_name", "Eve"), ("last_name", "Copy"), ("email", "eve@example.com")];
    let refused = copy.post(&app, &format!("{detail}/contacts/new"), &contact).await;
    assert!(refused.status.is_client_error() || refused.status.is_redirection(), "{}", refused.status);
    let count: i64 =
        smarter_accounts::db::schema::account_contacts::table.count().get_result(&mut *TestDb::conn(&pool)).unwrap();
    assert_eq!(count, 0, "and it can't write");
}

async fn idle_and_old_sessions_end(db: TestDb) {
    // The records are aged below, behind the object cache's back: without the cache,
    // the very next request reads them (with it, a record read within the cache's
    // lifetime is judged by the same clock: `SessionRecord::standing`).
    let mut settings = db.settings();
    settings.cache_ttl = std::time::Duration::ZERO;
    let (app, pool, _root) = crate::console!(smarter_accounts::startup::prepare(settings).await.unwrap());
    make_user(&pool, "jane", true, false, None);
    let mut idle = Browser::new();
    idle.login(&app, "jane", PASSWORD).await;
    let mut old = Browser::new();
    old.login(&app, "jane", PASSWORD).await;
    assert_eq!(idle.get(&app, "/password").await.status, 200);
    assert_eq!(old.get(&app, "/password").await.status, 200);
    let mut conn = TestDb::conn(&pool);
    let ids: Vec<i64> =
        sessions::table.order(sessions::id.desc()).limit(2).select(sessions::id).load(&mut *conn).unwrap();
    let (old_id, idle_id) = (ids[0], ids[1]);
    // Unused for 12 hours and a minute (the idle timeout is 12 hours by default).
    diesel::update(sessions::table.find(idle_id))
        .set(sessions::last_seen_at.eq(now() - TimeDelta::minutes(12 * 60 + 1)))
        .execute(&mut *conn)
        .unwrap();
    // Signed in 7 days and a minute ago, used a moment ago (the lifetime is 7 days).
    diesel::update(sessions::table.find(old_id))
        .set(sessions::created_at.eq(now() - TimeDelta::minutes(7 * 24 * 60 + 1)))
        .execute(&mut *conn)
        .unwrap();
    assert_eq!(idle.get(&app, "/password").await.status, 303);
    assert_eq!(old.get(&app, "/password").await.status, 303);
    assert_eq!(sessions::table.count().get_result::<i64>(&mut *conn).unwrap(), 1, "only root's session is left");
}

async fn signing_out_everywhere_ends_every_session_of_the_user(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let jane = make_user(&pool, "jane", true, false, None);
    let (mut laptop, mut phone) = (Browser::new(), Browser::new());
    laptop.login(&app, "jane", PASSWORD).await;
    phone.login(&app, "jane", PASSWORD).await;
    laptop.get(&app, "/password").await;
    assert_eq!(laptop.post(&app, "/password/sign-out", &[]).await.status, 303);
    assert_eq!(laptop.get(&app, "/password").await.status, 303);
    assert_eq!(phone.get(&app, "/password").await.status, 303);

    // A superuser ends them for her.
    phone.login(&app, "jane", PASSWORD).await;
    assert_eq!(phone.get(&app, "/password").await.status, 200);
    let edit = format!("/users/{}/edit", jane.id);
    root.get(&app, &edit).await;
    let done = root.post(&app, &format!("/users/{}/sign-out", jane.id), &[]).await;
    assert_eq!(done.status, 303);
    assert_eq!(phone.get(&app, "/password").await.status, 303);
    assert_eq!(root.get(&app, &edit).await.status, 200, "the superuser's own session goes on");
}

async fn only_superusers_sign_others_out(db: TestDb) {
    let (app, pool, _root) = crate::console!(support::state(&db).await);
    let jane = make_user(&pool, "jane", true, false, None);
    make_user(&pool, "bob", true, false, None);
    let mut bob = Browser::new();
    bob.login(&app, "bob", PASSWORD).await;
    bob.get(&app, "/password").await;
    assert_eq!(bob.post(&app, &format!("/users/{}/sign-out", jane.id), &[]).await.status, 403);
}

on_both_databases!(
    a_copied_cookie_stops_working_at_logout,
    idle_and_old_sessions_end,
    signing_out_everywhere_ends_every_session_of_the_user,
    only_superusers_sign_others_out,
);
