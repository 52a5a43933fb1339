//! With `REDIS_URL` set: Redis carries no authority (its values are sealed), and an
//! outage costs answers' speed, never an answer. Each test starts its own
//! `redis-server` on a free port, so it can pause, kill and restart it.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use actix_web::test as at;
use smarter_accounts::config::Secret;
use smarter_accounts::startup;

use crate::on_both_databases;
use crate::support::{self, Browser, PASSWORD, TestDb, make_user};

/// A `redis-server` of the test's own, stopped with it.
struct RedisServer {
    child: Option<Child>,
    port: u16,
}

impl RedisServer {
    fn start_on(port: u16) -> Option<Child> {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not listen");
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(child)
    }

    /// A new server, or `None` (with a notice) where Redis tests don't run.
    fn start() -> Option<Self> {
        if std::env::var("TEST_REDIS_URL").is_err() {
            support::notice("skipped: Redis outage test (set TEST_REDIS_URL to run it)");
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Self::start_on(port)?;
        Some(Self { child: Some(child), port })
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn signal(&self, signal: &str) {
        let pid = self.child.as_ref().unwrap().id().to_string();
        assert!(Command::new("kill").args([signal, &pid]).status().unwrap().success());
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn restart(&mut self) {
        self.kill();
        self.child = Self::start_on(self.port);
    }

    fn cli(&self, args: &[&str]) -> String {
        let out = Command::new("redis-cli").args(["-p", &self.port.to_string()]).args(args).output().unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        if self.child.is_some() {
            self.signal("-CONT");
        }
        self.kill();
    }
}

/// Polls `check` until it holds, for at most `limit`; returns how long it took.
async fn within<F, Fut>(limit: Duration, mut check: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while !check().await {
        assert!(started.elapsed() < limit, "not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    started.elapsed()
}

async fn a_redis_outage_answers_503_and_recovers_by_itself(db: TestDb) {
    let Some(mut redis) = RedisServer::start() else { return };
    let mut settings = db.settings();
    settings.redis_url = Some(Secret::new(redis.url()));
    let state = startup::prepare(settings).await.unwrap();
    make_user(state.store.pool(), "jane", true, false, None);
    let app = at::init_service(startup::build_app(state)).await;
    let mut jane = Browser::new();
    assert_eq!(jane.login(&app, "jane", PASSWORD).await.status, 303);
    assert_eq!(jane.get(&app, "/accounts").await.status, 200);

    for (how, pause) in [("paused", true), ("killed", false)] {
        if pause {
            redis.signal("-STOP");
        } else {
            redis.kill();
        }
        // The load balancer's health check notices first, as it would.
        let started = Instant::now();
        let health = Browser::new().get(&app, "/healthz").await;
        assert_eq!(health.status, 503, "{how}");
        assert!(health.body.contains(r#""redis":"down""#), "{how}: {}", health.body);
        let page = jane.get(&app, "/accounts").await;
        assert_eq!(page.status, 503, "{how}");
        assert!(page.header("retry-after").is_some());
        assert!(started.elapsed() < Duration::from_secs(2), "{how}: answered after {:?}", started.elapsed());

        if pause {
            redis.signal("-CONT");
        } else {
            redis.restart();
        }
        within(Duration::from_secs(5), || async { Browser::new().get(&app, "/healthz").await.status == 200 }).await;
        if pause {
            assert_eq!(jane.get(&app, "/accounts").await.status, 200, "the session survived a pause");
        } else {
            // Redis lost its data: sign in again, and the object cache works again.
            assert_eq!(jane.get(&app, "/accounts").await.status, 303);
            assert_eq!(jane.login(&app, "jane", PASSWORD).await.status, 303);
            assert_eq!(jane.get(&app, "/accounts").await.status, 200);
            assert!(!redis.cli(&["--scan", "--pattern", "*generation*"]).is_empty(), "the cache writes to Redis again");
        }
    }
}

async fn a_redis_writer_cannot_become_another_user(db: TestDb) {
    let Some(redis) = RedisServer::start() else { return };
    let mut settings = db.settings();
    settings.redis_url = Some(Secret::new(redis.url()));
    let state = startup::prepare(settings).await.unwrap();
    make_user(state.store.pool(), "jane", true, false, None);
    make_user(state.store.pool(), "root", true, true, None);
    let app = at::init_service(startup::build_app(state)).await;
    let sessions = || {
        let keys = redis.cli(&["--scan", "--pattern", "*:session:*"]);
        keys.lines().map(str::to_owned).collect::<Vec<_>>()
    };

    let mut jane = Browser::new();
    assert_eq!(jane.login(&app, "jane", PASSWORD).await.status, 303);
    let jane_keys = sessions();
    let mut root = Browser::new();
    assert_eq!(root.login(&app, "root", PASSWORD).await.status, 303);
    assert_eq!(root.get(&app, "/users").await.status, 200);
    let root_key = sessions().into_iter().find(|k| !jane_keys.contains(k)).expect("root's session key");
    let root_state = redis.cli(&["GET", &root_key]);

    // A writer puts root's session under every other session key: none of them loads.
    for key in &jane_keys {
        assert_eq!(redis.cli(&["SET", key, &root_state, "KEEPTTL"]), "OK");
    }
    let forged = jane.get(&app, "/users").await;
    assert_eq!(forged.status, 303, "jane's cookie is signed out, not root");
    assert_eq!(root.get(&app, "/users").await.status, 200, "root's own session goes on");

    // A writer makes jane a superuser in her cached session (record and user): the entry
    // is ignored.
    assert_eq!(jane.login(&app, "jane", PASSWORD).await.status, 303);
    assert_eq!(jane.get(&app, "/password").await.status, 200);
    assert_eq!(jane.get(&app, "/password").await.status, 200);
    let user_keys = redis.cli(&["--scan", "--pattern", "*:session-record:*"]);
    assert!(!user_keys.is_empty(), "the session's user is cached: {}", redis.cli(&["--scan"]));
    let mut forged_entries = 0;
    for key in user_keys.lines() {
        let value = redis.cli(&["GET", key]);
        let forged = value.replace(r#""is_superuser":false"#, r#""is_superuser":true"#);
        if forged != value {
            assert_eq!(redis.cli(&["SET", key, &forged, "KEEPTTL"]), "OK");
            forged_entries += 1;
        }
    }
    assert_eq!(forged_entries, 1, "jane's cached session was forged");
    assert_eq!(jane.get(&app, "/users").await.status, 403, "still staff");
    let cached = redis.cli(&["--scan", "--pattern", "*:session-record:*"]);
    assert!(!cached.contains("password_hash") && !cached.contains("stamp"));
    for key in cached.lines() {
        let value = redis.cli(&["GET", key]);
        assert!(!value.contains("password_hash") && !value.contains("argon2"), "{value}");
    }
}

/// The commands Redis ran since its statistics were reset, as `name:calls` (the
/// statistics' own commands left out).
fn commands_run(redis: &RedisServer) -> Vec<String> {
    let stats = redis.cli(&["INFO", "commandstats"]);
    stats
        .lines()
        .filter_map(|line| line.strip_prefix("cmdstat_"))
        .filter(|line| !line.starts_with("info:") && !line.starts_with("config|resetstat:"))
        .filter_map(|line| line.split_once(",usec=").map(|(name_calls, _)| name_calls.replace(":calls=", ":")))
        .collect()
}

async fn a_warm_account_page_asks_redis_once(db: TestDb) {
    let Some(redis) = RedisServer::start() else { return };
    let mut settings = db.settings();
    settings.redis_url = Some(Secret::new(redis.url()));
    let state = startup::prepare(settings).await.unwrap();
    make_user(state.store.pool(), "root", true, true, None);
    let account = crate::accounts::create(&mut TestDb::conn(state.store.pool()), "Once Ltd");
    let app = at::init_service(startup::build_app(state)).await;
    let mut root = Browser::new();
    assert_eq!(root.login(&app, "root", PASSWORD).await.status, 303);
    let page = format!("/accounts/{}", account.account_number);
    for _ in 0..2 {
        assert_eq!(root.get(&app, &page).await.status, 200);
    }

    // The session's state and where the cache stands come in one MGET; every part of
    // the page is held in process, read under that very answer.
    assert_eq!(redis.cli(&["CONFIG", "RESETSTAT"]), "OK");
    let view = root.get(&app, &page).await;
    assert_eq!(view.status, 200);
    assert!(view.body.contains("Once Ltd"));
    assert_eq!(commands_run(&redis), ["mget:1"]);

    // A write elsewhere (here, straight to Redis: a new generation) is seen at once.
    let generation = redis.cli(&["--scan", "--pattern", "*:objects:generation"]);
    assert_eq!(redis.cli(&["SET", &generation, "another"]), "OK");
    assert_eq!(redis.cli(&["CONFIG", "RESETSTAT"]), "OK");
    assert_eq!(root.get(&app, &page).await.status, 200);
    assert!(
        commands_run(&redis).iter().any(|c| c.starts_with("set:")),
        "read again and kept: {:?}",
        commands_run(&redis)
    );
}

on_both_databases!(
    a_redis_outage_answers_503_and_recovers_by_itself,
    a_redis_writer_cannot_become_another_user,
    a_warm_account_page_asks_redis_once
);
