//! Start-up shared by `main` and the tests: open the pool, migrate, bootstrap, open the
//! cache, and build the actix `App`.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{App, HttpServer, web};
use anyhow::Context;

use actix_session::SessionMiddleware;
use actix_session::config::BrowserSession;
use actix_web::cookie::{Key, SameSite};
use actix_web::middleware::{Next, from_fn};

use crate::bootstrap::{self, Bootstrapped};
use crate::cache::ObjectCache;
use crate::config::{DatabaseUrl, Secret, Settings};
use crate::db::{self, DbPool};
use crate::redis_guard::Breaker;
use crate::session_store::SessionBackend;
use crate::state::AppState;
use crate::store::Store;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "smarter_session";

/// Opens a connection and applies pending migrations; fails with a line that names
/// `DATABASE_URL` when the database can't be reached.
pub fn migrate(settings: &Settings, pool: &DbPool) -> anyhow::Result<Vec<String>> {
    let mut conn =
        pool.get().with_context(|| format!("DATABASE_URL: could not connect to {}", settings.database_url))?;
    db::run_migrations(&mut conn)
}

/// Migrates, bootstraps an empty database, and loads or creates the session key.
pub fn prepare_database(settings: &Settings, pool: &DbPool) -> anyhow::Result<(Bootstrapped, Vec<u8>)> {
    migrate(settings, pool)?;
    let mut conn = pool.get().context("DATABASE_URL: connection lost after migrating")?;
    let done = bootstrap::run(&mut conn, settings).context("bootstrap failed")?;
    report_bootstrap(&done);
    Ok((done, secret_key(settings, &mut conn)?))
}

/// The secret key: the one set, else the one kept in the database (made on first use).
pub fn secret_key(settings: &Settings, conn: &mut db::DbConnection) -> anyhow::Result<Vec<u8>> {
    match &settings.secret_key {
        Some(key) => Ok(key.expose().clone()),
        None => db::models::app_setting::secret_key(conn).context("could not load the session key"),
    }
}

fn report_bootstrap(done: &Bootstrapped) {
    if done.created_platform_account {
        tracing::info!(number = bootstrap::PLATFORM_ACCOUNT_NUMBER, "created the platform account");
    }
    match &done.created_admin {
        Some((username, Some(password))) => {
            // The one secret ever printed: there is no other way to learn it.
            tracing::warn!(
                "created superuser {username:?} with the generated password {password:?}; it is shown only this once"
            );
        }
        Some((username, None)) => {
            tracing::info!("created superuser {username:?} with SMARTER_ADMIN_PASSWORD")
        }
        None => {}
    }
}

/// The object cache the settings ask for; `secret` seals what it keeps in Redis, and
/// `breaker` guards its calls there.
pub async fn open_cache(settings: &Settings, secret: &[u8], breaker: Arc<Breaker>) -> anyhow::Result<ObjectCache> {
    match &settings.redis_url {
        Some(url) => {
            ObjectCache::redis(url.expose(), &settings.cache_prefix, settings.cache_ttl, secret, breaker).await
        }
        None => Ok(ObjectCache::local(settings.cache_ttl)),
    }
}

/// The session store the settings ask for; `secret` seals what it keeps in Redis,
/// `breaker` guards its calls there, and `cache` (when in the same Redis) reads the
/// session's state in its own round trip.
pub async fn open_sessions(
    settings: &Settings,
    secret: &[u8],
    breaker: Arc<Breaker>,
    cache: Arc<ObjectCache>,
) -> anyhow::Result<SessionBackend> {
    match &settings.redis_url {
        Some(url) => SessionBackend::redis(url.expose(), &settings.cache_prefix, secret, breaker, cache).await,
        None => Ok(SessionBackend::Cookie),
    }
}

/// Everything `serve` needs before it listens. Blocking work runs off the executor.
pub async fn prepare(settings: Settings) -> anyhow::Result<AppState> {
    let pool = db::build_pool(&settings.database_url, settings.db_pool_size);
    let settings = Arc::new(settings);
    let (s, p) = (settings.clone(), pool.clone());
    let (_, key) = web::block(move || prepare_database(&s, &p)).await.context("start-up was interrupted")??;
    // One breaker for both: they share the Redis, and its outage.
    let breaker = Arc::new(Breaker::default());
    let cache = Arc::new(open_cache(&settings, &key, breaker.clone()).await?);
    let sessions = open_sessions(&settings, &key, breaker, cache.clone()).await?;
    Ok(AppState { store: Store::new(pool, cache), settings, session_key: Arc::new(Secret::new(key)), sessions })
}

/// The application: routes, middleware and state. `serve` and the tests both use it.
pub fn build_app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let key = Key::derive_from(state.session_key.expose());
    let state_ttl = actix_web::cookie::time::Duration::try_from(state.settings.session_max)
        .unwrap_or(actix_web::cookie::time::Duration::days(7));
    let sessions = SessionMiddleware::builder(state.sessions.clone(), key)
        .cookie_name(SESSION_COOKIE.to_owned())
        .cookie_http_only(true)
        .cookie_same_site(SameSite::Strict)
        .cookie_secure(state.settings.secure_cookies)
        .cookie_path("/".to_owned())
        // The session's database record enforces the idle and absolute lifetimes; a
        // state in Redis lives as long as the longest a session may.
        .session_lifecycle(BrowserSession::default().state_ttl(state_ttl))
        .build();
    App::new()
        .app_data(web::Data::new(state))
        .configure(crate::web::extractor_config)
        .configure(crate::web::routes)
        .default_service(web::to(crate::web::not_found))
        .wrap(from_fn(crate::web::security::csrf_guard))
        .wrap(sessions)
        .wrap(from_fn(crate::web::security::session_store_outage))
        .wrap(crate::web::security::headers())
        .wrap(from_fn(crate::request_id::assign))
        .wrap(from_fn(request_scope))
        .wrap(tracing_actix_web::TracingLogger::default())
}

/// Runs each request with its own view of where a shared object cache stands, so the
/// cache asks Redis for it once a request rather than once a lookup.
async fn request_scope(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    crate::cache::per_request(next.call(req)).await
}

/// How many blocking threads each of `workers` (one a core) runs database work on.
/// Threads beyond the pool's connections would only wait for one, each with its own
/// stack and allocator arena. SQLite's work is this process's own CPU: beyond two
/// threads a core they only contend for it, and each busy thread keeps a connection's
/// page cache and statements warm (about 5 MiB), so SQLite uses at most that many of
/// the pool's connections at once.
fn blocking_threads(database: &DatabaseUrl, pool_size: u32, workers: usize) -> usize {
    let connections = pool_size as usize;
    let busy = match database {
        DatabaseUrl::Sqlite(_) => connections.min(2 * workers),
        DatabaseUrl::Postgres(_) => connections,
    };
    busy.div_ceil(workers).max(2)
}

/// Serves until SIGINT or SIGTERM, then lets in-flight requests finish.
pub async fn serve(state: AppState, listener: TcpListener) -> anyhow::Result<()> {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let blocking = blocking_threads(&state.settings.database_url, state.settings.db_pool_size, workers);
    let server = HttpServer::new(move || build_app(state.clone()))
        .workers(workers)
        .worker_max_blocking_threads(blocking)
        .listen(listener)
        .context("SMARTER_BIND: could not listen")?
        .shutdown_timeout(30);
    for addr in server.addrs() {
        tracing::info!("listening on http://{addr}");
    }
    server.run().await.context("the server stopped with an error")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_work_runs_on_at_most_two_threads_a_core() {
        let sqlite = DatabaseUrl::Sqlite("a.db".into());
        let postgres = DatabaseUrl::Postgres("postgres://localhost/db".into());
        // Per worker, one worker a core.
        assert_eq!(blocking_threads(&sqlite, 8, 2), 2);
        assert_eq!(blocking_threads(&sqlite, 8, 8), 2);
        assert_eq!(blocking_threads(&sqlite, 32, 4), 2);
        assert_eq!(blocking_threads(&postgres, 8, 2), 4);
        assert_eq!(blocking_threads(&postgres, 32, 4), 8);
        // Never fewer than two, so a slow password check leaves a thread for the rest.
        assert_eq!(blocking_threads(&sqlite, 1, 2), 2);
        assert_eq!(blocking_threads(&postgres, 3, 8), 2);
    }
}
