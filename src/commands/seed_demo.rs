//! `seed-demo`: realistic demo accounts in bulk, the same for the same seed.

use std::time::Instant;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use super::migrated_pool;
use crate::cli::SeedDemoArgs;
use crate::config::Settings;
use crate::seed;

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
