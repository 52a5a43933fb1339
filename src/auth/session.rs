//! What the console keeps in a session: the signed-in user and their credential stamp,
//! the CSRF token, and flash messages for the next page.

use actix_session::Session;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use crate::db::UserId;
use crate::db::models::User;

const USER_ID: &str = "uid";
const STAMP: &str = "stamp";
const CSRF: &str = "csrf";
const FLASH: &str = "flash";

/// Who the session says is signed in, before the database confirms it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionUser {
    pub user_id: UserId,
    pub stamp: String,
}

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

pub fn session_user(session: &Session) -> Option<SessionUser> {
    let user_id = session.get::<UserId>(USER_ID).ok().flatten()?;
    let stamp = session.get::<String>(STAMP).ok().flatten()?;
    Some(SessionUser { user_id, stamp })
}

/// Signs `user` in: a new session id (against fixation), their id and stamp, and a
/// new CSRF token.
pub fn sign_in(session: &Session, user: &User) -> Result<(), actix_session::SessionInsertError> {
    session.renew();
    session.insert(USER_ID, user.id)?;
    session.insert(STAMP, &user.session_stamp)?;
    session.insert(CSRF, random_token())
}

/// Keeps this session signed in after its own credential change.
pub fn refresh_stamp(session: &Session, user: &User) -> Result<(), actix_session::SessionInsertError> {
    session.renew();
    session.insert(STAMP, &user.session_stamp)
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
