//! The binary itself, as an operator runs it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::TestDb;

fn binary() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_smarter-accounts"));
    for var in [
        "DATABASE_URL",
        "REDIS_URL",
        "SMARTER_BIND",
        "SMARTER_SECRET_KEY",
        "SMARTER_ADMIN_PASSWORD",
        "SMARTER_ADMIN_USERNAME",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("RUST_LOG", "info");
    cmd
}

fn http_get(addr: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn an_unknown_database_scheme_stops_with_a_line_naming_database_url() {
    let output = binary().args(["migrate"]).env("DATABASE_URL", "mysql://root:hunter2@db/app").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("DATABASE_URL"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "the secret was printed: {stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
}

#[test]
fn help_lists_the_commands() {
    let output = binary().arg("--help").output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    for command in ["serve", "migrate", "create-user"] {
        assert!(stdout.contains(command), "{stdout}");
    }
}

#[test]
fn serve_creates_the_database_bootstraps_answers_healthz_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = binary()
        .arg("serve")
        .current_dir(dir.path())
        .env("SMARTER_BIND", "127.0.0.1:0")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut log = Vec::new();
    let addr = loop {
        let line =
            rx.recv_timeout(deadline.saturating_duration_since(Instant::now())).expect("the server logs its address");
        log.push(line.clone());
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.trim().to_owned();
        }
    };
    let text = log.join("\n");
    assert!(text.contains("3141-5926-5359"), "{text}");
    assert!(text.contains("generated password"), "{text}");
    assert!(dir.path().join("smarter-accounts.db").is_file());

    let response = http_get(&addr, "/healthz");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.ends_with(r#"{"status":"ok"}"#), "{response}");

    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the server did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
}

fn migrate_and_create_user(url: &str) {
    let migrated = binary()
        .arg("migrate")
        .env("DATABASE_URL", url)
        .env("SMARTER_ADMIN_PASSWORD", "first admin password")
        .output()
        .unwrap();
    assert!(migrated.status.success(), "{}", String::from_utf8_lossy(&migrated.stderr));

    let created = binary()
        .args([
            "create-user",
            "--username",
            "jane",
            "--email",
            "jane@example.com",
            "--staff",
            "--account",
            "3141-5926-5359",
        ])
        .env("DATABASE_URL", url)
        .env("SMARTER_NEW_PASSWORD", "jane's long password")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    assert!(!String::from_utf8_lossy(&created.stderr).contains("jane's long password"));

    let duplicate = binary()
        .args(["create-user", "--username", "JANE"])
        .env("DATABASE_URL", url)
        .env("SMARTER_NEW_PASSWORD", "another long password")
        .output()
        .unwrap();
    assert!(!duplicate.status.success());
    assert!(String::from_utf8_lossy(&duplicate.stderr).contains("exists already"));

    let weak = binary()
        .args(["create-user", "--username", "bob"])
        .env("DATABASE_URL", url)
        .env("SMARTER_NEW_PASSWORD", "123456789012345")
        .output()
        .unwrap();
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("password"));

    let no_account = binary()
        .args(["create-user", "--username", "carol", "--account", "0000-0000-0001"])
        .env("DATABASE_URL", url)
        .env("SMARTER_NEW_PASSWORD", "carol's long password")
        .output()
        .unwrap();
    assert!(!no_account.status.success());
    assert!(String::from_utf8_lossy(&no_account.stderr).contains("--account"));
}

fn check_users(db: &TestDb) {
    use smarter_accounts::db::models::{Account, User, UserProfile};
    let pool = smarter_accounts::db::build_pool(&db.url, 1);
    let mut conn = TestDb::conn(&pool);
    let jane = User::find_by_username(&mut conn, "jane").unwrap().unwrap();
    assert!(jane.is_staff && !jane.is_superuser);
    assert_eq!(jane.email, "jane@example.com");
    let platform = Account::default_account(&mut conn).unwrap().unwrap();
    assert!(UserProfile::is_member(&mut conn, jane.id, platform.id).unwrap());
    assert!(User::find_by_username(&mut conn, "carol").unwrap().is_none(), "a failed create-user writes nothing");
}

#[test]
fn migrate_and_create_user_on_sqlite() {
    let db = TestDb::sqlite();
    migrate_and_create_user(&db.url.to_string());
    check_users(&db);
}

#[test]
fn migrate_and_create_user_on_an_empty_postgres_database() {
    let Some(db) = TestDb::postgres() else { return };
    let smarter_accounts::config::DatabaseUrl::Postgres(url) = &db.url else { unreachable!() };
    migrate_and_create_user(url);
    check_users(&db);
}

#[test]
fn seed_demo_then_aggregate_charges() {
    use diesel::prelude::*;
    use smarter_accounts::db::schema::{accounts, charges};
    let db = TestDb::sqlite();
    let url = db.url.to_string();
    let seeded =
        binary().args(["seed-demo", "--accounts", "30", "--seed", "3"]).env("DATABASE_URL", &url).output().unwrap();
    assert!(seeded.status.success(), "{}", String::from_utf8_lossy(&seeded.stderr));
    let pool = smarter_accounts::db::build_pool(&db.url, 1);
    let mut conn = TestDb::conn(&pool);
    assert_eq!(
        accounts::table.count().get_result::<i64>(&mut *conn).unwrap(),
        31,
        "seed-demo bootstraps an empty database: the platform account and 30 demo accounts"
    );
    let admin = smarter_accounts::db::models::User::find_by_username(&mut conn, "admin").unwrap();
    assert!(admin.is_some_and(|a| a.is_superuser && a.is_active), "so that someone can sign in to the console");
    assert!(charges::table.count().get_result::<i64>(&mut *conn).unwrap() > 0);
    drop(conn);
    let aggregated = binary().arg("aggregate-charges").env("DATABASE_URL", &url).output().unwrap();
    assert!(aggregated.status.success(), "{}", String::from_utf8_lossy(&aggregated.stderr));
    assert_eq!(charges::table.count().get_result::<i64>(&mut *TestDb::conn(&pool)).unwrap(), 0);
    let refused = binary().args(["seed-demo", "--accounts", "0"]).env("DATABASE_URL", &url).output().unwrap();
    assert_eq!(refused.status.code(), Some(2));
}

/// On PostgreSQL the bulk load ends with `ANALYZE`, so the planner knows the table's
/// size at once (without it, with autovacuum off or behind, it planned for an empty one).
#[test]
fn seed_demo_leaves_postgres_statistics_fresh() {
    use diesel::prelude::*;
    use diesel::sql_types::Float;
    #[derive(QueryableByName)]
    struct Rows {
        #[diesel(sql_type = Float)]
        reltuples: f32,
        #[diesel(sql_type = diesel::sql_types::Integer)]
        relallvisible: i32,
    }
    let Some(db) = TestDb::postgres() else { return };
    let seeded = binary()
        .args(["seed-demo", "--accounts", "40", "--seed", "4"])
        .env("DATABASE_URL", db.url.to_string())
        .output()
        .unwrap();
    assert!(seeded.status.success(), "{}", String::from_utf8_lossy(&seeded.stderr));
    let pool = smarter_accounts::db::build_pool(&db.url, 1);
    let rows: Rows = diesel::sql_query("SELECT reltuples, relallvisible FROM pg_class WHERE relname = 'accounts'")
        .get_result(&mut *TestDb::conn(&pool))
        .unwrap();
    assert_eq!(rows.reltuples, 41.0, "the 40 seeded and the platform account; -1 until the table is analyzed");
    assert!(rows.relallvisible > 0, "vacuumed: its pages are marked all-visible");
}

fn raw_request(addr: &str, request: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

/// Starts `serve` in `dir`; returns the process, its address and its log lines from then on.
fn start_serving(dir: &std::path::Path) -> (std::process::Child, String, std::sync::mpsc::Receiver<String>) {
    let mut child = binary()
        .arg("serve")
        .current_dir(dir)
        .env("SMARTER_BIND", "127.0.0.1:0")
        .env("SMARTER_ADMIN_PASSWORD", "first admin password")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let addr = loop {
        let line = rx.recv_timeout(Duration::from_secs(60)).expect("the server logs its address");
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.trim().to_owned();
        }
    };
    (child, addr, rx)
}

/// Waits (up to a minute) for a log line that contains `text`.
fn wait_for_log(logs: &std::sync::mpsc::Receiver<String>, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if logs.recv_timeout(deadline - Instant::now()).is_ok_and(|line| line.contains(text)) {
            return;
        }
    }
    panic!("no log line with {text:?}");
}

#[test]
fn sigterm_lets_a_request_in_flight_finish() {
    use diesel::Connection;
    use diesel::connection::SimpleConnection;
    let dir = tempfile::tempdir().unwrap();
    let (mut child, addr, logs) = start_serving(dir.path());
    let login = raw_request(&addr, &format!("GET /login HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"));
    let cookie = login
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: ").or_else(|| l.strip_prefix("Set-Cookie: ")))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_owned();
    let token =
        login.split("name=\"csrf_token\" value=\"").nth(1).and_then(|r| r.split('"').next()).unwrap().to_owned();

    // Hold the write lock: the sign-in below blocks when it records its failure.
    let db_path = dir.path().join("smarter-accounts.db");
    let mut locker = diesel::SqliteConnection::establish(db_path.to_str().unwrap()).unwrap();
    locker.batch_execute("BEGIN EXCLUSIVE").unwrap();
    let body = format!("username=admin&password=wrong+password&csrf_token={token}");
    let request = format!(
        "POST /login HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    // Connected before the probe below: the server accepts connections in order, so the
    // probe's answer means this one was accepted and is being served.
    let mut pending = TcpStream::connect(&addr).unwrap();
    pending.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    pending.write_all(request.as_bytes()).unwrap();
    let in_flight = std::thread::spawn(move || {
        let mut response = String::new();
        pending.read_to_string(&mut response).unwrap();
        response
    });
    assert!(http_get(&addr, "/healthz").starts_with("HTTP/1.1 200"));
    assert!(!in_flight.is_finished(), "the request is waiting for the lock");
    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    // The server says it is stopping with the request still in flight.
    wait_for_log(&logs, "finishing 1 connections");
    locker.batch_execute("COMMIT").unwrap();
    let response = in_flight.join().unwrap();
    assert!(response.starts_with("HTTP/1.1 401"), "the request in flight finished: {response}");
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the server did not stop");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
}

#[test]
fn a_declared_body_never_sent_gets_408() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, addr, _logs) = start_serving(dir.path());
    let head = raw_request(&addr, &format!("HEAD /login HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"));
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(head.ends_with("\r\n\r\n"), "HEAD answers without a body: {head}");

    let started = Instant::now();
    let request = format!(
        "POST /login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 64\r\n\r\nusername="
    );
    let response = raw_request(&addr, &request);
    assert!(response.starts_with("HTTP/1.1 408"), "{response}");
    assert!(started.elapsed() < Duration::from_secs(20), "answered after {:?}", started.elapsed());
    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    child.wait().unwrap();
}
