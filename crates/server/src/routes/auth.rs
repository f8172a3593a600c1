//! Token refresh, logout and "who am I".

use crate::error::ApiError;
use crate::extract::Authenticated;
use actix_web::{get, post, web, HttpResponse};
use datacoop_api::auth::{RefreshRequest, TokenPair, WhoAmI};
use datacoop_api::Problem;
use datacoop_app::App;

/// Exchanges a refresh token for a new pair; the presented token is spent.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new token pair", body = TokenPair),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Unknown, expired, revoked or reused refresh token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    app: web::Data<App>,
    body: web::Json<RefreshRequest>,
) -> Result<web::Json<TokenPair>, ApiError> {
    Ok(web::Json(app.refresh(&body.refresh_token).await?))
}

/// Ends the session the refresh token belongs to; harmless if already ended.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "The session is revoked"),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/logout")]
pub async fn logout(
    app: web::Data<App>,
    body: web::Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    app.logout(&body.refresh_token).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Says whom the presented access token speaks for.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The token's subject", body = WhoAmI),
        (status = 401, description = "Missing, expired or invalid token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/auth/whoami")]
pub async fn whoami(app: web::Data<App>, auth: Authenticated) -> web::Json<WhoAmI> {
    web::Json(app.whoami(&auth.0))
}
