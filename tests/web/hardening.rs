//! Hostile input, faults and concurrency: a 4xx and no write for bad input,
//! a 503 (never a hang or a 500) while the database is away, recovery without a
//! restart, and no lost or unaudited update under concurrent edits.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::test as at;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use smarter_accounts::cache::ObjectCache;
use smarter_accounts::config::DatabaseUrl;
use smarter_accounts::db::models::{Account, AuditEntry};
use smarter_accounts::db::schema::accounts;
use smarter_accounts::db::{AccountId, StoreError};
use smarter_accounts::startup;
use smarter_accounts::store::Store;
use smarter_accounts::web::ROUTES;

use crate::accounts::create;
use crate::on_both_databases;
use crate::support::{self, Browser, TestDb, as_refs, set_field};

fn counts(pool: &smarter_accounts::db::DbPool) -> (i64, i64) {
    let mut conn = TestDb::conn(pool);
    (accounts::table.count().get_result(&mut *conn).unwrap(), AuditEntry::count(&mut conn).unwrap())
}

fn concrete(path: &str, number: &str) -> String {
    path.replace("{number}", number).replace("{id}", "1").replace("{user_id}", "1")
}

async fn hostile_bodies_get_a_4xx_and_write_nothing(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let acme = create(&mut TestDb::conn(&pool), "Acme");
    root.get(&app, "/accounts").await;
    let before = counts(&pool);
    let token = root.csrf.clone().unwrap();
    for (_, path) in ROUTES.iter().filter(|(m, _)| *m == "post") {
        let path = concrete(path, &acme.account_number);
        let big = format!("csrf_token={token}&company_name={}", "x".repeat(300 * 1024));
        let page = root
            .send(
                &app,
                at::TestRequest::post()
                    .uri(&path)
                    .insert_header(("content-type", "application/x-www-form-urlencoded"))
                    .set_payload(big),
            )
            .await;
        assert_eq!(page.status, 413, "{path}");
        if path == "/logout" {
            continue; // a logout needs no fields: with a valid token it would sign out
        }
        let bad_utf8 = format!("csrf_token={token}&company_name=%FF%FE&first_name=%C3%28");
        let page = root
            .send(
                &app,
                at::TestRequest::post()
                    .uri(&path)
                    .insert_header(("content-type", "application/x-www-form-urlencoded"))
                    .set_payload(bad_utf8),
            )
            .await;
        assert!(page.status.is_client_error() || page.status.is_redirection(), "{path}: {}", page.status);
        let raw = [b"csrf_token=".as_slice(), token.as_bytes(), b"&company_name=\xff\xfe"].concat();
        let page = root
            .send(
                &app,
                at::TestRequest::post()
                    .uri(&path)
                    .insert_header(("content-type", "application/x-www-form-urlencoded"))
                    .set_payload(raw),
            )
            .await;
        assert!(!page.status.is_server_error(), "{path}: {}", page.status);
    }
    for (name, fields) in [
        ("unknown field", vec![("company_name", "New Co"), ("is_admin", "yes")]),
        ("repeated field", vec![("company_name", "New Co"), ("company_name", "Other Co")]),
    ] {
        let page = root.post(&app, "/accounts/new", &fields).await;
        assert_eq!(page.status, 400, "{name}");
    }
    let edit = format!("/accounts/{}/edit", acme.account_number);
    let mut fields = root.get(&app, &edit).await.form("form.account-form");
    set_field(&mut fields, "company_name", Some("Changed"));
    for (version, expected) in [("99999999999999999999999", 400), ("-1", 409), ("1e3", 400), ("", 400)] {
        set_field(&mut fields, "lock_version", Some(version));
        assert_eq!(root.post(&app, &edit, &as_refs(&fields)).await.status, expected, "lock_version={version:?}");
    }
    assert_eq!(counts(&pool), before, "nothing was written");
    assert_eq!(Account::find(&mut TestDb::conn(&pool), acme.id).unwrap().unwrap().company_name, "Acme");
}

async fn odd_paths_and_parameters_get_a_4xx(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let acme = create(&mut TestDb::conn(&pool), "Acme");
    let long = format!("/accounts/{}", "9".repeat(5000));
    for path in [
        "/accounts/%00",
        "/accounts/..%2F..%2Fetc%2Fpasswd",
        "/static/..%2FCargo.toml",
        "/static/%2e%2e/%2e%2e/Cargo.toml",
        &format!("/accounts/{}/contacts/99999999999999999999999/edit", acme.account_number),
        &format!("/accounts/{}/contacts/-1/edit", acme.account_number),
        "/users/-1/edit",
        "/users/abc/edit",
        "/users/99999999999999999999/edit",
        &long,
        "/accounts/1234-5678-9012/history?before=abc",
        "/accounts?per_page=1&per_page=2",
        "/accounts?cursor=%FF%FE",
    ] {
        let page = root.get(&app, path).await;
        assert!(page.status.is_client_error() || page.status == 200, "{path}: {}", page.status);
        assert!(!page.status.is_server_error(), "{path}");
    }
}

async fn sql_and_html_in_every_field_are_stored_and_shown_verbatim(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let hostile = "x'); DROP TABLE accounts; -- <img src=x onerror=alert(1)>";
    let mut fields = root.get(&app, "/accounts/new").await.form("form.account-form");
    for field in ["company_name", "address1", "address2", "city", "state", "description"] {
        set_field(&mut fields, field, Some(hostile));
    }
    set_field(&mut fields, "tags", Some("<b>bold</b>, '; DELETE FROM tags; --"));
    set_field(&mut fields, "annotations", Some("note: <script>alert(1)</script>\nsql: ' OR 1=1 --"));
    let created = root.post(&app, "/accounts/new", &as_refs(&fields)).await;
    assert_eq!(created.status, 303, "{}", created.body);
    let page = root.get(&app, created.location().unwrap()).await;
    assert!(!page.body.contains("<img src=x") && !page.body.contains("<script>alert"), "escaped");
    assert!(page.texts("#fields dd").iter().filter(|t| t.contains(hostile)).count() >= 4);
    assert_eq!(page.texts("#tags li"), ["<b>bold</b>", "'; DELETE FROM tags; --"]);
    let stored: String = accounts::table
        .filter(accounts::company_name.eq(hostile))
        .select(accounts::city)
        .first::<Option<String>>(&mut *TestDb::conn(&pool))
        .unwrap()
        .unwrap();
    assert_eq!(stored, hostile);
    let csv = root.get(&app, "/accounts.csv").await;
    assert!(csv.body.contains("DROP TABLE"));
}

async fn concurrent_edits_lose_nothing_and_audit_every_commit(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let targets: Vec<Account> = (0..3).map(|i| create(&mut TestDb::conn(&pool), &format!("Soak {i}"))).collect();
    let audit_before: Vec<usize> = targets
        .iter()
        .map(|a| AuditEntry::for_account(&mut TestDb::conn(&pool), a.id, 10_000).unwrap().len())
        .collect();
    let mut clients = Vec::new();
    for _ in 0..6 {
        let mut b = Browser { cookie: root.cookie.clone(), ..Browser::new() };
        b.csrf = root.csrf.clone();
        clients.push(b);
    }
    let _ = &mut root;
    let deadline = Instant::now() + Duration::from_secs(8);
    let committed = Mutex::new(Vec::<(AccountId, String)>::new());
    let rejected = Mutex::new(0usize);
    let app = &app;
    let work = clients.into_iter().enumerate().map(|(c, mut browser)| {
        let targets = targets.clone();
        let (committed, rejected) = (&committed, &rejected);
        async move {
            let mut n = 0;
            while Instant::now() < deadline && n < 25 {
                let target = &targets[(c + n) % targets.len()];
                let edit = format!("/accounts/{}/edit", target.account_number);
                let mut fields = browser.get(app, &edit).await.form("form.account-form");
                let value = format!("client {c} edit {n}");
                set_field(&mut fields, "description", Some(&value));
                let page = browser.post(app, &edit, &as_refs(&fields)).await;
                match page.status.as_u16() {
                    303 => committed.lock().unwrap().push((target.id, value)),
                    409 => *rejected.lock().unwrap() += 1,
                    other => panic!("unexpected {other}: {}", page.body),
                }
                n += 1;
            }
        }
    });
    futures_util::future::join_all(work).await;
    let committed = committed.into_inner().unwrap();
    assert!(!committed.is_empty());
    eprintln!("soak: {} committed, {} rejected with 409", committed.len(), rejected.into_inner().unwrap());
    for (i, target) in targets.iter().enumerate() {
        let entries = AuditEntry::for_account(&mut TestDb::conn(&pool), target.id, 10_000).unwrap();
        let mine: Vec<&String> = committed.iter().filter(|(id, _)| *id == target.id).map(|(_, v)| v).collect();
        assert_eq!(entries.len() - audit_before[i], mine.len(), "exactly one audit entry per committed edit");
        for value in &mine {
            let found = entries
                .iter()
                .filter(|e| {
                    e.field_changes()
                        .iter()
                        .any(|c| c.field == "description" && c.new.as_deref() == Some(value.as_str()))
                })
                .count();
            assert_eq!(found, 1, "the committed change {value:?} is in the log once");
        }
        let stored = Account::find(&mut TestDb::conn(&pool), target.id).unwrap().unwrap();
        assert_eq!(stored.lock_version as usize, mine.len(), "every committed edit moved the version once");
        if let Some(last) = mine.last() {
            assert_eq!(&stored.description, *last, "the last commit is what is stored");
        }
    }
}

on_both_databases!(
    hostile_bodies_get_a_4xx_and_write_nothing,
    odd_paths_and_parameters_get_a_4xx,
    sql_and_html_in_every_field_are_stored_and_shown_verbatim,
    concurrent_edits_lose_nothing_and_audit_every_commit
);

#[actix_web::test]
async fn a_locked_sqlite_database_gives_503_and_recovers() {
    let db = TestDb::sqlite();
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let acme = create(&mut TestDb::conn(&pool), "Acme");
    let edit = format!("/accounts/{}/edit", acme.account_number);
    let mut fields = root.get(&app, &edit).await.form("form.account-form");
    set_field(&mut fields, "company_name", Some("Acme Locked"));
    let DatabaseUrl::Sqlite(path) = &db.url else { unreachable!() };
    let mut locker = diesel::SqliteConnection::establish(path).unwrap();
    locker.batch_execute("BEGIN EXCLUSIVE").unwrap();
    let page = root.post(&app, &edit, &as_refs(&fields)).await;
    assert_eq!(page.status, 503, "{}", page.body);
    assert_eq!(page.header("retry-after"), Some("5"));
    assert!(page.body.contains("Request id"));
    locker.batch_execute("COMMIT").unwrap();
    assert_eq!(root.post(&app, &edit, &as_refs(&fields)).await.status, 303, "recovered without a restart");
}

#[actix_web::test]
async fn a_drained_pool_gives_503_with_retry_after_not_a_hang() {
    let db = TestDb::sqlite();
    let mut settings = db.settings();
    settings.db_pool_size = 1;
    let (app, pool, mut root) = crate::console!(startup::prepare(settings).await.unwrap());
    let held = pool.get().unwrap();
    let started = Instant::now();
    let page = root.get(&app, "/accounts?q=anything").await;
    assert_eq!(page.status, 503);
    assert!(page.header("retry-after").is_some());
    assert!(started.elapsed() < Duration::from_secs(15));
    drop(held);
    assert_eq!(root.get(&app, "/accounts?q=anything").await.status, 200);
}

/// A TCP proxy in front of PostgreSQL that the test can cut and restore, as if the
/// server stopped and came back.
struct Proxy {
    port: u16,
    up: Arc<AtomicBool>,
    streams: Arc<Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    fn start(target: (String, u16)) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let streams: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let (up2, streams2) = (up.clone(), streams.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().map_while(Result::ok) {
                if !up2.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let Ok(server) = TcpStream::connect((target.0.as_str(), target.1)) else { continue };
                streams2.lock().unwrap().extend([client.try_clone().unwrap(), server.try_clone().unwrap()]);
                for (mut from, mut to) in [(client.try_clone().unwrap(), server.try_clone().unwrap()), (server, client)]
                {
                    std::thread::spawn(move || {
                        let mut buf = [0u8; 16 * 1024];
                        while let Ok(n) = from.read(&mut buf) {
                            if n == 0 || to.write_all(&buf[..n]).is_err() {
                                break;
                            }
                        }
                        let _ = to.shutdown(std::net::Shutdown::Both);
                    });
                }
            }
        });
        Self { port, up, streams }
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for s in self.streams.lock().unwrap().drain(..) {
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

/// A migrated PostgreSQL test database, and its URL through a proxy in front of it.
fn proxied(db: &TestDb) -> (Proxy, DatabaseUrl) {
    let DatabaseUrl::Postgres(raw) = &db.url else { unreachable!() };
    let _ = db.pool();
    let url = url::Url::parse(raw).unwrap();
    let proxy = Proxy::start((url.host_str().unwrap().to_owned(), url.port().unwrap_or(5432)));
    let mut through = url.clone();
    through.set_port(Some(proxy.port)).unwrap();
    (proxy, DatabaseUrl::Postgres(through.to_string()))
}

#[actix_web::test]
async fn postgres_going_away_gives_503_and_coming_back_needs_no_restart() {
    let Some(db) = TestDb::postgres() else { return };
    let (proxy, through) = proxied(&db);
    let mut settings = db.settings();
    settings.database_url = through;
    let (app, _, mut root) = crate::console!(startup::prepare(settings).await.unwrap());
    assert_eq!(root.get(&app, "/healthz").await.status, 200);
    assert_eq!(root.get(&app, "/accounts?q=abc").await.status, 200);

    proxy.cut();
    let health = root.get(&app, "/healthz").await;
    assert_eq!(health.status, 503);
    let page = root.get(&app, "/accounts?q=xyz").await;
    assert_eq!(page.status, 503, "{}", page.body);
    assert!(page.body.contains("Request id"));

    proxy.restore();
    assert_eq!(root.get(&app, "/healthz").await.status, 200, "recovered without a restart");
    assert_eq!(root.get(&app, "/accounts?q=xyz").await.status, 200);
}

/// The pool hands out a connection that answered within the last second without a
/// `SELECT 1`; one whose last work failed is proved alive first (or, when diesel saw the
/// server close it, dropped on return), so the first request after the database returns
/// is served, not failed on a dead socket. Either mechanism alone passes this test;
/// without both it fails.
#[actix_web::test]
async fn a_connection_that_failed_is_checked_before_it_is_reused() {
    let Some(db) = TestDb::postgres() else { return };
    let (proxy, through) = proxied(&db);
    let pool = smarter_accounts::db::build_pool(&through, 1);
    let store = Store::new(pool, Arc::new(ObjectCache::local(Duration::ZERO)));
    let ping = || store.read(|conn| conn.batch_execute("SELECT 1").map_err(StoreError::from));

    ping().await.expect("through the proxy");
    proxy.cut();
    assert!(ping().await.is_err(), "the only connection's socket is gone");
    proxy.restore();
    ping().await.expect("the dead connection was dropped and a new one opened");
    assert_eq!(store.pool().state().connections, 1);
}
