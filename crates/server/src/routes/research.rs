//! The research side: researchers (registration, their profile, a steward's
//! verification) and studies (drafts, submission, reading, closing). Approval is a
//! resolution of the cooperative (governance routes); consents come next.

use crate::error::ApiError;
use crate::extract::{peer, Member, Reader, Researcher};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use datacoop_api::accounts::Registered;
use datacoop_api::Problem;
use datacoop_app::App;
use datacoop_consent_core::wire::{
    ResearcherList, ResearcherQuery, ResearcherRegisterRequest, ResearcherView, StudyCreateRequest,
    StudyList, StudyQuery, StudyView,
};
use uuid::Uuid;

/// Opens a researcher's account: key material sealed on their machine, as a member's,
/// and their name and affiliation. They log in at `/auth/login` like a member and get
/// a researcher's token.
#[utoipa::path(tag = "research", request_body = ResearcherRegisterRequest, responses(
    (status = 201, description = "Account created; a steward verifies it next", body = Registered),
    (status = 409, description = "Email or id already registered", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "Too many new accounts from this address; see Retry-After", body = Problem, content_type = "application/problem+json"),
))]
#[post("/researchers")]
pub async fn register(
    app: web::Data<App>,
    req: HttpRequest,
    body: web::Json<ResearcherRegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = app
        .register_researcher(body.into_inner(), &peer(&req))
        .await?;
    Ok(HttpResponse::Created().json(Registered {
        member_id: id.uuid(),
    }))
}

/// The researcher's own profile and whether a steward verified them.
#[utoipa::path(tag = "research", security(("bearer" = [])), responses(
    (status = 200, description = "The researcher", body = ResearcherView),
))]
#[get("/researchers/me")]
pub async fn profile(
    app: web::Data<App>,
    me: Researcher,
) -> Result<web::Json<ResearcherView>, ApiError> {
    Ok(web::Json(app.researcher_me(&me.0).await?))
}

/// Researchers, for stewards: `unverified=true` lists those waiting.
#[utoipa::path(tag = "research", security(("bearer" = [])), params(ResearcherQuery), responses(
    (status = 200, description = "A page of researchers", body = ResearcherList),
    (status = 403, description = "Not a steward", body = Problem, content_type = "application/problem+json"),
))]
#[get("/researchers")]
pub async fn list(
    app: web::Data<App>,
    me: Member,
    query: web::Query<ResearcherQuery>,
) -> Result<web::Json<ResearcherList>, ApiError> {
    Ok(web::Json(app.researchers(&me.0, query.into_inner()).await?))
}

/// A steward verifies a researcher as bona fide (an entry of the governance log).
#[utoipa::path(tag = "research", security(("bearer" = [])), params(("id" = Uuid, Path, description = "The researcher's account")), responses(
    (status = 200, description = "Verified", body = ResearcherView),
    (status = 403, description = "Not a steward", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Verified already (already_verified)", body = Problem, content_type = "application/problem+json"),
))]
#[post("/researchers/{id}/verification")]
pub async fn verify(
    app: web::Data<App>,
    me: Member,
    path: web::Path<Uuid>,
) -> Result<web::Json<ResearcherView>, ApiError> {
    Ok(web::Json(
        app.verify_researcher(&me.0, path.into_inner()).await?,
    ))
}

/// Stores a study's draft, made on the researcher's machine (a retry with the same id,
/// terms and key answers with the draft).
#[utoipa::path(tag = "research", security(("bearer" = [])), request_body = StudyCreateRequest, responses(
    (status = 201, description = "The draft", body = StudyView),
    (status = 409, description = "The id is taken by other terms (study_exists)", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "The terms or key are invalid (the problem says what to change)", body = Problem, content_type = "application/problem+json"),
))]
#[post("/studies")]
pub async fn create(
    app: web::Data<App>,
    me: Researcher,
    body: web::Json<StudyCreateRequest>,
) -> Result<HttpResponse, ApiError> {
    let view = app.create_study(&me.0, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(view))
}

/// Studies the caller may see: every submitted one, and a researcher's own drafts.
#[utoipa::path(tag = "research", security(("bearer" = [])), params(StudyQuery), responses(
    (status = 200, description = "A page of studies", body = StudyList),
))]
#[get("/studies")]
pub async fn studies(
    app: web::Data<App>,
    me: Reader,
    query: web::Query<StudyQuery>,
) -> Result<web::Json<StudyList>, ApiError> {
    Ok(web::Json(app.studies(me.0, query.into_inner()).await?))
}

/// One study: its exact terms, key, and where it stands (with the signed approval).
#[utoipa::path(tag = "research", security(("bearer" = [])), params(("id" = Uuid, Path, description = "The study")), responses(
    (status = 200, description = "The study", body = StudyView),
))]
#[get("/studies/{id}")]
pub async fn study(
    app: web::Data<App>,
    me: Reader,
    path: web::Path<Uuid>,
) -> Result<web::Json<StudyView>, ApiError> {
    Ok(web::Json(app.study(me.0, path.into_inner()).await?))
}

/// Submits the researcher's draft for the cooperative's decision (an entry of the
/// governance log freezes its terms and key); submitting again changes nothing.
#[utoipa::path(tag = "research", security(("bearer" = [])), params(("id" = Uuid, Path, description = "The study")), responses(
    (status = 200, description = "Submitted", body = StudyView),
    (status = 403, description = "Not verified yet (researcher_not_verified), or another researcher's study (not_your_study)", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Its end date has passed", body = Problem, content_type = "application/problem+json"),
))]
#[post("/studies/{id}/submission")]
pub async fn submit(
    app: web::Data<App>,
    me: Researcher,
    path: web::Path<Uuid>,
) -> Result<web::Json<StudyView>, ApiError> {
    Ok(web::Json(app.submit_study(&me.0, path.into_inner()).await?))
}

/// The researcher closes their study: no one more consents and nothing more is
/// downloaded; closing again changes nothing.
#[utoipa::path(tag = "research", security(("bearer" = [])), params(("id" = Uuid, Path, description = "The study")), responses(
    (status = 200, description = "Closed", body = StudyView),
    (status = 403, description = "Another researcher's study (not_your_study)", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "A draft: nothing to close (study_is_draft)", body = Problem, content_type = "application/problem+json"),
))]
#[post("/studies/{id}/closure")]
pub async fn close(
    app: web::Data<App>,
    me: Researcher,
    path: web::Path<Uuid>,
) -> Result<web::Json<StudyView>, ApiError> {
    Ok(web::Json(app.close_study(&me.0, path.into_inner()).await?))
}
