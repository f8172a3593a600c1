//! The member's own sessions: list them, revoke one.

use crate::error::ApiError;
use crate::extract::Member;
use actix_web::{delete, get, web, HttpResponse};
use datacoop_api::accounts::SessionList;
use datacoop_api::{Problem, SessionId};
use datacoop_app::App;

/// The caller's live sessions, newest first; the caller's own is marked `current`.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Live sessions", body = SessionList),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a member token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/auth/sessions")]
pub async fn list(app: web::Data<App>, me: Member) -> Result<web::Json<SessionList>, ApiError> {
    Ok(web::Json(app.sessions(&me.0).await?))
}

/// Revokes one of the caller's sessions (its refresh token stops working; an
/// access token already issued lapses within the access-token lifetime).
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Session id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such session of yours", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/auth/sessions/{id}")]
pub async fn revoke(
    app: web::Data<App>,
    me: Member,
    id: web::Path<SessionId>,
) -> Result<HttpResponse, ApiError> {
    app.revoke_session(&me.0, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}
