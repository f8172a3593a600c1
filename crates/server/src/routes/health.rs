//! Liveness, readiness and metrics for operators and orchestrators.

use crate::metrics::Metrics;
use actix_web::{get, web, HttpResponse};
use datacoop_api::health::HealthStatus;
use datacoop_app::App;

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Liveness: the process is up and answering.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "The server is alive", body = HealthStatus))
)]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(HealthStatus {
        status: "ok".into(),
        version: VERSION.into(),
        database: None,
    })
}

/// Readiness: the database answers, so requests can be served.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "Ready to serve", body = HealthStatus),
        (status = 503, description = "The database is unreachable", body = HealthStatus),
    )
)]
#[get("/readyz")]
pub async fn readyz(app: web::Data<App>) -> HttpResponse {
    let up = app.db().ping().await;
    let body = HealthStatus {
        status: if up { "ok" } else { "unavailable" }.into(),
        version: VERSION.into(),
        database: Some(up),
    };
    if up {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable()
            .insert_header(("Retry-After", "5"))
            .json(body)
    }
}

/// Prometheus metrics in the OpenMetrics text format.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "Metrics", content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8", body = String))
)]
#[get("/metrics")]
pub async fn metrics(app: web::Data<App>, metrics: web::Data<Metrics>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(metrics.render(app.db().pool_state(), app.hash_stats()))
}

/// This build's OpenAPI document, so clients and validators can fetch it.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json", body = Object))
)]
#[get("/openapi.json")]
pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(crate::openapi::document())
}
