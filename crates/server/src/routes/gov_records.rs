//! Governance records of an assembly's members beyond their ballots: the minutes (§47)
//! and their signatures, objections, attendance, and minority demands (§45). Every one
//! is signed on the member's machine and taken only if the chain's replay accepts it.

use crate::error::ApiError;
use crate::extract::Member;
use actix_web::{get, post, web, HttpResponse};
use datacoop_api::Problem;
use datacoop_app::App;
use datacoop_governance_core::wire::{BodiesView, DemandList, MinutesQuery, MinutesView, Recorded};
use datacoop_governance_core::{
    DemandFiling, DemandState, MinutesSignature, SignedAttendance, SignedContribution,
    SignedObjection, SignedSupport,
};
use uuid::Uuid;

/// An assembly's minutes (§47), computed from the governance log, as JSON and Markdown.
#[utoipa::path(tag = "governance", security(("bearer" = [])), params(("id" = Uuid, Path, description = "Assembly id"), MinutesQuery),
    responses(
        (status = 200, description = "The minutes", body = MinutesView),
        (status = 404, description = "No such assembly", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A vote has not closed, or chair and board member not named", body = Problem, content_type = "application/problem+json"),
))]
#[get("/gov/assemblies/{id}/minutes")]
pub async fn minutes(
    app: web::Data<App>,
    _me: Member,
    id: web::Path<Uuid>,
    q: web::Query<MinutesQuery>,
) -> Result<web::Json<MinutesView>, ApiError> {
    Ok(web::Json(
        app.minutes(id.into_inner(), q.into_inner()).await?,
    ))
}

/// The chair or the board member signs the minutes' digest with their governance key.
#[utoipa::path(tag = "governance", security(("bearer" = [])), request_body = MinutesSignature,
    params(("id" = Uuid, Path, description = "Assembly id")),
    responses(
        (status = 201, description = "Recorded", body = Recorded),
        (status = 403, description = "Not in the register", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not these minutes, not this signer, or not their signature", body = Problem, content_type = "application/problem+json"),
))]
#[post("/gov/assemblies/{id}/minutes/signatures")]
pub async fn sign_minutes(
    app: web::Data<App>,
    me: Member,
    id: web::Path<Uuid>,
    body: web::Json<MinutesSignature>,
) -> Result<HttpResponse, ApiError> {
    let sig = body.into_inner();
    if sig.assembly != id.into_inner() {
        return Err(ApiError::Invalid(
            "the signature is for another assembly".into(),
        ));
    }
    Ok(HttpResponse::Created().json(app.sign_minutes(&me.0, sig).await?))
}

/// A member records a signed objection to a resolution or to the minutes (until a
/// month after the assembly).
#[utoipa::path(tag = "governance", security(("bearer" = [])), request_body = SignedObjection,
    params(("id" = Uuid, Path, description = "Assembly id")),
    responses(
        (status = 201, description = "Recorded", body = Recorded),
        (status = 403, description = "Not in the register", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Outside the period, or not signed by you", body = Problem, content_type = "application/problem+json"),
))]
#[post("/gov/assemblies/{id}/objections")]
pub async fn object(
    app: web::Data<App>,
    me: Member,
    id: web::Path<Uuid>,
    body: web::Json<SignedObjection>,
) -> Result<HttpResponse, ApiError> {
    let o = body.into_inner();
    if o.objection.assembly != id.into_inner() {
        return Err(ApiError::Invalid(
            "the objection is for another assembly".into(),
        ));
    }
    Ok(HttpResponse::Created().json(app.object(&me.0, o).await?))
}

/// A member signs that they take part in an assembly electronically, while it runs
/// (§43b); the minutes list them among the participating members (§47(2)).
#[utoipa::path(tag = "governance", security(("bearer" = [])), request_body = SignedAttendance,
    params(("id" = Uuid, Path, description = "Assembly id")),
    responses(
        (status = 201, description = "Recorded", body = Recorded),
        (status = 403, description = "Not in the register", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The assembly is not running, already recorded, for another assembly, or not signed by you", body = Problem, content_type = "application/problem+json"),
))]
#[post("/gov/assemblies/{id}/attendance")]
pub async fn attend(
    app: web::Data<App>,
    me: Member,
    id: web::Path<Uuid>,
    body: web::Json<SignedAttendance>,
) -> Result<HttpResponse, ApiError> {
    let s = body.into_inner();
    if s.attendance.assembly != id.into_inner() {
        return Err(ApiError::Invalid(
            "the attendance is for another assembly".into(),
        ));
    }
    Ok(HttpResponse::Created().json(app.attend(&me.0, s).await?))
}

/// A member asks, states or answers in an assembly's discussion (§43b: members of a
/// virtual, hybrid or stretched assembly speak and ask electronically), signed by them;
/// taken from the convening until the assembly ends. Members read the discussion from
/// the governance log (`datacoop gov assembly discussion`).
#[utoipa::path(tag = "governance", security(("bearer" = [])), request_body = SignedContribution,
    params(("id" = Uuid, Path, description = "Assembly id")),
    responses(
        (status = 201, description = "Recorded", body = Recorded),
        (status = 403, description = "Not in the register", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The assembly has ended, the answer names no earlier contribution, the text is empty or too long, for another assembly, or not signed by you", body = Problem, content_type = "application/problem+json"),
))]
#[post("/gov/assemblies/{id}/discussion")]
pub async fn contribute(
    app: web::Data<App>,
    me: Member,
    id: web::Path<Uuid>,
    body: web::Json<SignedContribution>,
) -> Result<HttpResponse, ApiError> {
    let s = body.into_inner();
    if s.contribution.assembly != id.into_inner() {
        return Err(ApiError::Invalid(
            "the contribution is for another assembly".into(),
        ));
    }
    Ok(HttpResponse::Created().json(app.contribute(&me.0, s).await?))
}

/// Minority demands (§45), newest first, with their supporters and the share needed.
#[utoipa::path(tag = "governance", security(("bearer" = [])),
    responses(
        (status = 200, description = "The demands", body = DemandList),
))]
#[get("/gov/demands")]
pub async fn demands(app: web::Data<App>, _me: Member) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(app.demands().await?))
}

/// A member files a minority demand (§45): an assembly, or an item on an assembly's
/// agenda, with its purpose and reasons, signed as its first supporter.
#[utoipa::path(tag = "governance", security(("bearer" = [])), request_body = DemandFiling,
    responses(
        (status = 201, description = "Filed; whether it is already met", body = DemandState),
        (status = 403, description = "Not in the register", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Filed already, no purpose or reasons, or not signed by you", body = Problem, content_type = "application/problem+json"),
))]
#[post("/gov/demands")]
pub async fn file_demand(
    app: web::Data<App>,
    me: Member,
    body: web::Json<DemandFiling>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created().json(app.file_demand(&me.0, body.into_inner()).await?))
}

/// A member supports a minority demand by signing its terms.
#[utoipa::path(tag = "governance", security(("bearer" = [])), request_body = SignedSupport,
    params(("id" = Uuid, Path, description = "Demand id")),
    responses(
        (status = 201, description = "Supported; whether it is now met", body = DemandState),
        (status = 403, description = "Not in the register", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown demand, supported already, other terms, or not signed by you", body = Problem, content_type = "application/problem+json"),
))]
#[post("/gov/demands/{id}/support")]
pub async fn support_demand(
    app: web::Data<App>,
    me: Member,
    id: web::Path<Uuid>,
    body: web::Json<SignedSupport>,
) -> Result<HttpResponse, ApiError> {
    let s = body.into_inner();
    if s.support.demand != id.into_inner() {
        return Err(ApiError::Invalid(
            "the support is for another demand".into(),
        ));
    }
    Ok(HttpResponse::Created().json(app.support_demand(&me.0, s).await?))
}

/// The cooperative's bodies (board, supervisory board, ethics committee) with the
/// members their last election gave them, and the powers the assembly delegated.
#[utoipa::path(tag = "governance", security(("bearer" = [])),
    responses(
        (status = 200, description = "The bodies and delegations", body = BodiesView),
))]
#[get("/gov/bodies")]
pub async fn bodies(app: web::Data<App>, _me: Member) -> Result<web::Json<BodiesView>, ApiError> {
    Ok(web::Json(app.bodies().await?))
}
