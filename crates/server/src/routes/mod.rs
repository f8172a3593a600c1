//! HTTP routes, one module per concern.

pub mod auth;
pub mod health;
pub mod members;
pub mod records;

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
                .service(auth::whoami)
                .service(members::register)
                .service(members::prelogin)
                .service(members::login)
                .service(records::create)
                .service(records::batch)
                .service(records::list)
                .service(records::get)
                .service(records::update)
                .service(records::remove),
        );
}
