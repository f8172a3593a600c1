//! Registration and login of members (the passphrase never arrives here).

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{post, web, HttpRequest, HttpResponse};
use datacoop_accounts::members;
use datacoop_api::accounts::{
    LoginRequest, LoginResponse, PreloginRequest, PreloginResponse, RegisterRequest, Registered,
};
use datacoop_api::auth::Role;
use datacoop_api::Problem;
use datacoop_auth::sessions;

/// Opens a data account from key material sealed on the client.
#[utoipa::path(
    tag = "members",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Account created", body = Registered),
        (status = 409, description = "Email or id already registered", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/members")]
pub async fn register(
    state: web::Data<AppState>,
    body: web::Json<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = members::register(&state.db, &state.pepper, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(Registered { member_id: id }))
}

/// The passphrase KDF parameters for an email (always answers, member or not).
#[utoipa::path(
    tag = "auth",
    request_body = PreloginRequest,
    responses((status = 200, description = "KDF parameters", body = PreloginResponse))
)]
#[post("/auth/prelogin")]
pub async fn prelogin(
    state: web::Data<AppState>,
    body: web::Json<PreloginRequest>,
) -> Result<web::Json<PreloginResponse>, ApiError> {
    let kdf_params = members::prelogin(&state.db, &state.pepper, &body.email).await?;
    Ok(web::Json(PreloginResponse { kdf_params }))
}

/// Logs in with the authentication key; returns tokens and sealed keys.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = LoginResponse),
        (status = 401, description = "Unknown email or wrong passphrase", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed logins; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<LoginRequest>,
) -> Result<web::Json<LoginResponse>, ApiError> {
    let body = body.into_inner();
    let address = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    let stored = members::login(
        &state.db,
        &state.pepper,
        &state.limiter,
        &body.email,
        body.auth_key,
        &address,
    )
    .await?;
    let tokens = sessions::start(
        &state.db,
        &state.tokens,
        stored.id,
        Role::Member,
        body.label,
    )
    .await?;
    Ok(web::Json(LoginResponse {
        member_id: stored.id,
        tokens,
        sealed_vault_key: stored.sealed_vault_key,
        sealed_member_keys: stored.sealed_member_keys,
        public_keys: stored.public_keys,
    }))
}
