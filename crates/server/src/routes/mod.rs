//! HTTP routes, one module per concern.

pub mod auth;
pub mod health;

use actix_web::web;

/// Mounts every route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(health::metrics)
        .service(health::openapi)
        .service(
            web::scope(datacoop_api::API_BASE)
                .service(auth::refresh)
                .service(auth::logout)
                .service(auth::whoami),
        );
}
