//! Argon2id password hashes (PHC strings), by the `password-auth` crate. Hashing is
//! slow on purpose: call these from blocking threads, never on the async executor.

use crate::domain::Password;

pub fn hash(password: &Password) -> String {
    password_auth::generate_hash(password.expose())
}

/// True when `candidate` matches `hash`. A malformed hash never matches.
pub fn verify(candidate: &str, hash: &str) -> bool {
    password_auth::verify_password(candidate, hash).is_ok()
}

/// Spends the time of one verification, so that an unknown username takes as long to
/// refuse as a wrong password.
pub fn verify_dummy(candidate: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = DUMMY.get_or_init(|| password_auth::generate_hash("not a real password, only for timing"));
    let _ = password_auth::verify_password(candidate, hash);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_are_argon2id() {
        let p = Password::parse("correct horse battery", "jane").unwrap();
        let h = hash(&p);
        assert!(h.starts_with("$argon2id$"));
        assert!(!h.contains("horse"));
        assert!(verify("correct horse battery", &h));
        assert!(!verify("correct horse batterY", &h));
        assert!(!verify("correct horse battery", "not a hash"));
    }
}
