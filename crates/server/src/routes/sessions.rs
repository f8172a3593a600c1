//! The member's own sessions: list them, revoke one.

use crate::error::ApiError;
use crate::extract::MemberAuth;
use crate::state::AppState;
use actix_web::{delete, get, web, HttpResponse};
use datacoop_accounts::timefmt::format_micros;
use datacoop_api::accounts::{SessionInfo, SessionList};
use datacoop_api::Problem;
use datacoop_auth::sessions;
use uuid::Uuid;

fn rfc3339(secs: i64) -> String {
    format_micros(secs.saturating_mul(1_000_000))
}

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
pub async fn list(
    state: web::Data<AppState>,
    auth: MemberAuth,
) -> Result<web::Json<SessionList>, ApiError> {
    let current = auth.0.sid;
    let sessions = sessions::list(&state.db, auth.0.sub)
        .await?
        .into_iter()
        .filter_map(|s| {
            let id: Uuid = s.id.parse().ok()?;
            Some(SessionInfo {
                id,
                label: s.label,
                created_at: rfc3339(s.created_at),
                last_used_at: rfc3339(s.last_used_at),
                expires_at: rfc3339(s.expires_at),
                current: id == current,
            })
        })
        .collect();
    Ok(web::Json(SessionList { sessions }))
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
    state: web::Data<AppState>,
    auth: MemberAuth,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    if sessions::revoke(&state.db, auth.0.sub, id.into_inner()).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::NotFound("no such session".into()))
    }
}
