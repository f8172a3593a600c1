//! Token refresh, logout and "who am I".

use crate::error::ApiError;
use crate::extract::Authenticated;
use crate::state::AppState;
use actix_web::{get, post, web, HttpResponse};
use datacoop_api::auth::{RefreshRequest, TokenPair, WhoAmI};
use datacoop_api::Problem;
use datacoop_auth::sessions;

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
    state: web::Data<AppState>,
    body: web::Json<RefreshRequest>,
) -> Result<web::Json<TokenPair>, ApiError> {
    let pair = sessions::refresh(&state.db, &state.tokens, &body.refresh_token).await?;
    Ok(web::Json(pair))
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
    state: web::Data<AppState>,
    body: web::Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    sessions::revoke_by_refresh(&state.db, &body.refresh_token).await?;
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
pub async fn whoami(auth: Authenticated) -> web::Json<WhoAmI> {
    let c = auth.0;
    web::Json(WhoAmI {
        subject: c.sub,
        role: c.role,
        session: c.sid,
        expires_at: c.exp.max(0) as u64,
    })
}
