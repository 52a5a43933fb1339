//! Authentication: password hashing now; sessions, user resolution and CSRF join it.

pub mod password;
