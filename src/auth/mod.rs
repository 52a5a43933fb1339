//! Authentication and access: password hashing, sessions and their store, user
//! resolution, the role extractors, and the sign-in throttle.

pub mod extract;
pub mod password;
pub mod resolve;
pub mod session;
pub mod throttle;

pub use extract::{Staff, Superuser};
pub use resolve::{ResolvedUser, get_resolved_user, is_authenticated_user};
