//! One module per command; `main` only parses and dispatches.

mod aggregate_charges;
mod create_user;
mod seed_demo;

use std::net::TcpListener;

use anyhow::Context;

use crate::cli::Command;
use crate::config::Settings;
use crate::db::{self, DbPool};
use crate::startup;

pub use create_user::create_user;

pub fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    match command {
        Command::Serve => actix_web::rt::System::new().block_on(serve(settings)),
        Command::Migrate => migrate(&settings),
        Command::CreateUser(args) => create_user(&settings, &args, None).and_then(|()| renew_shared_cache(&settings)),
        Command::SeedDemo(args) => seed_demo::seed_demo(&settings, &args).and_then(|()| renew_shared_cache(&settings)),
        Command::AggregateCharges => {
            aggregate_charges::aggregate_charges(&settings).and_then(|()| renew_shared_cache(&settings))
        }
    }
}

/// A command's writes bypass the running instances; with a shared (Redis) cache it
/// renews the cache's generation so that every instance reads them at once. The
/// in-process cache of a running instance can't be reached: its entries expire within
/// `SMARTER_CACHE_TTL_SECONDS`.
fn renew_shared_cache(settings: &Settings) -> anyhow::Result<()> {
    if settings.redis_url.is_none() {
        return Ok(());
    }
    let pool = db::build_pool(&settings.database_url, 1);
    let mut conn = pool.get().context("DATABASE_URL: could not connect")?;
    let secret = startup::secret_key(settings, &mut conn)?;
    actix_web::rt::System::new().block_on(async {
        startup::open_cache(settings, &secret, Default::default()).await?.invalidate(&[]).await;
        Ok(())
    })
}

/// A one-connection pool on a migrated database, for the commands that work on it. An
/// empty database is bootstrapped as `serve` would, so the console is usable after any
/// command that created it.
fn migrated_pool(settings: &Settings) -> anyhow::Result<DbPool> {
    let pool = db::build_pool(&settings.database_url, 1);
    startup::prepare_database(settings, &pool)?;
    Ok(pool)
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let listener = TcpListener::bind(settings.bind)
        .with_context(|| format!("SMARTER_BIND: could not listen on {}", settings.bind))?;
    let state = startup::prepare(settings).await?;
    startup::serve(state, listener).await
}

fn migrate(settings: &Settings) -> anyhow::Result<()> {
    let pool = db::build_pool(&settings.database_url, 1);
    let applied = startup::migrate(settings, &pool)?;
    for version in &applied {
        tracing::info!(version, "applied migration");
    }
    startup::prepare_database(settings, &pool)?;
    tracing::info!(applied = applied.len(), database = %settings.database_url, "database is up to date");
    Ok(())
}
