//! The command line (SPEC 1.2).

use clap::{Parser, Subcommand};

use crate::config::SettingsArgs;

#[derive(Debug, Parser)]
#[command(
    name = "smarter-accounts",
    version,
    about = "The Smarter Accounts staff console"
)]
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
