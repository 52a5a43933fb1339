//! Sign-in, sign-out and password change.

pub mod login;
pub mod logout;
pub mod password;
pub mod sign_out;
