//! The setting values that need more than parsing: where the data lives (printed
//! without its password) and key material (never printed).

use std::fmt;

use base64::Engine;

/// Where the data lives.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A file path (`sqlite://PATH`).
    Sqlite(String),
    /// A libpq connection URL.
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if let Some(path) = raw.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err("sqlite:// needs a file path, e.g. sqlite://smarter-accounts.db".to_owned());
            }
            if path.starts_with(':') {
                return Err(
                    "in-memory SQLite is not supported: name a file, e.g. sqlite://smarter-accounts.db".to_owned()
                );
            }
            return Ok(Self::Sqlite(path.to_owned()));
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            url::Url::parse(raw).map_err(|e| format!("not a valid PostgreSQL URL ({e})"))?;
            return Ok(Self::Postgres(raw.to_owned()));
        }
        let scheme = raw.split_once("://").map_or("(none)", |(s, _)| s);
        Err(format!("use sqlite://PATH or postgres://…; the scheme {scheme:?} is not supported"))
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for DatabaseUrl {
    /// The URL with any password replaced by `***`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "sqlite://{path}"),
            Self::Postgres(raw) => match url::Url::parse(raw) {
                Ok(mut url) => {
                    if url.password().is_some() {
                        let _ = url.set_password(Some("***"));
                    }
                    write!(f, "{url}")
                }
                Err(_) => f.write_str("postgres://***"),
            },
        }
    }
}

/// Key material or a password: `Debug` prints `***`, and there is no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// The least key material a session key may have.
pub const SECRET_KEY_MIN_BYTES: usize = 64;

/// Decodes key material given as hex or base64 (standard or URL-safe, padded or not).
pub fn decode_secret_key(raw: &str) -> Result<Vec<u8>, String> {
    let raw = raw.trim();
    let bytes = if raw.len().is_multiple_of(2) && raw.bytes().all(|b| b.is_ascii_hexdigit()) {
        hex::decode(raw).map_err(|_| "not valid hex".to_owned())?
    } else {
        let engines = [
            base64::engine::general_purpose::STANDARD,
            base64::engine::general_purpose::STANDARD_NO_PAD,
            base64::engine::general_purpose::URL_SAFE,
            base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ];
        engines.iter().find_map(|e| e.decode(raw).ok()).ok_or_else(|| "not valid hex or base64".to_owned())?
    };
    if bytes.len() < SECRET_KEY_MIN_BYTES {
        return Err(format!("must hold at least {SECRET_KEY_MIN_BYTES} bytes, it holds {}", bytes.len()));
    }
    Ok(bytes)
}
