//! The HTTP surface: one route table, then one module per resource.

mod health;

use actix_web::web;

/// Every route of the console.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health::healthz));
}
