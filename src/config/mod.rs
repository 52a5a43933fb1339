//! Settings: read once from the environment (flags of the same name override), checked
//! at start, then passed to whatever needs them. A bad value stops the program with one
//! line naming the setting; secrets are never printed.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use clap::Args;

mod values;

pub use values::{DatabaseUrl, SECRET_KEY_MIN_BYTES, Secret, decode_secret_key};

/// The settings as the command line and environment give them, before checking.
#[derive(Debug, Clone, Args)]
pub struct SettingsArgs {
    /// `sqlite://PATH` or `postgres://…`
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://smarter-accounts.db",
        global = true,
        hide_env_values = true
    )]
    pub database_url: String,
    /// Sessions and the object cache live in this Redis when set.
    #[arg(long, env = "REDIS_URL", global = true, hide_env_values = true)]
    pub redis_url: Option<String>,
    /// Listen address; port 0 picks a free port.
    #[arg(long = "bind", env = "SMARTER_BIND", default_value = "127.0.0.1:8080", global = true)]
    pub bind: String,
    /// At least 64 bytes, hex or base64, for session cookies. Unset: generated once and
    /// kept in the database.
    #[arg(long = "secret-key", env = "SMARTER_SECRET_KEY", global = true, hide_env_values = true)]
    pub secret_key: Option<String>,
    /// The first superuser's name (first start only).
    #[arg(long = "admin-username", env = "SMARTER_ADMIN_USERNAME", default_value = "admin", global = true)]
    pub admin_username: String,
    /// The first superuser's password (first start only); unset: generated and logged once.
    #[arg(long = "admin-password", env = "SMARTER_ADMIN_PASSWORD", global = true, hide_env_values = true)]
    pub admin_password: Option<String>,
    /// `true` behind TLS: cookies get `Secure`.
    #[arg(long = "secure-cookies", env = "SMARTER_SECURE_COOKIES", default_value = "false", global = true)]
    pub secure_cookies: String,
    /// Object cache lifetime in seconds.
    #[arg(long = "cache-ttl-seconds", env = "SMARTER_CACHE_TTL_SECONDS", default_value = "60", global = true)]
    pub cache_ttl_seconds: String,
    /// Database connection pool size.
    #[arg(long = "db-pool-size", env = "SMARTER_DB_POOL_SIZE", default_value = "8", global = true)]
    pub db_pool_size: String,
    /// A session unused this long ends.
    #[arg(long = "session-idle-minutes", env = "SMARTER_SESSION_IDLE_MINUTES", default_value = "720", global = true)]
    pub session_idle_minutes: String,
    /// A session ends this long after sign-in, however much it is used.
    #[arg(long = "session-max-hours", env = "SMARTER_SESSION_MAX_HOURS", default_value = "168", global = true)]
    pub session_max_hours: String,
    /// Proxies (IPs or CIDRs, comma-separated) whose `X-Forwarded-For` names the client.
    #[arg(long = "trusted-proxies", env = "SMARTER_TRUSTED_PROXIES", default_value = "", global = true)]
    pub trusted_proxies: String,
}

/// Checked settings.
#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: DatabaseUrl,
    pub redis_url: Option<Secret<String>>,
    pub bind: SocketAddr,
    pub secret_key: Option<Secret<Vec<u8>>>,
    pub admin_username: crate::domain::Username,
    pub admin_password: Option<Secret<String>>,
    pub secure_cookies: bool,
    pub cache_ttl: Duration,
    pub db_pool_size: u32,
    pub session_idle: Duration,
    pub session_max: Duration,
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Prefix of every cache key in a shared cache. Not a setting of its own: tests give
    /// each app its own so that they never see each other's entries.
    pub cache_prefix: String,
}

/// A setting that failed its check; displays as one line naming the setting.
#[derive(Debug, thiserror::Error)]
#[error("{name}: {message}")]
pub struct SettingError {
    pub name: &'static str,
    pub message: String,
}

fn setting<T>(name: &'static str, result: Result<T, String>) -> Result<T, SettingError> {
    result.map_err(|message| SettingError { name, message })
}

/// Comma-separated IP addresses or networks (`10.0.0.1`, `10.0.0.0/8`, `::1`).
fn parse_networks(raw: &str) -> Result<Vec<ipnet::IpNet>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<ipnet::IpNet>()
                .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| format!("{s:?} is not an IP address or network (e.g. 10.0.0.1 or 10.0.0.0/8)"))
        })
        .collect()
}

fn parse_bool(raw: &str) -> Result<bool, String> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" | "" => Ok(false),
        other => Err(format!("expected true or false, got {other:?}")),
    }
}

fn parse_number<T: std::str::FromStr + PartialOrd + fmt::Display>(raw: &str, min: T, max: T) -> Result<T, String> {
    let value: T = raw.trim().parse().map_err(|_| format!("expected a whole number from {min} to {max}"))?;
    if value < min || value > max {
        return Err(format!("expected a whole number from {min} to {max}"));
    }
    Ok(value)
}

impl Settings {
    pub fn from_args(args: &SettingsArgs) -> Result<Self, SettingError> {
        let redis_url = match args.redis_url.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(raw) => {
                let ok = (raw.starts_with("redis://") || raw.starts_with("rediss://")) && url::Url::parse(raw).is_ok();
                setting("REDIS_URL", if ok { Ok(()) } else { Err("use redis://HOST:PORT[/DB]".to_owned()) })?;
                Some(Secret::new(raw.to_owned()))
            }
        };
        let secret_key = match args.secret_key.as_deref().filter(|s| !s.trim().is_empty()) {
            None => None,
            Some(raw) => Some(Secret::new(setting("SMARTER_SECRET_KEY", decode_secret_key(raw))?)),
        };
        let admin_password = args.admin_password.clone().filter(|p| !p.is_empty()).map(Secret::new);
        let admin_username = setting("SMARTER_ADMIN_USERNAME", crate::domain::Username::parse(&args.admin_username))?;
        if let Some(password) = &admin_password {
            setting(
                "SMARTER_ADMIN_PASSWORD",
                crate::domain::Password::parse(password.expose(), admin_username.as_str()).map(|_| ()),
            )?;
        }
        Ok(Self {
            database_url: setting("DATABASE_URL", DatabaseUrl::parse(&args.database_url))?,
            redis_url,
            bind: setting(
                "SMARTER_BIND",
                args.bind
                    .trim()
                    .parse()
                    .map_err(|_| format!("expected HOST:PORT such as 127.0.0.1:8080, got {:?}", args.bind)),
            )?,
            secret_key,
            admin_username,
            admin_password,
            secure_cookies: setting("SMARTER_SECURE_COOKIES", parse_bool(&args.secure_cookies))?,
            cache_ttl: Duration::from_secs(setting(
                "SMARTER_CACHE_TTL_SECONDS",
                parse_number(&args.cache_ttl_seconds, 0u64, 86_400),
            )?),
            db_pool_size: setting("SMARTER_DB_POOL_SIZE", parse_number(&args.db_pool_size, 1u32, 1_000))?,
            session_idle: Duration::from_secs(
                60 * setting("SMARTER_SESSION_IDLE_MINUTES", parse_number(&args.session_idle_minutes, 1u64, 525_600))?,
            ),
            session_max: Duration::from_secs(
                3_600 * setting("SMARTER_SESSION_MAX_HOURS", parse_number(&args.session_max_hours, 1u64, 8_760))?,
            ),
            trusted_proxies: setting("SMARTER_TRUSTED_PROXIES", parse_networks(&args.trusted_proxies))?,
            cache_prefix: "smarter-accounts".to_owned(),
        })
    }

    /// Defaults for the given database, as the tests and tools start from.
    pub fn for_database(database_url: DatabaseUrl) -> Self {
        Self {
            database_url,
            redis_url: None,
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            secret_key: None,
            admin_username: crate::domain::Username::parse("admin").expect("\"admin\" is a valid username"),
            admin_password: None,
            secure_cookies: false,
            cache_ttl: Duration::from_secs(60),
            db_pool_size: 8,
            session_idle: Duration::from_secs(720 * 60),
            session_max: Duration::from_secs(168 * 3_600),
            trusted_proxies: Vec::new(),
            cache_prefix: "smarter-accounts".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use clap::Parser;

    #[derive(Parser)]
    struct Probe {
        #[command(flatten)]
        settings: SettingsArgs,
    }

    fn parse(args: &[&str]) -> Result<Settings, SettingError> {
        let probe = Probe::try_parse_from(std::iter::once("x").chain(args.iter().copied())).unwrap();
        Settings::from_args(&probe.settings)
    }

    #[test]
    fn database_urls() {
        assert_eq!(DatabaseUrl::parse("sqlite://a.db").unwrap(), DatabaseUrl::Sqlite("a.db".into()));
        assert_eq!(DatabaseUrl::parse("sqlite:///tmp/a.db").unwrap(), DatabaseUrl::Sqlite("/tmp/a.db".into()));
        assert!(matches!(DatabaseUrl::parse("postgres://u:p@localhost/db"), Ok(DatabaseUrl::Postgres(_))));
        assert!(matches!(DatabaseUrl::parse("postgresql://localhost/db"), Ok(DatabaseUrl::Postgres(_))));
        for bad in ["mysql://x/y", "a.db", "", "sqlite://", "sqlite://:memory:"] {
            assert!(DatabaseUrl::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn database_url_display_hides_the_password() {
        let url = DatabaseUrl::parse("postgres://app:hunter2@db.internal:5432/smarter").unwrap();
        assert!(!url.to_string().contains("hunter2"));
        assert!(!format!("{url:?}").contains("hunter2"));
    }

    #[test]
    fn an_unknown_scheme_names_database_url() {
        let err = parse(&["--database-url", "mysql://root:pw@x/y"]).unwrap_err();
        assert!(err.to_string().starts_with("DATABASE_URL: "), "{err}");
        assert!(!err.to_string().contains("pw"));
    }

    #[test]
    fn each_bad_setting_is_named() {
        let cases: [(&[&str], &str); 10] = [
            (&["--bind", "nowhere"], "SMARTER_BIND"),
            (&["--secret-key", "abcd"], "SMARTER_SECRET_KEY"),
            (&["--secure-cookies", "maybe"], "SMARTER_SECURE_COOKIES"),
            (&["--cache-ttl-seconds=-1"], "SMARTER_CACHE_TTL_SECONDS"),
            (&["--db-pool-size", "0"], "SMARTER_DB_POOL_SIZE"),
            (&["--redis-url", "http://x"], "REDIS_URL"),
            (&["--admin-password", "short"], "SMARTER_ADMIN_PASSWORD"),
            (&["--session-idle-minutes", "0"], "SMARTER_SESSION_IDLE_MINUTES"),
            (&["--session-max-hours", "many"], "SMARTER_SESSION_MAX_HOURS"),
            (&["--trusted-proxies", "10.0.0.1, proxy.example"], "SMARTER_TRUSTED_PROXIES"),
        ];
        for (args, name) in cases {
            let err = parse(args).unwrap_err();
            assert_eq!(err.name, name, "{args:?}");
        }
    }

    #[test]
    fn trusted_proxies_are_addresses_or_networks() {
        let s = parse(&["--trusted-proxies", "10.0.0.1, 192.168.0.0/16,::1"]).unwrap();
        let networks: Vec<String> = s.trusted_proxies.iter().map(ToString::to_string).collect();
        assert_eq!(networks, ["10.0.0.1/32", "192.168.0.0/16", "::1/128"]);
    }

    #[test]
    fn secret_keys_in_hex_or_base64() {
        let hex64 = "ab".repeat(64);
        assert_eq!(decode_secret_key(&hex64).unwrap().len(), 64);
        let b64 = base64::engine::general_purpose::STANDARD.encode([7u8; 96]);
        assert_eq!(decode_secret_key(&b64).unwrap().len(), 96);
        assert!(decode_secret_key(&"ab".repeat(63)).is_err());
        assert!(decode_secret_key("not a key!").is_err());
    }

    #[test]
    fn defaults_are_valid() {
        let s = parse(&[]).unwrap();
        assert_eq!(s.bind, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(s.db_pool_size, 8);
        assert_eq!(s.session_idle, Duration::from_secs(720 * 60));
        assert_eq!(s.session_max, Duration::from_secs(168 * 3_600));
        assert!(s.trusted_proxies.is_empty());
        assert!(!s.secure_cookies);
        assert!(format!("{:?}", s.secret_key).contains("None"));
    }
}
