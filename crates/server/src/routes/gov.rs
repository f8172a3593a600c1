//! Governance: the register, assemblies, motions, ballots and proxies, and the
//! governance log. The log's key, checkpoints and proofs are public; entries, agendas
//! and motions are for the cooperative's accounts; the register for stewards. Minutes,
//! objections, attendance and minority demands: `gov_records`.

use crate::error::ApiError;
use crate::extract::Member;
use actix_web::{get, post, put, web, HttpResponse};
use datacoop_api::log::{
    ConsistencyProof, ConsistencyQuery, InclusionProofs, InclusionRequest, LogCheckpoint, LogKey,
};
use datacoop_api::Problem;
use datacoop_app::App;
use datacoop_governance_core::wire::{
    AssemblyList, AssemblyView, ConveneRequest, GovEntryPage, GovEntryQuery, GovInfo, JoinRequest,
    LeavingRequest, MotionRequest, MotionView, NoticeEmailRequest, Recorded, RegisterList,
    RegisterRequest, RegisterView, Registered, ShareChangeRequest, StudyApprovalView,
};
use datacoop_governance_core::{Assembly, MotionTerms, SignedBallot, SignedProxy};
use uuid::Uuid;

/// The statute rules, the governance log's key, and whether the caller is a steward.
#[utoipa::path(tag = "governance", security(("bearer" = [])), responses(
    (status = 200, description = "Governance settings", body = GovInfo),
))]
#[get("/gov")]
pub async fn info(app: web::Data<App>, me: Member) -> Result<web::Json<GovInfo>, ApiError> {
    Ok(web::Json(app.governance_info(&me.0).await?))
}

/// The governance log's origin and verifier key (pin it).
#[utoipa::path(tag = "governance", responses((status = 200, description = "The log's key", body = LogKey)))]
#[get("/gov/log/key")]
pub async fn log_key(app: web::Data<App>) -> web::Json<LogKey> {
    web::Json(app.governance_log_key())
}

/// The governance log's latest signed checkpoint.
#[utoipa::path(tag = "governance", responses((status = 200, description = "Signed checkpoint (C2SP tlog-checkpoint note)", body = LogCheckpoint)))]
#[get("/gov/log/checkpoint")]
pub async fn checkpoint(app: web::Data<App>) -> Result<web::Json<LogCheckpoint>, ApiError> {
    Ok(web::Json(LogCheckpoint {
        checkpoint: app.governance_checkpoint().await?,
    }))
}

/// A page of the governance log's entries (the exact bytes of each leaf).
#[utoipa::path(tag = "governance", security(("bearer" = [])), params(GovEntryQuery), responses(
    (status = 200, description = "A page of entries", body = GovEntryPage),
))]
#[get("/gov/log/entries")]
pub async fn entries(
    app: web::Data<App>,
    _me: Member,
    query: web::Query<GovEntryQuery>,
) -> Result<web::Json<GovEntryPage>, ApiError> {
    Ok(web::Json(app.governance_entries(query.into_inner()).await?))
}

/// Inclusion proofs in the governance log.
#[utoipa::path(tag = "governance", request_body = InclusionRequest, responses(
    (status = 200, description = "Proofs, in request order", body = InclusionProofs),
    (status = 422, description = "Index or size outside the log", body = Problem, content_type = "application/problem+json"),
))]
#[post("/gov/log/proofs/inclusion")]
pub async fn inclusion(
    app: web::Data<App>,
    body: web::Json<InclusionRequest>,
) -> Result<web::Json<InclusionProofs>, ApiError> {
    Ok(web::Json(
        app.governance_inclusion(body.into_inner()).await?,
    ))
}

/// A consistency proof of the governance log.
#[utoipa::path(tag = "governance", params(ConsistencyQuery), responses(
    (status = 200, description = "The proof", body = ConsistencyProof),
    (status = 422, description = "Sizes outside the log", body = Problem, content_type = "application/problem+json"),
))]
#[get("/gov/log/proofs/consistency")]
pub async fn consistency(
    app: web::Data<App>,
    query: web::Query<ConsistencyQuery>,
) -> Result<web::Json<ConsistencyProof>, ApiError> {
    Ok(web::Json(
        app.governance_consistency(query.from, query.to).await?,
    ))
}

/// A steward enters a member in the register; the answer holds the member's one-time
/// invitation.
#[utoipa::path(tag = "governance", security(("bearer" = [])), request_body = RegisterRequest, responses(
    (status = 201, description = "Entered; give the invitation to the member", body = Registered),
    (status = 403, description = "Not a steward", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid entry", body = Problem, content_type = "application/problem+json"),
))]
#[post("/gov/register")]
pub async fn register(
    app: web::Data<App>,
    me: Member,
    body: web::Json<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let done = app.register_member(&me.0, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(done))
}

/// The register, for stewards.
#[utoipa::path(tag = "governance", security(("bearer" = [])), responses(
    (status = 200, description = "The register", body = RegisterList),
    (status = 403, description = "Not a steward", body = Problem, content_type = "application/problem+json"),
))]
#[get("/gov/register")]
pub async fn list_register(
    app: web::Data<App>,
    me: Member,
) -> Result<web::Json<RegisterList>, ApiError> {
    Ok(web::Json(app.member_register(&me.0).await?))
}

/// The register as CSV (RFC 4180), for the board.
#[utoipa::path(tag = "governance", security(("bearer" = [])), responses(
    (status = 200, description = "The register", content_type = "text/csv", body = String),
    (status = 403, description = "Not a steward", body = Problem, content_type = "application/problem+json"),
))]
#[get("/gov/register.csv")]
pub async fn register_csv(app: web::Data<App>, me: Member) -> Result<HttpResponse, ApiError> {
    let list = app.member_register(&me.0).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .body(datacoop_governance_core::wire::register_csv(&list)))
}

/// A steward records when a member's leaving takes effect.
#[utoipa::path(tag = "governance", security(("bearer" = [])), request_body = LeavingRequest,
    params(("member" = Uuid, Path, description = "Register id")),
    responses(
        (status = 200, description = "Recorded", body = RegisterView),
        (status = 403, description = "Not a steward", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such member", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid date, or neither or both of leaves_at and notice_given_at", body = Problem, content_type = "application/problem+json"),
))]
#[post("/gov/register/{member}/leaving")]
pub async fn leaving(
    app: web::Data<App>,
    me: Member,
    member: web::Path<Uuid>,
    body: web::Json<LeavingRequest>,
) -> Result<web::Json<RegisterView>, ApiError> {
    Ok(web::Json(
        app.record_leaving(&me.0, member.into_inner(), body.into_inner())
            .await?,
    ))
}

/// A steward records a change of a member's shares from a date (§30(2)).
#[utoipa::path(tag = "governance", security(("bearer" = [])), request_body = ShareChangeRequest,
    params(("member" = Uuid, Path, description = "Register id")),
    responses(
        (status = 200, description = "Recorded; the entry with its share changes", body = RegisterView),
        (status = 403, description = "Not a steward", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such member", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No shares, or a date before the member joined", body = Problem, content_type = "application/problem+json"),
))]
#[post("/gov/register/{member}/shares")]
pub async fn shares(
    app: web::Data<App>,
    me: Member,
    member: web::Path<Uuid>,
    body: web::Json<ShareChangeRequest>,
) -> Result<web::Json<RegisterView>, ApiError> {
    Ok(web::Json(
        app.change_shares(&me.0, member.into_inner(), body.into_inner())
            .await?,
    ))
}

/// The caller's own register entry.
#[utoipa::path(tag = "governance", security(("bearer" = [])), responses(
    (status = 200, description = "Your entry", body = RegisterView),
    (status = 403, description = "Your account is not in the register", body = Problem, content_type = "application/problem+json"),
))]
#[get("/gov/register/me")]
pub async fn my_entry(
    app: web::Data<App>,
    me: Member,
) -> Result<web::Json<RegisterView>, ApiError> {
    Ok(web::Json(app.my_register_entry(&me.0).await?))
}

/// The caller sets (or removes) the address their notices go to.
#[utoipa::path(tag = "governance", security(("bearer" = [])), request_body = NoticeEmailRequest, responses(
    (status = 200, description = "Your entry with the new address", body = RegisterView),
    (status = 403, description = "Your account is not in the register", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Not an e-mail address", body = Problem, content_type = "application/problem+json"),
))]
#[put("/gov/register/me/email")]
pub async fn my_email(
    app: web::Data<App>,
    me: Member,
    body: web::Json<NoticeEmailRequest>,
) -> Result<web::Json<RegisterView>, ApiError> {
    Ok(web::Json(
        app.set_notice_email(&me.0, body.into_inner()).await?,
    ))
}

/// Links the caller's account to their register entry with the invitation and
/// publishes their governance key.
#[utoipa::path(tag = "governance", security(("bearer" = [])), request_body = JoinRequest, responses(
    (status = 200, description = "Linked; the key is published", body = RegisterView),
    (status = 403, description = "Unknown, used or expired invitation", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Your account is linked to another entry", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid key or proof", body = Problem, content_type = "application/problem+json"),
))]
#[post("/gov/join")]
pub async fn join(
    app: web::Data<App>,
    me: Member,
    body: web::Json<JoinRequest>,
) -> Result<web::Json<RegisterView>, ApiError> {
    Ok(web::Json(
        app.join_register(&me.0, body.into_inner()).await?,
    ))
}

/// A steward convenes a general assembly.
#[utoipa::path(tag = "governance", security(("bearer" = [])), request_body = ConveneRequest, responses(
    (status = 201, description = "Convened", body = Assembly),
    (status = 403, description = "Not a steward", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Outside the notice period, or invalid", body = Problem, content_type = "application/problem+json"),
))]
#[post("/gov/assemblies")]
pub async fn convene(
    app: web::Data<App>,
    me: Member,
    body: web::Json<ConveneRequest>,
) -> Result<HttpResponse, ApiError> {
    let a = app.convene_assembly(&me.0, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(a))
}

/// Assemblies, newest first.
#[utoipa::path(tag = "governance", security(("bearer" = [])), responses(
    (status = 200, description = "Assemblies", body = AssemblyList),
))]
#[get("/gov/assemblies")]
pub async fn assemblies(
    app: web::Data<App>,
    _me: Member,
) -> Result<web::Json<AssemblyList>, ApiError> {
    Ok(web::Json(app.assemblies().await?))
}

/// One assembly with its agenda.
#[utoipa::path(tag = "governance", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Assembly id")),
    responses(
        (status = 200, description = "The assembly", body = AssemblyView),
        (status = 404, description = "No such assembly", body = Problem, content_type = "application/problem+json"),
))]
#[get("/gov/assemblies/{id}")]
pub async fn assembly(
    app: web::Data<App>,
    _me: Member,
    id: web::Path<Uuid>,
) -> Result<web::Json<AssemblyView>, ApiError> {
    Ok(web::Json(app.assembly(id.into_inner()).await?))
}

/// Files a motion on an assembly's agenda (stewards and members in the register).
#[utoipa::path(tag = "governance", security(("bearer" = [])), request_body = MotionRequest,
    params(("id" = Uuid, Path, description = "Assembly id")),
    responses(
        (status = 201, description = "Filed", body = MotionTerms),
        (status = 403, description = "Not in the register", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such assembly", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Too late for the agenda, or invalid", body = Problem, content_type = "application/problem+json"),
))]
#[post("/gov/assemblies/{id}/motions")]
pub async fn file_motion(
    app: web::Data<App>,
    me: Member,
    id: web::Path<Uuid>,
    body: web::Json<MotionRequest>,
) -> Result<HttpResponse, ApiError> {
    let m = app
        .file_motion(&me.0, id.into_inner(), body.into_inner())
        .await?;
    Ok(HttpResponse::Created().json(m))
}

/// One motion; its count only once voting closed.
#[utoipa::path(tag = "governance", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Motion id")),
    responses(
        (status = 200, description = "The motion", body = MotionView),
        (status = 404, description = "No such motion", body = Problem, content_type = "application/problem+json"),
))]
#[get("/gov/motions/{id}")]
pub async fn motion(
    app: web::Data<App>,
    _me: Member,
    id: web::Path<Uuid>,
) -> Result<web::Json<MotionView>, ApiError> {
    Ok(web::Json(app.motion(id.into_inner()).await?))
}

/// Casts a signed ballot (one's own, or as proxy); a later ballot replaces the
/// earlier one until voting closes.
#[utoipa::path(tag = "governance", security(("bearer" = [])), request_body = SignedBallot, responses(
    (status = 201, description = "Accepted: its index in the governance log", body = Recorded),
    (status = 403, description = "Not in the register", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such motion", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Voting is not open", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "The ballot cannot count (signature, eligibility, proxy, recusal)", body = Problem, content_type = "application/problem+json"),
))]
#[post("/gov/ballots")]
pub async fn ballot(
    app: web::Data<App>,
    me: Member,
    body: web::Json<SignedBallot>,
) -> Result<HttpResponse, ApiError> {
    let r = app.cast_ballot(&me.0, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(r))
}

/// Records a signed proxy authorisation for an assembly, or its revocation.
#[utoipa::path(tag = "governance", security(("bearer" = [])), request_body = SignedProxy, responses(
    (status = 201, description = "Recorded: its index in the governance log", body = Recorded),
    (status = 403, description = "Not in the register", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such assembly, member or proxy", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The holder has the most proxies allowed, you already gave one, or the assembly ended", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Not signed by your key, or for yourself", body = Problem, content_type = "application/problem+json"),
))]
#[post("/gov/proxies")]
pub async fn proxy(
    app: web::Data<App>,
    me: Member,
    body: web::Json<SignedProxy>,
) -> Result<HttpResponse, ApiError> {
    let r = app.record_proxy(&me.0, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(r))
}

/// The signed approval of a study by a resolution (the consent side checks it).
#[utoipa::path(tag = "governance", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Study id")),
    responses(
        (status = 200, description = "The approval, its signature and its entry's index", body = StudyApprovalView),
        (status = 404, description = "No resolution approved this study", body = Problem, content_type = "application/problem+json"),
))]
#[get("/gov/studies/{id}/approval")]
pub async fn study_approval(
    app: web::Data<App>,
    _me: Member,
    id: web::Path<Uuid>,
) -> Result<web::Json<StudyApprovalView>, ApiError> {
    Ok(web::Json(app.study_approval(id.into_inner()).await?))
}

/// A steward issues a new one-time invitation for a register entry (the member joins
/// again with it, e.g. after rotating their keys).
#[utoipa::path(tag = "governance", security(("bearer" = [])),
    params(("member" = Uuid, Path, description = "Register id")),
    responses(
        (status = 201, description = "A new invitation", body = Registered),
        (status = 403, description = "Not a steward", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such member", body = Problem, content_type = "application/problem+json"),
))]
#[post("/gov/register/{member}/invitation")]
pub async fn reinvite(
    app: web::Data<App>,
    me: Member,
    member: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created().json(app.reinvite_member(&me.0, member.into_inner()).await?))
}
