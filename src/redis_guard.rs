//! What keeps Redis from carrying authority or hanging the console.
//!
//! - [`Seal`]: every value the console puts in Redis (object cache entries, session
//!   states) carries an HMAC-SHA256 over its key and content, keyed with the secret key.
//!   A value that doesn't verify is treated as absent, so whoever can write to Redis can
//!   neither forge an entry nor move one under another key (a session's state is bound
//!   to its session key).
//! - [`Breaker`]: every Redis call has a time limit ([`CALL_TIMEOUT`]) and goes through
//!   a circuit breaker. After a failure, calls fail at once for [`COOL_OFF`], then are
//!   tried again: with Redis hung or down, requests answer within the time limit
//!   (object cache reads fall back to the database, session pages answer 503), and the
//!   console recovers by itself once Redis is back.

use std::future::Future;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The longest a Redis call may take before it counts as failed.
pub const CALL_TIMEOUT: Duration = Duration::from_millis(250);
/// How long calls fail at once after a failure, before Redis is tried again.
pub const COOL_OFF: Duration = Duration::from_secs(1);

/// HMAC-SHA256 with a key derived from the secret key for one purpose.
#[derive(Clone)]
pub struct Seal {
    key: Vec<u8>,
}

impl std::fmt::Debug for Seal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Seal(***)")
    }
}

impl Seal {
    /// A seal for `purpose` (`"object-cache"`, `"session"`), so a tag made for one use
    /// never verifies for another.
    pub fn new(secret: &[u8], purpose: &str) -> Self {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
        mac.update(purpose.as_bytes());
        Self { key: mac.finalize().into_bytes().to_vec() }
    }

    fn mac(&self, parts: &[&[u8]]) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes a key of any length");
        for part in parts {
            // Length-prefixed, so no two lists of parts read the same.
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac
    }

    /// The tag of `parts`, as hex.
    pub fn tag(&self, parts: &[&[u8]]) -> String {
        hex::encode(self.mac(parts).finalize().into_bytes())
    }

    /// Whether `tag` is the tag of `parts` (compared in constant time).
    pub fn verify(&self, parts: &[&[u8]], tag: &str) -> bool {
        hex::decode(tag).is_ok_and(|bytes| self.mac(parts).verify_slice(&bytes).is_ok())
    }
}

/// Redis was not reached, or not in time, or the breaker is open.
#[derive(Debug, thiserror::Error)]
#[error("redis unavailable: {0}")]
pub struct RedisDown(pub String);

/// A circuit breaker with a time limit on every call.
#[derive(Debug, Default)]
pub struct Breaker {
    open_until: Mutex<Option<Instant>>,
    /// Something failed to reach Redis that must be made good once it is back (a
    /// write's invalidation): the owner checks it with [`Breaker::take_pending`].
    pending: AtomicBool,
}

impl Breaker {
    /// Whether calls fail at once now (a failure was less than [`COOL_OFF`] ago).
    pub fn is_open(&self) -> bool {
        let open_until = *self.open_until.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        open_until.is_some_and(|until| Instant::now() < until)
    }

    fn set(&self, until: Option<Instant>) {
        *self.open_until.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = until;
    }

    /// Runs one Redis call: at once `RedisDown` while the breaker is open, else the call
    /// with [`CALL_TIMEOUT`]; a failure opens the breaker for [`COOL_OFF`].
    pub async fn call<T, E: std::fmt::Display>(
        &self,
        call: impl Future<Output = Result<T, E>>,
    ) -> Result<T, RedisDown> {
        if self.is_open() {
            return Err(RedisDown("waiting before trying again".to_owned()));
        }
        let failure = match tokio::time::timeout(CALL_TIMEOUT, call).await {
            Ok(Ok(value)) => {
                self.set(None);
                return Ok(value);
            }
            Ok(Err(e)) => e.to_string(),
            Err(_) => format!("no answer within {} ms", CALL_TIMEOUT.as_millis()),
        };
        self.set(Some(Instant::now() + COOL_OFF));
        Err(RedisDown(failure))
    }

    /// Notes that something must be made good once Redis answers again.
    pub fn mark_pending(&self) {
        self.pending.store(true, Ordering::SeqCst);
    }

    /// Whether something was left to make good (and clears the note).
    pub fn take_pending(&self) -> bool {
        self.pending.swap(false, Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_verifies_only_its_parts_and_its_purpose() {
        let seal = Seal::new(&[7; 64], "session");
        let tag = seal.tag(&[b"key", b"value"]);
        assert!(seal.verify(&[b"key", b"value"], &tag));
        assert!(!seal.verify(&[b"other key", b"value"], &tag));
        assert!(!seal.verify(&[b"keyv", b"alue"], &tag), "parts are length-prefixed");
        assert!(!Seal::new(&[7; 64], "object-cache").verify(&[b"key", b"value"], &tag));
        assert!(!Seal::new(&[8; 64], "session").verify(&[b"key", b"value"], &tag));
        assert!(!seal.verify(&[b"key", b"value"], "not hex"));
    }

    #[actix_web::test]
    async fn a_failure_opens_the_breaker_until_the_cool_off_passes() {
        let breaker = Breaker::default();
        assert!(breaker.call(async { Err::<(), _>("refused") }).await.is_err());
        let started = Instant::now();
        assert!(breaker.call(async { Ok::<_, String>(1) }).await.is_err(), "open: not even tried");
        assert!(started.elapsed() < Duration::from_millis(50));
        *breaker.open_until.lock().unwrap() = Some(Instant::now());
        assert_eq!(breaker.call(async { Ok::<_, String>(1) }).await.unwrap(), 1, "tried again after the cool-off");
    }

    #[actix_web::test]
    async fn a_hung_call_fails_within_the_time_limit() {
        let breaker = Breaker::default();
        let started = Instant::now();
        let hung = breaker.call(std::future::pending::<Result<(), String>>()).await;
        assert!(hung.is_err());
        assert!(started.elapsed() < CALL_TIMEOUT + Duration::from_millis(200));
    }
}
