use anyhow::{Context, bail};

use crate::auth::password;
use crate::cli::CreateUserArgs;
use crate::config::Settings;
use crate::db::models::{Account, Actor, NewUserInput, User, UserError, UserProfile};
use crate::db::{self, write_transaction};
use crate::domain::{AccountNumber, Email, Password, Username};
use crate::startup;

/// Where the new password comes from when the prompt is not used.
pub const PASSWORD_VARIABLE: &str = "SMARTER_NEW_PASSWORD";

fn read_password(username: &Username) -> anyhow::Result<Password> {
    let raw = match std::env::var(PASSWORD_VARIABLE) {
        Ok(value) => value,
        Err(_) => {
            let first = rpassword::prompt_password("Password: ").context("could not read the password")?;
            let again = rpassword::prompt_password("Password (again): ").context("could not read the password")?;
            if first != again {
                bail!("the two passwords differ");
            }
            first
        }
    };
    Password::parse(&raw, username.as_str()).map_err(|e| anyhow::anyhow!("password: {e}"))
}

/// `create-user`: validates everything first, then writes the user (and membership)
/// in one transaction. `password` overrides the variable and the prompt (for tests).
pub fn create_user(settings: &Settings, args: &CreateUserArgs, password: Option<Password>) -> anyhow::Result<()> {
    let username = Username::parse(&args.username).map_err(|e| anyhow::anyhow!("--username: {e}"))?;
    let email = match args.email.as_deref() {
        Some(raw) => Some(Email::parse(raw).map_err(|e| anyhow::anyhow!("--email: {e}"))?),
        None => None,
    };
    let number = match args.account.as_deref() {
        Some(raw) => Some(AccountNumber::parse(raw.trim()).map_err(|e| anyhow::anyhow!("--account: {e}"))?),
        None => None,
    };
    let password = match password {
        Some(p) => p,
        None => read_password(&username)?,
    };
    let pool = db::build_pool(&settings.database_url, 1);
    startup::prepare_database(settings, &pool)?;
    let mut conn = pool.get().context("DATABASE_URL: could not connect")?;
    let input = NewUserInput {
        username,
        email,
        first_name: String::new(),
        last_name: String::new(),
        password_hash: password::hash(&password),
        is_staff: args.staff,
        is_superuser: args.superuser,
    };
    let user = write_transaction(&mut conn, |conn| -> anyhow::Result<User> {
        let account = match &number {
            Some(n) => Some(
                Account::get_by_account_number(conn, n.as_str())?
                    .with_context(|| format!("--account: no account {n}"))?,
            ),
            None => None,
        };
        let user = User::create(conn, &Actor::system(), &input)
            .map_err(|e| match e {
                UserError::Invalid(errors) => {
                    anyhow::anyhow!("--username: {}", errors.get("username").unwrap_or("invalid"))
                }
                other => other.into(),
            })?
            .value;
        if let Some(account) = account {
            UserProfile::add(conn, &Actor::system(), &user, &account)?;
        }
        Ok(user)
    })?;
    tracing::info!(username = %user.username, staff = user.is_staff, superuser = user.is_superuser, "created user");
    Ok(())
}
