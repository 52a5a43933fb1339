//! The command line.

use clap::{Parser, Subcommand};

use crate::config::SettingsArgs;

#[derive(Debug, Parser)]
#[command(name = "smarter-accounts", version, about = "The Smarter Accounts staff console")]
pub struct Cli {
    #[command(flatten)]
    pub settings: SettingsArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Migrate, bootstrap an empty database, and serve HTTP until SIGINT/SIGTERM (default).
    Serve,
    /// Apply pending migrations (and bootstrap an empty database), then exit.
    Migrate,
    /// Create a user. The password comes from SMARTER_NEW_PASSWORD or a prompt.
    CreateUser(CreateUserArgs),
    /// Write N realistic demo accounts with contacts, members, tags, annotations and billing.
    SeedDemo(SeedDemoArgs),
    /// Roll charges up into daily billing records.
    AggregateCharges,
}

#[derive(Debug, Clone, clap::Args)]
pub struct SeedDemoArgs {
    /// How many accounts to write.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    pub accounts: u32,
    /// The same seed writes the same data.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Debug, Clone, clap::Args)]
pub struct CreateUserArgs {
    #[arg(long)]
    pub username: String,
    #[arg(long)]
    pub email: Option<String>,
    /// May sign in to the console.
    #[arg(long)]
    pub staff: bool,
    /// May do everything (implies --staff).
    #[arg(long)]
    pub superuser: bool,
    /// Also make the user a member of the account with this number.
    #[arg(long, value_name = "NUMBER")]
    pub account: Option<String>,
}
