//! Smarter Accounts: the staff console of the Smarter platform's account app.
//!
//! See `docs/ARCHITECTURE.md` for the modules and a request's path through them.

pub mod assets;
pub mod auth;
pub mod bootstrap;
pub mod cache;
pub mod cli;
pub mod commands;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod redis_guard;
pub mod request_id;
pub mod seed;
pub mod session_store;
pub mod startup;
pub mod state;
pub mod store;
pub mod web;
