//! The integration tests: one binary, one module per area.

mod support;

mod account_pages;
mod accounts;
mod across;
mod around;
mod audit_log;
mod auth;
mod billing;
mod bootstrap;
mod browser;
mod bulk;
mod cache;
mod cache_writes;
mod cli;
mod concurrency;
mod contacts;
mod edges;
mod hardening;
mod health;
mod instances;
mod layering;
mod list_plans;
mod members;
mod migrations;
mod people;
mod redis;
mod revert;
mod schema;
mod sessions;
mod throttle;
mod totals;
