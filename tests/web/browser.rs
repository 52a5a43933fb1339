//! End-to-end tests in a real headless Chromium, driven over WebDriver (chromedriver),
//! against the real server on a free port. They also take screenshots, in
//! `target/screenshots/`, or with `UPDATE_SCREENSHOTS=1` in the README's
//! `docs/screenshots/`. Without chromedriver they skip with a notice.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use smarter_accounts::db::models::{AccountContact, Actor, UserProfile};
use smarter_accounts::domain::{ContactFields, RawContactFields};
use smarter_accounts::startup;

use crate::support::{self, PASSWORD, TestDb, make_user};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

struct Driver(Child, u16);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn start_driver() -> Option<Driver> {
    if !Path::new(CHROMEDRIVER).exists() || !Path::new(CHROMIUM).exists() {
        support::notice("skipped: browser tests (install chromium and chromium-driver to run them)");
        return None;
    }
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(Driver(child, port))
}

async fn browser(driver: &Driver, dark: bool) -> Client {
    browser_with(driver, dark, true).await
}

/// A browser in the light or dark scheme, with page scripts on or off.
async fn browser_with(driver: &Driver, dark: bool, scripts: bool) -> Client {
    let profile = tempfile::tempdir().unwrap().keep();
    let mut args = vec![
        "--headless=new".to_owned(),
        "--no-sandbox".to_owned(),
        "--disable-gpu".to_owned(),
        "--disable-background-networking".to_owned(),
        "--disable-component-update".to_owned(),
        "--disable-sync".to_owned(),
        "--no-first-run".to_owned(),
        "--disable-dev-shm-usage".to_owned(),
        "--window-size=1280,900".to_owned(),
        format!("--user-data-dir={}", profile.display()),
    ];
    if dark {
        args.push("--force-dark-mode".to_owned());
        args.push("--blink-settings=preferredColorScheme=0".to_owned());
    }
    let mut caps = serde_json::Map::new();
    let mut options = serde_json::json!({ "binary": CHROMIUM, "args": args });
    if !scripts {
        options["prefs"] = serde_json::json!({ "profile.managed_default_content_settings.javascript": 2 });
    }
    caps.insert("goog:chromeOptions".to_owned(), options);
    ClientBuilder::native()
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.1))
        .await
        .expect("a WebDriver session")
}

/// The real server on a free port, in a thread of its own.
fn start_server(db: &TestDb) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let settings = db.settings();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let state = startup::prepare(settings).await.unwrap();
            startup::serve(state, listener).await.unwrap();
        })
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(addr).is_err() {
        assert!(Instant::now() < deadline, "the server did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    format!("http://{addr}")
}

/// `docs/screenshots/` (the README's) when `UPDATE_SCREENSHOTS=1`, else
/// `target/screenshots/`, so an ordinary test run leaves tracked files alone.
fn screenshot_dir() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = if std::env::var("UPDATE_SCREENSHOTS").is_ok_and(|v| v == "1") {
        root.join("docs").join("screenshots")
    } else {
        root.join("target").join("screenshots")
    };
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn shoot(client: &Client, name: &str) {
    let png = client.screenshot().await.unwrap();
    std::fs::write(screenshot_dir().join(format!("{name}.png")), png).unwrap();
}

async fn text(client: &Client, css: &str) -> String {
    match client.find(Locator::Css(css)).await {
        Ok(element) => element.text().await.unwrap(),
        Err(e) => {
            let url = client.current_url().await.map(|u| u.to_string()).unwrap_or_default();
            let body = client.find(Locator::Css("main")).await.unwrap().text().await.unwrap_or_default();
            panic!("{css}: {e}\nat {url}:\n{body}")
        }
    }
}

async fn fill(client: &Client, css: &str, value: &str) {
    let field = client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
    field.clear().await.unwrap();
    field.send_keys(value).await.unwrap();
}

/// Clicks what loads a new page, and waits until the new page has loaded.
async fn click(client: &Client, css: &str) {
    client.execute("window.__old_page = true", vec![]).await.unwrap();
    client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).click().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let loaded = client
            .execute("return window.__old_page === undefined && document.readyState === 'complete'", vec![])
            .await
            .unwrap_or(serde_json::Value::Bool(false));
        if loaded == serde_json::Value::Bool(true) {
            return;
        }
        assert!(Instant::now() < deadline, "clicking {css} loaded no page");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn sign_in(client: &Client, base: &str, username: &str) {
    client.goto(&format!("{base}/login")).await.unwrap();
    fill(client, "#username", username).await;
    fill(client, "#password", PASSWORD).await;
    click(client, "form[action='/login'] button[type=submit]").await;
    assert!(client.current_url().await.unwrap().path().starts_with("/accounts"));
}

fn contact(first: &str, email: &str, primary: bool) -> ContactFields {
    ContactFields::parse(&RawContactFields {
        first_name: first.into(),
        last_name: "Example".into(),
        email: email.into(),
        phone: "+351 21 000 0000".into(),
        is_primary: primary.then(|| "on".to_owned()),
    })
    .unwrap()
}

#[actix_web::test]
async fn a_staff_day_in_a_real_browser() {
    let Some(driver) = start_driver() else { return };
    let db = TestDb::sqlite();
    let pool = db.pool();
    let acme = {
        let mut conn = TestDb::conn(&pool);
        smarter_accounts::seed::seed(&mut conn, 60, 5, &|_| {}).unwrap();
        let acme = crate::accounts::create(&mut conn, "Acme Rockets Lda");
        AccountContact::create(&mut conn, &Actor::system(), acme.id, &contact("Ada", "ada@acme.example", true))
            .unwrap();
        AccountContact::create(&mut conn, &Actor::system(), acme.id, &contact("Bob", "bob@acme.example", false))
            .unwrap();
        acme
    };
    let root = make_user(&pool, "root", true, true, None);
    make_user(&pool, "ops", true, true, None);
    let _ = UserProfile::is_member(&mut TestDb::conn(&pool), root.id, acme.id);
    let base = start_server(&db);

    let c = browser(&driver, false).await;
    sign_in(&c, &base, "root").await;
    shoot(&c, "list-light").await;

    // Search, then open the account.
    fill(&c, "#q", "acme rockets").await;
    click(&c, "form[role=search] button[type=submit]").await;
    assert_eq!(text(&c, "#accounts tbody td.company").await, "Acme Rockets Lda");
    click(&c, "#accounts tbody td a").await;
    assert!(text(&c, "h1").await.contains("Acme Rockets Lda"));
    shoot(&c, "detail-light").await;

    // The add-member field asks for usernames as they are typed.
    // (Focusing it asks for the first usernames; the typed text then narrows them.)
    fill(&c, "#username", "OP").await;
    let narrowed = "var names = Array.from(document.querySelectorAll('#username-suggestions option'))
        .map(function (o) { return o.value; });
        return names.indexOf('ops') >= 0 && names.every(function (n) { return n.toLowerCase().includes('op'); })";
    let deadline = Instant::now() + Duration::from_secs(20);
    while c.execute(narrowed, vec![]).await.unwrap() != serde_json::json!(true) {
        assert!(Instant::now() < deadline, "no suggestions narrowed to what was typed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    fill(&c, "#username", "").await;

    // Edit with a validation error, then fix it.
    click(&c, "a[href*='/edit']").await;
    fill(&c, "#company_name", "").await;
    fill(&c, "#version", "1.0").await;
    c.execute("document.getElementById('company_name').removeAttribute('required')", vec![]).await.unwrap();
    click(&c, "form.account-form button[type=submit]").await;
    assert!(text(&c, "#company_name-error").await.contains("required"));
    assert!(text(&c, "#version-error").await.contains("semantic version"));
    shoot(&c, "edit-errors-light").await;
    fill(&c, "#company_name", "Acme Rockets Portugal").await;
    fill(&c, "#version", "1.0.0").await;
    tick(&c, "#country option[value=PRT]").await;
    click(&c, "form.account-form button[type=submit]").await;
    assert!(text(&c, ".flash-success").await.contains("Saved"));
    // Saved, back to the list as it was (the same search), with the new name.
    assert!(text(&c, "h1").await.contains("Accounts"));
    assert_eq!(text(&c, "#accounts tbody td.company").await, "Acme Rockets Portugal");

    // Two browsers edit at once: the second sees the conflict page.
    let other = browser(&driver, false).await;
    sign_in(&other, &base, "ops").await;
    let edit = format!("{base}/accounts/{}/edit", acme.account_number);
    c.goto(&edit).await.unwrap();
    other.goto(&edit).await.unwrap();
    fill(&other, "#city", "Porto").await;
    click(&other, "form.account-form button[type=submit]").await;
    assert!(text(&other, ".flash-success").await.contains("Saved"));
    fill(&c, "#phone_number", "+351 22 123 4567").await;
    click(&c, "form.account-form button[type=submit]").await;
    assert!(text(&c, "h1").await.contains("Someone else changed"));
    assert!(text(&c, "#conflict tr[data-field=city] .current").await.starts_with("Porto"));
    assert!(text(&c, "#conflict tr[data-field=city] .changed-by").await.contains("ops"));
    let rows = c.find_all(Locator::Css("#conflict tbody tr")).await.unwrap();
    assert_eq!(rows.len(), 2, "only the phone (mine) and the city (theirs) differ");
    shoot(&c, "conflict-light").await;
    click(&c, "form.account-form button[type=submit]").await;
    assert!(text(&c, ".flash-success").await.contains("Saved"));
    let fields = text(&c, "#fields").await;
    assert!(fields.contains("Porto") && fields.contains("+351 22 123 4567"), "{fields}");

    // Make Bob the primary contact.
    let bob = c.find(Locator::XPath("//table[@id='contacts']//tr[td[contains(., 'Bob Example')]]")).await.unwrap();
    let bob_id = bob.attr("data-contact").await.unwrap().unwrap();
    click(&c, &format!("tr[data-contact='{bob_id}'] a")).await;
    assert!(text(&c, "#is_primary-hint").await.contains("Ada Example"));
    c.find(Locator::Css("#is_primary")).await.unwrap().click().await.unwrap();
    click(&c, "form.card button[type=submit]").await;
    assert_eq!(text(&c, "#contacts tbody tr:first-child td:first-child").await, "Bob Example");
    assert!(text(&c, "#contacts tbody tr:first-child").await.contains("primary"));

    // Keyboard: the skip link is the first stop and leads to the content.
    c.goto(&format!("{base}/accounts")).await.unwrap();
    let active = c.active_element().await.unwrap();
    active.send_keys("\u{E004}").await.unwrap();
    let focused = c.active_element().await.unwrap();
    assert_eq!(focused.text().await.unwrap(), "Skip to content");

    // Log out.
    click(&c, "form[action='/logout'] button").await;
    assert_eq!(c.current_url().await.unwrap().path(), "/login");
    c.goto(&format!("{base}/accounts")).await.unwrap();
    assert_eq!(c.current_url().await.unwrap().path(), "/login");

    // The same pages in the dark scheme.
    let dark = browser(&driver, true).await;
    sign_in(&dark, &base, "root").await;
    shoot(&dark, "list-dark").await;
    dark.goto(&format!("{base}/accounts/{}", acme.account_number)).await.unwrap();
    shoot(&dark, "detail-dark").await;
    dark.goto(&edit).await.unwrap();
    fill(&dark, "#version", "1.0").await;
    click(&dark, "form.account-form button[type=submit]").await;
    assert!(text(&dark, "#version-error").await.contains("semantic version"));
    shoot(&dark, "edit-errors-dark").await;
    let dark_other = browser(&driver, true).await;
    sign_in(&dark_other, &base, "ops").await;
    dark.goto(&edit).await.unwrap();
    dark_other.goto(&edit).await.unwrap();
    fill(&dark_other, "#city", "Braga").await;
    click(&dark_other, "form.account-form button[type=submit]").await;
    fill(&dark, "#state", "Norte").await;
    click(&dark, "form.account-form button[type=submit]").await;
    assert!(text(&dark, "h1").await.contains("Someone else changed"));
    shoot(&dark, "conflict-dark").await;

    // At phone width the page still works: no horizontal scrolling of the page itself.
    dark.set_window_size(390, 844).await.unwrap();
    dark.goto(&format!("{base}/accounts")).await.unwrap();
    let overflow =
        dark.execute("return document.documentElement.scrollWidth <= window.innerWidth + 1", vec![]).await.unwrap();
    assert_eq!(overflow, serde_json::Value::Bool(true));
    shoot(&dark, "list-phone-dark").await;

    for client in [c, other, dark, dark_other] {
        client.close().await.unwrap();
    }
}

/// Ticks a box (no page load).
async fn tick(client: &Client, css: &str) {
    client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).click().await.unwrap();
}

/// Waits (up to 20 s) until an element matching `css` is on the page.
async fn wait_for(client: &Client, css: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(element) = client.find(Locator::Css(css)).await {
            return element.text().await.unwrap();
        }
        assert!(Instant::now() < deadline, "no {css}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[actix_web::test]
async fn bulk_actions_in_a_real_browser_with_and_without_script() {
    let Some(driver) = start_driver() else { return };
    let db = TestDb::sqlite();
    let pool = db.pool();
    for i in 1..=3 {
        crate::accounts::create(&mut TestDb::conn(&pool), &format!("Batch Co {i}"));
    }
    crate::accounts::create(&mut TestDb::conn(&pool), "Other Co");
    make_user(&pool, "root", true, true, None);
    let base = start_server(&db);
    let list = format!("{base}/accounts?q=Batch");

    for dark in [false, true] {
        let scheme = if dark { "dark" } else { "light" };
        let c = browser(&driver, dark).await;
        sign_in(&c, &base, "root").await;
        c.goto(&list).await.unwrap();
        // Select all on this page (script), announced.
        tick(&c, "#select-page").await;
        assert_eq!(text(&c, "#selected-count").await, "3 selected");
        shoot(&c, &format!("bulk-selection-{scheme}")).await;
        tick(&c, "#bulk-action option[value=delete]").await;
        click(&c, "#bulk button[type=submit]").await;
        assert_eq!(c.find_all(Locator::Css("#doomed tbody tr")).await.unwrap().len(), 3);
        shoot(&c, &format!("bulk-delete-{scheme}")).await;
        if !dark {
            // Three rows ticked one by one, deactivated: the flash and the same list.
            c.goto(&list).await.unwrap();
            for row in 1..=3 {
                tick(&c, &format!("#accounts tbody tr:nth-child({row}) input[name=selected]")).await;
            }
            assert_eq!(text(&c, "#selected-count").await, "3 selected");
            tick(&c, "#bulk-action option[value=deactivate]").await;
            click(&c, "#bulk button[type=submit]").await;
            assert_eq!(text(&c, ".flash-success").await, "Deactivated 3 accounts.");
            let url = c.current_url().await.unwrap();
            assert_eq!((url.path(), url.query().unwrap_or_default().contains("q=Batch")), ("/accounts", true));
            assert_eq!(c.find_all(Locator::Css("#accounts .badge-inactive")).await.unwrap().len(), 3);
        }
        c.close().await.unwrap();
    }

    // Without script the per-row boxes still work; "select all" stays hidden.
    let plain = browser_with(&driver, false, false).await;
    plain.goto(&format!("{base}/login")).await.unwrap();
    fill(&plain, "#username", "root").await;
    fill(&plain, "#password", PASSWORD).await;
    plain.find(Locator::Css("form[action='/login'] button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for(&plain, "#accounts").await;
    plain.goto(&list).await.unwrap();
    assert!(!plain.find(Locator::Css("#select-page")).await.unwrap().is_displayed().await.unwrap());
    for row in 1..=3 {
        tick(&plain, &format!("#accounts tbody tr:nth-child({row}) input[name=selected]")).await;
    }
    tick(&plain, "#bulk-action option[value=activate]").await;
    plain.find(Locator::Css("#bulk button[type=submit]")).await.unwrap().click().await.unwrap();
    assert_eq!(wait_for(&plain, ".flash-success").await, "Activated 3 accounts.");
    plain.close().await.unwrap();
}

#[actix_web::test]
async fn across_accounts_in_a_real_browser() {
    use diesel::prelude::*;
    use smarter_accounts::db::schema::{accounts, daily_billing_records as records};

    let Some(driver) = start_driver() else { return };
    let db = TestDb::sqlite();
    let pool = db.pool();
    let (acme, billed, month) = {
        let mut conn = TestDb::conn(&pool);
        smarter_accounts::seed::seed(&mut conn, 80, 5, &|_| {}).unwrap();
        let acme = crate::accounts::create(&mut conn, "Acme Rockets Lda");
        AccountContact::create(&mut conn, &Actor::system(), acme.id, &contact("Jane", "jane@acme.example", true))
            .unwrap();
        // The account with the most recent billing record, and that record's month.
        let (account_id, day): (i64, chrono::NaiveDate) = records::table
            .order((records::date.desc(), records::id.desc()))
            .select((records::account_id, records::date))
            .first(&mut *conn)
            .unwrap();
        let number: String =
            accounts::table.find(account_id).select(accounts::account_number).first(&mut *conn).unwrap();
        let first = chrono::Datelike::with_day(&day, 1).unwrap();
        let last = first.checked_add_months(chrono::Months::new(1)).unwrap().pred_opt().unwrap();
        let count: i64 = records::table
            .filter(records::account_id.eq(account_id))
            .filter(records::date.between(first, last))
            .count()
            .get_result(&mut *conn)
            .unwrap();
        (acme, (number, count), (first, last))
    };
    make_user(&pool, "root", true, true, None);
    let base = start_server(&db);

    let c = browser(&driver, false).await;
    sign_in(&c, &base, "root").await;
    // Who is jane@acme.example, and which account is she on?
    click(&c, ".main-nav a[href='/contacts']").await;
    fill(&c, "#q", "jane@acme").await;
    click(&c, "form[role=search] button[type=submit]").await;
    assert_eq!(text(&c, "#contacts tbody td:nth-child(2)").await, "jane@acme.example");
    click(&c, "#contacts tbody a.account-link").await;
    assert_eq!(c.current_url().await.unwrap().path(), format!("/accounts/{}", acme.account_number));
    assert!(text(&c, "h1").await.contains("Acme Rockets Lda"));
    // A change for the audit log's screenshot.
    click(&c, "a[href*='/edit']").await;
    fill(&c, "#city", "Lisboa").await;
    click(&c, "form.account-form button[type=submit]").await;

    // How many tokens did this customer use that month?
    let (number, count) = billed;
    c.goto(&format!("{base}/accounts/{number}")).await.unwrap();
    click(&c, "#billing-ledger-link").await;
    let set = format!(
        "document.getElementById('from').value = '{}'; document.getElementById('to').value = '{}';",
        month.0, month.1
    );
    c.execute(&set, vec![]).await.unwrap();
    click(&c, "form[role=search] button[type=submit]").await;
    let query = c.current_url().await.unwrap().query().unwrap_or_default().to_owned();
    assert!(query.contains(&format!("from={}", month.0)) && query.contains(&number), "{query}");
    let shown: i64 = text(&c, "[data-total=records]")
        .await
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap();
    assert_eq!(shown, count);
    assert!(count > 0);
    c.close().await.unwrap();

    let since = month.0.checked_sub_months(chrono::Months::new(2)).unwrap();
    for dark in [false, true] {
        let scheme = if dark { "dark" } else { "light" };
        let c = browser(&driver, dark).await;
        sign_in(&c, &base, "root").await;
        c.goto(&format!("{base}/billing?from={since}&to={}", month.1)).await.unwrap();
        assert!(c.find_all(Locator::Css("#tokens-per-day rect.bar")).await.unwrap().len() > 1);
        shoot(&c, &format!("billing-{scheme}")).await;
        c.goto(&format!("{base}/audit")).await.unwrap();
        assert!(text(&c, ".history li .diff-new").await.contains("Lisboa"));
        shoot(&c, &format!("audit-{scheme}")).await;
        c.close().await.unwrap();
    }
}

#[actix_web::test]
async fn reverting_from_history_in_a_real_browser() {
    use smarter_accounts::db::models::Account;

    let Some(driver) = start_driver() else { return };
    let db = TestDb::sqlite();
    let pool = db.pool();
    let batch: Vec<Account> =
        (1..=3).map(|i| crate::accounts::create(&mut TestDb::conn(&pool), &format!("Undo Co {i}"))).collect();
    make_user(&pool, "root", true, true, None);
    let base = start_server(&db);

    let c = browser(&driver, false).await;
    sign_in(&c, &base, "root").await;
    // Deactivate three accounts in bulk, from the list.
    c.goto(&format!("{base}/accounts?q=Undo")).await.unwrap();
    tick(&c, "#select-page").await;
    tick(&c, "#bulk-action option[value=deactivate]").await;
    click(&c, "#bulk button[type=submit]").await;
    assert_eq!(text(&c, ".flash-success").await, "Deactivated 3 accounts.");
    // Revert the whole bulk action from the audit log; all three are active again.
    c.goto(&format!("{base}/audit?action=deactivate")).await.unwrap();
    click(&c, "form.batch-revert button[type=submit]").await;
    assert!(text(&c, ".flash-success").await.contains("3 changes"));
    c.goto(&format!("{base}/accounts?q=Undo")).await.unwrap();
    assert_eq!(c.find_all(Locator::Css("#accounts .badge-inactive")).await.unwrap().len(), 0);
    c.close().await.unwrap();

    // A revert whose field changed again since: the preview shows the conflict.
    let first = &batch[0];
    let edit = format!("{base}/accounts/{}/edit", first.account_number);
    for dark in [false, true] {
        let scheme = if dark { "dark" } else { "light" };
        let c = browser(&driver, dark).await;
        sign_in(&c, &base, "root").await;
        for city in ["Porto", "Faro"] {
            c.goto(&edit).await.unwrap();
            fill(&c, "#city", &format!("{city} {scheme}")).await;
            click(&c, "form.account-form button[type=submit]").await;
        }
        c.goto(&format!("{base}/accounts/{}/history", first.account_number)).await.unwrap();
        // The older of the two edits.
        let links = c.find_all(Locator::Css("a.revert-link")).await.unwrap();
        links[1].click().await.unwrap();
        wait_for(&c, "#revert-fields tr.conflict").await;
        shoot(&c, &format!("revert-conflict-{scheme}")).await;
        tick(&c, "input[name=choice_city][value=revert]").await;
        click(&c, "#revert-form button[type=submit]").await;
        assert!(text(&c, ".flash-success").await.starts_with("Reverted entry"));
        c.close().await.unwrap();
    }
    let city = Account::find(&mut TestDb::conn(&pool), first.id).unwrap().unwrap().city;
    assert_eq!(city.as_deref(), Some("Lisbon"), "the older edit reverted, over the newer one: as before both");
}
