//! Test helpers: a fresh database per test (a temp SQLite file always; a fresh
//! PostgreSQL database when TEST_DATABASE_URL is set), and an app built on it.

use std::io::Write;
use std::sync::Arc;

use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use smarter_accounts::cache::ObjectCache;
use smarter_accounts::config::{DatabaseUrl, Settings};
use smarter_accounts::db::{self, DbConnection, DbPool, PooledConn};
use smarter_accounts::startup;
use smarter_accounts::state::AppState;
use smarter_accounts::store::Store;

/// Prints a notice the test harness does not capture, so a skip is visible.
pub fn notice(message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{message}");
}

pub fn random_suffix() -> String {
    let mut bytes = [0u8; 6];
    rand::fill(&mut bytes);
    hex::encode(bytes)
}

pub struct TestDb {
    pub url: DatabaseUrl,
    _dir: Option<tempfile::TempDir>,
    postgres_admin: Option<(String, String)>,
}

impl TestDb {
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = dir.path().join("test.db");
        Self { url: DatabaseUrl::Sqlite(path.display().to_string()), _dir: Some(dir), postgres_admin: None }
    }

    /// A fresh database on the server TEST_DATABASE_URL names, dropped afterwards;
    /// `None` (with a notice) when the variable is unset.
    pub fn postgres() -> Option<Self> {
        let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") else {
            notice("skipped: PostgreSQL test (set TEST_DATABASE_URL to run it)");
            return None;
        };
        let name = format!("sa_test_{}", random_suffix());
        let mut admin = PgConnection::establish(&admin_url).expect("TEST_DATABASE_URL must be reachable");
        admin.batch_execute(&format!("CREATE DATABASE {name}")).expect("CREATE DATABASE");
        let mut url = url::Url::parse(&admin_url).expect("TEST_DATABASE_URL is a URL");
        url.set_path(&format!("/{name}"));
        Some(Self { url: DatabaseUrl::Postgres(url.to_string()), _dir: None, postgres_admin: Some((admin_url, name)) })
    }

    pub fn settings(&self) -> Settings {
        let mut settings = Settings::for_database(self.url.clone());
        settings.cache_prefix = format!("sa-test-{}", random_suffix());
        settings
    }

    /// A migrated, bootstrapped pool.
    pub fn pool(&self) -> DbPool {
        let settings = self.settings();
        let pool = db::build_pool(&self.url, 8);
        startup::prepare_database(&settings, &pool).expect("prepare the database");
        pool
    }

    /// A pooled connection; `&mut *conn` is the `DbConnection` diesel's generic query
    /// methods take.
    pub fn conn(pool: &DbPool) -> TestConn {
        TestConn(pool.get().expect("a pooled connection"))
    }
}

/// `n` accounts written by one statement, straight into the table: numbers
/// `<prefix>-0000-0001`…, companies `<word> 1`…, names `<word in lower case>1`…, and
/// `is_active` from an SQL expression over the row number `x`.
pub fn insert_accounts(conn: &mut DbConnection, n: usize, prefix: &str, word: &str, is_active: &str) {
    let number = if conn.is_sqlite() {
        format!("'{prefix}-' || substr('0000' || (x / 10000), -4) || '-' || substr('0000' || (x % 10000), -4)")
    } else {
        format!("'{prefix}-' || lpad((x / 10000)::text, 4, '0') || '-' || lpad((x % 10000)::text, 4, '0')")
    };
    let name = word.to_lowercase();
    conn.batch_execute(&format!(
        "WITH RECURSIVE seq(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM seq WHERE x < {n})
         INSERT INTO accounts (account_number, company_name, name, country, language, currency, is_active,
                               is_default_account, description, version, lock_version, created_at, updated_at)
         SELECT {number}, '{word} ' || x, '{name}' || x, 'USA', 'EN', 'USD', {is_active}, FALSE, '', '1.0.0', 0,
                CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM seq"
    ))
    .expect("insert accounts");
}

pub struct TestConn(PooledConn);

impl std::ops::Deref for TestConn {
    type Target = DbConnection;

    fn deref(&self) -> &DbConnection {
        &self.0
    }
}

impl std::ops::DerefMut for TestConn {
    fn deref_mut(&mut self) -> &mut DbConnection {
        &mut self.0
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = &self.postgres_admin
            && let Ok(mut admin) = PgConnection::establish(admin_url)
        {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// An app state on a prepared database with an in-process cache.
pub async fn state(db: &TestDb) -> AppState {
    startup::prepare(db.settings()).await.expect("app state")
}

/// A store on `pool` with its own in-process cache.
pub fn store(pool: &DbPool) -> Store {
    Store::new(pool.clone(), Arc::new(ObjectCache::local(std::time::Duration::from_secs(60))))
}

/// The app on `state`, and a browser signed in as the superuser `root`:
/// `(app, pool, browser)`.
#[macro_export]
macro_rules! console {
    ($state:expr) => {{
        let state = $state;
        let pool = state.store.pool().clone();
        let app = actix_web::test::init_service(smarter_accounts::startup::build_app(state)).await;
        $crate::support::make_user(&pool, "root", true, true, None);
        let mut root = $crate::support::Browser::new();
        assert_eq!(root.login(&app, "root", $crate::support::PASSWORD).await.status, 303);
        (app, pool, root)
    }};
}

/// Runs each named `async fn(TestDb)` once on SQLite and once on PostgreSQL (when
/// configured), as the tests `NAME::sqlite` and `NAME::postgres`.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[actix_web::test]
                async fn sqlite() {
                    super::$name($crate::support::TestDb::sqlite()).await
                }

                #[actix_web::test]
                async fn postgres() {
                    if let Some(db) = $crate::support::TestDb::postgres() {
                        super::$name(db).await
                    }
                }
            }
        )*
    };
}

/// A response read whole, with helpers to query its HTML.
pub struct Page {
    pub status: actix_web::http::StatusCode,
    pub headers: actix_web::http::header::HeaderMap,
    pub body: String,
}

impl Page {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn location(&self) -> Option<&str> {
        self.header("location")
    }

    pub fn html(&self) -> scraper::Html {
        scraper::Html::parse_document(&self.body)
    }

    /// The text of every element matching `selector`, trimmed.
    pub fn texts(&self, selector: &str) -> Vec<String> {
        let selector = scraper::Selector::parse(selector).expect("a valid selector");
        self.html().select(&selector).map(|e| e.text().collect::<String>().trim().to_owned()).collect()
    }

    /// The value of `attr` on every element matching `selector`.
    pub fn attrs(&self, selector: &str, attr: &str) -> Vec<String> {
        let selector = scraper::Selector::parse(selector).expect("a valid selector");
        self.html().select(&selector).filter_map(|e| e.value().attr(attr).map(str::to_owned)).collect()
    }

    pub fn count(&self, selector: &str) -> usize {
        let selector = scraper::Selector::parse(selector).expect("a valid selector");
        self.html().select(&selector).count()
    }
}

/// One browser: keeps the session cookie between requests and the last CSRF token a
/// page showed, and adds that token to its posts.
pub struct Browser {
    pub cookie: Option<actix_web::cookie::Cookie<'static>>,
    pub csrf: Option<String>,
    pub peer: std::net::SocketAddr,
}

impl Default for Browser {
    fn default() -> Self {
        Self::new()
    }
}

impl Browser {
    pub fn new() -> Self {
        Self::from_address([127, 0, 0, 1])
    }

    pub fn from_address(ip: [u8; 4]) -> Self {
        Self { cookie: None, csrf: None, peer: std::net::SocketAddr::from((ip, 40_000)) }
    }

    pub async fn send<S, B>(&mut self, app: &S, mut req: actix_web::test::TestRequest) -> Page
    where
        S: actix_web::dev::Service<
                actix_http::Request,
                Response = actix_web::dev::ServiceResponse<B>,
                Error = actix_web::Error,
            >,
        B: actix_web::body::MessageBody,
    {
        req = req.peer_addr(self.peer);
        if let Some(cookie) = &self.cookie {
            req = req.cookie(cookie.clone());
        }
        let resp = actix_web::test::call_service(app, req.to_request()).await;
        for cookie in resp.response().cookies() {
            if cookie.name() == smarter_accounts::startup::SESSION_COOKIE {
                if cookie.value().is_empty() {
                    self.cookie = None;
                } else {
                    self.cookie = Some(cookie.into_owned());
                }
            }
        }
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = actix_web::test::read_body(resp).await;
        let page = Page { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() };
        if let Some(token) = page.attrs("input[name=csrf_token]", "value").into_iter().next() {
            self.csrf = Some(token);
        }
        page
    }

    pub async fn get<S, B>(&mut self, app: &S, path: &str) -> Page
    where
        S: actix_web::dev::Service<
                actix_http::Request,
                Response = actix_web::dev::ServiceResponse<B>,
                Error = actix_web::Error,
            >,
        B: actix_web::body::MessageBody,
    {
        self.send(app, actix_web::test::TestRequest::get().uri(path)).await
    }

    /// Posts a form with this browser's CSRF token (unless the fields carry one).
    pub async fn post<S, B>(&mut self, app: &S, path: &str, fields: &[(&str, &str)]) -> Page
    where
        S: actix_web::dev::Service<
                actix_http::Request,
                Response = actix_web::dev::ServiceResponse<B>,
                Error = actix_web::Error,
            >,
        B: actix_web::body::MessageBody,
    {
        let mut pairs: Vec<(String, String)> = fields.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        if !fields.iter().any(|(k, _)| *k == "csrf_token") {
            pairs.push(("csrf_token".to_owned(), self.csrf.clone().unwrap_or_default()));
        }
        self.send(app, actix_web::test::TestRequest::post().uri(path).set_form(&pairs)).await
    }

    /// Signs in through the login form.
    pub async fn login<S, B>(&mut self, app: &S, username: &str, password: &str) -> Page
    where
        S: actix_web::dev::Service<
                actix_http::Request,
                Response = actix_web::dev::ServiceResponse<B>,
                Error = actix_web::Error,
            >,
        B: actix_web::body::MessageBody,
    {
        self.get(app, "/login").await;
        self.post(app, "/login", &[("username", username), ("password", password)]).await
    }
}

pub const PASSWORD: &str = "correct horse battery";

/// A user with [`PASSWORD`], optionally a member of `account`.
pub fn make_user(
    pool: &DbPool,
    username: &str,
    staff: bool,
    superuser: bool,
    account: Option<&smarter_accounts::db::models::Account>,
) -> smarter_accounts::db::models::User {
    use smarter_accounts::db::models::{Actor, NewUserInput, User, UserProfile};
    use smarter_accounts::domain::{Password, Username};
    let mut conn = TestDb::conn(pool);
    let input = NewUserInput {
        username: Username::parse(username).unwrap(),
        email: None,
        first_name: String::new(),
        last_name: String::new(),
        password_hash: smarter_accounts::auth::password::hash(&Password::parse(PASSWORD, username).unwrap()),
        is_staff: staff,
        is_superuser: superuser,
    };
    let user = User::create(&mut conn, &Actor::system(), &input).unwrap().value;
    if let Some(account) = account {
        UserProfile::add(&mut conn, &Actor::system(), &user, account).unwrap();
    }
    user
}

impl Page {
    /// The fields a browser would submit from the form matching `selector`: text,
    /// hidden and checked checkbox inputs, textareas and selected options.
    pub fn form(&self, selector: &str) -> Vec<(String, String)> {
        let html = self.html();
        let form_selector = scraper::Selector::parse(selector).expect("a valid selector");
        let form = html.select(&form_selector).next().unwrap_or_else(|| panic!("no form {selector} in {}", self.body));
        let fields = scraper::Selector::parse("input, textarea, select").unwrap();
        let option = scraper::Selector::parse("option[selected]").unwrap();
        let mut out = Vec::new();
        for field in form.select(&fields) {
            let el = field.value();
            let Some(name) = el.attr("name") else {
                continue;
            };
            let value = match el.name() {
                "textarea" => field.text().collect::<String>(),
                "select" => field.select(&option).next().and_then(|o| o.value().attr("value")).unwrap_or("").to_owned(),
                _ if el.attr("type") == Some("checkbox") => {
                    if el.attr("checked").is_none() {
                        continue;
                    }
                    el.attr("value").unwrap_or("on").to_owned()
                }
                _ if el.attr("type") == Some("submit") => continue,
                _ => el.attr("value").unwrap_or("").to_owned(),
            };
            out.push((name.to_owned(), value));
        }
        out
    }
}

/// Replaces (or adds) `name` in a form's fields; `None` removes it.
pub fn set_field(fields: &mut Vec<(String, String)>, name: &str, value: Option<&str>) {
    fields.retain(|(k, _)| k != name);
    if let Some(v) = value {
        fields.push((name.to_owned(), v.to_owned()));
    }
}

pub fn as_refs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}
