//! Recovery with the recovery code: two unauthenticated steps, rate-limited
//! like login (see `datacoop_accounts::recovery` and docs/accounts.md).

use crate::error::ApiError;
use crate::routes::members::peer;
use crate::state::AppState;
use actix_web::{post, web, HttpRequest};
use datacoop_accounts::recovery;
use datacoop_api::accounts::{
    LoginMaterialReplaced, RecoveryComplete, RecoveryStart, RecoveryStartRequest,
};
use datacoop_api::Problem;

/// What the recovery code opens, plus a challenge to sign; unknown emails get a stable decoy.
#[utoipa::path(
    tag = "auth",
    request_body = RecoveryStartRequest,
    responses(
        (status = 200, description = "Sealed recovery material and a challenge (for unknown emails a decoy of the same shape)", body = RecoveryStart),
        (status = 422, description = "Not an email address", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/recovery/start")]
pub async fn start(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<RecoveryStartRequest>,
) -> Result<web::Json<RecoveryStart>, ApiError> {
    let started = recovery::start(
        &state.db,
        &state.pepper,
        &state.limiter,
        &body.email,
        &peer(&req),
    )
    .await?;
    Ok(web::Json(started))
}

/// Sets a new passphrase given the signed proof; revokes every session.
#[utoipa::path(
    tag = "auth",
    request_body = RecoveryComplete,
    responses(
        (status = 200, description = "New passphrase set; every session revoked", body = LoginMaterialReplaced),
        (status = 401, description = "Unknown email, wrong proof or spent challenge (recovery_failed)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid material or expired challenge", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/recovery/complete")]
pub async fn complete(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<RecoveryComplete>,
) -> Result<web::Json<LoginMaterialReplaced>, ApiError> {
    let (member_id, revoked) = recovery::complete(
        &state.db,
        &state.pepper,
        &state.limiter,
        body.into_inner(),
        &peer(&req),
    )
    .await?;
    tracing::info!(member = %member_id, "account recovered with the recovery code");
    Ok(web::Json(LoginMaterialReplaced {
        member_id,
        sessions_revoked: revoked,
    }))
}
