//! `seed-demo` and `aggregate-charges`.

use std::time::Instant;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::SeedDemoArgs;
use crate::config::Settings;
use crate::db::models::charge;
use crate::db::{self, DbPool};
use crate::{seed, startup};

fn migrated_pool(settings: &Settings) -> anyhow::Result<DbPool> {
    let pool = db::build_pool(&settings.database_url, 1);
    startup::migrate(settings, &pool)?;
    Ok(pool)
}

pub fn seed_demo(settings: &Settings, args: &SeedDemoArgs) -> anyhow::Result<()> {
    let pool = migrated_pool(settings)?;
    let mut conn = pool.get().context("DATABASE_URL: could not connect")?;
    let count = args.accounts as usize;
    let bar = ProgressBar::new(count as u64).with_style(
        ProgressStyle::with_template("{spinner} {wide_bar} {pos}/{len} accounts ({per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let started = Instant::now();
    let done = seed::seed(&mut conn, count, args.seed, &|n| bar.set_position(n as u64))?;
    bar.finish_and_clear();
    tracing::info!(
        accounts = done.accounts,
        users = done.users,
        memberships = done.memberships,
        contacts = done.contacts,
        billing_records = done.billing_records,
        charges = done.charges,
        seconds = format!("{:.1}", started.elapsed().as_secs_f64()),
        "seeded demo data"
    );
    Ok(())
}

pub fn aggregate_charges(settings: &Settings) -> anyhow::Result<()> {
    let pool = migrated_pool(settings)?;
    let mut conn = pool.get().context("DATABASE_URL: could not connect")?;
    let done = charge::aggregate(&mut conn).context("aggregating charges")?;
    tracing::info!(charges = done.charges, records = done.records, "aggregated charges into daily billing records");
    Ok(())
}
