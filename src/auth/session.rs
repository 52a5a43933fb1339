//! What the console keeps in a session: the token of its server-side record (see
//! `db::models::session`), the CSRF token, and flash messages for the next page. The
//! session names no user itself: only a live record in the database vouches for one.

use actix_session::Session;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

const TOKEN: &str = "sid";
const CSRF: &str = "csrf";
const FLASH: &str = "flash";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flash {
    /// `success`, `info` or `error`.
    pub kind: String,
    pub message: String,
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    hex::encode(bytes)
}

/// The token of the session's server-side record, if it has one.
pub fn token(session: &Session) -> Option<String> {
    session.get::<String>(TOKEN).ok().flatten()
}

/// Signs in with the token of a new server-side record: a new session id (against
/// fixation), the token, and a new CSRF token.
pub fn sign_in(session: &Session, token: &str) -> Result<(), actix_session::SessionInsertError> {
    session.renew();
    session.insert(TOKEN, token)?;
    session.insert(CSRF, random_token())
}

pub fn sign_out(session: &Session) {
    session.purge();
}

pub fn csrf_token_if_any(session: &Session) -> Option<String> {
    session.get::<String>(CSRF).ok().flatten()
}

/// The session's CSRF token, created on first use.
pub fn csrf_token(session: &Session) -> String {
    if let Some(token) = csrf_token_if_any(session) {
        return token;
    }
    let token = random_token();
    let _ = session.insert(CSRF, &token);
    token
}

pub fn tokens_match(submitted: &str, expected: &str) -> bool {
    submitted.as_bytes().ct_eq(expected.as_bytes()).into()
}

/// How many flash messages a session keeps: a cookie session must stay under 4 KB
/// however many posts come before the next page.
pub const MAX_FLASHES: usize = 3;

/// Queues a message for the next page; beyond [`MAX_FLASHES`] the oldest is dropped.
pub fn flash(session: &Session, kind: &str, message: impl Into<String>) {
    let mut flashes: Vec<Flash> = session.get(FLASH).ok().flatten().unwrap_or_default();
    flashes.push(Flash { kind: kind.to_owned(), message: message.into() });
    let excess = flashes.len().saturating_sub(MAX_FLASHES);
    flashes.drain(..excess);
    let _ = session.insert(FLASH, flashes);
}

pub fn take_flashes(session: &Session) -> Vec<Flash> {
    let flashes = session.get(FLASH).ok().flatten().unwrap_or_default();
    if session.contains_key(FLASH) {
        session.remove(FLASH);
    }
    flashes
}
