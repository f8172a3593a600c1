//! Recovery with the recovery code: two unauthenticated steps, rate-limited
//! like login (see `datacoop_accounts::recovery` and docs/accounts.md).

use crate::error::ApiError;
use crate::extract::peer;
use actix_web::{post, web, HttpRequest};
use datacoop_api::accounts::{
    LoginMaterialReplaced, RecoveryComplete, RecoveryStart, RecoveryStartRequest,
};
use datacoop_api::Problem;
use datacoop_app::App;

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
    app: web::Data<App>,
    req: HttpRequest,
    body: web::Json<RecoveryStartRequest>,
) -> Result<web::Json<RecoveryStart>, ApiError> {
    Ok(web::Json(
        app.recovery_start(&body.email, &peer(&req)).await?,
    ))
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
        (status = 503, description = "Busy checking passphrases (server_busy); see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/recovery/complete")]
pub async fn complete(
    app: web::Data<App>,
    req: HttpRequest,
    body: web::Json<RecoveryComplete>,
) -> Result<web::Json<LoginMaterialReplaced>, ApiError> {
    Ok(web::Json(
        app.recovery_complete(body.into_inner(), &peer(&req))
            .await?,
    ))
}
