//! First start: on an empty database, the platform account and the first
//! superuser as its member. Never creates anyone at any other time.

use rand::Rng;
use rand::distr::Alphanumeric;

use crate::auth::password;
use crate::config::Settings;
use crate::db::models::{Account, AccountFlags, Actor, NewUserInput, User, UserProfile};
use crate::db::{DbConnection, write_transaction};
use crate::domain::{AccountFields, AccountNumber, AccountNumberInput, Password};

pub const PLATFORM_ACCOUNT_NUMBER: &str = "3141-5926-5359";
pub const PLATFORM_COMPANY_NAME: &str = "Smarter";

/// What the bootstrap did.
#[derive(Debug, Default)]
pub struct Bootstrapped {
    pub created_platform_account: bool,
    /// The superuser created, and the password generated for it if none was set.
    pub created_admin: Option<(String, Option<String>)>,
}

fn generated_password() -> String {
    rand::rng().sample_iter(&Alphanumeric).take(24).map(char::from).collect()
}

pub fn run(conn: &mut DbConnection, settings: &Settings) -> anyhow::Result<Bootstrapped> {
    write_transaction(conn, |conn| {
        let mut done = Bootstrapped::default();
        let actor = Actor::system();
        if Account::count(conn)? == 0 {
            let number = AccountNumber::parse(PLATFORM_ACCOUNT_NUMBER).map_err(anyhow::Error::msg)?;
            let fields = AccountFields::minimal(PLATFORM_COMPANY_NAME)?;
            let flags = AccountFlags { is_active: true, is_default_account: true };
            Account::create(
                conn,
                &actor,
                &AccountNumberInput::Given(number),
                &fields,
                flags,
                &mut AccountNumber::random,
            )?;
            done.created_platform_account = true;
        }
        if User::count(conn)? == 0 {
            let username = settings.admin_username.clone();
            let (raw, generated) = match &settings.admin_password {
                Some(p) => (p.expose().clone(), None),
                None => {
                    let p = generated_password();
                    (p.clone(), Some(p))
                }
            };
            let password =
                Password::parse(&raw, username.as_str()).map_err(|e| anyhow::anyhow!("SMARTER_ADMIN_PASSWORD: {e}"))?;
            let input = NewUserInput {
                username: username.clone(),
                email: None,
                first_name: String::new(),
                last_name: String::new(),
                password_hash: password::hash(&password),
                is_staff: true,
                is_superuser: true,
            };
            let user = User::create(conn, &actor, &input)?.value;
            if let Some(platform) = Account::default_account(conn)? {
                UserProfile::add(conn, &actor, &user, &platform)?;
            }
            done.created_admin = Some((user.username, generated));
        }
        Ok(done)
    })
}
