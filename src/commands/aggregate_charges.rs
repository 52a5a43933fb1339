//! `aggregate-charges`: roll charges up into daily billing records.

use anyhow::Context;

use super::migrated_pool;
use crate::config::Settings;
use crate::db::models::charge;

pub fn aggregate_charges(settings: &Settings) -> anyhow::Result<()> {
    let pool = migrated_pool(settings)?;
    let mut conn = pool.get().context("DATABASE_URL: could not connect")?;
    let done = charge::aggregate(&mut conn).context("aggregating charges")?;
    tracing::info!(charges = done.charges, records = done.records, "aggregated charges into daily billing records");
    Ok(())
}
