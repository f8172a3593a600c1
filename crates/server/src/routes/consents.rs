//! Members' consents to studies: grant (receipt and sealed share key), the study
//! copies, activation, reading and withdrawal. Members only: no device, researcher or
//! steward's token consents for a member.

use crate::error::ApiError;
use crate::extract::Member;
use actix_web::{get, post, web, HttpResponse};
use datacoop_api::Problem;
use datacoop_app::App;
use datacoop_consent_core::wire::{
    ConsentList, ConsentQuery, ConsentRequest, ConsentView, CopiesStored, StudyCopies,
};
use uuid::Uuid;

/// Grants a consent (not yet in effect: upload the study copies, then activate it).
/// A retry with the same consent id and receipt answers with the stored consent.
#[utoipa::path(tag = "consents", security(("bearer" = [])), request_body = ConsentRequest, responses(
    (status = 201, description = "Stored, preparing", body = ConsentView),
    (status = 404, description = "No such study", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The study does not recruit (study_not_recruiting), you consent to it already (already_consented), or the id is taken (consent_exists)", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "The receipt names other terms, categories the study does not ask for, or is not signed by your key", body = Problem, content_type = "application/problem+json"),
))]
#[post("/consents")]
pub async fn grant(
    app: web::Data<App>,
    me: Member,
    body: web::Json<ConsentRequest>,
) -> Result<HttpResponse, ApiError> {
    let view = app.grant_consent(&me.0, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(view))
}

/// Uploads study copies for a consent (at most 1000 per request; a copy of a record
/// already copied is not stored twice).
#[utoipa::path(tag = "consents", security(("bearer" = [])), request_body = StudyCopies, params(("id" = Uuid, Path, description = "The consent")), responses(
    (status = 200, description = "Stored", body = CopiesStored),
    (status = 409, description = "The consent is withdrawn or expired (consent_not_active), or a record changed (version_conflict)", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "A copy of a record the consent does not cover, or too large", body = Problem, content_type = "application/problem+json"),
))]
#[post("/consents/{id}/copies")]
pub async fn copies(
    app: web::Data<App>,
    me: Member,
    path: web::Path<Uuid>,
    body: web::Json<StudyCopies>,
) -> Result<web::Json<CopiesStored>, ApiError> {
    Ok(web::Json(
        app.add_study_copies(&me.0, path.into_inner(), body.into_inner())
            .await?,
    ))
}

/// Puts a consent in effect: the server countersigns the receipt and your access log
/// records the grant; activating again changes nothing.
#[utoipa::path(tag = "consents", security(("bearer" = [])), params(("id" = Uuid, Path, description = "The consent")), responses(
    (status = 200, description = "Active", body = ConsentView),
    (status = 409, description = "Withdrawn, expired, or the study no longer recruits", body = Problem, content_type = "application/problem+json"),
))]
#[post("/consents/{id}/activation")]
pub async fn activate(
    app: web::Data<App>,
    me: Member,
    path: web::Path<Uuid>,
) -> Result<web::Json<ConsentView>, ApiError> {
    Ok(web::Json(
        app.activate_consent(&me.0, path.into_inner()).await?,
    ))
}

/// Withdraws a consent now: the study copies are deleted and every later access
/// refused; withdrawing again changes nothing.
#[utoipa::path(tag = "consents", security(("bearer" = [])), params(("id" = Uuid, Path, description = "The consent")), responses(
    (status = 200, description = "Withdrawn", body = ConsentView),
))]
#[post("/consents/{id}/withdrawal")]
pub async fn withdraw(
    app: web::Data<App>,
    me: Member,
    path: web::Path<Uuid>,
) -> Result<web::Json<ConsentView>, ApiError> {
    Ok(web::Json(
        app.withdraw_consent(&me.0, path.into_inner()).await?,
    ))
}

/// Your consents, newest first (one page lists every study and what it gets).
#[utoipa::path(tag = "consents", security(("bearer" = [])), params(ConsentQuery), responses(
    (status = 200, description = "Your consents", body = ConsentList),
))]
#[get("/consents")]
pub async fn list(
    app: web::Data<App>,
    me: Member,
    query: web::Query<ConsentQuery>,
) -> Result<web::Json<ConsentList>, ApiError> {
    Ok(web::Json(app.consents(&me.0, query.into_inner()).await?))
}

/// One of your consents, with the receipt and both signatures.
#[utoipa::path(tag = "consents", security(("bearer" = [])), params(("id" = Uuid, Path, description = "The consent")), responses(
    (status = 200, description = "The consent", body = ConsentView),
))]
#[get("/consents/{id}")]
pub async fn show(
    app: web::Data<App>,
    me: Member,
    path: web::Path<Uuid>,
) -> Result<web::Json<ConsentView>, ApiError> {
    Ok(web::Json(app.consent(&me.0, path.into_inner()).await?))
}
