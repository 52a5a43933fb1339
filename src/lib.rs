//! Smarter Accounts: the staff console of the Smarter platform's account app.
//!
//! See `docs/ARCHITECTURE.md` for the modules and a request's path through them.

pub mod domain;
