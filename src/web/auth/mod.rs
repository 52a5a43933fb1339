//! Sign-in, sign-out and password change (SPEC 4.1).

pub mod login;
pub mod logout;
pub mod password;
